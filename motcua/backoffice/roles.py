"""The role and unit an officer is working as right now (the header's switcher), kept in the session.

A person may hold several assignments (a ward officer is both a specialist and a one-stop officer). The
inbox shows the work of the chosen one, and the counter screen uses its reception point. Commands do not
depend on it: they look up, for each action, the assignment that entitles the user (``dossiers.permissions``),
so a stale choice can never grant or deny anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from motcua.org.models import Agency, Role, RoleAssignment
from motcua.org.scopes import agencies_in_scope, covers, roles_of

SESSION_KEY = "backoffice_assignment"


@dataclass
class Workplace:
    """The assignments of the signed-in user and the one chosen in the header."""

    user: Any
    assignments: list[RoleAssignment]
    active: RoleAssignment | None

    @property
    def role(self) -> str | None:
        return self.active.role if self.active else None

    @property
    def role_label(self) -> str:
        return str(Role(self.active.role).label) if self.active else ""

    def unit_ids(self) -> set[int]:
        """Agencies the active assignment reaches (its unit, and its divisions or whole tree by role)."""
        active = self.active
        if active is None:
            return set()
        in_scope = list(agencies_in_scope(self.user, active.role).select_related("parent"))
        same_role = [a for a in self.assignments if a.role == active.role]
        if len(same_role) == 1:
            return {a.pk for a in in_scope}
        # Several assignments of one role (rare): keep only what the chosen one covers.
        return {a.pk for a in in_scope if covers(active.agency, active.role, a)}

    def reception_point_ids(self) -> set[int]:
        """The counter of the active one-stop assignment (to receive / waiting tabs, counter screen)."""
        active = self.active
        if active is None or active.role != Role.ONE_STOP or active.reception_point_id is None:
            return set()
        return {active.reception_point_id}

    def agency(self) -> Agency | None:
        return self.active.agency if self.active else None


def workplace(request: HttpRequest) -> Workplace:
    """The valid assignments of the user and the active one (the session's choice, else the first)."""
    cached = getattr(request, "_backoffice_workplace", None)
    if cached is not None:
        return cached
    assignments = list(roles_of(request.user))
    chosen = request.session.get(SESSION_KEY)
    active = next((a for a in assignments if a.pk == chosen), None)
    if active is None and assignments:
        active = assignments[0]
    found = Workplace(request.user, assignments, active)
    request._backoffice_workplace = found  # type: ignore[attr-defined]
    return found


def choose(request: HttpRequest, assignment_id: int) -> bool:
    """Remember the chosen assignment; False when it is not one of the user's valid assignments."""
    if not any(a.pk == assignment_id for a in roles_of(request.user)):
        return False
    request.session[SESSION_KEY] = assignment_id
    request.__dict__.pop("_backoffice_workplace", None)
    return True
