"""`motcua bench generate`: a province-year of dossiers, written fast and exactly as the commands write them.

Plan: the year ending `until` (now by default) is cut into days; each day gets its share of the dossiers
(working days full, days off a trickle of online submissions). Worker processes take whole days (so the
per-unit daily numbering of dossier codes stays in one process), draw each dossier's story — channel,
procedure, agency, applicant, branch (supplement, refusal, withdrawal, stop, consultation, late) and the
working hours each officer takes — and replay it through `simulate.Simulator`: the same commands, guards,
deadline engine, events, hash chain and outbox rows as a live system. Rows go to PostgreSQL with COPY in
batches of about a thousand dossiers per transaction (bulk_create on SQLite), under ids reserved from the
tables' own sequences. Where the database role may, the batches skip PostgreSQL's row-by-row foreign-key
triggers and the run checks every key of what it wrote at the end, set-wise (`check_references`).

Whatever would happen after `until` does not happen: those dossiers stay open where they are, as they would
on the day the benchmark runs. Outbox rows older than a minute are marked delivered (a live system's worker
would have sent them); newer ones stay pending.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import operator
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from fractions import Fraction
from typing import Any

from django.db import connection, connections, models, transaction
from django.utils import timezone

from motcua.deadlines.engine import TZ
from motcua.deadlines.loader import calendar_for
from motcua.deadlines.units import DurationUnit
from motcua.dossiers.codes import format_code
from motcua.dossiers.models import DossierSequence, OutboxMessage
from motcua.workflow.models import resolve_process

from . import province as prov
from .simulate import ROW_MODELS, Directory, IdPool, Intake, SimDossier, Simulator, as_model

BATCH = 1000  # dossiers per transaction
# One encoder for every JSON column: `json.dumps(..., ensure_ascii=False)` builds a new one per call, and the
# payloads are trees the simulator built (no cycles to look for). PostgreSQL stores jsonb, not this text, so
# the compact separators change nothing stored. Not ASCII-escaped: the escapes cost the server more to parse
# than they save here.
_JSON = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":")).encode
ID_BLOCK = 20_000
# Channel mix of a province-year (issue 8): online / in person / postal.
CHANNEL_MIX = (("online", 0.55), ("in_person", 0.40), ("postal", 0.05))
P_REFUSED = 0.03  # of all dossiers; only online dossiers waiting in status 1 can be refused
P_WITHDRAWN = 0.02
P_STOPPED = 0.01
P_SUPPLEMENT = 0.10
P_CONSULT = 0.02
P_LATE = 0.09  # dossiers whose officers take longer than the legal duration
STEP_WEIGHTS = {"tiep_nhan": 2, "phan_cong": 4, "tham_dinh": 20, "xem_xet": 4, "phe_duyet": 4, "ban_hanh": 2}


@dataclass
class Stats:
    dossiers: int = 0
    events: int = 0
    outbox: int = 0
    states: Counter = field(default_factory=Counter)
    channels: Counter = field(default_factory=Counter)
    branches: Counter = field(default_factory=Counter)
    late: int = 0
    finished: int = 0
    seconds: float = 0.0

    def add(self, other: Stats) -> None:
        self.dossiers += other.dossiers
        self.events += other.events
        self.outbox += other.outbox
        self.states.update(other.states)
        self.channels.update(other.channels)
        self.branches.update(other.branches)
        self.late += other.late
        self.finished += other.finished


# ------------------------------------------------------------------------------------------------ ids


def _sequence_ids(batch: int = ID_BLOCK) -> IdPool:
    """Ids reserved in blocks from each table's own sequence (PostgreSQL), safe across worker processes."""
    blocks: dict[type[models.Model], list[int]] = {}

    def take(model: type[models.Model]) -> int:
        block = blocks.get(model)
        if not block or block[0] > block[1]:
            table = model._meta.db_table
            with connection.cursor() as cursor, transaction.atomic():
                cursor.execute("SELECT pg_advisory_xact_lock(72240806)")
                sequence = "pg_get_serial_sequence(%s, 'id')"
                cursor.execute(
                    f"SELECT setval({sequence}, nextval({sequence}) + %s)", [table, table, batch - 1]
                )
                last = cursor.fetchone()[0]
            block = blocks[model] = [last - batch + 1, last]
        value = block[0]
        block[0] += 1
        return value

    return IdPool(take)


