"""Commands: the only way to change a dossier (rules.md §3.2). Pages, the API and workers all call these.

Every command runs in one transaction that
1. locks the dossier row (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions serialise
   writers) and, when the caller says which version it saw, refuses if someone else changed it since;
2. checks the state, the process step, the actor's role on the unit that holds the dossier, the guards and
   the input — failing with a specific Vietnamese error before anything is written;
3. applies the change, appends one immutable event (with the columns it changed, so the row can be rebuilt
   from the events) and writes the outbox rows the outside world needs.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from pydantic import BaseModel

from motcua.catalogue.models import Channel as CatalogueChannel
from motcua.catalogue.models import ChannelOption, Procedure, ProcedureVersion
from motcua.core.prepared import PreparedQuery
from motcua.deadlines.engine import DeadlineError, WorkingCalendar
from motcua.deadlines.units import DurationUnit, PauseReason
from motcua.org.models import Agency, ReceptionPoint, RoleAssignment
from motcua.workflow.definition import END, Process, Step
from motcua.workflow.models import ProcessDefinition, resolve_process
from motcua.workflow.national import national_status
from motcua.workflow.vocabulary import (
    GLOBAL_ACTION_ROLES,
    MOVING_ACTIONS,
    OPEN_STATES,
    Action,
    Guard,
    State,
    UnitRef,
)

from . import params as p
from . import timing
from .codes import next_dossier_code
from .errors import Conflict, GuardFailed, InvalidInput, NotAllowed, NotFound, PermissionDenied
from .events import chain_hash, diff, genesis_hash, snapshot
from .models import (
    CATALOGUE_CHANNEL_FOR_INTAKE,
    Consultation,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFee,
    DossierResult,
    Draft,
    DueAdjustment,
    OutboxMessage,
    PaidOnline,
    Pause,
    PaymentStatus,
)
from .national_view import hoso, hoso_may_change, qua_trinh
from .queries import attach_places

User = get_user_model()

# Messages sent to the applicant on these transitions (template keys; integrations renders and delivers).
NOTIFY_ON: dict[str, str] = {
    Action.RECEIVE: "received",
    Action.GUIDE: "guided",
    Action.REFUSE: "refused",
    Action.APPROVE_SUPPLEMENT_REQUEST: "supplement_requested",
    Action.RECEIVE_SUPPLEMENT: "supplement_received",
    Action.REQUEST_PAYMENT: "payment_requested",
    Action.CONFIRM_PAYMENT: "payment_confirmed",
    Action.EXTEND: "extended",
    Action.STOP: "stopped",
    Action.WITHDRAW: "withdrawn",
    Action.ISSUE_RESULT: "result_issued",
    Action.RETURN_RESULT: "returned",
}


# --------------------------------------------------------------------------------------------------------
# The execution context


@dataclass
class Context:
    dossier: Dossier
    user: Any  # the acting user; None for the system (online intake, payment callbacks)
    now: datetime
    ip: str | None = None
    assignment: RoleAssignment | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    content: str = ""  # NoiDungXuLy: what happened, in Vietnamese, for the progress log
    candidates: list[RoleAssignment] | None = None  # the user's assignments, when read once for many checks
    _process: Process | None = None
    _cal: WorkingCalendar | None = None

    @property
    def process(self) -> Process:
        if self._process is None:
            self._process = self.dossier.process.process()
        return self._process

    @property
    def cal(self) -> WorkingCalendar:
        if self._cal is None:
            self._cal = timing.calendar_of(self.dossier)
        return self._cal

    @property
    def step(self) -> Step | None:
        key = self.dossier.current_step
        return self.process.step(key) if key and key != END else None


@dataclass(frozen=True)
class Command:
    action: str
    states: frozenset[str]
    params: type[BaseModel]
    run: Callable[[Context, Any], None]
    # (role, unit) the actor must hold for this action now, or None when the action is not possible here.
    requirement: Callable[[Context], tuple[str, Agency | None] | None]
    guards: Callable[[Context], list[str]] = lambda ctx: []


COMMANDS: dict[str, Command] = {}
# Commands another service runs on the officer's behalf (the population lookup records its own use): they are
# checked like any other, but never offered as a button.
RECORDED_BY_SERVICES = frozenset({Action.RECORD_POPULATION_USE})


def command(action: str, states, params: type[BaseModel], requirement, guards=None):
    def register(run):
        COMMANDS[action] = Command(
            action, frozenset(states), params, run, requirement, guards or (lambda c: [])
        )
        return run

    return register


# --------------------------------------------------------------------------------------------------------
# Public entry points


def execute(
    dossier: Dossier | str,
    action: str,
    user,
    data: dict | None = None,
    *,
    expected_version: int | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> Dossier:
    """Run `action` on a dossier for `user` (None = the system). Raises a DossierError subclass."""
    spec = COMMANDS.get(action)
    if spec is None:
        raise NotAllowed(f"Thao tác '{action}' không tồn tại.", code="unknown_action")
    parsed = p.parse(spec.params, data)
    code = dossier.code if isinstance(dossier, Dossier) else dossier
    with transaction.atomic():
        locked = _lock(code)
        if expected_version is not None and locked.version != expected_version:
            raise Conflict(
                "Hồ sơ đã được người khác thay đổi (phiên bản "
                f"{locked.version}, bạn đang xem phiên bản {expected_version}). Vui lòng tải lại."
            )
        ctx = Context(locked, user, now or timezone.now(), ip)
        _authorise(spec, ctx)
        failed = spec.guards(ctx)
        if failed:
            raise GuardFailed("Chưa đủ điều kiện: " + "; ".join(failed) + ".")
        before = snapshot(locked)
        from_state, from_step = locked.state, locked.current_step
        spec.run(ctx, parsed)
        _record(ctx, action, before, from_state, from_step)
    return locked


def available_actions(dossier: Dossier, user) -> tuple[list[dict], list[dict]]:
    """(actions the user may take now with their fields, actions blocked only by a guard with reasons)."""
    from .permissions import user_assignments

    ctx = Context(dossier, user, timezone.now())
    if user is not None and getattr(user, "is_authenticated", False):
        ctx.candidates = user_assignments(user)  # one query for every action's role check
    available, blocked = [], []
    for action, spec in COMMANDS.items():
        if action in RECORDED_BY_SERVICES:
            continue
        try:
            _authorise(spec, ctx)
        except (NotAllowed, PermissionDenied):
            continue
        entry: dict[str, Any] = {
            "action": action,
            "label": str(Action(action).label),
            "role": ctx.assignment.role if ctx.assignment else None,
            "fields": action_schema(spec.params),
        }
        if action in MOVING_ACTIONS and ctx.step is not None:
            entry["targets"] = [
                {"step": t.target, "name": _step_name(ctx.process, t.target)}
                for t in ctx.process.transitions_from(ctx.step.key)
                if t.action == action
            ]
        failed = spec.guards(ctx)
        if failed:
            blocked.append({**entry, "reasons": failed})
        else:
            available.append(entry)
    return available, blocked


def action_schema(params: type[BaseModel]) -> dict[str, Any]:
    """The command's parameter schema, for forms and API clients: a copy, as callers may annotate it."""
    return copy.deepcopy(_built_schema(params))


