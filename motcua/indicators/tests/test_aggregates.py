"""The incremental aggregates: counted with the events, equal to a rebuild, equal to a full scan."""

import contextlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, rule, run_state_machine_as_test

from motcua.dossiers import commands
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Dossier, OutboxMessage
from motcua.indicators import aggregates, figures, naive, periods
from motcua.indicators.models import DossierFact, IndexCounter
from motcua.indicators.testing import add_procedures, at, handle_to_result, payload, run

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ACTORS = ["alice", "bob", "carol", "dave", "erin", "olga"]
RARE = {"withdraw", "stop", "refuse", "guide", "extend", "consult", "request_payment"}


def state_now():
    return aggregates.counters_snapshot(), aggregates.facts_snapshot()


def assert_rebuild_changes_nothing():
    incremental = state_now()
    summary = aggregates.rebuild()
    assert summary.changed == len(incremental[1])
    assert state_now() == incremental


@pytest.fixture
def extra(world):
    return add_procedures(world)


def test_a_received_dossier_is_counted_on_its_reception_day_at_day_and_month_grain(world):
    dossier = commands.receive_new(world.alice, payload(world), now=at("2026-03-02T09:00"))
    key = (world.justice.pk, world.procedure.pk)
    day = IndexCounter.objects.get(grain="d", agency_id=key[0], procedure_id=key[1], day="2026-03-02")
    month = IndexCounter.objects.get(grain="m", agency_id=key[0], procedure_id=key[1], day="2026-03-01")
    for row in (day, month):
        assert (row.dossiers, row.open, row.doc_result, row.fee_due, row.b06_received_offline) == (
            1,
            1,
            1,
            1,
            1,
        )
    fact = DossierFact.objects.get(pk=dossier.pk)
    assert fact.status == "open" and fact.judged_due == at("2026-03-09T09:00")
    # Biểu 06: still open on its due date's end, so in progress past due from 09/03.
    assert str(fact.overdue_from) == "2026-03-09"


def test_routing_events_leave_the_counters_alone(world, django_assert_max_num_queries):
    dossier = commands.receive_new(world.alice, payload(world), now=at("2026-03-02T09:00"))
    before = state_now()
    run(world, dossier, "transfer", "alice", {"handling_unit_id": world.civil_status.pk}, "2026-03-02T10:00")
    run(world, dossier, "assign", "bob", {"assignee_id": world.carol.pk}, "2026-03-02T10:30")
    assert state_now() == before


def test_an_extension_does_not_make_a_late_dossier_on_time(world):
    dossier = commands.receive_new(world.alice, payload(world), now=at("2026-03-02T09:00"))
    run(world, dossier, "transfer", "alice", {"handling_unit_id": world.civil_status.pk}, "2026-03-02T10:00")
    run(world, dossier, "assign", "bob", {"assignee_id": world.carol.pk}, "2026-03-02T10:00")
    run(
        world,
        dossier,
        "extend",
        "dave",
        {"new_due_at": "2026-03-13T17:00+07:00", "reason": "Xác minh"},
        "2026-03-06T10:00",
    )
    dossier = handle_to_result(world, dossier, "2026-03-11T10:00", routed=True)
    assert dossier.extended and dossier.finished_at < dossier.due_at  # on time for the apology letter…
    fact = DossierFact.objects.get(pk=dossier.pk)
    assert fact.status == "late"  # …but late for the index, judged against the original due date
    assert fact.judged_due == at("2026-03-09T09:00")
    assert fact.b06_class == "late"
    assert_rebuild_changes_nothing()


def test_a_second_supplementation_request_makes_the_dossier_late(world, settings):
    settings.MOTCUA_MAX_SUPPLEMENT_REQUESTS = 2
    dossier = commands.receive_new(world.alice, payload(world), now=at("2026-03-02T09:00"))
    run(world, dossier, "transfer", "alice", {"handling_unit_id": world.civil_status.pk}, "2026-03-02T10:00")
    run(world, dossier, "assign", "bob", {"assignee_id": world.carol.pk}, "2026-03-02T10:00")
    ask = {"items": ["Giấy chứng sinh"], "reason": "Thiếu"}
    for day in ("03", "05"):
        run(world, dossier, "request_supplement", "carol", ask, f"2026-03-{day}T09:00")
        run(world, dossier, "approve_supplement_request", "bob", {}, f"2026-03-{day}T09:30")
        fact = DossierFact.objects.get(pk=dossier.pk)
        assert fact.status == ("on_time" if day == "03" else "late")  # ended at the one request, then late
        run(world, dossier, "receive_supplement", "alice", {}, f"2026-03-{day}T10:00")
    assert DossierFact.objects.get(pk=dossier.pk).reason == "supplemented_twice"
    assert_rebuild_changes_nothing()


