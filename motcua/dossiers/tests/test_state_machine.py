"""Random legal and illegal commands, with the engine's invariants checked after every one (hypothesis)."""

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from motcua.dossiers import commands, timing
from motcua.dossiers.errors import DossierError
from motcua.dossiers.events import verify_chain, verify_projection
from motcua.dossiers.models import Dossier, DossierEvent, OutboxMessage
from motcua.workflow.national import is_allowed_national_transition
from motcua.workflow.vocabulary import OPEN_STATES, PAUSED_STATES, Action

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ACTIONS = [a for a in Action.values if a != Action.SUBMIT]
ACTORS = ["alice", "bob", "carol", "dave", "erin", "mallory", "olga", "victor"]


def params_for(action: str, dossier: Dossier, world) -> dict:
    open_consultation = dossier.consultations.filter(replied_at__isnull=True).first()
    due = dossier.due_at or dossier.original_due_at
    return {
        Action.TRANSFER: {"handling_unit_id": world.civil_status.pk},
        Action.ASSIGN: {"assignee_id": world.carol.pk},
        Action.REQUEST_SUPPLEMENT: {"items": ["Bản sao giấy chứng sinh"], "reason": "Thiếu"},
        Action.REQUEST_PAYMENT: {"items": [{"name": "Lệ phí", "amount": 100_000}]},
        Action.CONFIRM_PAYMENT: {"method": "national_platform"},
        Action.CONSULT: {"agency_id": world.construction.pk, "question": "Ý kiến?", "budget_hours": 4},
        Action.REPLY_CONSULTATION: {
            "consultation_id": open_consultation.pk if open_consultation else 0,
            "reply": "Đồng ý",
        },
        Action.EXTEND: {
            "new_due_at": ((due or datetime(2026, 3, 2, tzinfo=VN)) + timedelta(days=3)).isoformat(),
            "reason": "Cần xác minh",
        },
        Action.STOP: {"reason": "Theo đề nghị"},
        Action.WITHDRAW: {"reason": "Không còn nhu cầu"},
        Action.GUIDE: {"items": ["Tờ khai"]},
        Action.REFUSE: {"reasons": ["Không thuộc thẩm quyền"]},
        Action.RETURN_RESULT: {"recipient_name": "Nguyễn Thị Hồng Nhung"},
    }.get(action, {})


class DossierMachine(RuleBasedStateMachine):
    dossiers = Bundle("dossiers")

    def __init__(self):
        super().__init__()
        self.world = WORLD
        self.now = datetime(2026, 3, 2, 8, 0, tzinfo=VN)
        self.codes: list[str] = []
        self.seen_status: dict[str, list[int]] = {}

    def tick(self, hours: int) -> datetime:
        self.now += timedelta(hours=hours, minutes=7)
        return self.now

    @rule(target=dossiers, hours=st.integers(0, 20))
    def receive_at_counter(self, hours):
        dossier = commands.receive_new(self.world.alice, self.world.receive_payload(), now=self.tick(hours))
        self.codes.append(dossier.code)
        return dossier.code

    @rule(target=dossiers, hours=st.integers(0, 20), n=st.integers(0, 10**9))
    def submit_online(self, hours, n):
        data = self.world.receive_payload(channel="online", national_dossier_id=f"G22-{n}")
        dossier, _ = commands.submit_online(data, now=self.tick(hours))
        if dossier.code not in self.codes:
            self.codes.append(dossier.code)
        return dossier.code

    @rule(
        code=dossiers,
        action=st.sampled_from(ACTIONS),
        actor=st.sampled_from(ACTORS),
        hours=st.integers(0, 30),
    )
    def act(self, code, action, actor, hours):
        dossier = Dossier.objects.get(code=code)
        before = (
            dossier.version,
            DossierEvent.objects.filter(dossier=dossier).count(),
            OutboxMessage.objects.filter(dossier=dossier).count(),
            dossier.state,
        )
        data = params_for(action, dossier, self.world)
        try:
            commands.execute(code, action, getattr(self.world, actor), data, now=self.tick(hours))
        except DossierError:
            dossier.refresh_from_db()
            after = (
                dossier.version,
                DossierEvent.objects.filter(dossier=dossier).count(),
                OutboxMessage.objects.filter(dossier=dossier).count(),
                dossier.state,
            )
            assert after == before, f"a refused {action} changed the dossier"

    @invariant()
    def every_dossier_is_consistent(self):
        for dossier in Dossier.objects.filter(code__in=self.codes).select_related("competent_agency"):
            assert verify_projection(dossier) == []
            assert verify_chain(dossier) == []
            if dossier.state in OPEN_STATES and dossier.current_step:
                assert dossier.holder_unit_id is not None, "a step without a holder"
            statuses = [None, *dossier.events.order_by("seq").values_list("national_status", flat=True)]
            for a, b in itertools.pairwise(statuses):
                assert is_allowed_national_transition(a, b), (dossier.code, a, b)
            progress = OutboxMessage.objects.filter(dossier=dossier, topic="national.progress")
            assert list(progress.order_by("id").values_list("dossier_seq", flat=True)) == list(
                range(1, dossier.version + 1)
            ), "outbox incomplete or out of order"
            if dossier.received_at and dossier.state not in PAUSED_STATES and not dossier.extended:
                expected = timing.legal_due(timing.calendar_of(dossier), dossier, at=self.now)
                if dossier.finished_at is None:
                    assert dossier.due_at == expected, "due date differs from the engine"


WORLD = None


@pytest.mark.slow
def test_random_command_sequences_keep_every_invariant(world):
    global WORLD
    WORLD = world
    run_state_machine_as_test(
        DossierMachine,
        settings=settings(
            max_examples=10, stateful_step_count=25, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