@functools.cache
def _built_schema(params: type[BaseModel]) -> dict[str, Any]:
    # Static per command; pydantic rebuilds it on every call, which cost more than the page's queries.
    return params.model_json_schema()


def receive_new(user, data: dict, *, ip: str | None = None, now: datetime | None = None) -> Dossier:
    """Receive a dossier at a counter (or from the postal service): code, appointment, clock started."""
    params = p.parse(p.ReceiveIn, data)
    p.check_applicant(params.applicant)
    now = now or timezone.now()
    with transaction.atomic():
        dossier, components = _new_dossier(params, now)
        assignment = _require_role(user, "one_stop", dossier.reception_point.agency, Action.RECEIVE)
        missing = _missing_required(dossier.procedure_version, components)
        if missing:
            raise InvalidInput(
                "Hồ sơ chưa đủ thành phần bắt buộc: "
                + "; ".join(missing)
                + ". Hãy hướng dẫn người nộp bổ sung (Mẫu 02) thay vì tiếp nhận.",
                code="components_missing",
                details=[{"field": "components", "message": m} for m in missing],
            )
        dossier.code = next_dossier_code(dossier.reception_point.code, timezone.localtime(now).date())
        dossier.state = State.SUBMITTED
        dossier.national_status = national_status(State.SUBMITTED)
        dossier.save()
        _save_components(dossier, components)
        _add_catalogue_fees(dossier)
        ctx = Context(dossier, user, now, ip, assignment)
        before: dict[str, Any] = {}
        _start_clock(ctx)
        ctx.content = "Tiếp nhận hồ sơ, hẹn trả kết quả"
        _record(ctx, Action.RECEIVE, before, "", "")
    return dossier


def submit_online(data: dict, *, now: datetime | None = None) -> tuple[Dossier, bool]:
    """An online dossier from the national portal (or VNeID): status 1, idempotent on its national id.

    Returns (dossier, created). The clock does not start until an officer receives it.
    """
    params = p.parse(p.SubmitIn, data)
    p.check_applicant(params.applicant)
    existing = Dossier.objects.filter(national_dossier_id=params.national_dossier_id).first()
    if existing is not None:
        return existing, False
    now = now or timezone.now()
    try:
        return _submit_online(params, now), True
    except IntegrityError:
        # The same national dossier arrived twice at once; the other request created it.
        existing = Dossier.objects.filter(national_dossier_id=params.national_dossier_id).first()
        if existing is None:
            raise
        return existing, False


def _submit_online(params: p.SubmitIn, now: datetime) -> Dossier:
    with transaction.atomic():
        dossier, components = _new_dossier(params, now)
        dossier.national_dossier_id = params.national_dossier_id
        dossier.submitted_at = params.submitted_at or now
        dossier.code = next_dossier_code(dossier.reception_point.code, timezone.localtime(now).date())
        dossier.state = State.SUBMITTED
        dossier.national_status = national_status(State.SUBMITTED)
        dossier.holder_unit = dossier.reception_point.agency
        dossier.save()
        _save_components(dossier, components)
        _add_catalogue_fees(dossier)
        ctx = Context(dossier, None, now)
        ctx.content = "Nộp hồ sơ trực tuyến, chờ tiếp nhận"
        _record(ctx, Action.SUBMIT, {}, "", "")
    return dossier


def recalculate_due(
    code: str, new_due: datetime | None, *, reason: str, now: datetime | None = None
) -> Dossier:
    """The calendar changed (a storm closure, a late swap notice): move an open dossier's due date.

    A system action with its own event, so the move is in the history and reaches the national portal.
    """
    with transaction.atomic():
        dossier = _lock(code)
        if dossier.state not in OPEN_STATES or dossier.extended:
            raise NotAllowed("Chỉ tính lại hạn của hồ sơ đang xử lý và chưa gia hạn.")
        ctx = Context(dossier, None, now or timezone.now())
        before = snapshot(dossier)
        DueAdjustment.objects.create(
            dossier=dossier,
            reason=DueAdjustment.Reason.RECALCULATED,
            previous_due_at=dossier.due_at,
            new_due_at=new_due,
            note=reason,
            at=ctx.now,
        )
        ctx.payload.update(
            previous_due_at=dossier.due_at.isoformat() if dossier.due_at else None,
            new_due_at=new_due.isoformat() if new_due else None,
            reason=reason,
        )
        if dossier.original_due_at == dossier.due_at:
            # Nothing has happened to the appointment yet: the legal due date itself moved with the calendar.
            dossier.original_due_at = new_due
        dossier.due_at = new_due
        ctx.content = f"Tính lại hạn trả kết quả do thay đổi lịch làm việc: {reason}"
        _record(ctx, Action.RECALCULATE_DUE, before, dossier.state, dossier.current_step)
    return dossier


# --------------------------------------------------------------------------------------------------------
# Requirements (who may act) and guards


def _locking_read(code: str) -> QuerySet[Dossier]:
    last_hash = DossierEvent.objects.filter(dossier=OuterRef("pk"), seq=OuterRef("version")).values("hash")
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("process", "procedure_version__field", "procedure")
        .annotate(locked_last_hash=Subquery(last_hash[:1]))
        .filter(code=code)
        .order_by()
    )


_LOCK_QUERY: PreparedQuery[Dossier] = PreparedQuery(_locking_read)


def _lock(code: str) -> Dossier:
    # Lock only the dossier row; its procedure and process come in the same statement. The agencies and
    # reception points are read in two small statements afterwards: one 16-table join cost PostgreSQL ~25 ms
    # of planning per command (measured with EXPLAIN ANALYZE), far more than the two extra round trips.
    # The chain's last hash comes with the row (the next event links to it) instead of one more query.
    # Compiled once per process (motcua/core/prepared.py): its compilation cost more Python than its rows.
    found = _LOCK_QUERY.fetch(code)
    if not found:
        raise NotFound(f"Không tìm thấy hồ sơ {code}.")
    dossier = found[0]
    tip = dossier.locked_last_hash  # type: ignore[attr-defined]  # the annotation above
    dossier.locked_chain_tip = (dossier.version, tip) if tip else None
    attach_places(dossier)
    return dossier