def test_a_delivered_hoso_counts_the_dossier_as_synchronised(world):
    first = commands.receive_new(world.alice, payload(world), now=at("2026-03-02T09:00"))
    second = commands.receive_new(world.alice, payload(world), now=at("2026-03-02T09:05"))
    month = {"grain": "m", "agency_id": world.justice.pk, "procedure_id": world.procedure.pk}
    assert IndexCounter.objects.get(**month).synchronised == 0  # nothing delivered yet: 1.4 counts 0
    row = OutboxMessage.objects.filter(dossier=first, topic="national.dossier").first()
    row.status = OutboxMessage.Status.DELIVERED
    row.save()  # a connector saving rows one by one: the post_save receiver counts it
    assert IndexCounter.objects.get(**month).synchronised == 1
    OutboxMessage.objects.filter(dossier=second, topic="national.dossier").update(status="delivered")
    assert IndexCounter.objects.get(**month).synchronised == 1  # a bulk update sends no signal…
    assert aggregates.catch_up_deliveries() == 1  # …the catch-up (run before every dashboard read) sees it
    assert IndexCounter.objects.get(**month).synchronised == 2
    assert aggregates.catch_up_deliveries() == 0  # nothing new: two indexed lookups and done
    assert_rebuild_changes_nothing()


def test_a_connector_can_report_deliveries_itself(world):
    dossier = commands.receive_new(world.alice, payload(world), now=at("2026-03-02T09:00"))
    OutboxMessage.objects.filter(dossier=dossier, topic="national.dossier").update(status="delivered")
    assert aggregates.note_delivered([dossier.pk]) == 1
    assert DossierFact.objects.get(pk=dossier.pk).synchronised


def test_a_windowed_rebuild_repairs_the_counters_of_its_window(world):
    for day in ("02", "10", "20"):
        commands.receive_new(world.alice, payload(world), now=at(f"2026-03-{day}T09:00"))
    good = state_now()
    IndexCounter.objects.filter(grain="d", day="2026-03-10").update(dossiers=99)
    IndexCounter.objects.filter(grain="m").update(open=0)
    aggregates.rebuild(periods.parse_date("2026-03-05"), periods.parse_date("2026-03-15"))
    assert state_now() == good


def test_procedures_with_at_least_one_online_dossier_are_counted_once_over_the_period(world, extra):
    for when in ("2026-03-02T09:00", "2026-03-03T09:00", "2026-04-01T09:00"):
        commands.submit_online(payload(world, channel="online", national_dossier_id=when), now=at(when))
    quarter = figures.compute_figures(
        world.province,
        periods.parse("2026-Q1").start,
        periods.parse("2026-Q1").end,
        now=at("2026-04-02T00:00"),
    )
    # Three online services (1.001193 full, 9.100001 partial, 9.100002 by every commune); only the first had
    # online dossiers — on two days of March and in April: one procedure, not two or three.
    assert (quarter["3.2"].numerator, quarter["3.2"].denominator) == (1, 3)
    assert (quarter["3.3"].numerator, quarter["3.3"].denominator) == (0, 2)  # no e-result yet
    assert quarter["2.1"].denominator == 2


# --- Random lifecycles: incremental = rebuilt = full scan -------------------------------------------------

WORLD = None
EXTRA = None


def params_for(action: str, dossier: Dossier, world) -> dict:
    open_consultation = dossier.consultations.filter(replied_at__isnull=True).first()
    due = dossier.due_at or dossier.original_due_at or dossier.received_at
    return {
        "transfer": {"handling_unit_id": world.civil_status.pk}
        if dossier.competent_agency_id == world.justice.pk
        else {},
        "record_result": {"results": [{"name": "Văn bản trả lời"}]},
        "assign": {"assignee_id": world.carol.pk},
        "request_supplement": {"items": ["Bản sao giấy chứng sinh"], "reason": "Thiếu"},
        "request_payment": {"items": [{"name": "Lệ phí", "amount": 100_000}]},
        "confirm_payment": {"method": "national_platform"},
        "consult": {"agency_id": world.construction.pk, "question": "Ý kiến?", "budget_hours": 4},
        "reply_consultation": {
            "consultation_id": open_consultation.pk if open_consultation else 0,
            "reply": "Đồng ý",
        },
        "extend": {
            "new_due_at": ((due or at("2026-03-02T08:00")) + timedelta(days=3)).isoformat(),
            "reason": "Cần xác minh",
        },
        "stop": {"reason": "Theo đề nghị"},
        "withdraw": {"reason": "Không còn nhu cầu"},
        "guide": {"items": ["Tờ khai"]},
        "refuse": {"reasons": ["Không thuộc thẩm quyền"]},
        "return_result": {"recipient_name": "Nguyễn Thị Hồng Nhung"},
        "receive_supplement": {"components": [{"name": "Bản sao bổ sung", "digitised": True}]},
    }.get(action, {})