def _counting_ids() -> IdPool:
    """Ids after the current maximum (SQLite: one writer)."""
    nxt: dict[type[models.Model], int] = {}

    def take(model: type[models.Model]) -> int:
        if model not in nxt:
            nxt[model] = (model.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1
        value = nxt[model]
        nxt[model] = value + 1
        return value

    return IdPool(take)


# ------------------------------------------------------------------------------------------------ writing


class Writer:
    """Buffers rows of finished simulations and writes them, one transaction per batch."""

    def __init__(self, until: datetime, *, skip_key_checks: bool = False):
        self.buffer: dict[type[models.Model], list] = {m: [] for m in ROW_MODELS}
        self.count = 0
        self.copy = connection.vendor == "postgresql"
        # Decided once by `generate`, which then checks the keys itself (`check_references`).
        self.skip_key_checks = self.copy and skip_key_checks
        self.delivered_before = until - timedelta(minutes=1)
        self._columns = {m: _copy_columns(m) for m in ROW_MODELS}

    def add(self, rows: dict[type[models.Model], list]) -> None:
        for model, items in rows.items():
            self.buffer[model].extend(items)
        self.count += 1

    def flush(self) -> None:
        if not self.count:
            return
        for message in self.buffer[OutboxMessage]:
            if message.created_at < self.delivered_before:
                message.status = OutboxMessage.Status.DELIVERED
                message.attempts = 1
                message.delivered_at = message.created_at + timedelta(seconds=2)
                if hasattr(message, "lag_ms"):
                    message.lag_ms = 2000
        with transaction.atomic():
            if self.copy:
                # This batch only: not waiting for its WAL to reach the disk frees the worker to simulate the
                # next one. A crash can lose the last batches, never half of one; the sequences saved at the
                # end commit synchronously, which flushes everything before them.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
                    if self.skip_key_checks:
                        # No row-by-row foreign-key triggers for this batch: each checked and share-locked
                        # its parent row (~85 per dossier, about a third of PostgreSQL's work here,
                        # docs/performance.md §4). The run checks every reference of the rows it wrote
                        # afterwards, set-wise (`check_references`).
                        cursor.execute("SET LOCAL session_replication_role = replica")
            for model in ROW_MODELS:
                items = self.buffer[model]
                if not items:
                    continue
                if self.copy:
                    self._copy(model, items)
                else:
                    model.objects.bulk_create([as_model(o) for o in items], batch_size=500)
            if self.skip_key_checks:  # back on, should this batch run inside a longer transaction (tests)
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = origin")
        self.buffer = {m: [] for m in ROW_MODELS}
        self.count = 0

    def _copy(self, model: type[models.Model], items: list) -> None:
        names, get, json_columns, file_columns = self._columns[model]
        sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({', '.join(names)}) FROM STDIN"
        dumps = _JSON
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            write = copy.write_row
            for obj in items:
                values = list(get(obj))
                for i in json_columns:
                    if values[i] is not None:
                        values[i] = dumps(values[i])
                for i in file_columns:
                    values[i] = getattr(values[i], "name", values[i]) or ""
                write(values)


def _copy_columns(
    model: type[models.Model],
) -> tuple[list[str], Callable[[Any], tuple], list[int], list[int]]:
    """Column names, one C-level getter for all of them, and which columns need JSON or a file name."""
    fields = model._meta.concrete_fields
    names = [connection.ops.quote_name(f.column) for f in fields]
    get = operator.attrgetter(*[f.attname for f in fields])
    json_columns = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    file_columns = [i for i, f in enumerate(fields) if isinstance(f, models.FileField)]
    return names, get, json_columns, file_columns


def may_skip_key_checks() -> bool:
    """Whether this connection may turn off foreign-key triggers for its own transactions (superuser, or
    granted SET on `session_replication_role`, PostgreSQL 15+). Otherwise the triggers run as usual."""
    with connection.cursor() as cursor:
        if connection.pg_version >= 150000:
            cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        else:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        return bool(cursor.fetchone()[0])


def last_ids() -> dict[type[models.Model], int]:
    """The highest id of each table the generator writes: the rows of a run are those above."""
    return {m: m.objects.aggregate(m=models.Max("id"))["m"] or 0 for m in ROW_MODELS}


def check_references(since: dict[type[models.Model], int]) -> int:
    """Every foreign key of every row written after `since` points at an existing row — what the triggers
    the batches turned off would have checked, as one anti-join per key instead of one probe per row.
    Returns the number of keys checked; raises if a reference dangles (a generator bug: the rows are
    committed, the database must be regenerated)."""
    checked = 0
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        # A hash of millions of ids per key: in memory rather than in dozens of batches on disk, and no JIT
        # compilation for one-off queries (the whole check at 1M: 113 s with the defaults, 30 s with these;
        # docs/performance.md §3).
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")
        for model in ROW_MODELS:
            for f in model._meta.concrete_fields:
                if not f.is_relation:
                    continue
                target = f.related_model._meta
                cursor.execute(
                    f"SELECT count(*) FROM {quote(model._meta.db_table)} c WHERE c.id > %s "
                    f"AND c.{quote(f.column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                    f"{quote(target.db_table)} p WHERE p.{quote(target.pk.column)} = c.{quote(f.column)})",
                    [since[model]],
                )
                dangling = cursor.fetchone()[0]
                if dangling:
                    raise RuntimeError(
                        f"{dangling} dòng {model._meta.db_table}.{f.column} trỏ tới dòng không tồn tại "
                        f"trong {target.db_table}: dữ liệu sinh ra không nhất quán, cần sinh lại."
                    )
                checked += 1
    return checked


