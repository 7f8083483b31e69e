"""Who may act where: role and unit scope, the one place the rest of the system asks.

A staff member holds roles through ``RoleAssignment`` rows (role + agency, with validity dates). How far a
role reaches from the agency it is assigned on is decided here, once:

* **Operational roles** — one-stop officer, specialist, head of unit, agency leader, clerk — cover the
  assigned agency **and its own divisions** (phòng, ban: agencies of kind ``division`` below it, at any
  depth), but not subordinate agencies. The leader of Sở Tư pháp acts in its Phòng Hành chính tư pháp; the
  chairman of the provincial People's Committee is not thereby a leader of every commune, which has its own
  leadership, nor of every department.
* **Supervisor and administrator** cover the whole tree below the agency the assignment belongs to. An
  assignment on a division counts for the agency that division belongs to: a supervisor in the Văn phòng
  UBND tỉnh (a division of the provincial People's Committee) supervises the committee, its departments and
  its communes.

An assignment counts when its own validity dates include the day asked about (``at``, today by default, in
Vietnam time) and the user is active. ``is_superuser`` is deliberately not consulted: it opens the
technical admin site, it does not make anyone a signer or a one-stop officer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .models import Agency, ReceptionPoint, Role, RoleAssignment
from .validity import valid_on_q

OPERATIONAL_ROLES = frozenset({Role.ONE_STOP, Role.SPECIALIST, Role.HEAD, Role.LEADER, Role.CLERK})
TREE_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
MAX_DEPTH = 20  # agency trees are 3–4 deep; this only stops a cycle typed in the admin


def _reaches_whole_tree(role: str) -> bool:
    if role in TREE_ROLES:
        return True
    if role in OPERATIONAL_ROLES:
        return False
    raise ValueError(f"unknown role {role!r}")


def roles_of(user: Any, at: date | None = None) -> QuerySet[RoleAssignment]:
    """The user's role assignments valid on ``at`` (today by default); none for inactive/anonymous users."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return RoleAssignment.objects.none()
    return (
        RoleAssignment.objects.valid_on(at)
        .filter(user=user)
        .select_related("agency", "reception_point")
        .order_by("role", "agency__code")
    )


def home_agency(agency: Agency) -> Agency:
    """The agency a division belongs to (climbing through divisions); an agency is its own home."""
    node = agency
    for _depth in range(MAX_DEPTH):
        if node.kind != Agency.Kind.DIVISION or node.parent is None:
            return node
        node = node.parent
    return node


def scope_root(assigned: Agency, role: str) -> Agency:
    """The top of the part of the tree that an assignment of ``role`` on ``assigned`` covers."""
    return home_agency(assigned) if _reaches_whole_tree(role) else assigned


def _covering_chain(agency: Agency, role: str) -> list[int]:
    """Ids of the agencies whose scope root, for ``role``, would cover ``agency``."""
    whole_tree = _reaches_whole_tree(role)
    chain = [agency.pk]
    node = agency
    for _depth in range(MAX_DEPTH):
        if node.parent is None or not (whole_tree or node.kind == Agency.Kind.DIVISION):
            break
        node = node.parent
        chain.append(node.pk)
    return chain


def covers(assigned: Agency, role: str, agency: Agency) -> bool:
    """Whether an assignment of ``role`` on ``assigned`` reaches ``agency`` (see the module doc)."""
    return scope_root(assigned, role).pk in _covering_chain(agency, role)


def has_role(user: Any, role: str, agency: Agency | None = None, at: date | None = None) -> bool:
    """Whether ``user`` holds ``role`` on ``at`` — anywhere, or with a scope that reaches ``agency``."""
    assignments = roles_of(user, at).filter(role=role)
    if agency is None:
        return assignments.exists()
    chain = set(_covering_chain(agency, role))
    return any(scope_root(a.agency, role).pk in chain for a in assignments)


def _descendants(root_ids: Iterable[int], whole_tree: bool) -> set[int]:
    # One query for the whole directory: a province has a few hundred agencies, a national deployment a few
    # thousand, and walking the tree in Python beats one query per level.
    children: dict[int | None, list[tuple[int, str]]] = defaultdict(list)
    for pk, parent_id, kind in Agency.objects.values_list("pk", "parent_id", "kind"):
        children[parent_id].append((pk, kind))
    found: set[int] = set()
    stack = list(root_ids)
    while stack:
        pk = stack.pop()
        if pk in found:
            continue
        found.add(pk)
        stack.extend(child for child, kind in children[pk] if whole_tree or kind == Agency.Kind.DIVISION)
    return found


def agencies_in_scope(user: Any, role: str, at: date | None = None) -> QuerySet[Agency]:
    """Every agency where ``user`` may act as ``role`` on ``at``: each scope root and what it covers."""
    whole_tree = _reaches_whole_tree(role)
    roots = {scope_root(a.agency, role).pk for a in roles_of(user, at).filter(role=role)}
    if not roots:
        return Agency.objects.none()
    return Agency.objects.filter(pk__in=_descendants(roots, whole_tree))


def is_supervisor_of(user: Any, agency: Agency, at: date | None = None) -> bool:
    """Whether ``user`` supervises ``agency`` (deadlines, index, reports) on ``at``."""
    return has_role(user, Role.SUPERVISOR, agency, at)


def users_with_role(role: str, agency: Agency, at: date | None = None) -> QuerySet:
    """Active users who may act as ``role`` in ``agency`` on ``at`` — e.g. the heads who can assign work."""
    chain = set(_covering_chain(agency, role))
    # A covering assignment sits on a chain member or, for tree roles, on one of its divisions.
    candidates = _descendants(chain, whole_tree=False) if _reaches_whole_tree(role) else chain
    user_ids = [
        a.user_id
        for a in RoleAssignment.objects.filter(
            valid_on_q(at), role=role, agency_id__in=candidates
        ).select_related("agency")
        if scope_root(a.agency, role).pk in chain
    ]
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("username")


def reception_points_of(user: Any, at: date | None = None) -> QuerySet[ReceptionPoint]:
    """The active counters where ``user`` works as a one-stop officer on ``at``."""
    ids = roles_of(user, at).filter(role=Role.ONE_STOP).values_list("reception_point_id", flat=True)
    return ReceptionPoint.objects.filter(pk__in=list(ids), is_active=True).order_by("name")
