"""A small directory with named actors, shared by the org tests.

UBND tỉnh Hồng Lam (province)
├── Văn phòng UBND tỉnh (division)                     dave: supervisor
├── Trung tâm Phục vụ hành chính công (division)       erin: one-stop at the provincial centre
├── Sở Tư pháp (department)                             carol: leader; grace: leader, expired
│   └── Phòng Hành chính tư pháp (division)             alice: specialist; bob: head
│       └── Tổ hộ tịch (division)
├── Sở Xây dựng (department)                            heidi: specialist
└── UBND phường Đông Thành (commune)                    frank: leader
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth import get_user_model

from motcua.org.models import Agency, ReceptionPoint, Role, RoleAssignment

K = Agency.Kind


@dataclass
class Directory:
    province: Agency
    office: Agency
    centre: Agency
    justice: Agency
    civil_division: Agency
    civil_team: Agency
    construction: Agency
    commune: Agency
    counter: ReceptionPoint
    users: dict


@pytest.fixture
def directory(db) -> Directory:
    def agency(code, name, kind, parent=None):
        return Agency.objects.create(code=code, name=name, kind=kind, parent=parent)

    province = agency("000.00.00.H99", "UBND tỉnh Hồng Lam", K.PROVINCE)
    office = agency("000.00.01.H99", "Văn phòng UBND tỉnh", K.DIVISION, province)
    centre = agency("000.00.30.H99", "Trung tâm Phục vụ hành chính công tỉnh", K.DIVISION, province)
    justice = agency("000.00.05.H99", "Sở Tư pháp", K.DEPARTMENT, province)
    civil_division = agency("000.01.05.H99", "Phòng Hành chính tư pháp", K.DIVISION, justice)
    civil_team = agency("001.01.05.H99", "Tổ hộ tịch", K.DIVISION, civil_division)
    construction = agency("000.00.06.H99", "Sở Xây dựng", K.DEPARTMENT, province)
    commune = agency("000.00.51.H99", "UBND phường Đông Thành", K.COMMUNE, province)
    counter = ReceptionPoint.objects.create(
        name="Trung tâm PVHCC tỉnh", kind=ReceptionPoint.Kind.PROVINCIAL_CENTRE, agency=centre
    )

    User = get_user_model()
    users = {
        name: User.objects.create_user(name)
        for name in ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi")
    }

    def assign(name, role, on, **extra):
        RoleAssignment.objects.create(user=users[name], role=role, agency=on, **extra)

    assign("alice", Role.SPECIALIST, civil_division)
    assign("bob", Role.HEAD, civil_division)
    assign("carol", Role.LEADER, justice)
    assign("dave", Role.SUPERVISOR, office)
    assign("erin", Role.ONE_STOP, centre, reception_point=counter)
    assign("frank", Role.LEADER, commune)
    assign("grace", Role.LEADER, justice, valid_from=date(2020, 1, 1), valid_to=date(2025, 6, 30))
    assign("heidi", Role.SPECIALIST, construction)
    return Directory(
        province, office, centre, justice, civil_division, civil_team, construction, commune, counter, users
    )