@contextmanager
def _collector_for_a_long_loop() -> Iterator[None]:
    """The simulation allocates millions of short-lived rows and dicts over a few hundred thousand long-lived
    objects (catalogue, directory, calendars). With the default threshold a young collection runs every
    700 allocations and the older passes walk all the long-lived ones. Frozen setup and rarer young
    collections: −16 % of a worker's CPU (docs/performance.md §4). The few cycles (a dossier and its
    components) are still collected, less often."""
    gc.collect()
    gc.freeze()
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


# ------------------------------------------------------------------------------------------------ stories


def _hours(value: float) -> Fraction:
    # At least five minutes, whole minutes. A Fraction is what the engine computes in: the Decimal k/60 this
    # was (28 digits, never exact) cost a conversion per step and gave the same microsecond.
    return Fraction(max(5, round(value * 60)), 60)


class DayGenerator:
    """Everything a worker needs to play the dossiers of its days."""

    def __init__(self, root_code: str, source: str, limit: int, seed: int, until: datetime, salt: str):
        self.province = prov.load_province(root_code, source=source, limit=limit)
        self.directory = Directory.load()
        self.until = until
        self.seed = seed
        self.salt = salt
        self.procedures = self.province.procedures
        if not self.procedures:
            raise RuntimeError("Không có thủ tục nào dùng được (cần kênh trực tiếp có thời hạn và kết quả).")
        rng = random.Random(seed)
        # Popularity: a few procedures (birth registration, certification…) make most of the volume.
        weights = [1 / (rank + 1) ** 0.9 for rank in range(len(self.procedures))]
        rng.shuffle(weights)
        self.cum_weights = list(_accumulate(weights))
        self.process_cache: dict[tuple[int, int], Any] = {}
        self.only_default: Any = None
        self.national = calendar_for()
        self.code_province = int(root_code[-2:]) if root_code[-2:].isdigit() else 99
        self.stats = Stats()

    def _process(self, version, agency):
        if self.only_default is None:
            from motcua.workflow.models import ProcessDefinition

            published = ProcessDefinition.objects.filter(status=ProcessDefinition.Status.PUBLISHED)
            specific = published.exclude(procedure__isnull=True, agency__isnull=True).exists()
            # Only the fallback process is published (the usual case): every dossier gets it, one query.
            self.only_default = None if specific else resolve_process(None, [])
            if specific:
                self.only_default = False
        if self.only_default:
            return self.only_default
        key = (version.procedure_id, agency.pk)
        found = self.process_cache.get(key)
        if found is None:
            ancestors = [a.pk for a in self.directory.agencies[agency.pk].ancestors_and_self()]
            found = self.process_cache[key] = resolve_process(version.procedure_id, ancestors)
        return found

    def user(self, u):
        return self.directory.users[u.pk]

    def applicant(self, rng: random.Random) -> dict[str, Any]:
        if rng.random() < 0.1:
            name = f"{rng.choice(prov.GIVEN)} {rng.choice(prov.GIVEN)} {rng.randint(1, 999)}"
            return {
                "name": f"Công ty TNHH {name}",
                "id_kind": "tax_code",
                "id_number": f"{rng.randint(1, 99):02d}{rng.randint(0, 10**8 - 1):08d}",
                "subject_type": "enterprise",
                "phone": f"02{rng.randint(0, 10**8 - 1):08d}",
                "email": f"lienhe{rng.randint(1, 99999)}@congty.example.vn" if rng.random() < 0.7 else "",
                "address": self.province.name,
            }
        year = rng.randint(1950, 2006)
        family, given = prov.person_name(rng)
        century = 0 if year < 2000 else 2
        sex = rng.randint(0, 1)
        number = f"{self.code_province:03d}{century + sex}{year % 100:02d}{rng.randint(0, 999_999):06d}"
        return {
            "name": f"{family} {given}",
            "id_number": number,
            "birth_date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "phone": f"09{rng.randint(0, 10**8 - 1):08d}" if rng.random() < 0.9 else "",
            "email": f"{fold_ascii(given)}{rng.randint(1, 99999)}@example.vn" if rng.random() < 0.35 else "",
            "address": self.province.name,
        }

    def run_day(
        self, day: date, count: int, sequences: dict[tuple[str, date], int], sim: Simulator, writer: Writer
    ):
        rng = random.Random(f"{self.seed}:{self.salt}:{day.isoformat()}")
        cal = self.national  # the national calendar decides when counters are open
        working = cal.is_working_day(day)
        plans = []
        for _ in range(count):
            plan = self._draw(rng, day, working, cal)
            if plan is not None:
                plans.append(plan)
        plans.sort(key=lambda plan: plan[0])
        for created, intake, branch, late in plans:
            if created > self.until:
                continue
            unit_code = intake.reception_point.agency.code
            local_day = created.astimezone(TZ).date()
            number = sequences.get((unit_code, local_day), 0) + 1
            sequences[(unit_code, local_day)] = number
            code = format_code(unit_code, local_day, number)
            d = self._play(sim, rng, intake, code, created, branch, late)
            rows = sim.close(d)
            writer.add(rows)
            self._count(d, rows, intake.channel, branch)
            if writer.count >= BATCH:
                writer.flush()

    def _draw(self, rng: random.Random, day: date, working: bool, cal):
        for _attempt in range(10):
            version, candidates = self.procedures[_pick(self.cum_weights, rng)]
            offered = {
                o.channel
                for o in version.channels.all()
                if o.duration_unit in prov.USABLE_UNITS and o.duration_value
            }
            r, channel = rng.random(), "in_person"
            for name, share in CHANNEL_MIX:
                if r < share:
                    channel = name
                    break
                r -= share
            if not working:
                channel = "online"  # counters are closed: only online submissions arrive
            if channel not in offered:
                # Draw another procedure rather than switch channel: switching to the counter made the mix
                # 51 % online / 45 % in person instead of 55 / 40 (not every procedure is offered online).
                if not working or _attempt < 9:
                    continue
                channel = "in_person"
            unit = candidates[rng.randrange(len(candidates))]
            if unit.agency.kind == "commune":
                point = next(pt for u, pt in self.province.communes if u is unit)
            else:
                point = self.province.centre
            assert point is not None
            if channel == "online":
                minute = rng.randint(6 * 60, 23 * 60) if rng.random() < 0.85 else rng.randint(0, 24 * 60 - 1)
                created = datetime.combine(day, dtime(), TZ) + timedelta(
                    minutes=minute, seconds=rng.randint(0, 59)
                )
            else:
                period = rng.choice(cal.office_hours.periods)
                minute = rng.randint(period[0], period[1] - 10)
                created = datetime.combine(day, dtime(), TZ) + timedelta(
                    minutes=minute, seconds=rng.randint(0, 59)
                )
            created = created.astimezone(UTC)
            components = [
                {"component_id": c.pk, "digitised": rng.random() < 0.6}
                for c in version.components.all()
                if c.required
            ]
            intake = Intake(
                version=version,
                process=self._process(version, unit.agency),
                channel=channel,
                reception_point=self.directory.points[point.pk],
                competent_agency=self.directory.agencies[unit.agency.pk],
                applicant=self.applicant(rng),
                components=components,
            )
            intake.unit = unit  # type: ignore[attr-defined]
            r = rng.random()
            if channel == "online" and r < P_REFUSED / 0.55:
                branch = "refused"
            else:
                r = rng.random()
                branch = "normal"
                for name, share in (
                    ("withdrawn", P_WITHDRAWN),
                    ("stopped", P_STOPPED),
                    ("supplement", P_SUPPLEMENT),
                    ("consult", P_CONSULT),
                ):
                    if r < share:
                        branch = name
                        break
                    r -= share
            return created, intake, branch, rng.random() < P_LATE
        return None

    def _play(
        self, sim: Simulator, rng, intake: Intake, code: str, created: datetime, branch: str, late: bool
    ):
        until = self.until
        unit: prov.Unit = intake.unit  # type: ignore[attr-defined]
        point_staff = self.province.points[intake.reception_point.pk][1]
        desk = self.user(rng.choice(point_staff))
        cal = sim.directory.calendar(intake.competent_agency)

        def adv(t: datetime, hours: float) -> datetime:
            return cal.due(t, _hours(hours), DurationUnit.WORKING_HOURS).astimezone(UTC)

        if intake.channel == "online":
            intake.national_dossier_id = f"DVCQG-{code}"
            intake.submitted_at = created
            d = sim.submit_online(intake, code, created)
            t = adv(created, rng.uniform(0.2, 6))
            if t > until:
                return d
            if branch == "refused":
                sim.execute(d, "refuse", desk, {"reasons": ["Hồ sơ không thuộc thẩm quyền tiếp nhận"]}, t)
                return d
            sim.execute(d, "receive", desk, {}, t)
        else:
            t = created
            d = sim.receive_new(desk, intake, code, created)
        legal = _legal_hours(d)
        total = legal * (rng.uniform(1.05, 1.6) if late else rng.uniform(0.2, 0.85))
        share = {k: total * w / 36 * rng.uniform(0.6, 1.4) for k, w in STEP_WEIGHTS.items()}
        division, heads, specialists = unit.divisions[rng.randrange(len(unit.divisions))]
        head = self.user(rng.choice(heads))
        specialist = self.user(rng.choice(specialists))

        def step(action: str, who, data: dict, hours: float) -> bool:
            nonlocal t
            t = adv(t, hours)
            if t > until:
                return False
            sim.execute(d, action, who, data, t)
            return True

        if not step("transfer", desk, {"handling_unit_id": division.pk}, share["tiep_nhan"]):
            return d
        if not step("assign", head, {"assignee_id": specialist.pk}, share["phan_cong"]):
            return d
        appraisal = share["tham_dinh"]
        if branch == "stopped":
            step(
                "stop",
                self.user(rng.choice(unit.leaders)),
                {"reason": "Có tranh chấp, chờ cơ quan có thẩm quyền giải quyết"},
                appraisal * 0.5,
            )
            return d
        if branch == "withdrawn" and rng.random() < 0.5:
            step("withdraw", desk, {"reason": "Người nộp đề nghị rút hồ sơ"}, appraisal * 0.4)
            return d
        if branch in ("supplement", "withdrawn"):
            items = ["Bản sao giấy tờ tùy thân còn hiệu lực"]
            if not step(
                "request_supplement",
                specialist,
                {"items": items, "reason": "Giấy tờ đã nộp không rõ nét"},
                appraisal * 0.3,
            ):
                return d
            if not step("approve_supplement_request", head, {}, rng.uniform(0.5, 4)):
                return d
            if branch == "withdrawn":
                step(
                    "withdraw",
                    desk,
                    {"reason": "Người nộp không bổ sung, đề nghị rút hồ sơ"},
                    rng.uniform(4, 60),
                )
                return d
            if not step(
                "receive_supplement",
                desk,
                {"components": [{"name": items[0], "digitised": True}]},
                rng.uniform(4, 80),
            ):
                return d
            appraisal *= 0.7
        if branch == "consult":
            other = self._other_department(rng, unit)
            if other is not None:
                division2, specialists2 = other
                if not step(
                    "consult",
                    specialist,
                    {"agency_id": division2.pk, "question": "Đề nghị cho ý kiến về hồ sơ", "budget_hours": 8},
                    appraisal * 0.3,
                ):
                    return d
                consultation = d.consultations.items[-1].pk
                replier = self.user(rng.choice(specialists2))
                if not step(
                    "reply_consultation",
                    replier,
                    {"consultation_id": consultation, "reply": "Thống nhất"},
                    rng.uniform(2, 12),
                ):
                    return d
                appraisal *= 0.7
        if not step("record_result", specialist, {}, appraisal * 0.8):
            return d
        if not step("forward", specialist, {}, appraisal * 0.2):
            return d
        if not step("approve", head, {}, share["xem_xet"]):
            return d
        if not step("approve", self.user(rng.choice(unit.leaders)), {}, share["phe_duyet"]):
            return d
        if not step("issue_result", self.user(rng.choice(unit.clerks)), {}, share["ban_hanh"]):
            return d
        step("return_result", desk, {"recipient_name": d.applicant_name}, rng.uniform(0.5, 40))
        return d

    def _other_department(self, rng, unit: prov.Unit):
        others = [u for u in self.province.departments if u.agency.pk != unit.agency.pk]
        if not others:
            return None
        division, _heads, specialists = rng.choice(others).divisions[0]
        return division, specialists

    def _count(self, d: SimDossier, rows, channel: str, branch: str) -> None:
        from motcua.dossiers.models import DossierEvent

        s = self.stats
        s.dossiers += 1
        s.events += len(rows[DossierEvent])
        s.outbox += len(rows[OutboxMessage])
        s.states[d.state] += 1
        s.channels[channel] += 1
        s.branches[branch] += 1
        if d.finished_at is not None and d.state in ("result_issued", "returned"):
            s.finished += 1
            if d.due_at is not None and d.finished_at > d.due_at:
                s.late += 1


