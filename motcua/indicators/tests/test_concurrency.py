"""Counters under concurrent commands, on PostgreSQL (real threads and connections; SQLite serialises)."""

import threading

import pytest
from django.db import connection, connections

from motcua.dossiers import commands
from motcua.dossiers.testing import build_world
from motcua.indicators import aggregates
from motcua.indicators.models import IndexCounter
from motcua.indicators.testing import at, handle_to_result, payload

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


def test_concurrent_commands_on_the_same_counter_rows_lose_no_count_and_never_deadlock():
    world = build_world()

    def work(index):
        for n in range(3):
            dossier = commands.receive_new(world.alice, payload(world), now=at("2026-03-02T09:00"))
            if (index + n) % 2:
                handle_to_result(world, dossier, "2026-03-03T10:00")

    assert in_threads(6, work) == []
    year = IndexCounter.objects.get(grain="y", agency=world.justice, procedure=world.procedure)
    assert year.dossiers == 18 and year.on_time == 9 and year.open == 9
    incremental = aggregates.counters_snapshot(), aggregates.facts_snapshot()
    aggregates.rebuild()
    assert (aggregates.counters_snapshot(), aggregates.facts_snapshot()) == incremental
