"""The connector against the real simulator: item codes, token, Retry-After, breaker, dead letters, leases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.dossiers import commands
from motcua.dossiers.models import OutboxMessage
from motcua.integrations import outbox
from motcua.integrations.models import PortalHealth
from motcua.integrations.reconcile import reconcile
from motcua.integrations.worker import Worker

from .lifecycles import differences

pytestmark = pytest.mark.django_db  # the worker runs in this thread; the simulator is another process
Status = OutboxMessage.Status
NATIONAL = ["national.dossier", "national.progress"]


def receive(world, **overrides):
    return commands.receive_new(world.alice, world.receive_payload(**overrides))


def to_appraisal(world, dossier):
    commands.execute(dossier.code, "transfer", world.alice, {"handling_unit_id": world.civil_status.pk})
    commands.execute(dossier.code, "assign", world.bob, {"assignee_id": world.carol.pk})


def drain(worker: Worker, rounds: int = 200) -> None:
    """Rounds until nothing is claimable now (no faults in these tests, so nothing waits for a retry)."""
    for _ in range(rounds):
        if worker.round() == 0:
            return


def national(dossier):
    return OutboxMessage.objects.filter(dossier=dossier, topic__in=NATIONAL).order_by("id")


@pytest.fixture
def worker(portal):
    w = Worker(notify=False, reconcile_minutes=0)
    yield w
    w.client.close()


def test_it_creates_then_updates_and_logs_every_event_in_order(world, portal, worker):
    dossier = receive(world)
    to_appraisal(world, dossier)
    drain(worker)
    assert set(national(dossier).values_list("status", flat=True)) == {Status.DELIVERED}
    counters = portal.stats()["counters"]
    assert counters["created"] == 1 and counters["updated"] >= 1 and counters["events_stored"] == 3
    assert differences(portal.export()) == []
    lags = list(national(dossier).values_list("lag_ms", flat=True))
    assert all(lag is not None and lag >= 0 for lag in lags)


def test_an_expired_token_is_refreshed_once_and_the_call_retried(world, portal, worker):
    receive(world)
    worker.client.token()
    worker.client._token = "not-a-token-the-portal-knows"
    drain(worker)
    assert portal.stats()["counters"]["unauthorized"] == 1
    assert not national(world.procedure.dossiers.get()).exclude(status=Status.DELIVERED).exists()


def test_exists_is_resent_as_update_and_not_found_as_create(world, portal, worker):
    dossier = receive(world)
    drain(worker)
    first = national(dossier).filter(topic="national.dossier").get()
    # The portal applied it but the answer was lost: the HTTT sends the same version again as a create.
    outbox.resend([first.pk], dead_only=False)
    drain(worker)
    first.refresh_from_db()
    assert first.status == Status.DELIVERED and first.result_code == "0"
    assert portal.stats()["counters"]["already_exists"] == 1
    # The portal lost everything; the next change goes out as an update, is answered -4, then created.
    portal.reset()
    to_appraisal(world, dossier)
    drain(worker)
    assert portal.stats()["counters"]["not_found"] >= 1
    assert [h["MaHoSo"] for h in portal.export()["HoSo"]] == [dossier.code]
    # The events sent before the loss are gone from the portal; the sweep puts them back.
    report = reconcile()
    assert report.events_requeued == {dossier.code: 1}
    drain(worker)
    assert differences(portal.export()) == []


def test_stale_versions_and_duplicate_events_count_as_delivered(world, portal, worker):
    # ThoiDiemCapNhat has one-second resolution: the versions must be seconds apart to be ordered.
    start = timezone.now() - timedelta(minutes=5)
    dossier = commands.receive_new(world.alice, world.receive_payload(), now=start)
    commands.execute(
        dossier.code,
        "transfer",
        world.alice,
        {"handling_unit_id": world.civil_status.pk},
        now=start + timedelta(seconds=2),
    )
    drain(worker)
    oldest_hoso = national(dossier).filter(topic="national.dossier").first()
    first_event = national(dossier).filter(topic="national.progress").first()
    outbox.resend([oldest_hoso.pk, first_event.pk], dead_only=False)
    drain(worker)
    oldest_hoso.refresh_from_db()
    first_event.refresh_from_db()
    assert (oldest_hoso.status, oldest_hoso.result_code) == (Status.DELIVERED, "-5")
    assert (first_event.status, first_event.result_code) == (Status.DELIVERED, "-6")
    assert portal.stats()["anomalies"]["total"] == 0


def test_it_waits_as_long_as_retry_after_says_without_opening_the_breaker(world, portal, worker):
    receive(world)
    portal.faults(rate_limit_rate=1.0, retry_after_s=3)
    before = timezone.now()
    worker.round()
    row = OutboxMessage.objects.filter(topic="national.dossier").get()
    assert row.status == Status.PENDING and row.attempts == 1
    assert row.next_attempt_at >= before + timedelta(seconds=3)
    health = PortalHealth.objects.get()
    assert health.state == "closed" and health.blocked_until >= before + timedelta(seconds=3)
    requests = portal.stats()["counters"]["requests"]
    assert worker.round() == 0  # everyone holds back until Retry-After has passed
    assert portal.stats()["counters"]["requests"] == requests


def test_the_breaker_opens_after_repeated_failures_probes_and_closes(world, portal, worker, settings):
    settings.MOTCUA_NATIONAL_BACKOFF_BASE_MS = 1
    settings.MOTCUA_NATIONAL_BACKOFF_MAX_SECONDS = 1
    for _ in range(3):
        receive(world)
    portal.faults(error_rate=1.0)
    for _ in range(settings.MOTCUA_NATIONAL_BREAKER_THRESHOLD):
        OutboxMessage.objects.update(next_attempt_at=None)
        worker.round()
    health = PortalHealth.objects.get()
    assert health.state == "open" and health.open_count == 1
    requests = portal.stats()["counters"]["requests"]
    OutboxMessage.objects.update(next_attempt_at=None)
    assert worker.round() == 0
    assert portal.stats()["counters"]["requests"] == requests  # open: no call at all
    portal.faults()
    PortalHealth.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))
    worker.round()  # the probe (a read), which closes the breaker
    assert PortalHealth.objects.get().state == "closed"
    drain(worker)
    assert not OutboxMessage.objects.filter(topic__in=NATIONAL).exclude(status=Status.DELIVERED).exists()


def test_after_the_last_attempt_a_message_is_dead_holds_its_dossier_back_and_can_be_resent(
    world, portal, worker, settings
):
    settings.MOTCUA_NATIONAL_MAX_ATTEMPTS = 2
    settings.MOTCUA_NATIONAL_BREAKER_THRESHOLD = 100
    dossier = receive(world)
    portal.faults(error_rate=1.0)
    for _ in range(2):
        OutboxMessage.objects.update(next_attempt_at=None)
        worker.round()
    hoso = national(dossier).filter(topic="national.dossier").get()
    assert hoso.status == Status.DEAD and "HTTP 5" in hoso.last_error
    portal.faults()
    to_appraisal(world, dossier)
    drain(worker)
    # Nothing after the dead message went out: the portal must not see seq n+1 before seq n.
    assert national(dossier).filter(status=Status.DELIVERED).count() == 0
    assert portal.stats()["counters"]["created"] == 0
    call_command("national_portal", "resend", "--dossier", dossier.code)
    drain(worker)
    assert set(national(dossier).values_list("status", flat=True)) == {Status.DELIVERED}
    assert differences(portal.export()) == []


def test_a_malformed_dossier_is_dead_at_once_with_the_portals_reason(world, portal, worker):
    dossier = receive(world)
    to_appraisal(world, dossier)
    commands.execute(dossier.code, "record_result", world.carol, {})
    commands.execute(dossier.code, "forward", world.carol, {"assignee_id": world.bob.pk})
    commands.execute(dossier.code, "approve", world.bob, {})
    commands.execute(dossier.code, "approve", world.dave, {})
    commands.execute(dossier.code, "issue_result", world.erin, {})
    # The engine never sends an empty result number any more; corrupt the stored snapshot to stand for a
    # payload the portal refuses, and check the connector dead-letters it at once with the portal's reason.
    last = national(dossier).filter(topic="national.dossier").order_by("-id").first()
    last.payload["DanhSachGiayToKetQua"][0]["MaGiayToKetQua"] = ""
    last.save(update_fields=["payload"])
    drain(worker)
    dead = national(dossier).get(status=Status.DEAD)
    assert dead.attempts == 1 and dead.result_code == "-1"
    assert "MaGiayToKetQua" in dead.last_error


def test_claims_take_one_message_per_dossier_and_a_lease_expires(world, settings):
    settings.MOTCUA_NATIONAL_CLAIM_LEASE_SECONDS = 5
    first, second = receive(world), receive(world)
    to_appraisal(world, first)
    now = timezone.now()
    a = outbox.claim("host:1:a", outbox.NATIONAL_TOPICS, 100, now, in_order=True)
    heads = {row.dossier_id: row.pk for row in a}
    assert heads == {d.pk: national(d).first().pk for d in (first, second)}
    assert outbox.claim("host:2:b", outbox.NATIONAL_TOPICS, 100, now, in_order=True) == []
    later = now + timedelta(seconds=6)
    b = outbox.claim("host:2:b", outbox.NATIONAL_TOPICS, 100, later, in_order=True)
    assert sorted(r.pk for r in b) == sorted(heads.values())
    # The first worker comes back late: its verdict no longer counts.
    assert outbox.settle("host:1:a", [outbox.Verdict(a[0], "delivered")], later) == {
        "delivered": 0,
        "retry": 0,
        "dead": 0,
    }
    assert outbox.settle("host:2:b", [outbox.Verdict(r, "delivered") for r in b], later)["delivered"] == 2
    c = outbox.claim("host:2:b", outbox.NATIONAL_TOPICS, 100, later, in_order=True)
    assert sorted(r.pk for r in c) == sorted(national(d)[1].pk for d in (first, second))  # each one's next


def test_a_killed_workers_rows_on_this_host_are_released_at_once(world):
    receive(world)
    import socket

    dead_pid = 2**22 + 12345  # above the usual pid range: no such process
    claimer = f"{socket.gethostname()[:60]}:{dead_pid}:x"
    rows = outbox.claim(claimer, outbox.NATIONAL_TOPICS, 10, timezone.now(), in_order=True)
    assert rows
    assert outbox.release_dead_workers(timezone.now()) == len(rows)
    again = outbox.claim("other:1:y", outbox.NATIONAL_TOPICS, 10, timezone.now(), in_order=True)
    assert [r.pk for r in again] == [r.pk for r in rows]
