"""The dossiers (or procedures, or communes) behind an item's figure: which earned points, which lost them.

Dossier items read ``DossierFact`` rows with the same conditions the counters count, so a list has exactly
as many entries as the figure says (tests check it). Procedure items (3.1, 3.2, 3.4, 3.5, 4.7) list the
procedures of the item's set, and 4.5 the communes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from .figures import UnitFigures
from .models import DossierFact
from .periods import Period

# item → (scope condition, "earned" condition) over DossierFact; None scope = every dossier of the period.
DOSSIER_ITEMS: dict[str, tuple[Q | None, Q | None]] = {
    "1.4": (None, Q(synchronised=True)),
    "2.1": (None, None),  # depends on the cutoff, see _on_time
    "3.3": (None, Q(online_scored=True)),
    "3.6": (Q(fee_due=True), Q(paid_online=True)),
    "4.1": (Q(doc_result=True), Q(e_result=True)),
    "4.2": (None, Q(digitised=True)),
    "4.3": (None, Q(reused=True)),
    "4.4": (None, Q(national_store=True)),
    "4.6": (None, Q(population=True)),
    "5.3": (None, None),
}
PROCEDURE_ITEMS = frozenset({"3.1", "3.2", "3.4", "3.5", "4.7"})
COMMUNE_ITEMS = frozenset({"4.5"})
OUTCOMES = {"earned": "Được điểm", "lost": "Mất điểm"}


def _on_time(cutoff: datetime) -> Q:
    return Q(status="on_time") | (Q(status="open") & (Q(judged_due__isnull=True) | Q(judged_due__gte=cutoff)))


def dossier_facts(
    agency_ids: set[int],
    period: Period,
    item: str,
    outcome: str,
    *,
    cutoff: datetime,
    procedure_id: int | None = None,
) -> QuerySet[DossierFact]:
    """Facts of the period's dossiers that earned (``outcome="earned"``) or lost points on ``item``."""
    scope, earned = DOSSIER_ITEMS[item]
    if earned is None:
        earned = _on_time(cutoff)
    facts = DossierFact.objects.filter(
        agency_id__in=sorted(agency_ids), day__gte=period.start, day__lte=period.end
    )
    if procedure_id is not None:
        facts = facts.filter(procedure_id=procedure_id)
    if scope is not None:
        facts = facts.filter(scope)
    return facts.filter(earned) if outcome == "earned" else facts.exclude(earned)


@dataclass(frozen=True)
class Entry:
    code: str
    name: str


def procedure_entries(unit: UnitFigures, catalogue: Any, item: str, outcome: str) -> list[Entry]:
    earned, scope = unit.procedure_sets[item]
    chosen = earned if outcome == "earned" else scope - earned
    entries = [
        Entry(catalogue.by_id[p].code, catalogue.by_id[p].name) for p in chosen if p in catalogue.by_id
    ]
    return sorted(entries, key=lambda e: e.code)


def commune_entries(unit: UnitFigures, tree: Any, outcome: str) -> list[Entry]:
    offering, communes = unit.communes
    chosen = offering if outcome == "earned" else communes - offering
    return sorted((Entry(tree.nodes[pk].code, tree.nodes[pk].name) for pk in chosen), key=lambda e: e.name)