def fold_ascii(text: str) -> str:
    from motcua.core.text import fold

    return fold(text).replace(" ", "")


def _accumulate(values):
    total = 0.0
    for v in values:
        total += v
        yield total


def _pick(cum: list[float], rng: random.Random) -> int:
    from bisect import bisect_left

    return min(len(cum) - 1, bisect_left(cum, rng.random() * cum[-1]))


def _legal_hours(d: SimDossier) -> float:
    value = float(d.duration_value or 0)
    unit = d.duration_unit
    if unit == DurationUnit.WORKING_DAYS:
        return value * 8
    if unit == DurationUnit.CALENDAR_DAYS:
        return value * 8 * 5 / 7
    if unit == DurationUnit.WORKING_HOURS:
        return value
    return 40.0


# ------------------------------------------------------------------------------------------------ driver


def _run_share(args) -> tuple[Stats, dict]:
    root_code, source, limit, seed, until, salt, days, sequences, skip_key_checks = args
    gen = DayGenerator(root_code, source, limit, seed, until, salt)
    ids = _sequence_ids() if connection.vendor == "postgresql" else _counting_ids()
    sim = Simulator(gen.directory, ids)
    writer = Writer(until, skip_key_checks=skip_key_checks)
    started = time.perf_counter()  # the loading above is setup, not generation
    with _collector_for_a_long_loop():
        for day, count in days:
            gen.run_day(day, count, sequences, sim, writer)
        writer.flush()
    gen.stats.seconds = time.perf_counter() - started
    return gen.stats, sequences


