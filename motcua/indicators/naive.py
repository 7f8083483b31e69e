"""The same figures by a full scan of the dossiers: the benchmark's baseline and the tests' reference.

Reads every dossier of the unit's subtree received (or submitted) in the period, with its pauses,
components, results and sync records, classifies each one from scratch (``facts.load_facts``) and counts —
what a dashboard would do without the aggregate layer. Only the counting differs from ``figures.py``: the
catalogue sets, inputs and item mapping are shared (``figures.figures_for``), so any difference between the
two is a difference in the counts.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from motcua.deadlines.engine import TZ

from . import facts, scoring
from .facts import INDEX_COLUMNS
from .figures import PROCEDURE_FLAGS, Context, Counts, ScoredUnit, Scores, _inputs, figures_for
from .periods import Period


def period_dossiers(agency_ids: set[int], period: Period):
    from motcua.dossiers.models import Dossier

    start = datetime.combine(period.start, time(), TZ)
    end = datetime.combine(period.end + timedelta(days=1), time(), TZ)
    in_period = Q(received_at__gte=start, received_at__lt=end) | Q(
        received_at__isnull=True, submitted_at__gte=start, submitted_at__lt=end
    )
    return Dossier.objects.filter(in_period, competent_agency_id__in=sorted(agency_ids))


def scan_counts(
    agency_ids: set[int], period: Period, cutoff: datetime, procedure_id: int | None = None
) -> dict[int, Counts]:
    """Counts per competent agency, from the dossiers themselves."""
    queryset = period_dossiers(agency_ids, period)
    if procedure_id is not None:
        queryset = queryset.filter(procedure_id=procedure_id)
    by_agency: dict[int, Counts] = {}
    calendars = facts.Calendars()
    for rows in facts.iter_dossier_rows(queryset):
        for fact in facts.load_facts(rows, calendars):
            counts = by_agency.setdefault(fact.agency_id, Counts())
            for column, value in facts.contributions(fact)[fact.day].items():
                if column in INDEX_COLUMNS:
                    counts.columns[column] += value
            for flag in PROCEDURE_FLAGS.values():
                value = fact.paid_online and fact.fee_due if flag == "paid_online" else getattr(fact, flag)
                if value:
                    counts.procedures[flag].add(fact.procedure_id)
            if fact.status == "open" and fact.judged_due is not None and fact.judged_due < cutoff:
                counts.open_late += 1
    return by_agency


def score_units(
    agency: Any, period: Period, *, now: datetime | None = None, procedure_id: int | None = None
) -> Scores:
    """``figures.score_units`` by a full scan (same result, no aggregates)."""
    now = now or timezone.now()
    ctx = Context.load(period)
    cutoff = period.cutoff(now)
    by_agency = scan_counts(ctx.tree.subtree(agency.pk), period, cutoff, procedure_id)
    children = ctx.tree.children(agency.pk)
    inputs = _inputs([agency.pk, *(c.pk for c in children)], period)

    def scored(node) -> ScoredUnit:
        counts = Counts()
        for pk in ctx.tree.subtree(node.pk):
            if pk in by_agency:
                counts.add(by_agency[pk])
        unit = figures_for(ctx, node.pk, counts, inputs.get(node.pk, {}), period, procedure_id)
        return ScoredUnit(node, unit, scoring.score(ctx.definition, unit.figures))

    root = scored(ctx.tree.nodes[agency.pk])
    scored_children = [scored(child) for child in children]
    ranking = scoring.rank((child, child.score.total) for child in scored_children)
    return Scores(period, cutoff, ctx.definition, root, scored_children, ranking, ctx)
