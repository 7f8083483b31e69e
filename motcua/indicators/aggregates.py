"""Incremental aggregates: the index's counters move with every dossier event, in its transaction.

``on_event`` is called by ``motcua.dossiers.commands._record`` after the event is saved. It computes the
dossier's new fact (``facts.fact_for``), compares it with the stored one and adds the difference to the
counters of the days it touches — at day, month and year grain, with one ``INSERT … ON CONFLICT DO UPDATE SET
c = c + excluded.c`` statement (atomic on PostgreSQL and SQLite; rows are taken in key order, so two
commands touching the same rows cannot deadlock). Actions that cannot change a fact (routing, drafting,
signing, consultations, extensions, returning a result) skip all of it: the common event costs nothing.

Facts also change without a dossier event in one case: the connector marking a ``national.dossier`` outbox
row delivered (1.4's "synchronised"). A ``post_save`` receiver handles rows saved one by one; a connector
that updates rows in bulk calls ``note_delivered(dossier_ids)``. ``motcua index rebuild`` recomputes
everything from the dossiers (or a date window), and is the reference the incremental path is tested
against.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from . import facts
from .facts import COLUMNS, FACT_FIELDS, Fact
from .models import DossierFact, IndexCounter

# Actions that never change a fact: no component, result issue, pause, payment, end or due date is touched.
# Anything else (including actions added later) recomputes the fact; the rebuild test catches a mistake.
NEUTRAL_ACTIONS = frozenset(
    {
        "transfer",
        "assign",
        "forward",
        "send_back",
        "approve",  # the leader's approval signs results; only *issued* results count
        "record_result",  # a draft result, not issued yet
        "request_supplement",  # a draft request; the clock pauses only when the head approves it
        "consult",
        "reply_consultation",
        "guide",
        "extend",  # an extension never excuses lateness: the judged due date ignores it
        "return_result",  # handling ended when the result was issued
    }
)

Key = tuple[str, int, date, int]  # grain, agency, day, procedure
DAY, MONTH, YEAR = (
    IndexCounter.Grain.DAY.value,
    IndexCounter.Grain.MONTH.value,
    IndexCounter.Grain.YEAR.value,
)


def month_of(day: date) -> date:
    return day.replace(day=1)


def year_of(day: date) -> date:
    return date(day.year, 1, 1)


BUCKET = {DAY: lambda day: day, MONTH: month_of, YEAR: year_of}


# --- Applying changes ---------------------------------------------------------------------------------


def _add(deltas: dict[Key, dict[str, int]], fact: Fact, sign: int) -> None:
    for day, columns in facts.contributions(fact).items():
        for grain, bucket in ((DAY, day), (MONTH, month_of(day)), (YEAR, year_of(day))):
            row = deltas[(grain, fact.agency_id, bucket, fact.procedure_id)]
            for column, value in columns.items():
                row[column] = row.get(column, 0) + sign * value


def delta(old: Fact | None, new: Fact | None) -> dict[Key, dict[str, int]]:
    """Counter changes that turn ``old``'s contribution into ``new``'s (zero entries dropped)."""
    deltas: dict[Key, dict[str, int]] = defaultdict(dict)
    if old is not None:
        _add(deltas, old, -1)
    if new is not None:
        _add(deltas, new, +1)
    cleaned = {}
    for key, columns in deltas.items():
        columns = {c: v for c, v in columns.items() if v}
        if columns:
            cleaned[key] = columns
    return cleaned


def _upsert_sql() -> str:
    q = connection.ops.quote_name
    table = q(IndexCounter._meta.db_table)
    key = ("grain", "agency_id", "day", "procedure_id")
    names = ", ".join(q(c) for c in (*key, *COLUMNS))
    placeholders = ", ".join(["%s"] * (len(key) + len(COLUMNS)))
    updates = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in COLUMNS)
    return (
        f"INSERT INTO {table} ({names}) VALUES ({placeholders}) "
        f"ON CONFLICT ({', '.join(q(c) for c in key)}) DO UPDATE SET {updates}"
    )


def apply(deltas: dict[Key, dict[str, int]]) -> None:
    """Add ``deltas`` to the counters (creating rows as needed), in key order."""
    if not deltas:
        return
    adapt = connection.ops.adapt_datefield_value
    params = [
        (grain, agency, adapt(day), procedure, *(columns.get(c, 0) for c in COLUMNS))
        for (grain, agency, day, procedure), columns in sorted(deltas.items())
    ]
    with connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(), params)


def _stored(ids: Iterable[int]) -> dict[int, Fact]:
    rows = DossierFact.objects.filter(pk__in=list(ids)).values(*FACT_FIELDS)
    return {row["dossier_id"]: Fact(**row) for row in rows}


def store(new_facts: list[Fact]) -> int:
    """Make the stored facts and the counters agree with ``new_facts``; returns how many changed."""
    if not new_facts:
        return 0
    old = _stored(f.dossier_id for f in new_facts)
    changed = [f for f in new_facts if old.get(f.dossier_id) != f]
    if not changed:
        return 0
    deltas: dict[Key, dict[str, int]] = defaultdict(dict)
    for fact in changed:
        for key, columns in delta(old.get(fact.dossier_id), fact).items():
            row = deltas[key]
            for column, value in columns.items():
                row[column] = row.get(column, 0) + value
    apply({k: v for k, v in deltas.items() if any(v.values())})
    DossierFact.objects.bulk_create(
        [DossierFact(**f.as_row()) for f in changed],
        update_conflicts=True,
        unique_fields=["dossier"],
        update_fields=[f.name for f in DossierFact._meta.concrete_fields if not f.primary_key],
    )
    return len(changed)


# --- Hooks --------------------------------------------------------------------------------------------


def on_event(dossier: Any, event: Any) -> None:
    """Called by the dossier commands after an event is saved, inside the command's transaction."""
    if event.action in NEUTRAL_ACTIONS:
        return
    store([facts.fact_for(dossier)])


