"""Driving dossiers of the test world through the commands to the branch each form documents."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from motcua.dossiers import commands
from motcua.dossiers.models import Dossier

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def run(
    dossier: Dossier, action: str, user, data: dict | None = None, when: str = "2026-03-02T10:00"
) -> Dossier:
    return commands.execute(dossier.code, action, user, data or {}, now=at(when))


def receive(world, when: str = "2026-03-02T09:00", user=None, **overrides) -> Dossier:
    return commands.receive_new(user or world.alice, world.receive_payload(**overrides), now=at(when))


def to_appraisal(world, dossier: Dossier, when: str = "2026-03-02T10:00") -> Dossier:
    run(dossier, "transfer", world.alice, {"handling_unit_id": world.civil_status.pk}, when)
    run(dossier, "assign", world.bob, {"assignee_id": world.carol.pk}, when)
    return fresh(dossier)


def to_return(world, dossier: Dossier) -> Dossier:
    """The whole default process from appraisal to the applicant collecting the result."""
    run(dossier, "record_result", world.carol, {}, "2026-03-03T09:00")
    run(dossier, "forward", world.carol, {"assignee_id": world.bob.pk}, "2026-03-03T10:00")
    run(dossier, "approve", world.bob, {}, "2026-03-03T11:00")
    run(dossier, "approve", world.dave, {}, "2026-03-03T14:00")
    run(dossier, "issue_result", world.erin, {}, "2026-03-03T15:00")
    run(
        dossier, "return_result", world.alice, {"recipient_name": "Nguyễn Thị Hồng Nhung"}, "2026-03-04T08:30"
    )
    return fresh(dossier)


def submit_online(world, national_id: str = "G22.99-0001", when: str = "2026-03-02T08:00") -> Dossier:
    payload = world.receive_payload(channel="online", national_dossier_id=national_id)
    dossier, _created = commands.submit_online(payload, now=at(when))
    return dossier


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_related(
        "procedure_version__procedure", "competent_agency", "reception_point__agency", "return_point"
    ).get(pk=dossier.pk)
