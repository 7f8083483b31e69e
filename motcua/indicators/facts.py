"""What one dossier contributes to the index and to Biểu 06: its *fact*, and the counters it moves.

A ``Fact`` is a pure function of the dossier as it is now (its row, pauses, components, results, fees and
sync records) — never of the order of events — so counting facts incrementally and recounting them from
scratch give the same totals (``aggregates.rebuild`` and the hypothesis test rely on it).

``load_facts`` builds facts for many dossiers with a handful of queries (rebuild, benchmark scan);
``fact_for`` builds one for the dossier a command has just changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q

from motcua.deadlines.engine import LedgerState, WorkingCalendar

from . import ontime

ONLINE_CHANNELS = frozenset({"online", "vneid", "national_portal"})
PAID_ONLINE = frozenset({1, 2})  # DuocThanhToanTrucTuyen: national platform, own gateway
RESULT_STATES = frozenset({"result_issued", "returned"})

# Counter columns, in the order of the IndexCounter model. The first group is counted on the day the
# dossier belongs to the period (reception, else submission); the Biểu 06 group on the day named.
INDEX_COLUMNS = (
    "dossiers",  # 2.1, 3.3, 4.2–4.4, 4.6, 5.3 denominators
    "on_time",  # 2.1 decided on time
    "late",  # 2.1 decided late
    "open",  # 2.1 not ended: decided at the cutoff from DossierFact.judged_due
    "online",  # submitted online (any online channel)
    "online_scored",  # 3.3 numerator: online, and with an e-result when the result is a document
    "doc_result",  # 4.1 denominator: the procedure's result is a document
    "e_result",  # 4.1 numerator: a document-result dossier with an issued e-result
    "fee_due",  # 3.6 denominator: fee > 0; > 0 on a procedure → 3.4 numerator
    "paid_online",  # 3.6 numerator; > 0 on a procedure → 3.5 numerator
    "digitised",  # 4.2 numerator
    "reused",  # 4.3 numerator
    "national_store",  # 4.4 numerator
    "population",  # 4.6 numerator; > 0 on a procedure → 4.7 numerator
    "synchronised",  # 1.4 numerator
)
B06_COLUMNS = (
    "b06_received_online",  # on the reception day: newly received online
    "b06_received_offline",  # … in person or by post
    "b06_early",  # on the finish day: handled before the due date
    "b06_on_time",  # … on the due date (or no due date, or withdrawn)
    "b06_late",  # … after the due date
    "b06_overdue_from",  # the first day the dossier is in progress past its due date (see bieu06.py)
)
COLUMNS = INDEX_COLUMNS + B06_COLUMNS


@dataclass(frozen=True)
class Fact:
    dossier_id: int
    agency_id: int  # competent agency
    procedure_id: int
    day: date  # the dossier's day in the period: reception, else submission (Vietnam date)
    status: str  # ontime.Status
    reason: str  # ontime.Reason
    end_at: datetime | None
    judged_due: datetime | None
    online: bool
    online_scored: bool
    doc_result: bool
    e_result: bool
    fee_due: bool
    paid_online: bool
    digitised: bool
    reused: bool
    national_store: bool
    population: bool
    synchronised: bool
    received_day: date | None  # Biểu 06: received for handling on (None: never received)
    finished_day: date | None  # Biểu 06: handled on (received dossiers only)
    b06_class: str  # ontime.B06Class of a handled dossier, "" otherwise
    overdue_from: date | None  # Biểu 06: in progress past due at the end of any later day until finished

    def as_row(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


FACT_FIELDS = tuple(f.name for f in fields(Fact))


def contributions(fact: Fact) -> dict[date, dict[str, int]]:
    """Counter columns this fact adds, per day (each day's row is keyed by the fact's unit and procedure)."""
    out: dict[date, dict[str, int]] = defaultdict(dict)

    def add(day: date, column: str) -> None:
        row = out[day]
        row[column] = row.get(column, 0) + 1

    add(fact.day, "dossiers")
    add(fact.day, fact.status)
    for flag in (
        "online",
        "online_scored",
        "doc_result",
        "fee_due",
        "digitised",
        "reused",
        "national_store",
        "population",
        "synchronised",
    ):
        if getattr(fact, flag):
            add(fact.day, flag)
    if fact.doc_result and fact.e_result:
        add(fact.day, "e_result")
    if fact.fee_due and fact.paid_online:
        add(fact.day, "paid_online")
    if fact.received_day is not None:
        add(fact.received_day, "b06_received_online" if fact.online else "b06_received_offline")
        if fact.finished_day is not None and fact.b06_class:
            add(fact.finished_day, f"b06_{fact.b06_class}")
    if fact.overdue_from is not None:
        add(fact.overdue_from, "b06_overdue_from")
    return out


# --- Building facts -----------------------------------------------------------------------------------

DOSSIER_FIELDS = (
    "id",
    "competent_agency_id",
    "procedure_id",
    "procedure_version_id",
    "channel",
    "state",
    "received_at",
    "submitted_at",
    "original_due_at",
    "duration_value",
    "duration_unit",
    "supplement_policy",
    "finished_at",
    "supplement_requests",
    "fee_total",
    "paid_online",
    "vneid_verified",
    "population_data_used",
)


@dataclass
class Parts:
    """What a fact needs besides the dossier row, for one dossier."""

    pauses: list[ontime.Interval]
    components: int = 0  # provided components
    digitised_components: int = 0
    reused_components: int = 0
    store_components: int = 0
    issued_results: bool = False
    delivered: bool = False


@dataclass
class VersionInfo:
    doc_result: bool
    limits: tuple[ontime.Limit, ...]


class LazyCalendar:
    """Builds the unit's working calendar only when a dossier needs working-time arithmetic (pauses, or no
    due date of its own): most dossiers are judged against their original due date with no calendar."""

    def __init__(self, factory: Callable[[], WorkingCalendar]):
        self._factory = factory
        self._calendar: WorkingCalendar | None = None

    def ledger(self, *args: Any, **kwargs: Any) -> LedgerState:
        if self._calendar is None:
            self._calendar = self._factory()
        return self._calendar.ledger(*args, **kwargs)


def local_date(moment: datetime) -> date:
    return ontime.local_date(moment)


def compute_fact(row: dict[str, Any], parts: Parts, version: VersionInfo, cal: ontime.Calendar) -> Fact:
    """The fact of one dossier from its row (``DOSSIER_FIELDS``) and parts. Pure but for the calendar."""
    limit = ontime.Limit(row["duration_value"], row["duration_unit"]) if row["duration_unit"] else None
    timeline = ontime.Timeline(
        state=row["state"],
        received_at=row["received_at"],
        submitted_at=row["submitted_at"],
        original_due_at=row["original_due_at"],
        limit=limit,
        procedure_limits=version.limits,
        policy=row["supplement_policy"] or "pause",
        pauses=tuple(parts.pauses),
        finished_at=row["finished_at"],
        supplement_requests=row["supplement_requests"],
    )
    verdict = ontime.classify(timeline, cal)
    start = row["received_at"] or row["submitted_at"]
    online = row["channel"] in ONLINE_CHANNELS
    e_result = parts.issued_results
    doc_result = version.doc_result
    digitised = parts.components > 0 and parts.digitised_components == parts.components
    if digitised and doc_result and row["state"] in RESULT_STATES and not e_result:
        digitised = False  # "and with an e-result where one is required"
    fee_due = (row["fee_total"] or 0) > 0
    received_day = local_date(row["received_at"]) if row["received_at"] else None
    finished_day = (
        local_date(row["finished_at"]) if received_day is not None and verdict.b06 is not None else None
    )
    b06_class = verdict.b06.value if finished_day is not None and verdict.b06 is not None else ""
    overdue_from = _overdue_from(verdict, received_day, finished_day, b06_class)
    return Fact(
        dossier_id=row["id"],
        agency_id=row["competent_agency_id"],
        procedure_id=row["procedure_id"],
        day=local_date(start),
        status=verdict.status.value,
        reason=verdict.reason.value,
        end_at=verdict.end_at,
        judged_due=verdict.due,
        online=online,
        online_scored=online and (not doc_result or e_result),
        doc_result=doc_result,
        e_result=e_result,
        fee_due=fee_due,
        paid_online=fee_due and row["paid_online"] in PAID_ONLINE,
        digitised=digitised,
        reused=parts.reused_components > 0,
        national_store=parts.store_components > 0,
        population=bool(row["vneid_verified"] or row["population_data_used"] or parts.store_components),
        synchronised=parts.delivered,
        received_day=received_day,
        finished_day=finished_day,
        b06_class=b06_class,
        overdue_from=overdue_from,
    )


def _overdue_from(
    verdict: ontime.Verdict, received_day: date | None, finished_day: date | None, b06_class: str
) -> date | None:
    """The first day at whose end the dossier counts as "in progress, past the due date" (Biểu 06).

    In progress past due at the end of day E ⟺ overdue_from < E < finished_day (or still open). For a dossier
    handled late the interval must close on its finish day; one handled late by rule (more than one
    supplementation request) before its due date gets the empty interval [finish − 1, finish).
    """
    if received_day is None:
        return None
    if finished_day is not None:
        if b06_class != ontime.B06Class.LATE:
            return None
        latest = finished_day - timedelta(days=1)
        if verdict.due is None:
            return latest
        return min(local_date(verdict.due), latest)
    if verdict.open_due is None:
        return None
    return local_date(verdict.open_due)


def _versions(version_ids: Iterable[int]) -> dict[int, VersionInfo]:
    from motcua.catalogue.models import ChannelOption, ResultDocument

    ids = set(version_ids)
    with_results = set(
        ResultDocument.objects.filter(version_id__in=ids).values_list("version_id", flat=True).distinct()
    )
    limits: dict[int, list[ontime.Limit]] = defaultdict(list)
    for version_id, value, unit in ChannelOption.objects.filter(version_id__in=ids).values_list(
        "version_id", "duration_value", "duration_unit"
    ):
        if unit:
            limits[version_id].append(ontime.Limit(value, unit))
    return {v: VersionInfo(doc_result=v in with_results, limits=tuple(limits[v])) for v in ids}


def _parts(ids: list[int]) -> dict[int, Parts]:
    from motcua.dossiers.models import DossierComponent, DossierResult, OutboxMessage, Pause

    parts = {pk: Parts(pauses=[]) for pk in ids}
    for dossier_id, start, end, reason in (
        Pause.objects.filter(dossier_id__in=ids)
        .order_by("started_at", "id")
        .values_list("dossier_id", "started_at", "ended_at", "reason")
    ):
        parts[dossier_id].pauses.append(ontime.Interval(start, end, reason))
    for entry in (
        DossierComponent.objects.filter(dossier_id__in=ids, provided=True)
        .values("dossier_id")
        .annotate(
            n=Count("id"),
            digitised=Count("id", filter=Q(digitised=True)),
            reused=Count("id", filter=~Q(reuse=0)),
            store=Count("id", filter=Q(from_national_store=True)),
        )
        .order_by()
    ):
        p = parts[entry["dossier_id"]]
        p.components, p.digitised_components = entry["n"], entry["digitised"]
        p.reused_components, p.store_components = entry["reused"], entry["store"]
    for dossier_id in (
        DossierResult.objects.filter(dossier_id__in=ids, issued_at__isnull=False)
        .values_list("dossier_id", flat=True)
        .distinct()
    ):
        parts[dossier_id].issued_results = True
    for dossier_id in (
        OutboxMessage.objects.filter(
            dossier_id__in=ids,
            topic=OutboxMessage.Topic.NATIONAL_DOSSIER,
            status=OutboxMessage.Status.DELIVERED,
        )
        .values_list("dossier_id", flat=True)
        .distinct()
    ):
        parts[dossier_id].delivered = True
    return parts


class Calendars:
    """One lazily built working calendar per competent agency (the engine caches across calls too)."""

    def __init__(self) -> None:
        self._by_agency: dict[int, LazyCalendar] = {}

    def for_agency(self, agency_id: int, agency: Any = None) -> LazyCalendar:
        found = self._by_agency.get(agency_id)
        if found is None:

            def build() -> WorkingCalendar:
                from motcua.deadlines.loader import calendar_for
                from motcua.org.models import Agency

                return calendar_for(agency=agency or Agency.objects.get(pk=agency_id))

            found = self._by_agency[agency_id] = LazyCalendar(build)
        return found


def load_facts(rows: list[dict[str, Any]], calendars: Calendars | None = None) -> list[Fact]:
    """Facts for dossier rows (dicts with ``DOSSIER_FIELDS``): five queries whatever their number."""
    if not rows:
        return []
    calendars = calendars or Calendars()
    ids = [row["id"] for row in rows]
    parts = _parts(ids)
    versions = _versions(row["procedure_version_id"] for row in rows)
    return [
        compute_fact(
            row,
            parts[row["id"]],
            versions[row["procedure_version_id"]],
            calendars.for_agency(row["competent_agency_id"]),
        )
        for row in rows
    ]


def iter_dossier_rows(queryset: Any, batch: int = 2000) -> Iterator[list[dict[str, Any]]]:
    """Dossier rows in id order, ``batch`` at a time (keyset pagination: no OFFSET over millions)."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk").values(*DOSSIER_FIELDS)[:batch])
        if not chunk:
            return
        yield chunk
        last = chunk[-1]["id"]


def fact_for(dossier: Any) -> Fact:
    """The fact of one dossier instance (the one a command has just changed, its row already in memory)."""
    row = {name: getattr(dossier, name) for name in DOSSIER_FIELDS}
    parts = _parts([dossier.pk])[dossier.pk]
    version = _versions([dossier.procedure_version_id])[dossier.procedure_version_id]
    calendar = Calendars().for_agency(dossier.competent_agency_id, dossier.competent_agency)
    return compute_fact(row, parts, version, calendar)
