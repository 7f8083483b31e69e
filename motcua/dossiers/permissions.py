"""Who may act on a dossier: the assignment through which a user holds a role on the holding unit.

How far a role reaches is decided once, in `motcua.org.scopes`; this module only picks the assignment so
that events can record the role, title and unit the actor acted in.
"""

from __future__ import annotations

from motcua.org.models import Agency, RoleAssignment
from motcua.org.scopes import covers, roles_of


def find_assignment(user, role: str, unit: Agency | None) -> RoleAssignment | None:
    """The user's valid assignment of `role` that covers `unit`, or None."""
    if user is None or not getattr(user, "is_authenticated", False) or unit is None:
        return None
    # Parents are joined so the scope rule can climb the tree without one query per level.
    for assignment in roles_of(user).filter(role=role).select_related("agency__parent__parent"):
        if covers(assignment.agency, role, unit):
            return assignment
    return None