def _authorise(spec: Command, ctx: Context) -> None:
    dossier = ctx.dossier
    if dossier.state not in spec.states:
        raise NotAllowed(
            f"Không thể '{Action(spec.action).label}' khi hồ sơ đang ở trạng thái "
            f"'{State(dossier.state).label}'.",
        )
    requirement = spec.requirement(ctx)
    if requirement is None:
        raise NotAllowed(f"Bước hiện tại của quy trình không cho phép '{Action(spec.action).label}'.")
    role, unit = requirement
    if ctx.user is None:  # the system acts for the national platforms; it holds no role
        ctx.assignment = None
        return
    ctx.assignment = _require_role(ctx.user, role, unit, spec.action, ctx.candidates)


def _require_role(
    user, role: str, unit: Agency | None, action: str, candidates: list[RoleAssignment] | None = None
) -> RoleAssignment:
    from .permissions import find_assignment

    assignment = find_assignment(user, role, unit, candidates)
    if assignment is None:
        from motcua.org.models import Role

        label = Role(role).label if role in Role.values else role
        raise PermissionDenied(
            f"Bạn không có vai trò '{label}' tại {unit.name if unit else 'đơn vị này'} để "
            f"'{Action(action).label}'."
        )
    return assignment


def _step_requirement(action: str):
    """Moving actions and step actions: the process decides the role; the holder unit is the scope."""

    def requirement(ctx: Context):
        step = ctx.step
        if step is None:
            return None
        role = ctx.process.role_for(step.key, action)
        if role is None:
            return None
        return role, ctx.dossier.holder_unit

    return requirement


def _desk_requirement(ctx: Context):
    """One-stop actions happen at the reception point (or the return point) of the dossier."""
    return "one_stop", ctx.dossier.reception_point.agency


def _return_requirement(ctx: Context):
    step = ctx.step
    if step is None:
        return None
    role = ctx.process.role_for(step.key, Action.RETURN_RESULT)
    return (role, ctx.dossier.holder_unit) if role else None


def _consulted_requirement(ctx: Context):
    open_consultation = (
        ctx.dossier.consultations.filter(replied_at__isnull=True).select_related("agency").first()
    )
    if open_consultation is None:
        return None
    return GLOBAL_ACTION_ROLES[Action.REPLY_CONSULTATION], open_consultation.agency


def _transition_guards(action: str):
    def guards(ctx: Context) -> list[str]:
        step = ctx.step
        if step is None:
            return []
        names: set[str] = set()
        for t in ctx.process.transitions_from(step.key):
            if t.action == action:
                names.update(t.guards)
        return [reason for g in sorted(names) if (reason := _guard_failure(ctx, g))]

    return guards


def _guard_failure(ctx: Context, guard: str) -> str | None:
    dossier = ctx.dossier
    if guard == Guard.COMPONENTS_COMPLETE:
        missing = _missing_required(dossier.procedure_version, list(dossier.components.all()))
        return "thiếu thành phần hồ sơ bắt buộc" if missing else None
    if guard == Guard.FEES_PAID:
        return "chưa nộp phí, lệ phí" if dossier.payment_status == PaymentStatus.DUE else None
    if guard == Guard.RESULT_DRAFTED:
        return None if dossier.results.exists() else "chưa có dự thảo kết quả"
    if guard == Guard.RESULT_SIGNED:
        results = list(dossier.results.all())
        return None if results and all(r.signed_at for r in results) else "kết quả chưa được ký"
    if guard == Guard.NO_PENDING_DRAFT:
        pending = dossier.drafts.filter(status=Draft.Status.PENDING).exists()
        return "còn dự thảo văn bản chờ duyệt" if pending else None
    if guard == Guard.NO_OPEN_CONSULTATION:
        open_ = dossier.consultations.filter(replied_at__isnull=True).exists()
        return "còn xin ý kiến phối hợp chưa được trả lời" if open_ else None
    if guard == Guard.ASSIGNED_TO_ACTOR:
        mine = ctx.user is not None and dossier.holder_user_id == ctx.user.pk
        return None if mine else "hồ sơ chưa được phân công cho bạn"
    raise ValueError(guard)  # pragma: no cover - the definition validator rejects unknown guards


# --------------------------------------------------------------------------------------------------------
# Recording: event, projection columns, outbox


def _record(ctx: Context, action: str, before: dict, from_state: str, from_step: str) -> DossierEvent:
    dossier = ctx.dossier
    dossier.version += 1
    changes = diff(before, snapshot(dossier))
    assignment = ctx.assignment
    actor = ctx.user
    payload = {
        **ctx.payload,
        "changes": changes,
        "content": ctx.content,
        "actor_title": assignment.title if assignment else "",
        "actor_unit_name": assignment.agency.name if assignment else "",
    }
    previous: str | None
    if dossier.version == 1:
        previous = genesis_hash(dossier.code)
    elif dossier.locked_chain_tip and dossier.locked_chain_tip[0] == dossier.version - 1:
        previous = dossier.locked_chain_tip[1]  # read with the row lock in _lock, for this very version
    else:
        previous = (
            DossierEvent.objects.filter(dossier=dossier, seq=dossier.version - 1)
            .values_list("hash", flat=True)
            .first()
        )
    event = DossierEvent(
        dossier=dossier,
        seq=dossier.version,
        action=action,
        at=ctx.now,
        actor=actor if actor is not None else None,
        actor_name=(actor.get_full_name() or actor.get_username()) if actor is not None else "Hệ thống",
        actor_role=assignment.role if assignment else "",
        actor_unit=assignment.agency if assignment else None,
        from_state=from_state,
        to_state=dossier.state,
        from_step=from_step,
        to_step=dossier.current_step,
        national_status=dossier.national_status,
        step_timeliness=ctx.payload.get("step_timeliness", ""),
        payload=payload,
        request_ip=ctx.ip,
        prev_hash=previous or "",
    )
    event.hash = chain_hash(event.prev_hash, event, dossier.code)
    event.save()
    if dossier.version == 1:
        dossier.save()
    else:
        # Only what the command changed (every command-written column is tracked, so it is in `changes`).
        dossier.save(update_fields=[*changes, "version", "updated_at"])
    _write_outbox(ctx, event)
    # The service-quality index counts the change in this transaction (motcua/indicators/aggregates.py).
    from motcua.indicators.aggregates import on_event

    on_event(dossier, event)
    return event


