"""What the dashboard page and the indicators API show for a unit and period, built once for both.

Everything comes from ``figures.score_units`` (the aggregates), so a new event is on the page at the next
request; the trend adds one small computation per month of the year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils import timezone

from . import scoring
from .aggregates import catch_up_deliveries
from .figures import Scores, monthly_totals, score_units
from .models import IndexTarget, OfficialScore
from .periods import Period


@dataclass(frozen=True)
class TargetView:
    title: str
    applies_to: str
    comparison: str  # "≥" or ">"
    value: Decimal
    due_year: int | None
    source: str
    actual: Decimal | None  # our figure in percent (None when the index does not measure it)
    met: bool | None


@dataclass(frozen=True)
class OfficialView:
    total: Decimal
    rank: int | None
    published_on: Any
    difference: Decimal  # ours − official
    source: str


@dataclass
class Dashboard:
    agency: Any
    period: Period
    now: datetime
    scores: Scores
    trend: list[tuple[Period, scoring.IndexScore]] = field(default_factory=list)
    targets: list[TargetView] = field(default_factory=list)
    official: OfficialView | None = None
    official_children: dict[int, Decimal] = field(default_factory=dict)

    @property
    def result(self) -> scoring.IndexScore:
        return self.scores.root.score

    @property
    def definition(self) -> scoring.Definition:
        return self.scores.definition


def targets_for(definition: scoring.Definition, result: scoring.IndexScore) -> list[TargetView]:
    out = []
    groups = {g.code: g for g in result.groups}
    items = {i.number: i for i in result.items}
    for target in IndexTarget.objects.filter(is_active=True):
        actual: Decimal | None = None
        if target.applies_to in items:
            ratio = items[target.applies_to].ratio
            actual = scoring.ratio_percent(ratio) if ratio is not None else None
        elif target.applies_to in groups:
            group = groups[target.applies_to]
            if group.max_points:
                actual = scoring.round_half_up(Fraction(group.score) / Fraction(group.max_points) * 100, 2)
        out.append(
            TargetView(
                title=target.title_vi,
                applies_to=target.applies_to,
                comparison="≥" if target.comparison == IndexTarget.Comparison.AT_LEAST else ">",
                value=target.value_percent,
                due_year=target.due_year,
                source=target.source,
                actual=actual,
                met=None if actual is None else target.is_met(actual),
            )
        )
    return out


def build(
    agency: Any,
    period: Period,
    *,
    now: datetime | None = None,
    procedure_id: int | None = None,
    with_trend: bool = True,
) -> Dashboard:
    now = now or timezone.now()
    catch_up_deliveries()  # the connector's bulk "delivered" updates (1.4), if any since the last look
    scores = score_units(agency, period, now=now, procedure_id=procedure_id)
    dashboard = Dashboard(agency, period, now, scores)
    dashboard.targets = targets_for(scores.definition, scores.root.score)
    officials = {
        o.agency_id: o
        for o in OfficialScore.objects.filter(
            agency_id__in=[agency.pk, *(c.node.pk for c in scores.children)],
            period_start=period.start,
            period_end=period.end,
        )
    }
    official = officials.get(agency.pk)
    if official is not None:
        dashboard.official = OfficialView(
            total=official.total,
            rank=official.rank,
            published_on=official.published_on,
            difference=scores.root.score.total - official.total,
            source=official.source_note or official.get_source_display(),
        )
    dashboard.official_children = {pk: o.total for pk, o in officials.items() if pk != agency.pk}
    if with_trend and procedure_id is None:
        dashboard.trend = monthly_totals(agency, period, now=now)
    return dashboard


def to_dict(dashboard: Dashboard, language: str = "vi") -> dict[str, Any]:
    """The API's view: the CLI's JSON for the unit, plus period, child ranking, official score, targets."""
    scores = dashboard.scores
    root = scores.root
    data = scoring.score_to_dict(scores.definition, root.score, language)
    for entry in data["items"]:
        entry["source"] = root.unit.figures[entry["number"]].source
    data["unit"] = {"code": root.node.code, "name": root.node.name}
    data["period"] = {
        "code": dashboard.period.code,
        "label": dashboard.period.label,
        "start": dashboard.period.start.isoformat(),
        "end": dashboard.period.end.isoformat(),
        "cutoff": scores.cutoff.isoformat(),
    }
    data["children"] = [
        {
            "rank": ranked.rank,
            "code": ranked.key.node.code,
            "name": ranked.key.node.name,
            "total": str(ranked.total),
            "band": ranked.key.score.band.label_en if language == "en" else ranked.key.score.band.label_vi,
        }
        for ranked in scores.ranking
    ]
    official = dashboard.official
    data["official"] = (
        None
        if official is None
        else {
            "total": str(official.total),
            "rank": official.rank,
            "difference": str(official.difference),
            "source": official.source,
        }
    )
    data["targets"] = [
        {
            "title": t.title,
            "applies_to": t.applies_to,
            "comparison": t.comparison,
            "value_percent": str(t.value),
            "due_year": t.due_year,
            "actual_percent": None if t.actual is None else str(t.actual),
            "met": t.met,
        }
        for t in dashboard.targets
    ]
    data["trend"] = [
        {"period": p.code, "total": str(s.total), "band": s.band.label_vi} for p, s in dashboard.trend
    ]
    return data
