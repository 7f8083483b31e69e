"""Read-side queries over dossiers: who may see what, and the inboxes.

They read only the indexed columns of the dossier row (state, holder, due time, search text), never the
event log or the process engine, so they stay fast with millions of dossiers.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from motcua.core.text import fold
from motcua.org.scopes import agencies_in_scope, roles_of
from motcua.workflow.vocabulary import OPEN_STATES

from .models import Consultation, Dossier


def scope_unit_ids(user) -> set[int]:
    ids: set[int] = set()
    for role in {a.role for a in roles_of(user)}:
        ids.update(agencies_in_scope(user, role).values_list("pk", flat=True))
    return ids


def visible_dossiers(user) -> QuerySet[Dossier]:
    """Dossiers the user may see: held, handled, decided or received by a unit in one of their scopes."""
    units = scope_unit_ids(user)
    if not units:
        return Dossier.objects.none()
    return Dossier.objects.filter(
        Q(holder_unit_id__in=units)
        | Q(competent_agency_id__in=units)
        | Q(reception_point__agency_id__in=units)
        # A coordinating agency sees the dossiers it was consulted on.
        | Exists(Consultation.objects.filter(dossier=OuterRef("pk"), agency_id__in=units))
    )


def can_see(user, dossier: Dossier) -> bool:
    related = {
        dossier.holder_unit_id,
        dossier.competent_agency_id,
        dossier.handling_unit_id,
        dossier.reception_point.agency_id,
    }
    units = scope_unit_ids(user)
    return bool(units & related) or dossier.consultations.filter(agency_id__in=units).exists()


def search(queryset: QuerySet[Dossier], text: str) -> QuerySet[Dossier]:
    """Diacritic-insensitive search by code, applicant name or ID number (folded prefix/substring)."""
    folded = fold(text)
    if not folded:
        return queryset
    return queryset.filter(search_text__contains=folded)


def filter_dossiers(
    queryset: QuerySet[Dossier],
    *,
    state: str | None = None,
    unit: int | None = None,
    procedure: str | None = None,
    channel: str | None = None,
    due_before: datetime | None = None,
    overdue_at: datetime | None = None,
    text: str | None = None,
) -> QuerySet[Dossier]:
    if state:
        queryset = queryset.filter(state=state)
    if unit:
        queryset = queryset.filter(holder_unit_id=unit)
    if procedure:
        queryset = queryset.filter(procedure__code=procedure)
    if channel:
        queryset = queryset.filter(channel=channel)
    if due_before:
        queryset = queryset.filter(due_at__lt=due_before)
    if overdue_at:
        queryset = queryset.filter(state__in=OPEN_STATES, due_at__lt=overdue_at)
    if text:
        queryset = search(queryset, text)
    return queryset