def _write_outbox(ctx: Context, event: DossierEvent) -> None:
    dossier = ctx.dossier
    rows = []
    if hoso_may_change(event.action, event.payload.get("changes", {})):
        view = hoso(dossier, updated_at=ctx.now)
        # Every outbox row belongs to an event, so the first event's has nothing before it to compare with.
        last = (
            OutboxMessage.objects.filter(dossier=dossier, topic=OutboxMessage.Topic.NATIONAL_DOSSIER)
            .order_by("-id")
            .values_list("payload", flat=True)
            .first()
            if event.seq > 1
            else None
        )
        if last is None or _without_timestamp(last) != _without_timestamp(view):
            rows.append(OutboxMessage(topic=OutboxMessage.Topic.NATIONAL_DOSSIER, payload=view))
    step_name = _step_name(ctx.process, dossier.current_step) if dossier.current_step else ""
    rows.append(
        OutboxMessage(
            topic=OutboxMessage.Topic.NATIONAL_PROGRESS,
            payload=qua_trinh(event, dossier, step_name=step_name, content=ctx.content or event.action),
        )
    )
    template = NOTIFY_ON.get(event.action)
    if template and (dossier.applicant_email or dossier.applicant_phone):
        rows.append(
            OutboxMessage(
                topic=OutboxMessage.Topic.APPLICANT_NOTICE,
                payload={
                    "template": template,
                    "dossier": dossier.code,
                    "email": dossier.applicant_email,
                    "phone": dossier.applicant_phone,
                    "name": dossier.applicant_name,
                    "status": dossier.national_status,
                    "due_at": dossier.due_at.isoformat() if dossier.due_at else None,
                    "content": ctx.content,
                },
            )
        )
    written_at = timezone.now()  # when the change was made, not the business instant it records: sync lag
    for row in rows:  # is measured from here, so a back-dated event (demo, import) is not "days late"
        row.dossier = dossier
        row.dossier_seq = event.seq
        row.event = event
        row.created_at = written_at
    OutboxMessage.objects.bulk_create(rows)


def _without_timestamp(view: dict) -> dict:
    return {k: v for k, v in view.items() if k != "ThoiDiemCapNhat"}


# --------------------------------------------------------------------------------------------------------
# Building blocks


def _step_name(process: Process, key: str) -> str:
    if not key or key == END:
        return "Kết thúc"
    return process.step(key).name


def resolve_step_unit(ctx: Context, step: Step) -> Agency:
    dossier = ctx.dossier
    if step.unit == UnitRef.RECEPTION:
        return dossier.reception_point.agency
    if step.unit == UnitRef.RETURN_POINT:
        return dossier.return_point.agency
    if step.unit == UnitRef.COMPETENT:
        return dossier.competent_agency
    if step.unit == UnitRef.HANDLING:
        return dossier.handling_unit or dossier.competent_agency
    agency = Agency.objects.filter(code=step.unit).first()
    if agency is None:
        raise NotAllowed(f"Quy trình tham chiếu đơn vị '{step.unit}' không tồn tại.")
    return agency


def _user_with_role(user_id: int, role: str, unit: Agency, field_name: str):
    from .permissions import find_assignment

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or find_assignment(user, role, unit) is None:
        raise InvalidInput(
            f"Người được chọn không có vai trò phù hợp tại {unit.name}.",
            details=[{"field": field_name, "message": "Người nhận không hợp lệ."}],
        )
    return user


def _enter_step(ctx: Context, target_key: str, *, assignee_id: int | None = None) -> None:
    """Hand the dossier to `target_key`, judging the giving step against its own due date."""
    dossier = ctx.dossier
    ctx.payload["step_timeliness"] = timing.timeliness(ctx.now, dossier.step_due_at)
    if target_key == END:
        dossier.current_step = ""
        dossier.holder_unit = None
        dossier.holder_user = None
        dossier.step_started_at = ctx.now
        dossier.step_due_at = None
        return
    step = ctx.process.step(target_key)
    unit = resolve_step_unit(ctx, step)
    dossier.current_step = step.key
    dossier.holder_unit = unit
    dossier.holder_user = (
        _user_with_role(assignee_id, step.role, unit, "assignee_id") if assignee_id is not None else None
    )
    dossier.step_started_at = ctx.now
    dossier.step_due_at = timing.step_due(ctx.cal, ctx.now, step.budget_hours)


def _move(ctx: Context, action: str, params: p.MoveIn | p.AssignIn | p.TransferIn | p.NoteIn) -> None:
    dossier = ctx.dossier
    step = ctx.step
    assert step is not None
    choices = [t for t in ctx.process.transitions_from(step.key) if t.action == action]
    wanted = getattr(params, "to_step", None)
    if wanted:
        choices = [t for t in choices if t.target == wanted]
        if not choices:
            raise InvalidInput(
                f"Không thể chuyển đến bước '{wanted}' từ bước hiện tại.",
                details=[{"field": "to_step", "message": "Bước đích không hợp lệ."}],
            )
    transition = choices[0]
    assignee = getattr(params, "assignee_id", None)
    _enter_step(ctx, transition.target, assignee_id=assignee)
    if dossier.state == State.RECEIVED:
        dossier.state = State.PROCESSING
    dossier.national_status = national_status(dossier.state)
    ctx.payload["note"] = params.note
    ctx.content = f"{Action(action).label}: {_step_name(ctx.process, step.key)} → " + _step_name(
        ctx.process, transition.target
    )


