"""The service-quality index scorer (Decision 766/QĐ-TTg, the portal's 2026 formula sheet).

Pure: no ORM, no clock, no I/O. A definition (points, thresholds, empty-denominator policies, rounding, bands)
arrives as an immutable snapshot built from the database (``IndexDefinition.snapshot()``), figures arrive as
a mapping item number → ``Figure``. The same function scores a file typed by hand (``motcua index score``),
the figures of the future aggregate layer, and the dashboard's "what if" panel, so they can never disagree.

Arithmetic is exact: a ratio is a ``Fraction`` and the only rounding is the item's own, ROUND_HALF_UP to the
item's decimals, done on the exact value. Decimal division alone would round 11/24 × 9 (exactly 4.125) to
28 digits first and could land on 4.12499…; the portal's sheet rounds the exact value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any, Generic, TypeVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

GROUP_CODES = ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDSH", "MDHL")
# The item whose denominator is the larger of two national counts (the reporting system's and the portal's),
# and whose numerator (dossiers synchronised) is the system's own.
NATIONAL_COUNTS_ITEM = "1.4"


class ScoringKind(StrEnum):
    LINEAR = "linear"  # P × R
    THRESHOLD = "threshold"  # P × min(1, R / t): full points once the threshold is reached


class EmptyPolicy(StrEnum):
    """What an item scores when its denominator is 0 (nothing to measure in the period)."""

    FULL = "full"  # 0/0 counts as 100% (4.5, 5.1, 5.2 in the 2026 sheet)
    ZERO = "zero"  # 0/0 earns nothing
    FALLBACK = "fallback"  # use the figure's fallback denominator (1.4: last year's total ÷ 12/4/1)


class Source(StrEnum):
    COMPUTED = "computed"  # from the system's own dossiers, procedures and payments
    INPUT = "input"  # imported, fetched from the national side, or entered (1.1–1.3, 1.4's counts, 5.1–5.2)


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


# 1.4's fallback: last year's reporting total ÷ 12 for a month, ÷ 4 for a quarter, × 1 for a year.
PERIODS_PER_YEAR = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 1}


class FiguresError(ValueError):
    """Figures that cannot be scored. ``problems`` maps an item number (or "") to its Vietnamese reason."""

    def __init__(self, problems: Mapping[str, str]):
        self.problems = dict(problems)
        super().__init__("; ".join(self.lines()))

    def lines(self) -> list[str]:
        """One line per distinct reason, naming its items ("chỉ tiêu 1.2, 1.3: thiếu số liệu")."""
        by_reason: dict[str, list[str]] = {}
        for item, reason in self.problems.items():
            by_reason.setdefault(reason, []).append(item)
        lines = []
        for reason, items in by_reason.items():
            named = [i for i in items if i]
            if named:
                lines.append(
                    _("chỉ tiêu %(items)s: %(reason)s") % {"items": ", ".join(named), "reason": reason}
                )
            if len(named) < len(items):
                lines.append(reason)
        return lines


# --- Definition snapshot ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupDefinition:
    code: str
    title_vi: str
    title_en: str
    max_points: Decimal


@dataclass(frozen=True)
class ItemDefinition:
    number: str
    group: str
    title_vi: str
    title_en: str
    points: Decimal
    kind: ScoringKind
    empty_policy: EmptyPolicy
    source: Source
    threshold: Fraction | None = None  # a fraction of 1 (0.8 for "threshold 80%"); only for THRESHOLD
    decimals: int = 2
    exact_points: Fraction = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "exact_points", Fraction(self.points))


@dataclass(frozen=True)
class Band:
    code: str
    min_total: Decimal
    label_vi: str
    label_en: str


@dataclass(frozen=True)
class Definition:
    """One version of the index, frozen. Items and groups are in display order."""

    version: int
    valid_from: dt.date | None
    groups: tuple[GroupDefinition, ...]
    items: tuple[ItemDefinition, ...]
    bands: tuple[Band, ...]
    justification: str = ""
    _items_by_number: dict[str, ItemDefinition] = field(init=False, repr=False, compare=False)
    item_numbers: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_items_by_number", {item.number: item for item in self.items})
        object.__setattr__(self, "item_numbers", tuple(item.number for item in self.items))

    def item(self, number: str) -> ItemDefinition:
        try:
            return self._items_by_number[number]
        except KeyError:
            raise FiguresError({number: _("không có trong bộ chỉ số phiên bản %s") % self.version}) from None

    @property
    def max_total(self) -> Decimal:
        return sum((g.max_points for g in self.groups), Decimal(0))

    def band_for(self, total: Decimal) -> Band:
        for band in sorted(self.bands, key=lambda b: b.min_total, reverse=True):
            if total >= band.min_total:
                return band
        raise FiguresError({"": _("tổng điểm %s không thuộc xếp loại nào") % total})

    def problems(self) -> list[str]:
        """Inconsistencies that must be fixed before a definition is published (Vietnamese)."""
        found: list[str] = []
        group_codes = [g.code for g in self.groups]
        if len(set(group_codes)) != len(group_codes):
            found.append(_("Mã nhóm bị trùng."))
        numbers = [i.number for i in self.items]
        if len(set(numbers)) != len(numbers):
            found.append(_("Số hiệu chỉ tiêu bị trùng."))
        for item in self.items:
            if item.group not in group_codes:
                found.append(
                    _("Chỉ tiêu %(n)s thuộc nhóm %(g)s không có trong định nghĩa.")
                    % {
                        "n": item.number,
                        "g": item.group,
                    }
                )
            if item.points <= 0:
                found.append(_("Chỉ tiêu %s phải có điểm lớn hơn 0.") % item.number)
            if item.kind == ScoringKind.THRESHOLD and not (item.threshold and 0 < item.threshold <= 1):
                found.append(
                    _("Chỉ tiêu %s tính theo ngưỡng phải có ngưỡng trong khoảng (0%%, 100%%].") % item.number
                )
            if item.kind == ScoringKind.LINEAR and item.threshold is not None:
                found.append(_("Chỉ tiêu %s tính tuyến tính không được có ngưỡng.") % item.number)
            if not 0 <= item.decimals <= 4:
                found.append(_("Chỉ tiêu %s: số chữ số thập phân phải từ 0 đến 4.") % item.number)
        for group in self.groups:
            in_group = sum((i.points for i in self.items if i.group == group.code), Decimal(0))
            if in_group != group.max_points:
                found.append(
                    _("Nhóm %(g)s có điểm tối đa %(max)s nhưng tổng điểm các chỉ tiêu là %(sum)s.")
                    % {"g": group.code, "max": group.max_points, "sum": in_group}
                )
        if not any(b.min_total <= 0 for b in self.bands):
            found.append(_("Phải có một xếp loại bắt đầu từ 0 điểm để mọi tổng điểm đều được xếp loại."))
        if len({b.min_total for b in self.bands}) != len(self.bands):
            found.append(_("Hai xếp loại không được có cùng điểm sàn."))
        return found


# --- Figures ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """The counts behind one item for one unit and period.

    ``alternative_denominators``: the scorer takes the largest of ``denominator`` and these (1.4: the national
    reporting system's count and the portal's count). ``fallback_denominator``: used when they are all 0 and
    the item's policy is FALLBACK (1.4: see ``fallback_denominator()``). ``source``: where the figure came
    from, carried through to the result for display.
    """

    numerator: Decimal | int
    denominator: Decimal | int
    alternative_denominators: tuple[Decimal | int, ...] = ()
    fallback_denominator: Decimal | int | Fraction | None = None
    source: str = ""


Figures = Mapping[str, Figure]


def fallback_denominator(previous_year_total: int | Decimal, period: PeriodKind | str) -> Fraction:
    """1.4's stand-in denominator: last year's reporting total spread over the period."""
    return Fraction(Decimal(previous_year_total)) / PERIODS_PER_YEAR[PeriodKind(period)]


def period_kind(start: dt.date, end: dt.date) -> PeriodKind | None:
    """MONTH, QUARTER or YEAR when [start, end] is exactly one calendar month/quarter/year, else None."""
    if start.day != 1 or start > end:
        return None
    month_end = _last_day(start.year, start.month)
    if end == month_end:
        return PeriodKind.MONTH
    if start.month % 3 == 1 and end == _last_day(start.year, start.month + 2):
        return PeriodKind.QUARTER
    if start.month == 1 and end == dt.date(start.year, 12, 31):
        return PeriodKind.YEAR
    return None


def _last_day(year: int, month: int) -> dt.date:
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def figures_from_pairs(pairs: Mapping[str, Sequence[int | Decimal]]) -> dict[str, Figure]:
    """Shorthand for tests and callers: {"2.1": (870, 1000), "1.4": (950, 1000, 950)}."""
    figures = {}
    for number, values in pairs.items():
        numerator, denominator, *alternatives = values
        figures[number] = Figure(numerator, denominator, tuple(alternatives))
    return figures


# --- Results ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemScore:
    number: str
    group: str
    points: Decimal  # the item's maximum
    score: Decimal  # rounded
    numerator: Decimal
    denominator: Decimal  # the one actually used (max of the alternatives, or the fallback)
    ratio: Fraction | None  # None when the denominator was 0 and a policy decided the score
    empty_policy_applied: EmptyPolicy | None
    source: str

    @property
    def lost(self) -> Decimal:
        return self.points - self.score


@dataclass(frozen=True)
class GroupScore:
    code: str
    max_points: Decimal
    score: Decimal
    items: tuple[ItemScore, ...]

    @property
    def lost(self) -> Decimal:
        return self.max_points - self.score


@dataclass(frozen=True)
class IndexScore:
    definition_version: int
    total: Decimal
    max_total: Decimal
    band: Band
    groups: tuple[GroupScore, ...]

    @property
    def items(self) -> tuple[ItemScore, ...]:
        return tuple(item for group in self.groups for item in group.items)

    def item(self, number: str) -> ItemScore:
        for item in self.items:
            if item.number == number:
                return item
        raise KeyError(number)

    def group(self, code: str) -> GroupScore:
        for group in self.groups:
            if group.code == code:
                return group
        raise KeyError(code)

    def lost_points(self) -> list[ItemScore]:
        """Items that lost points, the costliest first (the dashboard's "where did the points go")."""
        return sorted((i for i in self.items if i.lost > 0), key=lambda i: (-i.lost, natural_key(i.number)))


def round_half_up(value: Fraction, decimals: int) -> Decimal:
    """ROUND_HALF_UP of an exact non-negative value, without an inexact intermediate."""
    scaled = value * 10**decimals
    whole, remainder = divmod(scaled.numerator, scaled.denominator)
    if 2 * remainder >= scaled.denominator:
        whole += 1
    # scaleb keeps the exponent, so 2 points print as 2.00 like the portal's sheet.
    return Decimal(whole).scaleb(-decimals)


# Marked for translation but translated only when a message is actually built: gettext on every figure
# was a third of the scoring time.
NUMERATOR, DENOMINATOR, FALLBACK = (
    gettext_noop("tử số"),
    gettext_noop("mẫu số"),
    gettext_noop("mẫu số thay thế"),
)


def _exact(
    value: Decimal | int | Fraction, what: str, number: str, problems: dict[str, str]
) -> Fraction | None:
    if type(value) is int:  # the common case, first
        if value >= 0:
            return Fraction(value)
    elif isinstance(value, bool) or not isinstance(value, int | Decimal | Fraction):
        problems[number] = _("%(what)s phải là một số, nhận được %(value)r") % {
            "what": _(what),
            "value": value,
        }
        return None
    elif isinstance(value, Decimal) and not value.is_finite():
        problems[number] = _("%(what)s không phải là số hữu hạn") % {"what": _(what)}
        return None
    exact = Fraction(value)
    if exact < 0:
        problems[number] = _("%(what)s không được âm (%(value)s)") % {"what": _(what), "value": value}
        return None
    return exact


def _score_item(item: ItemDefinition, figure: Figure, problems: dict[str, str]) -> ItemScore | None:
    number = item.number
    numerator = _exact(figure.numerator, NUMERATOR, number, problems)
    denominators = [
        _exact(d, DENOMINATOR, number, problems)
        for d in (figure.denominator, *figure.alternative_denominators)
    ]
    if numerator is None or any(d is None for d in denominators):
        return None
    denominator = max(d for d in denominators if d is not None)
    applied: EmptyPolicy | None = None
    capped = False
    if denominator == 0:
        # Only a fallback makes sense of "something out of nothing": national counts that lag behind ours.
        if numerator != 0 and item.empty_policy != EmptyPolicy.FALLBACK:
            problems[number] = _("tử số %(n)s lớn hơn 0 nhưng mẫu số bằng 0") % {"n": figure.numerator}
            return None
        applied = item.empty_policy
        if applied == EmptyPolicy.FALLBACK:
            if figure.fallback_denominator is None:
                problems[number] = _(
                    "mẫu số bằng 0 và thiếu mẫu số thay thế (tổng số hồ sơ năm trước trên hệ thống báo cáo)"
                )
                return None
            fallback = _exact(figure.fallback_denominator, FALLBACK, number, problems)
            if fallback is None:
                return None
            if fallback == 0:
                # Nothing last year either: no basis to measure against, so nothing is lost.
                applied = EmptyPolicy.FULL
            else:
                denominator = fallback
                # An estimate of the period's volume, not a count: the unit may exceed it.
                capped = True
    elif numerator > denominator:
        problems[number] = _("tử số %(n)s lớn hơn mẫu số %(d)s") % {
            "n": figure.numerator,
            "d": _plain(denominator),
        }
        return None

    ratio: Fraction | None
    if denominator == 0 or applied in (EmptyPolicy.FULL, EmptyPolicy.ZERO):
        ratio = None
        share = Fraction(1) if applied == EmptyPolicy.FULL else Fraction(0)
    else:
        ratio = numerator / denominator
        if capped:
            ratio = min(ratio, Fraction(1))
        if item.kind == ScoringKind.THRESHOLD:
            if not item.threshold:  # publishing refuses this; a hand-built snapshot might not
                problems[number] = _("định nghĩa chỉ tiêu tính theo ngưỡng nhưng không có ngưỡng")
                return None
            share = min(Fraction(1), ratio / item.threshold)
        else:
            share = ratio
    exact_score = item.exact_points * share
    return ItemScore(
        number=number,
        group=item.group,
        points=item.points,
        score=round_half_up(exact_score, item.decimals),
        numerator=_plain(numerator),
        denominator=_plain(denominator),
        ratio=ratio,
        empty_policy_applied=applied,
        source=figure.source,
    )


def _plain(value: Fraction) -> Decimal:
    if value.denominator == 1:
        return Decimal(value.numerator)
    return Decimal(value.numerator) / Decimal(value.denominator)


def _score_items(definition: Definition, figures: Figures) -> tuple[dict[str, ItemScore], dict[str, str]]:
    problems: dict[str, str] = {}
    for number in figures:
        if number not in definition._items_by_number:
            problems[number] = _("không có trong bộ chỉ số phiên bản %s") % definition.version
    item_scores: dict[str, ItemScore] = {}
    for item in definition.items:
        figure = figures.get(item.number)
        if figure is None:
            problems[item.number] = _("thiếu số liệu")
            continue
        result = _score_item(item, figure, problems)
        if result is not None:
            item_scores[item.number] = result
    return item_scores, dict(sorted(problems.items(), key=lambda kv: natural_key(kv[0])))


def problems_in(definition: Definition, figures: Figures) -> dict[str, str]:
    """Item number → why ``figures`` cannot be scored (missing, unknown, inconsistent); empty if fine."""
    return _score_items(definition, figures)[1]


def score(definition: Definition, figures: Figures) -> IndexScore:
    """Score every item of ``definition`` from ``figures``; every item must have a figure, no extra ones.

    Raises ``FiguresError`` listing every problem (missing, unknown or inconsistent figures) at once.
    """
    item_scores, problems = _score_items(definition, figures)
    if problems:
        raise FiguresError(problems)

    groups = []
    for group in definition.groups:
        items = tuple(item_scores[i.number] for i in definition.items if i.group == group.code)
        groups.append(
            GroupScore(
                code=group.code,
                max_points=group.max_points,
                score=sum((i.score for i in items), Decimal(0)),
                items=items,
            )
        )
    total = sum((g.score for g in groups), Decimal(0))
    return IndexScore(
        definition_version=definition.version,
        total=total,
        max_total=definition.max_total,
        band=definition.band_for(total),
        groups=tuple(groups),
    )


def what_if(
    definition: Definition,
    figures: Figures,
    item: str,
    delta_numerator: int | Decimal,
    delta_denominator: int | Decimal = 0,
) -> Decimal:
    """Points the total would gain (negative: lose) if ``item``'s counts changed by the deltas.

    "How many points would 500 more digitised dossiers earn": ``what_if(d, f, "4.2", 500)``. A change to the
    denominator applies to each of the item's denominators (a new dossier is counted on both national sides
    for 1.4). Raises ``FiguresError`` if the changed figures are impossible (e.g. more digitised dossiers than
    dossiers).
    """
    definition.item(item)  # unknown item → FiguresError naming it
    if item not in figures:
        raise FiguresError({item: _("thiếu số liệu")})
    before = score(definition, figures)
    old = figures[item]
    changed = replace(
        old,
        numerator=Decimal(old.numerator) + Decimal(delta_numerator),
        denominator=Decimal(old.denominator) + Decimal(delta_denominator),
        alternative_denominators=tuple(
            Decimal(d) + Decimal(delta_denominator) for d in old.alternative_denominators
        ),
    )
    after = score(definition, {**figures, item: changed})
    return after.total - before.total


# --- Ranking ------------------------------------------------------------------------------------------

K = TypeVar("K")


@dataclass(frozen=True)
class Ranked(Generic[K]):
    rank: int
    key: K
    total: Decimal


def rank(totals: Iterable[tuple[K, Decimal]]) -> list[Ranked[K]]:
    """Descending total; equal totals share a rank and the next rank skips (1, 2, 3, 3, 5).

    Equal totals keep the order they were given in, so callers decide the tie display order.
    """
    ordered = sorted(totals, key=lambda kv: kv[1], reverse=True)  # sorted() is stable
    ranked: list[Ranked[K]] = []
    for position, (key, total) in enumerate(ordered, start=1):
        shared = ranked[-1].rank if ranked and ranked[-1].total == total else position
        ranked.append(Ranked(rank=shared, key=key, total=total))
    return ranked


# --- Serialisation ------------------------------------------------------------------------------------


def natural_key(number: str) -> tuple[Any, ...]:
    """ "1.10" after "1.9"; anything not numeric sorts last, as text."""
    try:
        return (0, *(int(part) for part in number.split(".")))
    except ValueError:
        return (1, number)


def ratio_percent(ratio: Fraction | None) -> Decimal | None:
    return None if ratio is None else round_half_up(ratio * 100, 2)


def score_to_dict(definition: Definition, result: IndexScore, language: str = "vi") -> dict[str, Any]:
    """A JSON-ready view of a score. Decimals are strings so that 76.64 stays 76.64 (no float)."""

    def title(obj: GroupDefinition | ItemDefinition | Band) -> str:
        if isinstance(obj, Band):
            return obj.label_en if language == "en" else obj.label_vi
        return obj.title_en if language == "en" else obj.title_vi

    titles = {g.code: g for g in definition.groups}
    return {
        "definition": {
            "version": definition.version,
            "valid_from": definition.valid_from.isoformat() if definition.valid_from else None,
        },
        "items": [
            {
                "number": i.number,
                "group": i.group,
                "title": title(definition.item(i.number)),
                "numerator": str(i.numerator),
                "denominator": str(i.denominator),
                "ratio_percent": None if i.ratio is None else str(ratio_percent(i.ratio)),
                "empty_policy_applied": i.empty_policy_applied.value if i.empty_policy_applied else None,
                "points": str(i.points),
                "score": str(i.score),
                "lost": str(i.lost),
                "source": i.source,
            }
            for i in result.items
        ],
        "groups": [
            {
                "code": g.code,
                "title": title(titles[g.code]),
                "max_points": str(g.max_points),
                "score": str(g.score),
            }
            for g in result.groups
        ],
        "total": str(result.total),
        "max_total": str(result.max_total),
        "band": {"code": result.band.code, "label": title(result.band)},
    }
