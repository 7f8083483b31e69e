"""The officer's inbox: one tab per kind of work, scoped to the role and unit chosen in the header.

Every tab is a filter on the indexed columns of the dossier row (state, holder unit/user, reception point,
due time) — never on the event log or the process engine — so a tab costs one bounded query for its count
and one for its page, however many dossiers the system holds. Counts stop at ``COUNT_CAP`` ("100+"),
because counting every row of a busy unit would read the whole index for a number nobody needs exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.deadlines.loader import calendar_for
from motcua.deadlines.units import DurationUnit
from motcua.dossiers.models import Dossier, Draft, IntakeChannel
from motcua.dossiers.queries import search
from motcua.org.models import Role
from motcua.workflow.vocabulary import CLOCK_RUNNING_STATES, OPEN_STATES, PAUSED_STATES, State

from .processes import Processes
from .roles import Workplace

COUNT_CAP = 100
PAGE_SIZE = 30
# The dossier columns an inbox row shows (plus the procedure and holder names, joined).
ROW_FIELDS = (
    "code",
    "applicant_name",
    "state",
    "channel",
    "current_step",
    "process_id",
    "received_at",
    "submitted_at",
    "due_at",
    "holder_unit__name",
    "holder_user__first_name",
    "holder_user__last_name",
    "holder_user__username",
    "procedure__code",
    "procedure__name",
)


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any  # a lazy translation
    roles: frozenset[str] | None = None  # None: every role


TABS = (
    Tab("to_receive", _("Chờ tiếp nhận"), frozenset({Role.ONE_STOP})),
    Tab("mine", _("Của tôi")),
    Tab("unit", _("Của đơn vị")),
    Tab("drafts", _("Dự thảo chờ duyệt"), frozenset({Role.HEAD})),
    Tab("to_sign", _("Chờ ký"), frozenset({Role.LEADER})),
    Tab("due_soon", _("Đến hạn trong 1 ngày làm việc")),
    Tab("overdue", _("Quá hạn")),
    Tab("waiting", _("Chờ người nộp")),
)
TAB_KEYS = {t.key for t in TABS}
DEFAULT_TAB: dict[str, str] = {
    Role.ONE_STOP: "to_receive",
    Role.SPECIALIST: "mine",
    Role.HEAD: "unit",
    Role.LEADER: "to_sign",
    Role.CLERK: "unit",
    Role.SUPERVISOR: "overdue",
    Role.ADMIN: "overdue",
}


def tabs_for(role: str | None) -> list[Tab]:
    return [t for t in TABS if t.roles is None or (role is not None and role in t.roles)]


@dataclass
class Scope:
    """What the tabs filter on, computed once per request."""

    user_id: int
    unit_ids: set[int]
    reception_point_ids: set[int]
    now: datetime
    due_soon_until: datetime | None
    leader_steps: list[tuple[int, str]]


def scope_for(place: Workplace, user, now: datetime, processes: Processes) -> Scope:
    agency = place.agency()
    due_soon_until = None
    if agency is not None:
        due_soon_until = calendar_for(agency=agency).due(now, 1, DurationUnit.WORKING_DAYS)
    return Scope(
        user_id=user.pk,
        unit_ids=place.unit_ids(),
        reception_point_ids=place.reception_point_ids(),
        now=now,
        due_soon_until=due_soon_until,
        leader_steps=processes.steps_with_role(Role.LEADER),
    )


def tab_queryset(key: str, scope: Scope) -> QuerySet[Dossier]:
    """The dossiers of one tab (unordered)."""
    qs = Dossier.objects.all()
    units = scope.unit_ids
    if key == "to_receive":
        return qs.filter(reception_point_id__in=scope.reception_point_ids, state=State.SUBMITTED)
    if key == "mine":
        return qs.filter(holder_user_id=scope.user_id, state__in=OPEN_STATES)
    if key == "unit":
        return qs.filter(holder_unit_id__in=units, state__in=OPEN_STATES)
    if key == "drafts":
        pending = Draft.objects.filter(dossier_id=OuterRef("pk"), status=Draft.Status.PENDING)
        return qs.filter(holder_unit_id__in=units, state=State.PROCESSING).filter(Exists(pending))
    if key == "to_sign":
        steps = Q(pk__in=[])
        for process_id, step_key in scope.leader_steps:
            steps |= Q(process_id=process_id, current_step=step_key)
        return qs.filter(holder_unit_id__in=units, state__in=CLOCK_RUNNING_STATES).filter(steps)
    if key == "due_soon":
        if scope.due_soon_until is None:
            return qs.none()
        return qs.filter(
            holder_unit_id__in=units,
            state__in=CLOCK_RUNNING_STATES,
            due_at__gte=scope.now,
            due_at__lte=scope.due_soon_until,
        )
    if key == "overdue":
        return qs.filter(holder_unit_id__in=units, state__in=OPEN_STATES, due_at__lt=scope.now)
    if key == "waiting":
        # Paused dossiers stay with the specialist's unit; the counter that will take the supplement in
        # sees them too.
        return qs.filter(
            Q(holder_unit_id__in=units) | Q(reception_point_id__in=scope.reception_point_ids),
            state__in=PAUSED_STATES,
        )
    raise ValueError(key)


def bounded_count(qs: QuerySet[Dossier]) -> int:
    """The number of rows, up to COUNT_CAP + 1 (one query, never a full count)."""
    return qs.order_by().values("pk")[: COUNT_CAP + 1].count()


@dataclass
class Filters:
    procedure: str = ""
    channel: str = ""
    state: str = ""
    text: str = ""
    order: str = "due"  # due | -due | received

    @classmethod
    def from_query(cls, data) -> Filters:
        channel = data.get("kenh", "")
        state = data.get("trang-thai", "")
        order = data.get("sap-xep", "due")
        return cls(
            procedure=data.get("thu-tuc", "").strip()[:8],
            channel=channel if channel in IntakeChannel.values else "",
            state=state if state in State.values else "",
            text=data.get("q", "").strip()[:100],
            order=order if order in ("due", "-due", "received") else "due",
        )

    @property
    def active(self) -> bool:
        return bool(self.procedure or self.channel or self.state or self.text)


def apply_filters(qs: QuerySet[Dossier], filters: Filters) -> QuerySet[Dossier]:
    if filters.procedure:
        qs = qs.filter(procedure__code=filters.procedure)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.text:
        qs = search(qs, filters.text)
    return qs


def page_of(qs: QuerySet[Dossier], filters: Filters, page: int) -> tuple[list[dict], bool]:
    """One page of rows (dicts of ROW_FIELDS) and whether there is a next one; no COUNT(*)."""
    if filters.order == "received":
        ordering: list[Any] = [
            F("received_at").desc(nulls_last=True),
            F("submitted_at").desc(nulls_last=True),
            "-id",
        ]
    elif filters.order == "-due":
        ordering = [F("due_at").desc(nulls_last=True), "-id"]
    else:
        ordering = [F("due_at").asc(nulls_last=True), "id"]
    start = (page - 1) * PAGE_SIZE
    rows = list(qs.order_by(*ordering).values(*ROW_FIELDS)[start : start + PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def urgency(due_at: datetime | None, state: str, now: datetime) -> str:
    """overdue | today | on_track | paused | none — the colour of a row."""
    if state in PAUSED_STATES:
        return "paused"
    if due_at is None or state not in OPEN_STATES:
        return "none"
    if due_at < now:
        return "overdue"
    from django.utils import timezone

    if timezone.localtime(due_at).date() == timezone.localtime(now).date():
        return "today"
    return "on_track"


URGENCY_LABELS = {
    "overdue": _("Quá hạn"),
    "today": _("Đến hạn hôm nay"),
    "on_track": _("Trong hạn"),
    "paused": _("Tạm dừng"),
    "none": "",
}