def refresh(dossier_ids: Iterable[int]) -> int:
    """Recount these dossiers from what they are now (after a change that had no dossier event).

    The dossier rows are locked first, in id order, exactly like a command locks its dossier: a command
    running at the same time waits (or is waited for), so the two never count the same change twice.
    """
    from motcua.dossiers.models import Dossier

    ids = sorted(set(dossier_ids))
    changed = 0
    with transaction.atomic():
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            rows = list(
                Dossier.objects.select_for_update()
                .filter(pk__in=chunk)
                .order_by("pk")
                .values(*facts.DOSSIER_FIELDS)
            )
            changed += store(facts.load_facts(rows))
    return changed


def note_delivered(dossier_ids: Iterable[int]) -> int:
    """For the national-portal connector: these dossiers' HoSo rows were delivered (1.4's numerator)."""
    return refresh(dossier_ids)


def on_outbox_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``post_save`` of OutboxMessage: a delivered HoSo makes the dossier "synchronised"."""
    if instance.topic == NATIONAL_DOSSIER and instance.status == "delivered":
        refresh([instance.dossier_id])


NATIONAL_DOSSIER = "national.dossier"


def _settled_below() -> int:
    """Every national.dossier row with a smaller id is settled (delivered or dead): the oldest row still
    pending or in flight (the outbox's partial index answers it), else one past the newest row."""
    from django.db.models import Max, Min

    from motcua.dossiers.models import OutboxMessage

    waiting = OutboxMessage.objects.filter(topic=NATIONAL_DOSSIER, status__in=["pending", "in_flight"])
    oldest = waiting.aggregate(m=Min("id"))["m"]
    if oldest is not None:
        return oldest
    return (OutboxMessage.objects.aggregate(m=Max("id"))["m"] or 0) + 1


def catch_up_deliveries() -> int:
    """Count the dossiers whose HoSo the connector delivered since the last look (it marks rows delivered
    with a bulk update, which sends no signal). Cheap when nothing changed: two indexed lookups.

    Rows are looked at once they and every older row are settled, so a row delivered out of order is
    counted when the rows before it are; the dashboard and the API call this before reading.
    """
    from django.utils import timezone

    from motcua.dossiers.models import OutboxMessage

    from .models import SyncCheckpoint

    upper = _settled_below()
    checkpoint = SyncCheckpoint.objects.filter(topic=NATIONAL_DOSSIER).first()
    if checkpoint is not None and checkpoint.below_id == upper:
        return 0
    with transaction.atomic():
        checkpoint, _created = SyncCheckpoint.objects.select_for_update().get_or_create(
            topic=NATIONAL_DOSSIER
        )
        if checkpoint.below_id > upper:
            # An old row is waiting again (an operator resent a dead one): look again from there.
            checkpoint.below_id = upper
            checkpoint.save(update_fields=["below_id"])
            return 0
        if checkpoint.below_id == upper:
            return 0  # another request caught up meanwhile
        ids = (
            OutboxMessage.objects.filter(
                pk__gte=checkpoint.below_id, pk__lt=upper, topic=NATIONAL_DOSSIER, status="delivered"
            )
            .values_list("dossier_id", flat=True)
            .distinct()
        )
        changed = refresh(list(ids))
        checkpoint.below_id = upper
        checkpoint.checked_at = timezone.now()
        checkpoint.save(update_fields=["below_id", "checked_at"])
    return changed


def _mark_checkpoint(upper: int) -> None:
    from .models import SyncCheckpoint

    SyncCheckpoint.objects.update_or_create(topic=NATIONAL_DOSSIER, defaults={"below_id": upper})


# --- Rebuild ------------------------------------------------------------------------------------------


@dataclass
class RebuildSummary:
    dossiers: int  # dossiers whose fact was recomputed
    changed: int  # facts that differed from the stored ones (incremental drift, or first build)
    counter_rows: int  # counter rows written for the window


def _trunc(grain: str, column: str) -> str:
    """SQL for the first day of ``column``'s month or year."""
    unit = "month" if grain == MONTH else "year"
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('{unit}', {column}) AS date)"
    return f"date({column}, 'start of {unit}')"


