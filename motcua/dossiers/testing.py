"""A small, complete world for tests of anything that handles dossiers (and for benchmarks).

One province, its service centre, Sở Tư pháp with a division, another department, a commune, staff with
named actors (alice at the counter, bob the head, carol the specialist, dave the leader, erin the clerk,
mallory a specialist elsewhere, olga at the commune counter), one procedure with a published version and
the built-in default process.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from motcua.catalogue.models import ChannelOption, Component, Fee, Procedure, ProcedureVersion, ResultDocument
from motcua.catalogue.models import Field as CatalogueField
from motcua.catalogue.versions import publish
from motcua.org.models import Agency, ReceptionPoint, Role, RoleAssignment
from motcua.workflow.loader import ensure_builtin_processes

PASSWORD = "motcua-test-password"


@dataclass
class World:
    province: Agency
    justice: Agency
    civil_status: Agency
    construction: Agency
    commune: Agency
    centre: ReceptionPoint
    commune_centre: ReceptionPoint
    procedure: Procedure
    version: ProcedureVersion
    users: dict[str, Any]

    def __getattr__(self, name: str) -> Any:  # world.alice, world.bob …
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    def receive_payload(self, **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "procedure_code": self.procedure.code,
            "reception_point_id": self.centre.pk,
            "channel": "in_person",
            "applicant": {
                "name": "Nguyễn Thị Hồng Nhung",
                "id_number": "001190012345",
                "birth_date": "1990-05-17",
                "address": "Số 5 đường Trần Phú, phường Đông Hải",
                "phone": "0912345678",
                "email": "nhung@example.vn",
            },
            "components": [{"component_id": c.pk} for c in self.version.components.all()],
        }
        data.update(overrides)
        return data


def build_world(*, duration_days: int = 5, fee: int = 50_000) -> World:
    User = get_user_model()
    province = Agency.objects.create(
        name="UBND tỉnh Thử Nghiệm", kind=Agency.Kind.PROVINCE, code="000.00.00.H99", electronic_id="H99"
    )
    justice = Agency.objects.create(
        name="Sở Tư pháp",
        kind=Agency.Kind.DEPARTMENT,
        parent=province,
        code="000.00.15.H99",
        electronic_id="H99.15",
    )
    civil_status = Agency.objects.create(
        name="Phòng Hành chính tư pháp", kind=Agency.Kind.DIVISION, parent=justice, code="000.01.15.H99"
    )
    construction = Agency.objects.create(
        name="Sở Xây dựng",
        kind=Agency.Kind.DEPARTMENT,
        parent=province,
        code="000.00.20.H99",
        electronic_id="H99.20",
    )
    commune = Agency.objects.create(
        name="UBND phường Đông Hải", kind=Agency.Kind.COMMUNE, parent=province, code="000.00.31.H99"
    )
    office = Agency.objects.create(
        name="Trung tâm Phục vụ hành chính công tỉnh",
        kind=Agency.Kind.DIVISION,
        parent=province,
        code="000.00.10.H99",
    )
    centre = ReceptionPoint.objects.create(
        name="Trung tâm Phục vụ hành chính công tỉnh",
        kind=ReceptionPoint.Kind.PROVINCIAL_CENTRE,
        agency=office,
    )
    commune_centre = ReceptionPoint.objects.create(
        name="Bộ phận một cửa phường Đông Hải", kind=ReceptionPoint.Kind.COMMUNE_CENTRE, agency=commune
    )

    people = {
        "alice": ("Trần Thị Ánh", Role.ONE_STOP, office, centre, "Chuyên viên một cửa"),
        "bob": ("Lê Văn Bình", Role.HEAD, civil_status, None, "Trưởng phòng"),
        "carol": ("Phạm Thu Cúc", Role.SPECIALIST, civil_status, None, "Chuyên viên"),
        "dave": ("Hoàng Minh Đức", Role.LEADER, justice, None, "Phó Giám đốc Sở"),
        "erin": ("Vũ Thị Êm", Role.CLERK, justice, None, "Văn thư"),
        "mallory": ("Đỗ Văn Mạnh", Role.SPECIALIST, construction, None, "Chuyên viên"),
        "olga": ("Ngô Thị Oanh", Role.ONE_STOP, commune, commune_centre, "Công chức một cửa"),
        "victor": ("Bùi Văn Việt", Role.SPECIALIST, construction, None, "Chuyên viên phối hợp"),
    }
    users = {}
    for username, (full_name, role, agency, point, title) in people.items():
        # The house convention (see motcua/org/demo/accounts.py): first_name = family and middle names,
        # last_name = given name, so get_full_name() reads in Vietnamese order.
        family, given = full_name.rsplit(" ", 1)
        user = User.objects.create_user(username, password=PASSWORD, first_name=family, last_name=given)
        RoleAssignment.objects.create(user=user, role=role, agency=agency, reception_point=point, title=title)
        users[username] = user

    field = CatalogueField.objects.create(code="H99-HTTP", name="Hộ tịch")
    procedure = Procedure.objects.create(code="1.001193", name="Thủ tục đăng ký khai sinh")
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        name=procedure.name,
        field=field,
        levels=["province"],
        subjects=["citizen"],
        competent_agency=justice,
        online_level=ProcedureVersion.OnlineLevel.FULL,
    )
    Component.objects.create(version=version, order=1, name="Tờ khai đăng ký khai sinh", required=True)
    Component.objects.create(version=version, order=2, name="Giấy chứng sinh", required=True)
    Component.objects.create(version=version, order=3, name="Văn bản ủy quyền (nếu có)", required=False)
    ResultDocument.objects.create(version=version, name="Giấy khai sinh", result_code="KQ.H99.000001")
    for channel, days in (
        ("in_person", duration_days),
        ("online", max(1, duration_days - 2)),
        ("postal", duration_days),
    ):
        option = ChannelOption.objects.create(
            version=version, channel=channel, duration_value=Decimal(days), duration_unit="working_days"
        )
        if fee:
            Fee.objects.create(channel_option=option, code="LP01", name="Lệ phí đăng ký", amount=fee)
    publish(version)
    version.refresh_from_db()
    ensure_builtin_processes()
    return World(
        province,
        justice,
        civil_status,
        construction,
        commune,
        centre,
        commune_centre,
        procedure,
        version,
        users,
    )