def _new_dossier(params: p.ReceiveIn, now: datetime) -> tuple[Dossier, list[DossierComponent]]:
    """Resolve everything a reception needs; raise InvalidInput naming the first unknown reference."""
    procedure = Procedure.objects.filter(code=params.procedure_code).first()
    if procedure is None:
        raise InvalidInput(
            f"Không có thủ tục mã {params.procedure_code} trong danh mục.", code="unknown_procedure"
        )
    version = (
        ProcedureVersion.objects.filter(procedure=procedure, status=ProcedureVersion.Status.PUBLISHED)
        .select_related("competent_agency", "field")
        # Read once: components are checked twice (build, required) and the channel gives duration and fees.
        .prefetch_related("components", "channels__fees")
        .first()
    )
    if version is None:
        raise InvalidInput(
            f"Thủ tục {procedure.code} chưa có phiên bản được công bố.", code="unpublished_procedure"
        )
    reception_point = (
        ReceptionPoint.objects.filter(pk=params.reception_point_id, is_active=True)
        .select_related("agency")
        .first()
    )
    if reception_point is None:
        raise InvalidInput(
            "Bộ phận tiếp nhận không tồn tại hoặc đã ngừng hoạt động.", code="unknown_reception_point"
        )
    return_point = reception_point
    if params.return_point_id is not None:
        chosen = ReceptionPoint.objects.filter(pk=params.return_point_id, is_active=True).first()
        if chosen is None:
            raise InvalidInput("Nơi trả kết quả không tồn tại.", code="unknown_return_point")
        return_point = chosen
    if params.competent_agency_code:
        competent = Agency.objects.filter(code=params.competent_agency_code).first()
        if competent is None:
            raise InvalidInput(f"Không có cơ quan mã {params.competent_agency_code}.", code="unknown_agency")
    elif version.competent_agency is not None:
        competent = version.competent_agency
    else:
        found = competent_by_kind(version.competent_agency_kind, reception_point)
        if found is None:
            raise InvalidInput("Cần chọn cơ quan có thẩm quyền giải quyết.", code="agency_required")
        competent = found
    catalogue_channel = CATALOGUE_CHANNEL_FOR_INTAKE[params.channel]
    option = _channel_option(version, catalogue_channel)
    if option is None:
        raise InvalidInput(
            f"Thủ tục {procedure.code} không thực hiện qua hình thức "
            f"'{CatalogueChannel(catalogue_channel).label}'.",
            code="channel_not_offered",
        )
    ancestors = [a.pk for a in competent.ancestors_and_self()]
    try:
        process = resolve_process(procedure.pk, ancestors)
    except ProcessDefinition.DoesNotExist:
        raise InvalidInput(
            "Chưa có quy trình nội bộ được ban hành cho thủ tục này.", code="no_process"
        ) from None

    applicant = params.applicant
    summary = params.summary or f"{version.name} — {applicant.name}"
    dossier = Dossier(
        procedure_version=version,
        procedure=procedure,
        process=process,
        channel=params.channel,
        reception_point=reception_point,
        competent_agency=competent,
        return_point=return_point,
        result_delivery=params.result_delivery,
        delivery_address=params.delivery_address,
        subject_type=applicant.subject_type,
        applicant_name=applicant.name,
        applicant_id_kind=applicant.id_kind,
        applicant_id_number=applicant.id_number,
        applicant_birth_date=applicant.birth_date,
        applicant_address=applicant.address,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_account_id=applicant.account_id,
        vneid_verified=applicant.vneid_verified,
        population_data_used=params.population_data_used,
        delegate_name=params.delegate.name if params.delegate else "",
        delegate_id_number=params.delegate.id_number if params.delegate else "",
        delegate_phone=params.delegate.phone if params.delegate else "",
        summary=summary[:1000],
        form_data=params.form_data,
        sets_count=params.sets_count,
        duration_value=option.duration_value,
        duration_unit=option.duration_unit or DurationUnit.NONE,
        supplement_policy=version.supplement_policy,
        version=0,
    )
    components = _build_components(version, params.components)
    return dossier, components


def competent_by_kind(kind: str, reception_point: ReceptionPoint) -> Agency | None:
    """A procedure decided by "the commune" (an agency kind): the one the reception point belongs to.

    Regardless of administrative boundaries a citizen may file elsewhere; then the officer names the
    competent agency explicitly (competent_agency_code).
    """
    if not kind:
        return None
    for agency in reception_point.agency.ancestors_and_self():
        if agency.kind == kind:
            return agency
    return None


def _build_components(version: ProcedureVersion, items: list[p.ComponentIn]) -> list[DossierComponent]:
    catalogue = {c.pk: c for c in version.components.all()}
    result = []
    for i, item in enumerate(items):
        source = None
        if item.component_id is not None:
            source = catalogue.get(item.component_id)
            if source is None:
                raise InvalidInput(
                    f"Thành phần hồ sơ #{item.component_id} không thuộc thủ tục này.",
                    details=[{"field": f"components.{i}.component_id", "message": "Không thuộc thủ tục."}],
                )
        name = item.name or (source.name if source else "")
        if not name:
            raise InvalidInput(
                "Thành phần hồ sơ cần có tên.",
                details=[{"field": f"components.{i}.name", "message": "Thiếu tên."}],
            )
        result.append(
            DossierComponent(
                component=source,
                name=name,
                form=source.form if source else "original",
                quantity=item.quantity,
                provided=item.provided,
                file_name=item.file_name,
                digitised=item.digitised,
                reuse=item.reuse,
                from_national_store=item.from_national_store,
                replacing_result_code=item.replacing_result_code,
            )
        )
    return result


def _missing_required(version: ProcedureVersion, components: list[DossierComponent]) -> list[str]:
    provided = {c.component_id for c in components if c.provided and c.component_id}
    return [c.name[:120] for c in version.components.all() if c.required and c.pk not in provided]


def _save_components(dossier: Dossier, components: list[DossierComponent]) -> None:
    for c in components:
        c.dossier = dossier
    DossierComponent.objects.bulk_create(components)


def _channel_option(version: ProcedureVersion, channel: str) -> ChannelOption | None:
    """The version's option for a channel — at most one (catalogue_channel_unique) — from the prefetched
    options when the caller read them."""
    return next((o for o in version.channels.all() if o.channel == channel), None)


def _add_catalogue_fees(dossier: Dossier) -> None:
    channel = CATALOGUE_CHANNEL_FOR_INTAKE[dossier.channel]
    option = _channel_option(dossier.procedure_version, channel)
    fees = [
        DossierFee(dossier=dossier, code=f.code, name=f.name[:500], amount=f.amount)
        for f in (option.fees.all() if option else [])
        if f.amount
    ]
    DossierFee.objects.bulk_create(fees)
    dossier.fee_total = sum(f.amount for f in fees)
    dossier.payment_status = PaymentStatus.DUE if dossier.fee_total else PaymentStatus.NONE


def _start_clock(ctx: Context) -> None:
    """Reception: the legal clock starts now; the dossier sits at the first step of its process."""
    dossier = ctx.dossier
    dossier.received_at = ctx.now
    dossier.state = State.RECEIVED
    dossier.national_status = national_status(State.RECEIVED)
    try:
        dossier.original_due_at = dossier.due_at = timing.legal_due(ctx.cal, dossier, at=ctx.now)
    except DeadlineError as exc:
        raise InvalidInput(f"Không tính được hạn trả kết quả: {exc}", code="deadline_error") from None
    first = ctx.process.first_step
    dossier.current_step = first.key
    dossier.holder_unit = resolve_step_unit(ctx, first)
    dossier.holder_user = ctx.user if first.role == "one_stop" else None
    dossier.step_started_at = ctx.now
    dossier.step_due_at = timing.step_due(ctx.cal, ctx.now, first.budget_hours)


def _pause(ctx: Context, reason: str) -> None:
    dossier = ctx.dossier
    Pause.objects.create(dossier=dossier, reason=reason, started_at=ctx.now)
    dossier.paused_at = ctx.now
    dossier.due_at = None if dossier.due_at is None or dossier.due_at > ctx.now else dossier.due_at