def _flag(column: str) -> str:
    return f"SUM(CASE WHEN {column} THEN 1 ELSE 0 END)"


# Each part of a fact's contribution as SQL over the fact table: the day column it is counted on, a
# filter, and the counter columns with their expressions (facts.contributions says the same in Python).
_PARTS: list[tuple[str, str, dict[str, str]]] = [
    (
        "day",
        "1 = 1",
        {
            "dossiers": "COUNT(*)",
            "on_time": "SUM(CASE WHEN status = 'on_time' THEN 1 ELSE 0 END)",
            "late": "SUM(CASE WHEN status = 'late' THEN 1 ELSE 0 END)",
            "open": "SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END)",
            **{
                c: _flag(c)
                for c in (
                    "online",
                    "online_scored",
                    "doc_result",
                    "fee_due",
                    "digitised",
                    "reused",
                    "national_store",
                    "population",
                    "synchronised",
                )
            },
            "e_result": _flag("doc_result AND e_result"),
            "paid_online": _flag("fee_due AND paid_online"),
        },
    ),
    (
        "received_day",
        "received_day IS NOT NULL",
        {"b06_received_online": _flag("online"), "b06_received_offline": _flag("NOT online")},
    ),
    (
        "finished_day",
        "received_day IS NOT NULL AND finished_day IS NOT NULL AND b06_class <> ''",
        {
            "b06_early": "SUM(CASE WHEN b06_class = 'early' THEN 1 ELSE 0 END)",
            "b06_on_time": "SUM(CASE WHEN b06_class = 'on_time' THEN 1 ELSE 0 END)",
            "b06_late": "SUM(CASE WHEN b06_class = 'late' THEN 1 ELSE 0 END)",
        },
    ),
    ("overdue_from", "overdue_from IS NOT NULL", {"b06_overdue_from": "COUNT(*)"}),
]


def _recount(first: date | None, last: date | None) -> int:
    """Rewrite the counter rows of [first, last] (its whole months and years at the coarser grains) from the
    stored facts."""
    q = connection.ops.quote_name
    counters = q(IndexCounter._meta.db_table)
    fact_table = q(DossierFact._meta.db_table)
    adapt = connection.ops.adapt_datefield_value
    windows: dict[str, tuple[date | None, date | None]] = {
        DAY: (first, last),
        MONTH: (month_of(first) if first else None, _month_end(last) if last else None),
        YEAR: (year_of(first) if first else None, date(last.year, 12, 31) if last else None),
    }
    deleted = IndexCounter.objects.all()
    deleted_q = Q()
    for grain, (a, b) in windows.items():
        part = Q(grain=grain)
        if a is not None:
            part &= Q(day__gte=BUCKET[grain](a))
        if b is not None:
            part &= Q(day__lte=BUCKET[grain](b))
        deleted_q |= part
    deleted.filter(deleted_q).delete()
    written = 0
    with connection.cursor() as cursor:
        for grain, (a, b) in windows.items():
            for day_column, where, expressions in _PARTS:
                bucket = day_column if grain == DAY else _trunc(grain, day_column)
                conditions = [where]
                params: list[Any] = []
                if a is not None:
                    conditions.append(f"{day_column} >= %s")
                    params.append(adapt(a))
                if b is not None:
                    conditions.append(f"{day_column} <= %s")
                    params.append(adapt(b))
                # Every column is written (0 where this part adds nothing): the model's defaults are
                # Python-side only.
                values = ", ".join(expressions.get(c, "0") for c in COLUMNS)
                updates = ", ".join(f"{q(c)} = {counters}.{q(c)} + excluded.{q(c)}" for c in expressions)
                sql = (
                    f"INSERT INTO {counters} (grain, agency_id, day, procedure_id, "
                    f"{', '.join(q(c) for c in COLUMNS)}) "
                    f"SELECT '{grain}', agency_id, {bucket}, procedure_id, {values} "
                    f"FROM {fact_table} WHERE {' AND '.join(conditions)} "
                    f"GROUP BY agency_id, {bucket}, procedure_id "
                    f"ON CONFLICT (grain, agency_id, day, procedure_id) DO UPDATE SET {updates}"
                )
                cursor.execute(sql, params)
                written += max(cursor.rowcount, 0)
    return written


