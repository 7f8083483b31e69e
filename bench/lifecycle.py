"""Lifecycle throughput: complete dossier lifecycles per second through the domain commands, 1 and 4 workers.

One lifecycle = the default process path of the engine guide: receive → transfer → assign → record_result →
forward → approve (head) → approve (leader, signs) → issue_result → return_result: nine transactions, each
with its event (hash-chained) and outbox rows. Three implementations, in the same run, interleaved in rounds
so that the noise of a shared machine falls on all of them alike:

* **motcua** — `motcua.dossiers.commands` (receive_new, execute): locks, guards, deadline engine, events,
  outbox; through Django's ORM.
* **floor** — the same rows written as plain prepared SQL over psycopg, no framework and no logic: the rows
  of one real lifecycle, captured once, replayed under new ids and codes (row lock, INSERT event, UPDATE
  the dossier's changed columns, INSERT outbox, plus the reception's sequence, dossier, components and fees
  and the result's insert / sign / issue). The physical floor of the same work on the same database.
* **spiff** — the same process modelled in BPMN (bench/lifecycle.bpmn) and run by SpiffWorkflow, the way a
  multi-process deployment of SpiffArena must: before every task the serialised workflow is loaded from
  PostgreSQL (row-locked), after it saved back, in the same transaction as the same event, dossier and
  outbox writes as the floor.

Each worker is a process with its own connection; the workers start together (barrier). All of it runs in
a scratch database of its own (`<database>_lifecycle`), dropped afterwards.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ._common import conninfo, in_processes, record, sibling_database

WORKERS = (1, 4)
KINDS = ("floor", "motcua", "spiff")
FULL = {"seconds": 15.0, "rounds": 3}
QUICK = {"seconds": 1.0, "rounds": 1}
BPMN = Path(__file__).with_name("lifecycle.bpmn")
GOALS = {  # issue 8
    ("floor", 1): 0.35,
    ("floor", 4): 0.25,
    ("spiff", 1): 1.3,
    ("spiff", 4): 2.0,
}


# ------------------------------------------------------------------------------------------ the template


@dataclass
class Template:
    """The rows one real lifecycle wrote, ready to be replayed by the floor and the peer engine."""

    unit_code: str
    dossier: list
    components: list[list]
    fees: list[list]
    events: list[list]  # per seq
    outbox: list[list[list]]  # per seq, the rows
    results: list[list]
    after: list[list]  # per seq: tracked columns after the event (+ version)
    actions: list[str]
    signed: list[bool]
    sql: dict[str, str]
    positions: dict[str, dict[str, int]]


def _insert(model, exclude=("id",)) -> tuple[str, list[str], dict[str, int]]:
    from django.db import connection, models

    q = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if f.attname not in exclude]
    cols = ", ".join(q(f.column) for f in fields)
    marks = ", ".join("%s::jsonb" if isinstance(f, models.JSONField) else "%s" for f in fields)
    sql = f"INSERT INTO {q(model._meta.db_table)} ({cols}) VALUES ({marks}) RETURNING id"
    attnames = [f.attname for f in fields]
    return sql, attnames, {a: i for i, a in enumerate(attnames)}


def _row(values: dict, attnames: list[str]) -> list:
    out = []
    for a in attnames:
        v = values[a]
        out.append(json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v)
    return out


def capture(cast) -> Template:
    from motcua.dossiers import commands
    from motcua.dossiers.events import TRACKED_FIELDS
    from motcua.dossiers.models import (
        Dossier,
        DossierComponent,
        DossierEvent,
        DossierFee,
        DossierResult,
        OutboxMessage,
    )

    from ._world import lifecycle_steps

    d = commands.receive_new(cast.desk, cast.payload(0))
    for action, who, data in lifecycle_steps(cast):
        commands.execute(d.code, action, who, data)
    sql: dict[str, str] = {}
    pos: dict[str, dict[str, int]] = {}
    names: dict[str, list[str]] = {}
    for name, model in (
        ("dossier", Dossier),
        ("component", DossierComponent),
        ("fee", DossierFee),
        ("event", DossierEvent),
        ("outbox", OutboxMessage),
        ("result", DossierResult),
    ):
        sql[name], names[name], pos[name] = _insert(model)

    def rows(model, name, **flt):
        return [_row(v, names[name]) for v in model.objects.filter(**flt).order_by("id").values()]

    events = list(DossierEvent.objects.filter(dossier=d).order_by("seq").values())
    outbox = rows(OutboxMessage, "outbox", dossier=d)
    outbox_seq = [o[pos["outbox"]["dossier_seq"]] for o in outbox]
    state: dict[str, Any] = {}
    after = []
    for i, e in enumerate(events, start=1):
        state.update(e["payload"]["changes"])
        after.append([state.get(f) for f in TRACKED_FIELDS] + [i])
    tracked = ", ".join(f"{f} = %s" for f in TRACKED_FIELDS)
    sql["update"] = f"UPDATE dossiers_dossier SET {tracked}, version = %s, updated_at = now() WHERE id = %s"
    sql["lock"] = "SELECT id FROM dossiers_dossier WHERE code = %s FOR UPDATE"
    sql["sequence"] = (
        "INSERT INTO dossiers_dossiersequence (unit_code, day, last_value) VALUES (%s, %s, 1) "
        "ON CONFLICT (unit_code, day) DO UPDATE SET last_value = dossiers_dossiersequence.last_value + 1 "
        "RETURNING last_value"
    )
    sql["sign"] = (
        "UPDATE dossiers_dossierresult SET signed_at = now(), signed_by_id = %s "
        "WHERE dossier_id = %s AND signed_at IS NULL"
    )
    sql["issue"] = (
        "UPDATE dossiers_dossierresult SET issued_at = now() WHERE dossier_id = %s AND issued_at IS NULL"
    )
    sql["wf_insert"] = "INSERT INTO bench_spiff_workflow (dossier_id, state) VALUES (%s, %s::jsonb)"
    sql["wf_lock"] = "SELECT state FROM bench_spiff_workflow WHERE dossier_id = %s FOR UPDATE"
    sql["wf_save"] = "UPDATE bench_spiff_workflow SET state = %s::jsonb WHERE dossier_id = %s"
    return Template(
        unit_code=d.reception_point.agency.code,
        dossier=rows(Dossier, "dossier", pk=d.pk)[0],
        components=rows(DossierComponent, "component", dossier=d),
        fees=rows(DossierFee, "fee", dossier=d),
        events=[_row(e, names["event"]) for e in events],
        outbox=[
            [o for o, s in zip(outbox, outbox_seq, strict=True) if s == i] for i in range(1, len(events) + 1)
        ],
        results=rows(DossierResult, "result", dossier=d),
        after=after,
        actions=[e["action"] for e in events],
        signed=[bool(e["payload"].get("signed")) for e in events],
        sql=sql,
        positions=pos,
    )


# ------------------------------------------------------------------------------------------ workers


def _replay_step(cur, t: Template, i: int, dossier_id: int, actor_id: int) -> None:
    """Everything but the lock of step i (0 = reception is handled by the caller)."""
    ev = list(t.events[i])
    ev[t.positions["event"]["dossier_id"]] = dossier_id
    event_id = cur.execute(t.sql["event"], ev, prepare=True).fetchone()[0]
    if i > 0:
        cur.execute(t.sql["update"], [*t.after[i], dossier_id], prepare=True)
    action = t.actions[i]
    if action == "record_result":
        for r in t.results:
            row = list(r)
            row[t.positions["result"]["dossier_id"]] = dossier_id
            for k in ("signed_at", "signed_by_id", "issued_at"):
                row[t.positions["result"][k]] = None
            cur.execute(t.sql["result"], row, prepare=True)
    elif t.signed[i]:
        cur.execute(t.sql["sign"], [actor_id, dossier_id], prepare=True)
    elif action == "issue_result":
        cur.execute(t.sql["issue"], [dossier_id], prepare=True)
    for o in t.outbox[i]:
        row = list(o)
        row[t.positions["outbox"]["dossier_id"]] = dossier_id
        row[t.positions["outbox"]["event_id"]] = event_id
        cur.execute(t.sql["outbox"], row, prepare=True)


def _receive(cur, t: Template, today: date) -> tuple[int, str]:
    number = cur.execute(t.sql["sequence"], [t.unit_code, today], prepare=True).fetchone()[0]
    code = f"{t.unit_code}-{today:%y%m%d}-B{number:06d}"
    row = list(t.dossier)
    row[t.positions["dossier"]["code"]] = code
    row[t.positions["dossier"]["search_text"]] = code
    dossier_id = cur.execute(t.sql["dossier"], row, prepare=True).fetchone()[0]
    for part, rows in (("component", t.components), ("fee", t.fees)):
        for r in rows:
            row = list(r)
            row[t.positions[part]["dossier_id"]] = dossier_id
            cur.execute(t.sql[part], row, prepare=True)
    return dossier_id, code


def _sql_worker(barrier, index: int, t: Template, seconds: float, spiff: bool) -> tuple[int, float]:
    import psycopg

    engine = _SpiffEngine() if spiff else None
    actor = t.events[0][t.positions["event"]["actor_id"]] or 0
    with psycopg.connect(conninfo()) as conn:
        today = date.today()
        barrier.wait()
        started = time.perf_counter()
        end = started + seconds
        done = 0
        while time.perf_counter() < end:
            floor_lifecycle(conn, t, today, actor, engine)
            done += 1
        return done, time.perf_counter() - started


def floor_lifecycle(conn, t: Template, today: date, actor: int, engine=None) -> None:
    """One lifecycle of the floor (engine None) or of SpiffWorkflow: one transaction per event."""
    with conn.transaction(), conn.cursor() as cur:
        dossier_id, code = _receive(cur, t, today)
        if engine:
            cur.execute(t.sql["wf_insert"], [dossier_id, engine.start()], prepare=True)
        _replay_step(cur, t, 0, dossier_id, actor)
    for i in range(1, len(t.events)):
        with conn.transaction(), conn.cursor() as cur:
            if engine:
                state = cur.execute(t.sql["wf_lock"], [dossier_id], prepare=True).fetchone()[0]
                new_state = engine.complete(state, t.actions[i], actor)
                cur.execute(t.sql["wf_save"], [new_state, dossier_id], prepare=True)
            else:
                cur.execute(t.sql["lock"], [code], prepare=True)
            _replay_step(cur, t, i, dossier_id, actor)


class _SpiffEngine:
    """The peer engine: parse the BPMN once per process; every task deserialises and re-serialises."""

    def __init__(self):
        import logging

        from SpiffWorkflow.bpmn.parser import BpmnParser

        # Its INFO log line per task state change would measure the terminal, not the engine.
        logging.getLogger("spiff").setLevel(logging.WARNING)
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

        parser = BpmnParser()
        parser.add_bpmn_file(str(BPMN))
        self.spec = parser.get_spec("lifecycle")
        self.serializer = BpmnWorkflowSerializer()

    def start(self) -> str:
        """A new workflow with its first task (reception) completed, serialised."""
        from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

        wf = BpmnWorkflow(self.spec)
        wf.do_engine_steps()
        self._run_ready(wf, "receive", 0)
        return self.serializer.serialize_json(wf)

    def complete(self, state: Any, action: str, actor: int) -> str:
        text = state if isinstance(state, str) else json.dumps(state)
        wf = self.serializer.deserialize_json(text)
        self._run_ready(wf, action, actor)
        return self.serializer.serialize_json(wf)

    @staticmethod
    def _run_ready(wf, action: str, actor: int) -> None:
        from SpiffWorkflow.util.task import TaskState

        ready = wf.get_tasks(state=TaskState.READY, manual=True)
        if len(ready) != 1:
            raise RuntimeError(f"expected one ready task before {action}, found {len(ready)}")
        task = ready[0]
        task.data["decision"] = "approve"
        task.data["actor"] = actor
        task.run()
        wf.do_engine_steps()


def _motcua_worker(barrier, index: int, cast, seconds: float) -> tuple[int, float]:
    from motcua.dossiers import commands

    from ._world import lifecycle_steps

    steps = lifecycle_steps(cast)
    commands.receive_new(cast.desk, cast.payload(index * 1_000_000 + 999_999))  # warm caches, off the clock
    barrier.wait()
    started = time.perf_counter()
    end = started + seconds
    done = 0
    while time.perf_counter() < end:
        d = commands.receive_new(cast.desk, cast.payload(index * 1_000_000 + done))
        for action, who, data in steps:
            commands.execute(d.code, action, who, data)
        done += 1
    return done, time.perf_counter() - started


def _ensure_spiff_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_spiff_workflow "
            "(dossier_id bigint PRIMARY KEY, state jsonb NOT NULL)"
        )


def measure(kind: str, workers: int, seconds: float, cast, template: Template) -> tuple[int, float]:
    if kind == "motcua":
        results = in_processes(_motcua_worker, workers, cast, seconds)
    else:
        results = in_processes(_sql_worker, workers, template, seconds, kind == "spiff")
    done = sum(n for n, _s in results)
    wall = max(s for _n, s in results)
    return done, wall


@contextmanager
def _scratch_database():
    """Run in `<database>_lifecycle`, made for the occasion and dropped after.

    The floor and the peer engine write copies of one real lifecycle's rows (same sizes, same indexes) but
    do not re-hash them: in the main benchmark database they would be thousands of dossiers that
    `motcua audit verify` rightly rejects.
    """
    with sibling_database("lifecycle"):
        yield


def run(quick: bool) -> list[dict]:
    with _scratch_database():
        return _run(quick)


def _run(quick: bool) -> list[dict]:
    from importlib import metadata

    from ._world import ensure_cast

    plan = QUICK if quick else FULL
    cast = ensure_cast(quick)
    template = capture(cast)
    _ensure_spiff_table()
    totals: dict[tuple[str, int], list[float]] = {(k, w): [0, 0.0] for k in KINDS for w in WORKERS}
    for r in range(plan["rounds"]):
        for workers in WORKERS:
            order = KINDS[r % 3 :] + KINDS[: r % 3]  # rotate who goes first each round
            for kind in order:
                done, wall = measure(kind, workers, plan["seconds"], cast, template)
                totals[(kind, workers)][0] += done
                totals[(kind, workers)][1] += wall
    rate = {key: (v[0] / v[1] if v[1] else 0.0) for key, v in totals.items()}
    spiff_version = metadata.version("SpiffWorkflow")
    out = []
    for workers in WORKERS:
        ours = rate[("motcua", workers)]
        n = int(totals[("motcua", workers)][0])
        for base in ("floor", "spiff"):
            target = GOALS[(base, workers)]
            ratio = ours / rate[(base, workers)] if rate[(base, workers)] else 0.0
            name = (
                "plain prepared SQL over psycopg (same rows)"
                if base == "floor"
                else f"SpiffWorkflow {spiff_version}, state in PostgreSQL (same rows)"
            )
            out.append(
                record(
                    f"lifecycle_{workers}w_vs_{base}",
                    ours,
                    "lifecycles/s",
                    baseline=rate[(base, workers)],
                    baseline_name=name,
                    n=n,
                    goal=f"ratio >= {target}",
                    goal_met=ratio >= target,
                    workers=workers,
                    baseline_n=int(totals[(base, workers)][0]),
                    seconds=round(totals[("motcua", workers)][1], 2),
                )
            )
    return out