def _resume(ctx: Context) -> None:
    """End the open pause and recompute the due dates from the facts (engine ledger)."""
    dossier = ctx.dossier
    open_pause = dossier.pauses.filter(ended_at__isnull=True).order_by("-started_at").first()
    if open_pause is None:  # pragma: no cover - the state says paused, so a pause row exists
        return
    open_pause.ended_at = ctx.now
    open_pause.save(update_fields=["ended_at"])
    previous = dossier.due_at
    if dossier.extended:
        # An extension fixed the appointment in writing; the pause still moves it by the time it overlapped.
        new_due = timing.shift_by_pause(ctx.cal, _latest_due(dossier), open_pause.started_at, ctx.now)
    else:
        new_due = timing.legal_due(ctx.cal, dossier, at=ctx.now)
    dossier.due_at = new_due
    dossier.step_due_at = timing.shift_by_pause(ctx.cal, dossier.step_due_at, open_pause.started_at, ctx.now)
    dossier.paused_at = None
    DueAdjustment.objects.create(
        dossier=dossier,
        reason=DueAdjustment.Reason.RESUMED,
        previous_due_at=previous,
        new_due_at=new_due,
        note=f"{open_pause.get_reason_display()} từ {_vn(open_pause.started_at)}",
        at=ctx.now,
    )
    ctx.payload["due_before"] = previous.isoformat() if previous else None
    ctx.payload["due_after"] = new_due.isoformat() if new_due else None


def _vn(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M %d/%m/%Y}"


def _latest_due(dossier: Dossier) -> datetime | None:
    last = dossier.due_adjustments.exclude(new_due_at__isnull=True).order_by("-at", "-id").first()
    return last.new_due_at if last else dossier.original_due_at


def _finish(ctx: Context, state: str) -> None:
    dossier = ctx.dossier
    dossier.state = state
    dossier.national_status = national_status(state)
    if dossier.finished_at is None:
        dossier.finished_at = ctx.now
    if dossier.paused_at is not None:
        dossier.pauses.filter(ended_at__isnull=True).update(ended_at=ctx.now)
        dossier.paused_at = None


# --------------------------------------------------------------------------------------------------------
# The commands (rules.md §3.2)

WORKING = {State.RECEIVED, State.PROCESSING}


@command(Action.RECEIVE, {State.SUBMITTED}, p.NoteIn, _desk_requirement)
def _receive_online(ctx: Context, params: p.NoteIn) -> None:
    missing = _missing_required(ctx.dossier.procedure_version, list(ctx.dossier.components.all()))
    if missing:
        raise GuardFailed(
            "Hồ sơ trực tuyến chưa đủ thành phần bắt buộc: "
            + "; ".join(missing)
            + ". Hãy hướng dẫn người nộp bổ sung."
        )
    _start_clock(ctx)
    ctx.payload["note"] = params.note
    ctx.content = "Tiếp nhận hồ sơ trực tuyến, hẹn trả kết quả"


@command(Action.GUIDE, {State.SUBMITTED}, p.GuideIn, _desk_requirement)
def _guide(ctx: Context, params: p.GuideIn) -> None:
    ctx.payload.update(items=params.items, note=params.note)
    ctx.content = "Hướng dẫn hoàn thiện hồ sơ: " + "; ".join(params.items)


@command(Action.REFUSE, {State.SUBMITTED}, p.RefuseIn, _desk_requirement)
def _refuse(ctx: Context, params: p.RefuseIn) -> None:
    _finish(ctx, State.REFUSED)
    ctx.dossier.holder_user = None
    ctx.payload.update(reasons=params.reasons, note=params.note)
    ctx.content = "Từ chối tiếp nhận: " + "; ".join(params.reasons)


@command(
    Action.TRANSFER,
    WORKING,
    p.TransferIn,
    _step_requirement(Action.TRANSFER),
    _transition_guards(Action.TRANSFER),
)
def _transfer(ctx: Context, params: p.TransferIn) -> None:
    dossier = ctx.dossier
    if params.handling_unit_id is not None:
        unit = Agency.objects.filter(pk=params.handling_unit_id).first()
        if unit is None or dossier.competent_agency.pk not in {a.pk for a in unit.ancestors_and_self()}:
            raise InvalidInput(
                "Phòng thụ lý phải thuộc cơ quan có thẩm quyền.",
                details=[{"field": "handling_unit_id", "message": "Không thuộc cơ quan có thẩm quyền."}],
            )
        dossier.handling_unit = unit
    elif dossier.handling_unit_id is None:
        dossier.handling_unit = dossier.competent_agency
    _move(ctx, Action.TRANSFER, params)


@command(
    Action.ASSIGN, WORKING, p.AssignIn, _step_requirement(Action.ASSIGN), _transition_guards(Action.ASSIGN)
)
def _assign(ctx: Context, params: p.AssignIn) -> None:
    _move(ctx, Action.ASSIGN, params)


@command(
    Action.FORWARD, WORKING, p.MoveIn, _step_requirement(Action.FORWARD), _transition_guards(Action.FORWARD)
)
def _forward(ctx: Context, params: p.MoveIn) -> None:
    _move(ctx, Action.FORWARD, params)


@command(
    Action.SEND_BACK,
    WORKING,
    p.MoveIn,
    _step_requirement(Action.SEND_BACK),
    _transition_guards(Action.SEND_BACK),
)
def _send_back(ctx: Context, params: p.MoveIn) -> None:
    _move(ctx, Action.SEND_BACK, params)


@command(
    Action.APPROVE, WORKING, p.MoveIn, _step_requirement(Action.APPROVE), _transition_guards(Action.APPROVE)
)
def _approve(ctx: Context, params: p.MoveIn) -> None:
    if ctx.user is None or (ctx.assignment is not None and ctx.assignment.role == "leader"):
        # The leader's approval is the signature of the result documents (digital signing plugs in here).
        ctx.dossier.results.filter(signed_at__isnull=True).update(signed_at=ctx.now, signed_by=ctx.user)
        ctx.payload["signed"] = True
    _move(ctx, Action.APPROVE, params)


@command(Action.RECORD_RESULT, {State.PROCESSING}, p.RecordResultIn, _step_requirement(Action.RECORD_RESULT))
def _record_result(ctx: Context, params: p.RecordResultIn) -> None:
    dossier = ctx.dossier
    items = params.results or [
        p.ResultIn(name=r.name, result_code=r.result_code) for r in dossier.procedure_version.results.all()
    ]
    if not items:
        raise InvalidInput(
            "Cần nêu ít nhất một kết quả giải quyết.",
            details=[{"field": "results", "message": "Thiếu kết quả."}],
        )
    dossier.results.filter(signed_at__isnull=True).delete()  # a new draft replaces the unsigned one
    DossierResult.objects.bulk_create(
        DossierResult(
            dossier=dossier,
            name=i.name,
            result_code=i.result_code,
            document_number=i.document_number,
            is_refusal=i.is_refusal,
            drafted_by=ctx.user,
            drafted_at=ctx.now,
        )
        for i in items
    )
    ctx.payload.update(results=[i.model_dump() for i in items], note=params.note)
    ctx.content = "Dự thảo kết quả giải quyết: " + "; ".join(i.name[:80] for i in items)


