"""The index's figures for a unit and period, from the aggregates, the catalogue and the stored inputs.

``compute_figures(agency, start, end, procedure=None)`` returns one ``scoring.Figure`` per item of the
definition in force; ``score_units`` scores a unit and its child units in one pass (the dashboard, the API
and the benchmark use it). Nothing here reads the dossier table: dossier counts come from ``IndexCounter``
rows (whole months at month grain, the rest at day grain) and, for 2.1's dossiers still open, from the
indexed ``DossierFact`` rows of the period (few: only the open ones).

Where each item comes from (docs/indicators.md §6 has the full table):

- dossier counts (2.1, 3.3, 3.6, 4.1–4.4, 4.6, 5.3, 1.4's numerator): sums of counters over the period;
- "procedures with at least one …" (3.2, 3.4, 3.5, 4.7): the *distinct* procedures whose counters over the
  period are positive — a set, never a sum of per-day counts — intersected with the catalogue's set;
- catalogue items (3.1 and the denominators of 3.2, 3.4, 3.5, 4.7; 4.5): the published procedures the unit
  is competent for (named on the version, or every agency of the kind the version names);
- inputs (1.1–1.3, 1.4's national counts, 5.1–5.2): ``IndexInput`` rows of the unit for the period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from motcua.core.text import fold

from . import scoring
from .facts import INDEX_COLUMNS
from .models import DossierFact, IndexCounter, IndexDefinition, IndexInput
from .periods import Period, date_range

DAY, MONTH, YEAR = (
    IndexCounter.Grain.DAY.value,
    IndexCounter.Grain.MONTH.value,
    IndexCounter.Grain.YEAR.value,
)
COMPUTED_SOURCE = "Tính từ dữ liệu của hệ thống"
NO_INPUT = "Chưa có số liệu đầu vào"
# Items counted by procedure: counter column whose positive sum makes a procedure count.
PROCEDURE_FLAGS = {"3.2": "online", "3.4": "fee_due", "3.5": "paid_online", "4.7": "population"}


class FiguresUnavailable(Exception):
    """No definition of the index applies to the period (the message is Vietnamese)."""


# --- Windows over the counters ------------------------------------------------------------------------


def _month_end(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1) - timedelta(days=1)


def _next_month(day: date) -> date:
    return _month_end(day.replace(day=1)) + timedelta(days=1)


def ranges(start: date | None, end: date) -> list[tuple[str, date | None, date]]:
    """[start, end] as (grain, first bucket, last bucket) ranges covering each day exactly once: leading
    days, months up to a year boundary, whole years, then months and days to the end.

    ``start`` None: from the beginning of time (Biểu 06's carried-over and in-progress sums).
    """
    out: list[tuple[str, date | None, date]] = []
    current = start
    if current is not None and current.day != 1:
        head = min(_month_end(current), end)
        out.append((DAY, current, head))
        current = head + timedelta(days=1)
        if current > end:
            return out
    if current is not None and current.month != 1:
        last = current
        while _next_month(last) <= date(current.year, 12, 1) and _month_end(_next_month(last)) <= end:
            last = _next_month(last)
        if _month_end(last) <= end:
            out.append((MONTH, current, last))
            current = _month_end(last) + timedelta(days=1)
            if current > end:
                return out
    last_full_year = end.year if (end.month, end.day) == (12, 31) else end.year - 1
    if current is None or (current.month == 1 and current.day == 1 and current.year <= last_full_year):
        out.append((YEAR, current, date(last_full_year, 1, 1)))
        current = date(last_full_year + 1, 1, 1)
        if current > end:
            return out
    last_full_month = (
        end.replace(day=1)
        if end == _month_end(end)
        else (end.replace(day=1) - timedelta(days=1)).replace(day=1)
    )
    if current is None or current <= last_full_month:
        out.append((MONTH, current, last_full_month))
        current = _month_end(last_full_month) + timedelta(days=1)
    if current is None or current <= end:
        out.append((DAY, current, end))
    return out


def window(start: date | None, end: date) -> Q:
    """Counter rows covering [start, end] exactly once (``ranges``): a year reads one row per unit and
    procedure, a quarter three, a month one."""
    result = Q(pk__in=[])
    for grain, first, last in ranges(start, end):
        part = Q(grain=grain, day__lte=last)
        if first is not None:
            part &= Q(day__gte=first)
        result |= part
    return result


# --- The agency tree ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    pk: int
    parent_id: int | None
    kind: str
    code: str
    name: str


class AgencyTree:
    """Every agency, read once (a province has a few hundred, a national deployment a few thousand)."""

    def __init__(self, nodes: Iterable[Node]):
        self.nodes = {n.pk: n for n in nodes}
        self._children: dict[int | None, list[int]] = defaultdict(list)
        for node in sorted(self.nodes.values(), key=lambda n: n.code):
            self._children[node.parent_id].append(node.pk)

    @classmethod
    def load(cls) -> AgencyTree:
        from motcua.org.models import Agency

        return cls(
            Node(*row) for row in Agency.objects.values_list("pk", "parent_id", "kind", "code", "name")
        )

    def subtree(self, pk: int) -> set[int]:
        found: set[int] = set()
        stack = [pk]
        while stack:
            current = stack.pop()
            if current in found:
                continue
            found.add(current)
            stack.extend(self._children[current])
        return found

    def children(self, pk: int) -> list[Node]:
        """Child units ranked under ``pk``: its direct children that are agencies, not its own divisions."""
        return [self.nodes[c] for c in self._children[pk] if self.nodes[c].kind != "division"]

    def reporting_unit(self, pk: int, root: int) -> int:
        """The child of ``root`` (or ``root`` itself, for its own divisions) that ``pk`` belongs to."""
        children = {c.pk for c in self.children(root)}
        node: int | None = pk
        for _depth in range(50):
            if node is None or node == root:
                return root
            if node in children:
                return node
            node = self.nodes[node].parent_id if node in self.nodes else None
        return root


# --- The catalogue ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueProcedure:
    procedure_id: int
    code: str
    name: str
    field_id: int | None
    agency_id: int | None  # the competent agency named on the version
    agency_kind: str  # or: every agency of this kind is competent
    online: bool  # offered online, partially or fully (3.1 numerator, 3.2 denominator)
    citizen: bool  # subjects include citizens (4.7 denominator)
    fee_bearing: bool  # a charged fee > 0 on some channel (3.4, 3.5 denominators)


class Catalogue:
    """The published procedures, read once: a few hundred per province."""

    def __init__(self, procedures: Iterable[CatalogueProcedure]):
        self.procedures = list(procedures)
        self.by_id = {p.procedure_id: p for p in self.procedures}
        self._is_copy: dict[int, bool] = {}

    def offering_certified_copies(self, communes: set[int]) -> set[int]:
        """The communes offering electronic certified copies from originals (4.5): the certified-copy
        service, offered online, decided by the commune (named, or by every commune).

        Only the names of procedures a commune decides are folded (folding every name of the catalogue costs
        more than the rest of the computation), each once.
        """
        offering: set[int] = set()
        for p in self.procedures:
            if not p.online:
                continue
            by_kind = p.agency_id is None and p.agency_kind == "commune"
            if not by_kind and p.agency_id not in communes:
                continue
            if p.procedure_id not in self._is_copy:
                self._is_copy[p.procedure_id] = is_certified_copy(p.name)
            if self._is_copy[p.procedure_id]:
                if by_kind:
                    return set(communes)
                offering.add(p.agency_id)  # type: ignore[arg-type]
        return offering

    @classmethod
    def load(cls) -> Catalogue:
        from motcua.catalogue.models import Fee, ProcedureVersion

        published = ProcedureVersion.objects.filter(status=ProcedureVersion.Status.PUBLISHED)
        fee_bearing = set(
            Fee.objects.filter(
                channel_option__version__in=published, amount__gt=0, kind=Fee.Kind.CHARGED
            ).values_list("channel_option__version_id", flat=True)
        )
        rows = published.values_list(
            "pk",
            "procedure_id",
            "procedure__code",
            "name",
            "field_id",
            "competent_agency_id",
            "competent_agency_kind",
            "online_level",
            "subjects",
        )
        procedures = []
        for pk, procedure_id, code, name, field_id, agency_id, kind, online_level, subjects in rows:
            online = online_level in (ProcedureVersion.OnlineLevel.FULL, ProcedureVersion.OnlineLevel.PARTIAL)
            procedures.append(
                CatalogueProcedure(
                    procedure_id=procedure_id,
                    code=code,
                    name=name,
                    field_id=field_id,
                    agency_id=agency_id,
                    agency_kind=kind or "",
                    online=online,
                    citizen="citizen" in (subjects or []),
                    fee_bearing=pk in fee_bearing,
                )
            )
        return cls(procedures)

    def competent(self, agency_ids: set[int], kinds: set[str]) -> list[CatalogueProcedure]:
        return [
            p
            for p in self.procedures
            if (p.agency_id is not None and p.agency_id in agency_ids)
            or (p.agency_id is None and p.agency_kind and p.agency_kind in kinds)
        ]


def is_certified_copy(name: str) -> bool:
    """The certified-copy-from-original service (chứng thực bản sao từ bản chính), by its folded name.

    The national catalogue has no flag for it; offered online it is exactly "electronic certified copies
    from originals" (4.5).
    """
    folded = fold(name)
    return "chung thuc ban sao" in folded and "ban chinh" in folded


# --- Counting -----------------------------------------------------------------------------------------


@dataclass
class Counts:
    """Counter sums for a set of agencies and a period, and the procedures each flag saw."""

    columns: dict[str, int] = field(default_factory=lambda: dict.fromkeys(INDEX_COLUMNS, 0))
    procedures: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    open_late: int = 0  # open dossiers of the period already past their judged due date at the cutoff

    @property
    def on_time(self) -> int:
        """2.1's numerator: decided on time, plus open and not yet past the due date at the cutoff."""
        return self.columns["on_time"] + self.columns["open"] - self.open_late

    def add(self, other: Counts) -> None:
        for column, value in other.columns.items():
            self.columns[column] += value
        for flag, procedures in other.procedures.items():
            self.procedures[flag] |= procedures
        self.open_late += other.open_late


class Aggregates:
    """Counter sums for every agency of a subtree and a period, read with two queries.

    Grouped by (agency, procedure): the sums per agency and, from the same rows, the distinct procedures
    per flag, so any union of agencies (a child unit's subtree, the whole province) is counted correctly.
    """

    def __init__(
        self,
        agency_ids: set[int],
        period: Period,
        *,
        cutoff: datetime,
        procedure_id: int | None = None,
    ):
        self.by_agency: dict[int, Counts] = defaultdict(Counts)
        ids = sorted(agency_ids)
        rows = IndexCounter.objects.filter(window(period.start, period.end), agency_id__in=ids)
        opened = DossierFact.objects.filter(
            agency_id__in=ids,
            day__gte=period.start,
            day__lte=period.end,
            status="open",
            judged_due__lt=cutoff,
        )
        if procedure_id is not None:
            rows = rows.filter(procedure_id=procedure_id)
            opened = opened.filter(procedure_id=procedure_id)
        sums = {c: Sum(c) for c in INDEX_COLUMNS}
        grouped = fetch_tuples(rows.values("agency_id", "procedure_id").annotate(**sums).order_by())
        flags = [(2 + INDEX_COLUMNS.index(flag), flag) for flag in PROCEDURE_FLAGS.values()]
        for row in grouped:
            counts = self.by_agency[row[0]]
            columns = counts.columns
            for position, column in enumerate(INDEX_COLUMNS, start=2):
                columns[column] += row[position] or 0
            for position, flag in flags:
                if row[position]:
                    counts.procedures[flag].add(row[1])
        late: list[dict[str, Any]] = [
            dict(row) for row in opened.values("agency_id").annotate(n=Count("pk")).order_by()
        ]
        for entry in late:
            self.by_agency[entry["agency_id"]].open_late += entry["n"]

    def counts(self, agency_ids: Iterable[int]) -> Counts:
        total = Counts()
        for pk in agency_ids:
            if pk in self.by_agency:
                total.add(self.by_agency[pk])
        return total


def fetch_tuples(queryset: Any) -> list[tuple]:
    """The rows of a ``values()`` queryset as plain tuples, in its column order, straight from the cursor.

    A year of a province's counters is a few thousand grouped rows; building a dict per row through the ORM
    cost more than the query itself (36 ms against 19 ms for 4,320 rows on PostgreSQL).
    """
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- Inputs -------------------------------------------------------------------------------------------


def _inputs(agency_ids: Iterable[int], period: Period) -> dict[int, dict[str, list[IndexInput]]]:
    """Stored inputs of these units whose period lies within ``period``, by unit and item."""
    found: dict[int, dict[str, list[IndexInput]]] = defaultdict(lambda: defaultdict(list))
    for row in IndexInput.objects.filter(
        agency_id__in=list(agency_ids), period_start__gte=period.start, period_end__lte=period.end
    ):
        found[row.agency_id][row.item_number].append(row)
    return found


def _input_figure(rows: list[IndexInput], period: Period, synchronised: int, dossiers: int) -> scoring.Figure:
    """The figure of one input item: the row for exactly the period, or the sum of the rows within it."""
    kind = scoring.period_kind(period.start, period.end)
    exact = [r for r in rows if (r.period_start, r.period_end) == (period.start, period.end)]
    chosen = exact or rows
    number = chosen[0].item_number
    if number != scoring.NATIONAL_COUNTS_ITEM:
        if len(chosen) == 1:
            return chosen[0].to_figure()
        return scoring.Figure(
            numerator=sum(r.numerator or 0 for r in chosen),
            denominator=sum(r.denominator or 0 for r in chosen),
            source=f"Cộng từ {len(chosen)} kỳ đã nhập",
        )
    if len(chosen) == 1:
        figure = chosen[0].to_figure(synchronised=synchronised, period=kind)
    else:
        previous = max((r.previous_year_total or 0 for r in chosen), default=0)
        figure = scoring.Figure(
            numerator=synchronised,
            denominator=sum(r.denominator or 0 for r in chosen),
            alternative_denominators=(sum(r.portal_count or 0 for r in chosen),),
            fallback_denominator=scoring.fallback_denominator(previous, kind) if kind else None,
            source=f"Cộng từ {len(chosen)} kỳ đã nhập",
        )
    return _sane_national(figure, synchronised, dossiers)


def _sane_national(figure: scoring.Figure, synchronised: int, dossiers: int) -> scoring.Figure:
    """1.4 with national counts that cannot be scored as they are, made scorable and labelled."""
    national = max(int(figure.denominator), *(int(d) for d in figure.alternative_denominators))
    if national == 0 and figure.fallback_denominator is None:
        return _estimated_national(synchronised, dossiers)
    if national and synchronised > national:
        # National counts lag behind ours: more synchronised than counted there means all of them.
        return scoring.Figure(
            numerator=national,
            denominator=figure.denominator,
            alternative_denominators=figure.alternative_denominators,
            fallback_denominator=figure.fallback_denominator,
            source=f"{figure.source} (hệ thống đã đồng bộ {synchronised}, nhiều hơn số quốc gia)",
        )
    return figure


def _estimated_national(synchronised: int, dossiers: int) -> scoring.Figure:
    return scoring.Figure(
        numerator=min(synchronised, dossiers),
        denominator=dossiers,
        # No dossier at all: nothing to synchronise, nothing lost (the scorer's "both counts 0" rule).
        fallback_denominator=0,
        source="Ước tính: chưa có số liệu quốc gia, mẫu số là số hồ sơ trong kỳ của hệ thống",
    )


# --- Figures ------------------------------------------------------------------------------------------


def definition_for(period: Period) -> IndexDefinition | None:
    """The published definition in force on the period's first day — or, for a period that starts before
    the first definition, the one in force on its last day (the only one that can score it)."""
    return IndexDefinition.objects.in_force(period.start) or IndexDefinition.objects.in_force(period.end)


@dataclass
class Context:
    """What a computation reads once: the tree, the catalogue, the definition."""

    tree: AgencyTree
    catalogue: Catalogue
    definition: scoring.Definition

    @classmethod
    def load(cls, period: Period) -> Context:
        definition = definition_for(period)
        if definition is None:
            raise FiguresUnavailable(
                f"Chưa có bộ chỉ số nào áp dụng vào ngày {period.start:%d/%m/%Y}; hãy công bố một phiên bản "
                "trong trang quản trị hoặc chạy 'motcua index load-defaults'."
            )
        return cls(AgencyTree.load(), Catalogue.load(), definition.snapshot())


@dataclass
class UnitFigures:
    agency_id: int
    figures: dict[str, scoring.Figure]
    counts: Counts
    procedure_sets: dict[str, tuple[set[int], set[int]]]  # item → (earned, scope) procedure ids
    communes: tuple[set[int], set[int]]  # 4.5: (offering, managed) commune ids


def figures_for(
    ctx: Context,
    agency_id: int,
    counts: Counts,
    inputs: dict[str, list[IndexInput]],
    period: Period,
    procedure_id: int | None = None,
) -> UnitFigures:
    """Every item's figure for one unit (its whole subtree counted in ``counts``)."""
    subtree = ctx.tree.subtree(agency_id)
    kinds = {ctx.tree.nodes[pk].kind for pk in subtree if pk in ctx.tree.nodes}
    competent = ctx.catalogue.competent(subtree, kinds)
    if procedure_id is not None:
        competent = [p for p in competent if p.procedure_id == procedure_id]
    competent_ids = {p.procedure_id for p in competent}
    online_services = {p.procedure_id for p in competent if p.online}
    fee_bearing = {p.procedure_id for p in competent if p.fee_bearing}
    citizen = {p.procedure_id for p in competent if p.citizen}
    scopes = {"3.2": online_services, "3.4": fee_bearing, "3.5": fee_bearing, "4.7": citizen}
    procedure_sets = {
        item: (scopes[item] & counts.procedures.get(flag, set()), scopes[item])
        for item, flag in PROCEDURE_FLAGS.items()
    }
    procedure_sets["3.1"] = (online_services, competent_ids)
    communes = {pk for pk in subtree if ctx.tree.nodes[pk].kind == "commune"}
    offering = ctx.catalogue.offering_certified_copies(communes) if communes else set()
    c = counts.columns
    dossiers = c["dossiers"]

    def computed(numerator: int, denominator: int) -> scoring.Figure:
        return scoring.Figure(numerator, denominator, source=COMPUTED_SOURCE)

    figures: dict[str, scoring.Figure] = {
        "2.1": computed(counts.on_time, dossiers),
        "3.3": computed(c["online_scored"], dossiers),
        "3.6": computed(c["paid_online"], c["fee_due"]),
        "4.1": computed(c["e_result"], c["doc_result"]),
        "4.2": computed(c["digitised"], dossiers),
        "4.3": computed(c["reused"], dossiers),
        "4.4": computed(c["national_store"], dossiers),
        "4.5": computed(len(offering), len(communes)),
        "4.6": computed(c["population"], dossiers),
        # Complaints and "dislike" ratings are not recorded by the system yet: only lateness is deducted.
        "5.3": computed(counts.on_time, dossiers),
    }
    for item, (earned, scope) in procedure_sets.items():
        figures[item] = computed(len(earned), len(scope))
    for definition_item in ctx.definition.items:
        number = definition_item.number
        if number in figures:
            continue
        rows = inputs.get(number)
        if number == scoring.NATIONAL_COUNTS_ITEM:
            figures[number] = (
                _input_figure(rows, period, c["synchronised"], dossiers)
                if rows
                else _estimated_national(c["synchronised"], dossiers)
            )
        elif rows:
            figures[number] = _input_figure(rows, period, 0, dossiers)
        else:
            figures[number] = scoring.Figure(0, 0, source=NO_INPUT)
    known = set(ctx.definition.item_numbers)
    return UnitFigures(
        agency_id=agency_id,
        figures={k: v for k, v in figures.items() if k in known},
        counts=counts,
        procedure_sets=procedure_sets,
        communes=(offering, communes),
    )


@dataclass
class ScoredUnit:
    node: Node
    unit: UnitFigures
    score: scoring.IndexScore


@dataclass
class Scores:
    period: Period
    cutoff: datetime
    definition: scoring.Definition
    root: ScoredUnit
    children: list[ScoredUnit]
    ranking: list[scoring.Ranked[ScoredUnit]]
    context: Context


def score_units(
    agency: Any,
    period: Period,
    *,
    now: datetime | None = None,
    procedure_id: int | None = None,
    with_children: bool = True,
    context: Context | None = None,
) -> Scores:
    """Score ``agency`` (with everything below it) and each of its child units, for ``period``."""
    now = now or timezone.now()
    ctx = context or Context.load(period)
    cutoff = period.cutoff(now)
    subtree = ctx.tree.subtree(agency.pk)
    aggregates = Aggregates(subtree, period, cutoff=cutoff, procedure_id=procedure_id)
    children = ctx.tree.children(agency.pk) if with_children else []
    inputs = _inputs([agency.pk, *(c.pk for c in children)], period)

    def scored(node: Node) -> ScoredUnit:
        counts = aggregates.counts(ctx.tree.subtree(node.pk))
        unit = figures_for(ctx, node.pk, counts, inputs.get(node.pk, {}), period, procedure_id)
        return ScoredUnit(node, unit, scoring.score(ctx.definition, unit.figures))

    root = scored(ctx.tree.nodes[agency.pk])
    scored_children = [scored(child) for child in children]
    ranking = scoring.rank((child, child.score.total) for child in scored_children)
    return Scores(period, cutoff, ctx.definition, root, scored_children, ranking, ctx)


def compute_figures(
    agency: Any, start: date, end: date, procedure: Any = None, *, now: datetime | None = None
) -> dict[str, scoring.Figure]:
    """One figure per item of the definition in force on ``start``, for ``agency`` and everything below it.

    ``procedure``: a ``catalogue.Procedure`` (or its id) to restrict the dossier counts and the catalogue
    sets to one procedure; inputs are the unit's whatever the procedure.
    """
    period = date_range(start, end)
    procedure_id = getattr(procedure, "pk", procedure)
    ctx = Context.load(period)
    cutoff = period.cutoff(now or timezone.now())
    subtree = ctx.tree.subtree(agency.pk)
    counts = Aggregates(subtree, period, cutoff=cutoff, procedure_id=procedure_id).counts(subtree)
    inputs = _inputs([agency.pk], period).get(agency.pk, {})
    return figures_for(ctx, agency.pk, counts, inputs, period, procedure_id).figures


def score(agency: Any, start: date, end: date, procedure: Any = None, *, now: datetime | None = None):
    """(definition, figures, IndexScore) of ``agency`` for [start, end]."""
    figures = compute_figures(agency, start, end, procedure, now=now)
    definition = definition_for(date_range(start, end))
    assert definition is not None  # compute_figures raised otherwise
    snapshot = definition.snapshot()
    return snapshot, figures, scoring.score(snapshot, figures)


def monthly_totals(agency: Any, period: Period, *, now: datetime | None = None) -> list[tuple[Period, Any]]:
    """The total of each month of ``period``'s year up to now (the dashboard's trend).

    Three queries for the whole year (month-grain counters grouped by month and procedure, the year's open
    dossiers with a due date, the unit's inputs) instead of a computation per month; each month is then
    scored exactly as ``score_units`` would score it (a test compares them).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    year = date_range(date(period.start.year, 1, 1), date(period.start.year, 12, 31))
    months = [m for m in year.months() if m.start <= today]
    if not months:
        return []
    tree = AgencyTree.load()
    subtree = sorted(tree.subtree(agency.pk))
    counts: dict[date, Counts] = defaultdict(Counts)
    sums = {c: Sum(c) for c in INDEX_COLUMNS}
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in IndexCounter.objects.filter(
            grain=MONTH, agency_id__in=subtree, day__gte=months[0].start, day__lte=months[-1].start
        )
        .values("day", "procedure_id")
        .annotate(**sums)
        .order_by()
    ]
    for row in rows:
        month_counts = counts[row["day"]]
        for column in INDEX_COLUMNS:
            month_counts.columns[column] += row[column] or 0
        for flag in PROCEDURE_FLAGS.values():
            if row[flag]:
                month_counts.procedures[flag].add(row["procedure_id"])
    cutoffs = {m.start: m.cutoff(now) for m in months}
    for day, due in DossierFact.objects.filter(
        agency_id__in=subtree,
        day__gte=months[0].start,
        day__lte=months[-1].end,
        status="open",
        judged_due__isnull=False,
    ).values_list("day", "judged_due"):
        if due is not None and due < cutoffs[day.replace(day=1)]:
            counts[day.replace(day=1)].open_late += 1
    inputs = _inputs([agency.pk], year).get(agency.pk, {})
    catalogue = Catalogue.load()
    out = []
    snapshots: dict[int, scoring.Definition] = {}
    for month in months:
        definition = definition_for(month)
        if definition is None:
            continue  # no definition scores this month (before the first one was published)
        if definition.pk not in snapshots:
            snapshots[definition.pk] = definition.snapshot()
        ctx = Context(tree, catalogue, snapshots[definition.pk])
        month_inputs = {
            item: [r for r in rows if r.period_start >= month.start and r.period_end <= month.end]
            for item, rows in inputs.items()
        }
        month_inputs = {item: rows for item, rows in month_inputs.items() if rows}
        unit = figures_for(ctx, agency.pk, counts[month.start], month_inputs, month)
        out.append((month, scoring.score(ctx.definition, unit.figures)))
    return out
