"""Test helpers: more procedures for the dossiers ``World`` (so every kind of item has something to count),
and the default path through the commands.

- ``world.procedure`` (1.001193, from ``build_world``): result is a document, fee 50 000 đ, online full,
  5 working days at the counter, 3 online; competent: Sở Tư pháp.
- ``extra.no_result`` (9.100001): no result document, no fee, partial online, subjects enterprises; no time
  limit at the counter (a dossier there has no due date: the procedure's longest limit applies), 3 working
  days online; competent: Sở Tư pháp.
- ``extra.copies`` (9.100002): certified copies from originals, fully online, decided by every commune
  (agency kind), fee 2 000 đ at the counter only (4.5 counts communes offering it online).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from motcua.catalogue.models import ChannelOption, Component, Fee, Procedure, ProcedureVersion, ResultDocument
from motcua.catalogue.versions import publish
from motcua.dossiers import commands

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class Extra:
    no_result: Procedure
    copies: Procedure


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def add_procedures(world: Any) -> Extra:
    no_result = Procedure.objects.create(code="9.100001", name="Cung cấp thông tin lý lịch (thử nghiệm)")
    version = ProcedureVersion.objects.create(
        procedure=no_result,
        number=1,
        name=no_result.name,
        field=world.version.field,
        levels=["province"],
        subjects=["enterprise"],
        competent_agency=world.justice,
        online_level=ProcedureVersion.OnlineLevel.PARTIAL,
    )
    Component.objects.create(version=version, order=1, name="Tờ khai", required=True)
    for channel in ("in_person", "postal"):
        ChannelOption.objects.create(version=version, channel=channel, duration_unit="none")
    ChannelOption.objects.create(
        version=version, channel="online", duration_value=Decimal(3), duration_unit="working_days"
    )
    publish(version)

    copies = Procedure.objects.create(
        code="9.100002", name="Chứng thực bản sao từ bản chính giấy tờ, văn bản"
    )
    version = ProcedureVersion.objects.create(
        procedure=copies,
        number=1,
        name=copies.name,
        levels=["commune"],
        subjects=["citizen", "enterprise"],
        competent_agency_kind="commune",
        online_level=ProcedureVersion.OnlineLevel.FULL,
    )
    Component.objects.create(version=version, order=1, name="Bản chính giấy tờ", required=True)
    ResultDocument.objects.create(version=version, name="Bản sao có chứng thực", result_code="KQ.H99.000111")
    for channel in ("in_person", "postal"):
        counter = ChannelOption.objects.create(version=version, channel=channel, duration_unit="same_day")
        Fee.objects.create(channel_option=counter, name="Phí chứng thực", amount=2000)
    ChannelOption.objects.create(version=version, channel="online", duration_unit="same_day")
    publish(version)
    return Extra(no_result, copies)


def payload(
    world: Any, procedure: Procedure | None = None, flags: dict | None = None, **overrides: Any
) -> dict[str, Any]:
    """``world.receive_payload`` for any procedure, every catalogue component supplied with ``flags``
    (digitised, reuse, from_national_store)."""
    data = world.receive_payload(**overrides)
    version = (procedure or world.procedure).published_version()
    assert version is not None, "the procedure has no published version"
    if procedure is not None:
        data["procedure_code"] = procedure.code
    data["components"] = [{"component_id": c.pk, **(flags or {})} for c in version.components.all()]
    return data


def run(world: Any, dossier: Any, action: str, actor: str, data: dict | None = None, when: str = ""):
    return commands.execute(dossier.code, action, getattr(world, actor), data or {}, now=at(when))


def route(world: Any, dossier: Any, when: str) -> Any:
    """transfer (to Phòng Hành chính tư pháp) → assign (to carol), at ``when``."""
    run(world, dossier, "transfer", "alice", {"handling_unit_id": world.civil_status.pk}, when)
    return run(world, dossier, "assign", "bob", {"assignee_id": world.carol.pk}, when)


def handle_to_result(world: Any, dossier: Any, when: str, *, routed: bool = False) -> Any:
    """(route →) record_result → forward → approve (head) → approve (leader) → issue, at ``when``."""
    if not routed:
        route(world, dossier, when)
    run(world, dossier, "record_result", "carol", {}, when)
    run(world, dossier, "forward", "carol", {"assignee_id": world.bob.pk}, when)
    run(world, dossier, "approve", "bob", {}, when)
    run(world, dossier, "approve", "dave", {}, when)
    return run(world, dossier, "issue_result", "erin", {}, when)