def _no_pending_supplement(ctx: Context) -> list[str]:
    dossier = ctx.dossier
    problems = []
    if dossier.drafts.filter(kind=Draft.Kind.SUPPLEMENT_REQUEST, status=Draft.Status.PENDING).exists():
        problems.append("đã có dự thảo yêu cầu bổ sung chờ duyệt")
    if dossier.supplement_requests >= settings.MOTCUA_MAX_SUPPLEMENT_REQUESTS:
        problems.append(
            f"đã yêu cầu bổ sung {dossier.supplement_requests} lần (tối đa "
            f"{settings.MOTCUA_MAX_SUPPLEMENT_REQUESTS} lần theo quy định)"
        )
    return problems


@command(
    Action.REQUEST_SUPPLEMENT,
    {State.PROCESSING},
    p.SupplementRequestIn,
    _step_requirement(Action.REQUEST_SUPPLEMENT),
    _no_pending_supplement,
)
def _request_supplement(ctx: Context, params: p.SupplementRequestIn) -> None:
    Draft.objects.create(
        dossier=ctx.dossier,
        kind=Draft.Kind.SUPPLEMENT_REQUEST,
        created_by=ctx.user,
        created_at=ctx.now,
        content={
            "items": params.items,
            "reason": params.reason,
            "legal_basis": params.legal_basis,
            "stage": ctx.dossier.current_step,
        },
    )
    ctx.payload.update(items=params.items, reason=params.reason, legal_basis=params.legal_basis)
    ctx.content = "Dự thảo yêu cầu bổ sung hồ sơ, trình lãnh đạo phòng duyệt"


def _pending_supplement_draft(ctx: Context) -> list[str]:
    exists = ctx.dossier.drafts.filter(
        kind=Draft.Kind.SUPPLEMENT_REQUEST, status=Draft.Status.PENDING
    ).exists()
    return [] if exists else ["không có dự thảo yêu cầu bổ sung chờ duyệt"]


@command(
    Action.APPROVE_SUPPLEMENT_REQUEST,
    {State.PROCESSING},
    p.NoteIn,
    _step_requirement(Action.APPROVE_SUPPLEMENT_REQUEST),
    _pending_supplement_draft,
)
def _approve_supplement_request(ctx: Context, params: p.NoteIn) -> None:
    dossier = ctx.dossier
    draft = dossier.drafts.get(kind=Draft.Kind.SUPPLEMENT_REQUEST, status=Draft.Status.PENDING)
    draft.status = Draft.Status.SENT
    draft.approved_by = ctx.user
    draft.approved_at = ctx.now
    draft.content = {**draft.content, "due_before": dossier.due_at.isoformat() if dossier.due_at else None}
    draft.save()
    dossier.supplement_requests += 1
    dossier.state = State.AWAITING_SUPPLEMENT
    dossier.national_status = national_status(dossier.state)
    _pause(ctx, PauseReason.SUPPLEMENT)
    ctx.payload.update(
        draft=draft.pk, items=draft.content["items"], reason=draft.content["reason"], note=params.note
    )
    ctx.content = "Yêu cầu bổ sung, hoàn thiện hồ sơ: " + "; ".join(draft.content["items"])


@command(Action.RECEIVE_SUPPLEMENT, {State.AWAITING_SUPPLEMENT}, p.ReceiveSupplementIn, _desk_requirement)
def _receive_supplement(ctx: Context, params: p.ReceiveSupplementIn) -> None:
    dossier = ctx.dossier
    components = _build_components(dossier.procedure_version, params.components)
    _save_components(dossier, components)
    dossier.state = State.PROCESSING
    dossier.national_status = national_status(dossier.state)
    _resume(ctx)
    draft = (
        dossier.drafts.filter(kind=Draft.Kind.SUPPLEMENT_REQUEST, status=Draft.Status.SENT)
        .order_by("-id")
        .first()
    )
    if draft is not None:
        draft.content = {
            **draft.content,
            "received_at": ctx.now.isoformat(),
            "due_after": dossier.due_at.isoformat() if dossier.due_at else None,
        }
        draft.save(update_fields=["content"])
    ctx.payload.update(components=[c.name for c in components], note=params.note)
    ctx.content = "Tiếp nhận hồ sơ bổ sung"


@command(
    Action.REQUEST_PAYMENT, {State.PROCESSING}, p.PaymentRequestIn, _step_requirement(Action.REQUEST_PAYMENT)
)
def _request_payment(ctx: Context, params: p.PaymentRequestIn) -> None:
    dossier = ctx.dossier
    DossierFee.objects.bulk_create(
        DossierFee(dossier=dossier, code=i.code, name=i.name, amount=i.amount, kind="obligation")
        for i in params.items
    )
    dossier.fee_total += sum(i.amount for i in params.items)
    dossier.payment_status = PaymentStatus.DUE
    dossier.state = State.AWAITING_PAYMENT
    dossier.national_status = national_status(dossier.state)
    _pause(ctx, PauseReason.FINANCIAL)
    ctx.payload.update(items=[i.model_dump() for i in params.items], note=params.note)
    ctx.content = "Yêu cầu thực hiện nghĩa vụ tài chính: " + "; ".join(
        f"{i.name} {i.amount:,} đồng" for i in params.items
    )


@command(Action.CONFIRM_PAYMENT, {State.AWAITING_PAYMENT}, p.ConfirmPaymentIn, _desk_requirement)
def _confirm_payment(ctx: Context, params: p.ConfirmPaymentIn) -> None:
    dossier = ctx.dossier
    dossier.fees.filter(paid_at__isnull=True).update(paid_at=ctx.now, payment_method=params.method)
    dossier.payment_status = PaymentStatus.PAID
    if params.method != "counter":
        dossier.paid_online = (
            PaidOnline.NATIONAL_PLATFORM if params.method == "national_platform" else PaidOnline.OWN_GATEWAY
        )
    dossier.state = State.PROCESSING
    dossier.national_status = national_status(dossier.state)
    _resume(ctx)
    ctx.payload.update(method=params.method, reference=params.reference, note=params.note)
    ctx.content = "Xác nhận đã thực hiện nghĩa vụ tài chính"


@command(Action.CONSULT, {State.PROCESSING}, p.ConsultIn, _step_requirement(Action.CONSULT))
def _consult(ctx: Context, params: p.ConsultIn) -> None:
    dossier = ctx.dossier
    agency = Agency.objects.filter(pk=params.agency_id).first()
    if agency is None or agency.pk == dossier.competent_agency_id:
        raise InvalidInput(
            "Cơ quan phối hợp không hợp lệ.",
            details=[{"field": "agency_id", "message": "Không tồn tại hoặc trùng cơ quan chủ trì."}],
        )
    budget = Decimal(str(params.budget_hours))
    consultation = Consultation.objects.create(
        dossier=dossier,
        agency=agency,
        question=params.question,
        budget_hours=budget,
        requested_by=ctx.user,
        requested_at=ctx.now,
        due_at=timing.step_due(ctx.cal, ctx.now, budget),
    )
    ctx.payload.update(
        consultation=consultation.pk,
        agency=agency.code,
        question=params.question,
        budget_hours=str(budget),
        due_at=consultation.due_at.isoformat() if consultation.due_at else None,
    )
    ctx.content = f"Xin ý kiến {agency.name}"


