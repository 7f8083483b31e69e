"""Read-side queries over dossiers: who may see what, and the inboxes.

They read only the indexed columns of the dossier row (state, holder, due time, search text), never the
event log or the process engine, so they stay fast with millions of dossiers.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from motcua.core.prepared import PreparedQuery
from motcua.core.text import fold
from motcua.org.models import Agency, ReceptionPoint
from motcua.org.scopes import agencies_in_scope, covers, roles_of
from motcua.workflow.vocabulary import OPEN_STATES

from .models import Consultation, Dossier

# Read with the dossier row; its agencies and reception points come from `attach_places`.
DIRECT_RELATED = ("procedure", "procedure_version__field", "process", "holder_user")


def load(code: str) -> Dossier | None:
    """One dossier for a page or an API answer, with what they show, in three small queries.

    A single select_related over all ten tables cost PostgreSQL ~20 ms of planning (EXPLAIN, warm
    session) against ~2 ms once the agencies and points are read apart.
    """
    # The code is unique: no ORDER BY (`.first()` would add one, costly for Django on a wide row).
    dossier = next(
        iter(Dossier.objects.select_related(*DIRECT_RELATED).filter(code=code).order_by()[:1]), None
    )
    if dossier is not None:
        attach_places(dossier)
    return dossier


# A dict by id is built from these: no order needed, and Django's ORDER BY handling is costly on wide rows.
_AGENCIES: PreparedQuery[Agency] = PreparedQuery(
    lambda ids: (
        Agency.objects.select_related(
            "parent__parent__parent", "admin_unit__province", "parent__admin_unit__province"
        )
        .filter(pk__in=ids)
        .order_by()
    )
)
_POINTS: PreparedQuery[ReceptionPoint] = PreparedQuery(
    lambda ids: ReceptionPoint.objects.select_related("agency__parent").filter(pk__in=ids).order_by()
)


def attach_places(dossier: Dossier) -> None:
    """Fill the dossier's agency and reception-point links with their parents, as the scope checks climb
    (holding unit → division → agency → parent), in two queries whatever the depth used."""
    agency_links = ("competent_agency", "handling_unit", "holder_unit")
    point_links = ("reception_point", "return_point")
    agency_ids = {getattr(dossier, f"{link}_id") for link in agency_links} - {None}
    point_ids = {getattr(dossier, f"{link}_id") for link in point_links} - {None}
    # Three levels of parents and the place cover the trees we have (3–4 deep) and the calendar's lookup
    # of the province (motcua/deadlines/loader.py, scopes_for); deeper trees still work, lazily.
    # Compiled once per process (motcua/core/prepared.py): every command and dossier page runs these two.
    agencies = {a.pk: a for a in _AGENCIES.fetch(sorted(agency_ids))} if agency_ids else {}
    points = {p.pk: p for p in _POINTS.fetch(sorted(point_ids))} if point_ids else {}
    for link in agency_links:
        pk = getattr(dossier, f"{link}_id")
        if pk is not None:
            setattr(dossier, link, agencies[pk])
    for link in point_links:
        pk = getattr(dossier, f"{link}_id")
        if pk is not None:
            setattr(dossier, link, points[pk])


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
    """Whether `user` may see `dossier` — the same answer as `dossier in visible_dossiers(user)`.

    Asked of one dossier, the rule is checked upwards: does one of the user's assignments cover one of
    the dossier's units (org/scopes.py, `covers`)? That reads the user's assignments and climbs a few
    parents, instead of listing every unit in the user's scopes (the whole directory of a province).
    """
    from .permissions import user_assignments

    assignments = user_assignments(user)
    if not assignments:
        return False
    units = [
        dossier.holder_unit,
        dossier.competent_agency,
        dossier.handling_unit,
        dossier.reception_point.agency,
    ]
    if _covered(assignments, units):
        return True
    # A coordinating agency sees the dossiers it was consulted on.
    consulted = [c.agency for c in dossier.consultations.select_related("agency__parent__parent")]
    return _covered(assignments, consulted)


def _covered(assignments, units) -> bool:
    return any(covers(a.agency, a.role, unit) for unit in units if unit is not None for a in assignments)


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
