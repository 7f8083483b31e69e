"""The simulator writes exactly the rows the real commands write: same columns, same events, same hash chain.

Each scenario runs twice on the same world: through `motcua.dossiers.commands` (into the database), then
through `Simulator` (in memory) with the ids the database gave and the same instants. Every row of every
table must be identical, except the wall-clock columns Django fills itself (created_at, updated_at, added_at).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import models

from motcua.benchtools.simulate import ROW_MODELS, Directory, IdPool, Intake, Simulator
from motcua.dossiers import commands
from motcua.dossiers.models import Dossier
from motcua.workflow.models import resolve_process

WALL_CLOCK = {"created_at", "updated_at", "added_at"}
# Monday 2 March 2026, 08:40 in Hà Nội (01:40 UTC): a working morning.
T0 = datetime(2026, 3, 2, 1, 40, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def _values(obj: models.Model) -> dict:
    out = {}
    for f in obj._meta.concrete_fields:
        if f.attname in WALL_CLOCK:
            continue
        value = getattr(obj, f.attname)
        if isinstance(f, models.FileField):
            value = getattr(value, "name", value) or ""
        out[f.attname] = value
    return out


def _db_rows(dossier_id: int) -> dict[type[models.Model], list[dict]]:
    rows = {}
    for model in ROW_MODELS:
        key = "pk" if model is Dossier else "dossier_id"
        rows[model] = [_values(o) for o in model.objects.filter(**{key: dossier_id}).order_by("pk")]
    return rows


def _replay_ids(db_rows: dict[type[models.Model], list[dict]]) -> IdPool:
    queues = {model: [r["id"] for r in rows] for model, rows in db_rows.items()}
    return IdPool(lambda model: queues[model].pop(0))


def _payload(world, **extra) -> dict:
    return world.receive_payload(**extra)


def _intake(world, data: dict) -> Intake:
    version = (
        type(world.version)
        .objects.select_related("procedure", "field")
        .prefetch_related("components", "results", "channels__fees")
        .get(pk=world.version.pk)
    )
    directory_points = {world.centre.pk: world.centre, world.commune_centre.pk: world.commune_centre}
    competent = world.justice
    process = resolve_process(version.procedure_id, [a.pk for a in competent.ancestors_and_self()])
    return Intake(
        version=version,
        process=process,
        channel=data.get("channel", "in_person"),
        reception_point=directory_points[data["reception_point_id"]],
        competent_agency=competent,
        applicant=data["applicant"],
        components=data["components"],
        national_dossier_id=data.get("national_dossier_id"),
        submitted_at=data.get("submitted_at"),
    )


def _scenario_steps(world, name: str) -> tuple[dict, list[tuple[str, str, dict, datetime]]]:
    """(reception data, then (action, actor, data, instant) …) for one branch of the lifecycle."""
    civil = world.civil_status.pk
    carol = world.carol.pk
    online = name.startswith("online")
    data = _payload(world, channel="online" if online else ("postal" if name == "postal" else "in_person"))
    if online:
        data["national_dossier_id"] = f"G22-TEST-{name}"
    steps: list[tuple[str, str, dict, datetime]] = []
    if online:
        steps.append(("receive", "alice", {}, at(1)))
    if name == "online_refused":
        return data, [("refuse", "alice", {"reasons": ["Sai thủ tục"]}, at(0.5))]
    steps += [
        ("transfer", "alice", {"handling_unit_id": civil}, at(1.5)),
        ("assign", "bob", {"assignee_id": carol}, at(3)),
    ]
    if name == "online_supplement":
        steps += [
            (
                "request_supplement",
                "carol",
                {"items": ["Bản sao giấy chứng sinh"], "reason": "Ảnh mờ"},
                at(4),
            ),
            ("approve_supplement_request", "bob", {}, at(5)),
            ("receive_supplement", "alice", {"components": [{"name": "Bản sao giấy chứng sinh"}]}, at(60)),
            (
                "consult",
                "carol",
                {"agency_id": world.construction.pk, "question": "Ý kiến về địa chỉ", "budget_hours": 8},
                at(61),
            ),
            ("reply_consultation", "victor", {"consultation_id": None, "reply": "Đồng ý"}, at(70)),
        ]
    if name == "withdrawn":
        steps += [
            ("request_supplement", "carol", {"items": ["Tờ khai"], "reason": "Thiếu chữ ký"}, at(4)),
            ("approve_supplement_request", "bob", {}, at(5)),
            ("withdraw", "alice", {"reason": "Người nộp rút hồ sơ"}, at(30)),
        ]
        return data, steps
    if name == "stopped":
        steps.append(("stop", "dave", {"reason": "Có tranh chấp"}, at(6)))
        return data, steps
    late = 200 if name == "postal" else 0  # postal: handed over far beyond the step budgets → late
    steps += [
        ("record_result", "carol", {}, at(80 + late)),
        ("forward", "carol", {}, at(81 + late)),
        ("approve", "bob", {}, at(82 + late)),
        ("approve", "dave", {}, at(83 + late)),
        ("issue_result", "erin", {}, at(84 + late)),
        ("return_result", "alice", {"recipient_name": "Nguyễn Thị Hồng Nhung"}, at(100 + late)),
    ]
    return data, steps


SCENARIOS = ["in_person", "postal", "online_supplement", "online_refused", "withdrawn", "stopped"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", SCENARIOS)
def test_simulator_writes_the_rows_the_commands_write(world, name):
    data, steps = _scenario_steps(world, name)
    users = world.users
    online = "national_dossier_id" in data

    # 1. The real commands.
    if online:
        dossier, _ = commands.submit_online({**data, "submitted_at": at(0).isoformat()}, now=at(0))
    else:
        dossier = commands.receive_new(users["alice"], data, now=at(0))
    for action, who, params, instant in steps:
        if action == "reply_consultation":
            params = {**params, "consultation_id": dossier.consultations.get().pk}
        commands.execute(dossier.code, action, users[who], params, now=instant)
    expected = _db_rows(dossier.pk)

    # 2. The simulator, with the ids the database gave, in memory.
    directory = Directory.load()
    sim = Simulator(directory, _replay_ids(expected))
    intake = _intake(world, {**data, "submitted_at": at(0) if online else None})
    if online:
        d = sim.submit_online(intake, dossier.code, at(0))
    else:
        d = sim.receive_new(directory.users[users["alice"].pk], intake, dossier.code, at(0))
    for action, who, params, instant in steps:
        if action == "reply_consultation":
            params = {**params, "consultation_id": d.consultations.items[0].pk}
        sim.execute(d, action, directory.users[users[who].pk], params, instant)
    got = {model: [_values(o) for o in rows] for model, rows in sim.close(d).items()}

    for model in ROW_MODELS:
        assert len(got[model]) == len(expected[model]), f"{model.__name__}: row count differs"
        for want_row, got_row in zip(expected[model], got[model], strict=True):
            assert got_row == want_row, f"{model.__name__} #{want_row['id']} differs"


@pytest.mark.django_db
def test_simulator_refuses_an_action_the_commands_would_refuse(world):
    from motcua.dossiers.errors import NotAllowed

    data, _ = _scenario_steps(world, "in_person")
    directory = Directory.load()
    counter = iter(range(1, 10_000))
    sim = Simulator(directory, IdPool(lambda model: next(counter)))
    d = sim.receive_new(directory.users[world.alice.pk], _intake(world, data), "TEST-1", at(0))
    with pytest.raises(NotAllowed):
        # Approving is the head's move at the review step; the dossier is still at the counter.
        sim.execute(d, "approve", directory.users[world.bob.pk], {}, at(1))