class IndexMachine(RuleBasedStateMachine):
    dossiers = Bundle("dossiers")

    def __init__(self):
        super().__init__()
        self.world, self.extra = WORLD, EXTRA
        self.now = datetime(2026, 3, 2, 8, 0, tzinfo=VN)

    def tick(self, hours: int) -> datetime:
        self.now += timedelta(hours=hours, minutes=7)
        return self.now

    @rule(
        target=dossiers,
        which=st.sampled_from(["main", "no_result", "copies"]),
        channel=st.sampled_from(["in_person", "postal"]),
        digitised=st.booleans(),
        reuse=st.sampled_from([0, 1, 2]),
        store=st.booleans(),
        population=st.booleans(),
        hours=st.integers(0, 30),
    )
    def receive(self, which, channel, digitised, reuse, store, population, hours):
        w = self.world
        flags = {"digitised": digitised, "reuse": reuse, "from_national_store": store}
        if which == "copies":
            data = payload(
                w,
                self.extra.copies,
                flags,
                channel=channel,
                reception_point_id=w.commune_centre.pk,
                population_data_used=population,
            )
            dossier = commands.receive_new(w.olga, data, now=self.tick(hours))
        else:
            procedure = self.extra.no_result if which == "no_result" else None
            data = payload(w, procedure, flags, channel=channel, population_data_used=population)
            dossier = commands.receive_new(w.alice, data, now=self.tick(hours))
        return dossier.code

    @rule(
        target=dossiers,
        which=st.sampled_from(["main", "no_result"]),
        n=st.integers(0, 10**9),
        vneid=st.booleans(),
        hours=st.integers(0, 30),
    )
    def submit_online(self, which, n, vneid, hours):
        w = self.world
        procedure = self.extra.no_result if which == "no_result" else None
        data = payload(w, procedure, channel="online", national_dossier_id=f"G22-{n}")
        data["applicant"]["vneid_verified"] = vneid
        dossier, _ = commands.submit_online(data, now=self.tick(hours))
        return dossier.code

    @rule(
        code=dossiers,
        picks=st.lists(st.integers(0, 10**6), min_size=1, max_size=10),
        hours=st.integers(0, 40),
    )
    def advance(self, code, picks, hours):
        """Up to ten actions on one dossier, chosen among those some actor may take now."""
        for pick in picks:
            dossier = Dossier.objects.get(code=code)
            choices = []
            for actor in ACTORS:
                available, _blocked = commands.available_actions(dossier, getattr(self.world, actor))
                for entry in available:
                    # The usual path is far likelier than ending early or branching off it.
                    weight = 1 if entry["action"] in RARE else 12
                    choices += [(actor, entry["action"])] * weight
            if not choices:
                return
            actor, action = choices[pick % len(choices)]
            # A refused command changes nothing (the dossiers tests prove it); the counters neither.
            with contextlib.suppress(DossierError):
                commands.execute(
                    code,
                    action,
                    getattr(self.world, actor),
                    params_for(action, dossier, self.world),
                    now=self.tick(hours // len(picks)),
                )

    @rule(code=dossiers, one_by_one=st.booleans())
    def deliver_to_the_portal(self, code, one_by_one):
        rows = OutboxMessage.objects.filter(dossier__code=code, topic="national.dossier", status="pending")
        if one_by_one:
            for row in rows:
                row.status = OutboxMessage.Status.DELIVERED
                row.save()
        else:
            ids = list(rows.values_list("dossier_id", flat=True).distinct())
            rows.update(status=OutboxMessage.Status.DELIVERED)
            aggregates.note_delivered(ids)

    def teardown(self):
        now = self.now + timedelta(days=2)
        for text in ("2026-Q1", "2026-03-04..2026-04-20"):
            period = periods.parse(text)
            fast = figures.score_units(self.world.province, period, now=now)
            slow = naive.score_units(self.world.province, period, now=now)
            assert fast.root.unit.figures == slow.root.unit.figures, text
            assert [c.unit.figures for c in fast.children] == [c.unit.figures for c in slow.children], text
        assert_rebuild_changes_nothing()


@pytest.mark.slow
def test_incremental_counters_equal_a_rebuild_and_a_full_scan_after_random_lifecycles(world, settings):
    global WORLD, EXTRA
    settings.MOTCUA_MAX_SUPPLEMENT_REQUESTS = 2  # so that "more than one request = late" happens too
    WORLD, EXTRA = world, add_procedures(world)
    run_state_machine_as_test(
        IndexMachine,
        settings=settings_for_machine(),
    )


def settings_for_machine():
    return settings(
        max_examples=6, stateful_step_count=20, deadline=None, suppress_health_check=list(HealthCheck)
    )


def test_a_population_lookup_recorded_later_counts_for_4_6(world):
    dossier = commands.receive_new(world.alice, payload(world), now=at("2026-03-02T09:00"))
    assert not DossierFact.objects.get(pk=dossier.pk).population
    commands.execute(dossier.code, "record_population_use", None, {}, now=at("2026-03-02T09:30"))
    assert DossierFact.objects.get(pk=dossier.pk).population
    assert (
        IndexCounter.objects.get(grain="y", agency=world.justice, procedure=world.procedure).population == 1
    )
    assert_rebuild_changes_nothing()