def _worker(args) -> tuple[Stats, dict]:
    """A forked worker process: its own database connection, opened here and closed at the end."""
    connections.close_all()
    try:
        return _run_share(args)
    finally:
        connections.close_all()


def generate(
    dossiers: int,
    *,
    seed: int = 2026,
    province: str | None = None,
    procedures: int = 300,
    workers: int = 2,
    until: datetime | None = None,
    index: bool = True,
    write: Callable[[str], None] = print,
) -> Stats:
    started = time.perf_counter()
    until = (until or timezone.now()).astimezone(UTC).replace(microsecond=0)
    setup = prov.ensure_province(province, procedures, write, seed=seed)
    root_code = _root_code(setup)
    if connection.vendor != "postgresql":
        workers = 1  # SQLite has one writer
    cal = calendar_for()
    first = until.astimezone(TZ).date() - timedelta(days=364)
    days = [first + timedelta(days=i) for i in range(365)]
    weights = [1.0 if cal.is_working_day(day) else 0.12 for day in days]
    scale = dossiers / sum(weights)
    counts = [int(w * scale) for w in weights]
    rng = random.Random(seed)
    for _ in range(dossiers - sum(counts)):
        counts[rng.randrange(len(counts))] += 1
    existing = {
        (u, d): n for u, d, n in DossierSequence.objects.values_list("unit_code", "day", "last_value")
    }
    salt = f"{DossierSequence.objects.count()}-{until:%Y%m%d%H%M%S}"  # a second run draws other dossiers
    # The batches skip the key triggers only where the role may, and then this run checks the keys itself.
    skip_key_checks = connection.vendor == "postgresql" and may_skip_key_checks()
    since = last_ids() if skip_key_checks else None
    shares: list[list[tuple[date, int]]] = [[] for _ in range(workers)]
    for i, (day, count) in enumerate(zip(days, counts, strict=True)):
        if count:
            shares[i % workers].append((day, count))
    write(
        f"Sinh {dossiers:,} hồ sơ của {setup.name} ({len(setup.procedures)} thủ tục, nguồn {setup.source}), "
        f"{workers} tiến trình, đến {until.astimezone(TZ):%H:%M %d/%m/%Y}…"
    )
    jobs = [
        (root_code, setup.source, procedures, seed, until, salt, share, dict(existing), skip_key_checks)
        for share in shares
        if share
    ]
    total = Stats()
    if len(jobs) == 1:
        results = [_run_share(jobs[0])]  # in this process and its transaction (tests, SQLite)
    else:
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
            results = pool.map(_worker, jobs)
    sequences: dict[tuple[str, date], int] = {}
    for stats, seqs in results:
        total.add(stats)
        for key, value in seqs.items():
            if value != existing.get(key):
                sequences[key] = max(value, sequences.get(key, 0))
    _save_sequences(sequences)
    if since is not None:
        started_check = time.perf_counter()
        keys = check_references(since)
        write(
            f"Khóa ngoại: {keys} khóa của các dòng vừa ghi đều trỏ tới dòng có thật "
            f"(kiểm tra trong {time.perf_counter() - started_check:.1f} giây)."
        )
    if index:
        _rebuild_index_counters(write)
    else:
        write("Chỉ số phục vụ chưa được tính lại: chạy `motcua index rebuild` trước khi đọc số liệu chỉ số.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in ROW_MODELS:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    total.seconds = time.perf_counter() - started
    return total


def _rebuild_index_counters(write: Callable[[str], None]) -> None:
    """The commands also count each event into the service-quality index's aggregates (in the same
    transaction); the generator does not replay that path row by row but recomputes them afterwards with the
    indicators package's own reference, `rebuild()` (`motcua index rebuild`), which its tests hold equal to
    the incremental counts."""
    try:
        from motcua.indicators.aggregates import rebuild
    except ImportError:  # an installation without the index aggregates: nothing to keep in step
        return
    started = time.perf_counter()
    summary = rebuild()
    write(
        f"Chỉ số phục vụ: tính lại {summary.dossiers:,} hồ sơ, {summary.counter_rows:,} dòng đếm "
        f"trong {time.perf_counter() - started:.1f} giây."
    )


def _root_code(setup: prov.Province) -> str:
    if setup.departments:
        parent = setup.departments[0].agency.parent
        if parent is not None:
            return parent.code
    if setup.centre is not None and setup.centre.agency.parent is not None:
        return setup.centre.agency.parent.code
    raise RuntimeError("province without departments")


def _save_sequences(sequences: dict[tuple[str, date], int]) -> None:
    with transaction.atomic():
        known = {
            (s.unit_code, s.day): s
            for s in DossierSequence.objects.select_for_update().filter(
                unit_code__in={u for u, _d in sequences}, day__in={d for _u, d in sequences}
            )
        }
        new, changed = [], []
        for (unit, day), value in sequences.items():
            row = known.get((unit, day))
            if row is None:
                new.append(DossierSequence(unit_code=unit, day=day, last_value=value))
            elif value > row.last_value:
                row.last_value = value
                changed.append(row)
        DossierSequence.objects.bulk_create(new, batch_size=1000)
        DossierSequence.objects.bulk_update(changed, ["last_value"], batch_size=1000)