@command(
    Action.REPLY_CONSULTATION,
    {State.PROCESSING, State.AWAITING_SUPPLEMENT, State.AWAITING_PAYMENT},
    p.ReplyConsultationIn,
    _consulted_requirement,
)
def _reply_consultation(ctx: Context, params: p.ReplyConsultationIn) -> None:
    consultation = ctx.dossier.consultations.filter(
        pk=params.consultation_id, replied_at__isnull=True
    ).first()
    if consultation is None:
        raise InvalidInput(
            "Không có yêu cầu xin ý kiến đang chờ với mã này.",
            details=[{"field": "consultation_id", "message": "Không hợp lệ."}],
        )
    if (
        ctx.assignment is not None
        and consultation.agency_id not in {a.pk for a in ctx.dossier.competent_agency.ancestors_and_self()}
        and ctx.assignment.agency_id not in {a.pk for a in consultation.agency.ancestors_and_self()}
    ):
        raise PermissionDenied("Bạn không thuộc cơ quan được xin ý kiến.")
    consultation.reply = params.reply
    consultation.replied_at = ctx.now
    consultation.replied_by = ctx.user
    consultation.timeliness = timing.timeliness(ctx.now, consultation.due_at)
    consultation.save()
    ctx.payload.update(
        consultation=consultation.pk, reply=params.reply, step_timeliness=consultation.timeliness
    )
    ctx.content = f"{consultation.agency.name} trả lời xin ý kiến"


@command(Action.EXTEND, WORKING, p.ExtendIn, _step_requirement(Action.EXTEND))
def _extend(ctx: Context, params: p.ExtendIn) -> None:
    dossier = ctx.dossier
    new_due = params.new_due_at
    if new_due.tzinfo is None:
        raise InvalidInput(
            "Hạn mới phải có múi giờ.", details=[{"field": "new_due_at", "message": "Thiếu múi giờ."}]
        )
    if dossier.extended:
        raise GuardFailed("Hồ sơ đã được gia hạn một lần; chỉ được gia hạn một lần.")
    if dossier.due_at is None:
        raise GuardFailed("Hồ sơ không có hạn trả kết quả để gia hạn.")
    if ctx.now >= dossier.due_at:
        raise GuardFailed("Chỉ được xin lỗi và gia hạn trước khi hết hạn giải quyết.")
    if new_due <= dossier.due_at:
        raise InvalidInput(
            "Hạn mới phải sau hạn hiện tại.",
            details=[{"field": "new_due_at", "message": "Phải sau hạn hiện tại."}],
        )
    DueAdjustment.objects.create(
        dossier=dossier,
        reason=DueAdjustment.Reason.EXTENDED,
        previous_due_at=dossier.due_at,
        new_due_at=new_due,
        note=params.reason,
        at=ctx.now,
    )
    ctx.payload.update(
        previous_due_at=dossier.due_at.isoformat(), new_due_at=new_due.isoformat(), reason=params.reason
    )
    dossier.due_at = new_due
    dossier.extended = True
    ctx.content = f"Xin lỗi và gia hạn đến {timezone.localtime(new_due):%H:%M %d/%m/%Y}: {params.reason}"


@command(
    Action.STOP,
    WORKING | {State.AWAITING_SUPPLEMENT, State.AWAITING_PAYMENT},
    p.StopIn,
    lambda ctx: ("leader", ctx.dossier.competent_agency) if ctx.dossier.current_step else None,
)
def _stop(ctx: Context, params: p.StopIn) -> None:
    _finish(ctx, State.STOPPED)
    ctx.dossier.holder_user = None
    ctx.payload.update(reason=params.reason, legal_ground=params.legal_ground)
    ctx.content = f"Dừng xử lý hồ sơ: {params.reason}"


def _holder_requirement(ctx: Context):
    """Whoever holds the dossier now: the desk before transfer, else the current step's role."""
    step = ctx.step
    if step is None or ctx.dossier.state in (State.SUBMITTED, State.RECEIVED):
        return _desk_requirement(ctx)
    return step.role, ctx.dossier.holder_unit


@command(
    Action.RECORD_POPULATION_USE,
    OPEN_STATES,
    p.NoteIn,
    _holder_requirement,
    lambda ctx: ["đã ghi nhận"] if ctx.dossier.population_data_used else [],
)
def _record_population_use(ctx: Context, params: p.NoteIn) -> None:
    """A population-database lookup served this dossier (it feeds index item 4.6 and DSKetNoiCSDL)."""
    ctx.dossier.population_data_used = True
    ctx.payload["note"] = params.note
    ctx.content = "Khai thác dữ liệu từ CSDL quốc gia về dân cư"


@command(Action.WITHDRAW, OPEN_STATES, p.WithdrawIn, _desk_requirement)
def _withdraw(ctx: Context, params: p.WithdrawIn) -> None:
    _finish(ctx, State.WITHDRAWN)
    ctx.dossier.holder_user = None
    ctx.payload.update(reason=params.reason)
    ctx.content = f"Rút hồ sơ theo yêu cầu của người nộp: {params.reason}"


@command(
    Action.ISSUE_RESULT,
    WORKING,
    p.NoteIn,
    _step_requirement(Action.ISSUE_RESULT),
    _transition_guards(Action.ISSUE_RESULT),
)
def _issue_result(ctx: Context, params: p.NoteIn) -> None:
    dossier = ctx.dossier
    dossier.results.filter(issued_at__isnull=True).update(issued_at=ctx.now)
    _move(ctx, Action.ISSUE_RESULT, params)
    _finish(ctx, State.RESULT_ISSUED)
    ctx.content = "Ban hành kết quả giải quyết"


@command(
    Action.RETURN_RESULT,
    {State.RESULT_ISSUED},
    p.ReturnIn,
    _return_requirement,
    _transition_guards(Action.RETURN_RESULT),
)
def _return_result(ctx: Context, params: p.ReturnIn) -> None:
    dossier = ctx.dossier
    ctx.payload["step_timeliness"] = timing.timeliness(ctx.now, dossier.step_due_at)
    step = ctx.step
    assert step is not None
    transition = ctx.process.transition(step.key, Action.RETURN_RESULT)
    assert transition is not None
    _enter_step(ctx, transition.target)
    dossier.state = State.RETURNED
    dossier.national_status = national_status(dossier.state)
    dossier.returned_at = ctx.now
    ctx.payload.update(recipient_name=params.recipient_name, method=params.method, proof=params.proof)
    ctx.content = f"Trả kết quả cho {params.recipient_name} ({params.method.label})"