def _month_end(day: date) -> date:
    first_next = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return date.fromordinal(first_next.toordinal() - 1)


def rebuild(first: date | None = None, last: date | None = None, *, progress=None) -> RebuildSummary:
    """Recompute facts and counters from the dossiers: everything, or what touches [first, last].

    With a window, the dossiers recomputed are those active in it (received or submitted by ``last`` and
    not finished before ``first``) plus those whose stored fact counts in it; their changes elsewhere are
    applied incrementally, then the window's counter rows (its whole months and years at the coarser grains)
    are rewritten from the facts. Run it when no command is writing (a concurrent event may be recounted by a
    later run).
    """
    from motcua.dossiers.models import Dossier

    with transaction.atomic():
        # Deliveries settled before this point are read with the dossiers below; later ones by catch-up.
        settled = _settled_below()
        if first is None and last is None:
            DossierFact.objects.all().delete()
            IndexCounter.objects.all().delete()
            dossiers = Dossier.objects.all()
        else:
            dossiers = Dossier.objects.filter(_active_in(first, last) | Q(pk__in=_facts_in(first, last)))
        calendars = facts.Calendars()
        count = changed = 0
        pending: list[Fact] = []
        for rows in facts.iter_dossier_rows(dossiers):
            computed = facts.load_facts(rows, calendars)
            count += len(computed)
            if first is None and last is None:
                pending.extend(computed)
                if len(pending) >= 5000:
                    changed += _insert(pending)
                    pending = []
            else:
                changed += store(computed)
            if progress is not None:
                progress(count)
        if pending:
            changed += _insert(pending)
        written = _recount(first, last)
        if first is None and last is None:
            _mark_checkpoint(settled)
        if connection.vendor == "postgresql":
            # Fresh statistics for the rewritten tables, or the planner keeps the pre-rebuild estimates.
            with connection.cursor() as cursor:
                for model in (DossierFact, IndexCounter):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return RebuildSummary(dossiers=count, changed=changed, counter_rows=written)


def _insert(new_facts: list[Fact]) -> int:
    DossierFact.objects.bulk_create([DossierFact(**f.as_row()) for f in new_facts], batch_size=1000)
    return len(new_facts)


def _active_in(first: date | None, last: date | None) -> Q:
    from datetime import datetime, time, timedelta

    from motcua.deadlines.engine import TZ

    q = Q()
    if last is not None:
        end = datetime.combine(last + timedelta(days=1), time(), TZ)
        q &= Q(received_at__lt=end) | Q(received_at__isnull=True, submitted_at__lt=end)
    if first is not None:
        start = datetime.combine(first, time(), TZ)
        q &= Q(finished_at__isnull=True) | Q(finished_at__gte=start)
    return q


def _facts_in(first: date | None, last: date | None):
    q = Q()
    for column in ("day", "received_day", "finished_day", "overdue_from"):
        part = Q()
        if first is not None:
            part &= Q(**{f"{column}__gte": first})
        if last is not None:
            part &= Q(**{f"{column}__lte": last})
        q |= part
    return DossierFact.objects.filter(q).values("dossier_id")


def counters_snapshot() -> dict[Key, dict[str, int]]:
    """Every non-zero counter row (tests compare the incremental and the rebuilt state with it)."""
    out: dict[Key, dict[str, int]] = {}
    for row in IndexCounter.objects.values("grain", "agency_id", "day", "procedure_id", *COLUMNS):
        columns = {c: row[c] for c in COLUMNS if row[c]}
        if columns:
            out[(row["grain"], row["agency_id"], row["day"], row["procedure_id"])] = columns
    return out


def facts_snapshot() -> dict[int, Fact]:
    return {row["dossier_id"]: Fact(**row) for row in DossierFact.objects.values(*FACT_FIELDS)}
