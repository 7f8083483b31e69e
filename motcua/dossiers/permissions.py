"""Who may act on a dossier: the assignment through which a user holds a role on the holding unit.

How far a role reaches is decided once, in `motcua.org.scopes`; this module only picks the assignment so
that events can record the role, title and unit the actor acted in.
"""

from __future__ import annotations

from motcua.org.models import Agency, RoleAssignment
from motcua.org.scopes import covers, roles_of


def find_assignment(
    user, role: str, unit: Agency | None, candidates: list[RoleAssignment] | None = None
) -> RoleAssignment | None:
    """The user's valid assignment of `role` that covers `unit`, or None.

    `candidates`: the user's valid assignments already read (`user_assignments`), for callers that ask for
    many roles at once (the actions a dossier page offers) — one query instead of one per action.
    """
    if user is None or not getattr(user, "is_authenticated", False) or unit is None:
        return None
    if candidates is None:
        candidates = user_assignments(user, role)
    for assignment in candidates:
        if assignment.role == role and covers(assignment.agency, role, unit):
            return assignment
    return None


def user_assignments(user, role: str | None = None) -> list[RoleAssignment]:
    """The user's valid assignments (of one role, or all), with the agency parents the scope rule climbs."""
    # Parents are joined so the scope rule can climb the tree without one query per level.
    qs = roles_of(user).select_related("agency__parent__parent")
    if role is not None:
        qs = qs.filter(role=role)
    # Sorted here, in the order roles_of gives, rather than by the database: on these wide joined rows
    # Django's ORDER BY handling cost more CPU than the query itself (profiled, django/db compiler).
    return sorted(qs.order_by(), key=lambda a: (a.role, a.agency.code))
