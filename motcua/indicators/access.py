"""Who may see a unit's index, dashboards and Biểu 06 (``motcua.org.scopes`` decides the reach).

Supervisors (and administrators) see the unit their assignment belongs to and every unit below it; an
agency's leader sees that agency (with its own divisions). Everyone else sees nothing. The superuser flag is
not consulted, as everywhere in motcua: it opens the technical admin, not the province's figures.
"""

from __future__ import annotations

from typing import Any

from motcua.org.models import Agency, Role
from motcua.org.scopes import has_role, is_supervisor_of, roles_of, scope_root

VIEW_ROLES = (Role.SUPERVISOR, Role.ADMIN, Role.LEADER)


def can_view(user: Any, agency: Agency) -> bool:
    if is_supervisor_of(user, agency):
        return True
    return any(has_role(user, role, agency) for role in (Role.ADMIN, Role.LEADER))


def home_units(user: Any) -> list[Agency]:
    """The tops of what ``user`` may see (their dashboard's starting points): supervised trees first."""
    assignments = sorted(
        roles_of(user).filter(role__in=VIEW_ROLES), key=lambda a: (a.role == Role.LEADER, a.agency.code)
    )
    roots: dict[int, Agency] = {}
    for assignment in assignments:
        root = scope_root(assignment.agency, assignment.role)
        roots.setdefault(root.pk, root)
    return list(roots.values())
