"""Concurrency on PostgreSQL, with real threads and connections (SQLite serialises writers anyway)."""

import threading
from collections import Counter
from datetime import date

import pytest
from django.db import connection, connections, transaction

from motcua.dossiers import commands
from motcua.dossiers.codes import next_dossier_code
from motcua.dossiers.errors import Conflict, DossierError, NotAllowed
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.testing import build_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"),
]


def in_threads(count, target):
    barrier = threading.Barrier(count)
    errors = []

    def run(index):
        try:
            barrier.wait()
            target(index)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_eight_concurrent_allocators_of_500_codes_each_never_share_a_number():
    """The allocation itself, 8 × 500 transactions racing on one unit and day."""
    day = date(2026, 3, 2)
    taken: list[str] = []
    lock = threading.Lock()

    def allocate(_index):
        for _ in range(500):
            with transaction.atomic():
                code = next_dossier_code("000.00.10.H99", day)
            with lock:
                taken.append(code)

    assert in_threads(8, allocate) == []
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in taken)
    assert numbers == list(range(1, 4001)), "codes must have no gaps and no repeats"


@pytest.mark.slow
def test_eight_concurrent_receivers_never_share_a_dossier_code():
    """Whole receptions (dossier, components, fees, event, outbox) racing at one counter."""
    world = build_world()
    per_thread = 40
    payload = world.receive_payload()

    def receive_many(_index):
        for _ in range(per_thread):
            commands.receive_new(world.alice, payload)

    errors = in_threads(8, receive_many)
    assert errors == []
    codes = list(Dossier.objects.values_list("code", flat=True))
    assert len(codes) == 8 * per_thread
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert numbers == list(range(1, len(codes) + 1)), "codes must have no gaps and no repeats"


def test_two_officers_acting_at_once_exactly_one_wins():
    world = build_world()
    dossiers = [commands.receive_new(world.alice, world.receive_payload()) for _ in range(10)]
    outcomes: Counter = Counter()
    lock = threading.Lock()
    for dossier in dossiers:
        seen = dossier.version

        def act(index, code=dossier.code, seen=seen):
            try:
                if index == 0:
                    commands.execute(
                        code,
                        "transfer",
                        world.alice,
                        {"handling_unit_id": world.civil_status.pk},
                        expected_version=seen,
                    )
                else:
                    commands.execute(
                        code, "withdraw", world.alice, {"reason": "Đổi ý"}, expected_version=seen
                    )
                result = "won"
            except (Conflict, NotAllowed) as exc:
                result = type(exc).__name__
            except DossierError as exc:  # pragma: no cover - would be a bug
                result = f"unexpected {exc}"
            with lock:
                outcomes[result] += 1

        assert in_threads(2, act) == []
    assert outcomes["won"] == len(dossiers)
    assert outcomes["Conflict"] == len(dossiers)
    for dossier in dossiers:
        dossier.refresh_from_db()
        assert dossier.state in {"processing", "withdrawn"}
        assert DossierEvent.objects.filter(dossier=dossier).count() == 2 == dossier.version
