"""A month of dossiers in every situation the index and Biểu 06 distinguish (March 2026, Vietnam time)."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from motcua.dossiers import commands
from motcua.dossiers.models import Dossier
from motcua.indicators.testing import add_procedures, at, handle_to_result, payload, route, run
from motcua.org.models import Agency, Role, RoleAssignment

NOW = "2026-04-02T10:00"  # the pages are looked at then (time-machine)


@dataclass
class Scenario:
    world: Any
    extra: Any
    supervisor: Any
    health: Agency  # a department with no procedure and no dossier (ties with Sở Xây dựng)
    dossiers: dict[str, Dossier]


@pytest.fixture
def scenario(world) -> Scenario:
    extra = add_procedures(world)
    health = Agency.objects.create(
        name="Sở Y tế", kind=Agency.Kind.DEPARTMENT, parent=world.province, code="000.00.25.H99"
    )
    supervisor = get_user_model().objects.create_user(
        "giamsat", password="x", first_name="Hà", last_name="Lê"
    )
    RoleAssignment.objects.create(user=supervisor, role=Role.SUPERVISOR, agency=world.province)

    def receive(when, **kw):
        return commands.receive_new(world.alice, payload(world, **kw), now=at(when))

    d = {}
    d["carried"] = receive("2026-02-25T09:00")  # received in February, handled on 03/03
    handle_to_result(world, d["carried"], "2026-03-03T10:00")
    d["early"] = receive("2026-03-02T09:00", flags={"digitised": True})
    handle_to_result(world, d["early"], "2026-03-04T10:00")
    d["late"] = receive("2026-03-02T09:00", flags={"reuse": 1})
    handle_to_result(world, d["late"], "2026-03-10T10:00")
    d["open_late"] = receive("2026-03-03T09:00")  # due 10/03: open and past due at the end of March
    d["open_ok"] = receive("2026-03-30T09:00")  # due 06/04: open and within its due date on 31/03
    d["supplement"] = receive("2026-03-02T09:00", population_data_used=True)
    route(world, d["supplement"], "2026-03-02T10:00")
    run(
        world,
        d["supplement"],
        "request_supplement",
        "carol",
        {"items": ["Giấy chứng sinh"], "reason": "Mờ"},
        "2026-03-04T09:00",
    )
    run(world, d["supplement"], "approve_supplement_request", "bob", {}, "2026-03-04T10:00")
    d["online"], _ = commands.submit_online(
        payload(world, channel="online", national_dossier_id="G22-1"), now=at("2026-03-05T09:00")
    )
    d["copies"] = commands.receive_new(
        world.olga,
        payload(
            world,
            extra.copies,
            {"digitised": True, "from_national_store": True},
            reception_point_id=world.commune_centre.pk,
        ),
        now=at("2026-03-06T09:00"),
    )
    d["withdrawn"] = receive("2026-03-09T09:00")
    run(world, d["withdrawn"], "withdraw", "alice", {"reason": "Không còn nhu cầu"}, "2026-03-20T09:00")
    return Scenario(world, extra, supervisor, health, {k: Dossier.objects.get(pk=v.pk) for k, v in d.items()})
