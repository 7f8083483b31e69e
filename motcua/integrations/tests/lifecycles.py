"""Random dossier lifecycles through the real commands; the check that the portal holds what the HTTT says.

Each dossier gets a plan: counter or online reception (online ones may be refused or sent back for
completion), then the default process with random branches (supplementation, a financial obligation,
withdrawal, stop), sometimes cut short so that open dossiers stay open. Plans are interleaved step by step
across dossiers so that the workers see many dossiers changing at once.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from motcua.dossiers import commands
from motcua.dossiers.models import Dossier, OutboxMessage
from motcua.dossiers.national_view import hoso

Step = tuple[str, str, Callable[[Any, Dossier], dict]]  # (action, actor, data builder)

COMPARED_FIELDS = (
    "TrangThaiHoSo",
    "NgayNopHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayHenTraBanDau",
    "NgayKetThucXuLy",
    "NgayTra",
    "NgayTuChoi",
    "TaiLieuNop",
    "DanhSachGiayToKetQua",
    "DanhSachLePhi",
    "DanhSachHoSoBoSung",
)


OBLIGATION = {"name": "Phí thẩm định", "amount": 30_000, "code": "PTD"}


def _nothing(world, dossier) -> dict:
    return {}


def _birth_paper(world) -> int:
    return world.version.components.get(order=2).pk


def _result(world, dossier) -> dict:
    # A complete result as the portal requires it (MaGiayToKetQua = its number); see docs/integrations.md.
    return {
        "results": [
            {"name": "Giấy khai sinh", "result_code": "KQ.H99.000001", "document_number": f"{dossier.pk}/GKS"}
        ]
    }


def plan(rng: random.Random) -> tuple[str, list[Step]]:
    """(how it arrives: "counter" | "online", the steps after arrival)."""
    arrival = "online" if rng.random() < 0.3 else "counter"
    steps: list[Step] = []
    if arrival == "online":
        roll = rng.random()
        if roll < 0.15:
            return arrival, [("refuse", "alice", lambda w, d: {"reasons": ["Không thuộc thẩm quyền"]})]
        if roll < 0.25:
            return arrival, [("guide", "alice", lambda w, d: {"items": ["Bổ sung bản chụp rõ nét"]})]
        steps.append(("receive", "alice", _nothing))
    steps += [
        ("transfer", "alice", lambda w, d: {"handling_unit_id": w.civil_status.pk}),
        ("assign", "bob", lambda w, d: {"assignee_id": w.carol.pk}),
    ]
    if rng.random() < 0.3:
        steps += [
            ("request_supplement", "carol", lambda w, d: {"items": ["Giấy chứng sinh"], "reason": "Bản mờ"}),
            ("approve_supplement_request", "bob", _nothing),
            ("receive_supplement", "alice", lambda w, d: {"components": [{"component_id": _birth_paper(w)}]}),
        ]
    if rng.random() < 0.2:
        steps += [
            ("request_payment", "carol", lambda w, d: {"items": [OBLIGATION]}),
            ("confirm_payment", "alice", lambda w, d: {"method": "national_platform", "reference": "GD1"}),
        ]
    if rng.random() < 0.1:
        steps.append(("withdraw", "alice", lambda w, d: {"reason": "Người nộp xin rút"}))
        return arrival, steps
    if rng.random() < 0.05:
        steps.append(("stop", "dave", lambda w, d: {"reason": "Hồ sơ giả mạo giấy tờ"}))
        return arrival, steps
    steps += [
        ("record_result", "carol", _result),
        ("forward", "carol", lambda w, d: {"assignee_id": w.bob.pk}),
        ("approve", "bob", _nothing),
        ("approve", "dave", _nothing),
        ("issue_result", "erin", _nothing),
        ("return_result", "alice", lambda w, d: {"recipient_name": d.applicant_name}),
    ]
    if rng.random() < 0.25:
        steps = steps[: rng.randrange(1, len(steps))]  # still open when the run ends
    return arrival, steps


def arrive(world, how: str, index: int) -> Dossier:
    if how == "counter":
        return commands.receive_new(world.alice, world.receive_payload())
    payload = world.receive_payload(national_dossier_id=f"DVCQG-TEST-{index:06d}", channel="national_portal")
    dossier, _ = commands.submit_online(payload)
    return dossier


class Driver:
    """Drives `count` dossiers step by step, in a random interleaving."""

    def __init__(self, world, count: int, seed: int) -> None:
        self.world = world
        self.rng = random.Random(seed)
        self.pending: list[tuple[str, list[Step], int]] = [(*plan(self.rng), i) for i in range(count)]
        self.active: list[tuple[Dossier, list[Step]]] = []
        self.commands = 0

    @property
    def done(self) -> bool:
        return not self.pending and not self.active

    def step(self) -> None:
        if self.pending and (not self.active or self.rng.random() < 0.35):
            how, steps, index = self.pending.pop(0)
            self.active.append((arrive(self.world, how, index), steps))
            self.commands += 1
            return
        position = self.rng.randrange(len(self.active))
        dossier, steps = self.active[position]
        if not steps:
            self.active.pop(position)
            return
        action, actor, data = steps.pop(0)
        dossier.refresh_from_db()
        commands.execute(dossier.code, action, self.world.users[actor], data(self.world, dossier))
        self.commands += 1

    def run(self, *, until: Callable[[], bool] | None = None) -> None:
        while not self.done and not (until and until()):
            self.step()


def undelivered() -> int:
    return (
        OutboxMessage.objects.filter(topic__in=["national.dossier", "national.progress"])
        .exclude(status=OutboxMessage.Status.DELIVERED)
        .count()
    )


def wait_drained(timeout: float, poll: float = 0.25) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if undelivered() == 0:
            return True
        time.sleep(poll)
    return undelivered() == 0


def differences(export: dict[str, Any]) -> list[str]:
    """Every way the portal's store differs from the HTTT's national view (empty when in sync)."""
    stored = {item["MaHoSo"]: item for item in export["HoSo"]}
    problems = []
    for dossier in Dossier.objects.order_by("id"):
        code = dossier.code
        got = stored.pop(code, None)
        if got is None:
            problems.append(f"{code}: not on the portal")
            continue
        last = (
            OutboxMessage.objects.filter(dossier=dossier, topic="national.dossier")
            .order_by("-id")
            .values_list("payload", flat=True)
            .first()
        )
        held = {k: v for k, v in got.items() if k not in ("TienTrinh", "_sim")}
        if held != last:
            changed = sorted(k for k in set(held) | set(last or {}) if held.get(k) != (last or {}).get(k))
            problems.append(f"{code}: the portal holds another version (fields {changed})")
        latest_event = dossier.events.order_by("-seq").first()
        view = hoso(dossier, updated_at=latest_event.at if latest_event else timezone.now())
        for key in COMPARED_FIELDS:
            if view[key] != got.get(key):
                problems.append(f"{code}: {key} is {got.get(key)!r} on the portal, {view[key]!r} in the HTTT")
        expected = [f"{code}-{seq:04d}" for seq in range(1, dossier.version + 1)]
        logged = sorted(e["MaSuKien"] for e in got["TienTrinh"])
        if logged != expected:
            problems.append(f"{code}: progress log {logged} ≠ events {expected}")
    problems += [f"{code}: on the portal but not in the HTTT" for code in stored]
    return problems


def in_a_while(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)
