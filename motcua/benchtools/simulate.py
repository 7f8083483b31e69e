"""The dossier commands replayed in memory: the rows `commands.py` would write, without a database round trip.

A benchmark needs a province-year of dossiers (a million and more) in minutes; the real commands take a
few milliseconds of database work per action. This module runs the SAME code paths wherever they are
pure — requirements, guards, `_start_clock`, `_move`, `_enter_step`, `_finish`, the approve / issue /
return / refuse / withdraw / stop commands themselves, the deadline engine, `snapshot`, `diff`,
`chain_hash`, `genesis_hash`, `hoso`, `qua_trinh` — against a dossier held in memory (`SimDossier`),
whose related managers are lists (`Related`). Where a command touches the database itself (creating a
draft, a pause, a consultation, a due adjustment, components, results, the event and the outbox rows) the
few lines are mirrored here, in the same order, with ids taken from a pool instead of from INSERT.

`motcua/benchtools/tests/test_simulate.py` drives every branch through both the real commands and this
module with the same ids and instants and requires identical rows, hash chain included: if a command
changes, that test says so before a benchmark runs on stale data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models.base import ModelState

from motcua.core.text import fold
from motcua.deadlines.engine import WorkingCalendar
from motcua.deadlines.units import DurationUnit, PauseReason
from motcua.dossiers import commands, timing
from motcua.dossiers import params as p
from motcua.dossiers.errors import GuardFailed, NotAllowed
from motcua.dossiers.events import chain_hash, diff, genesis_hash, snapshot
from motcua.dossiers.models import (
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
    Pause,
    PaymentStatus,
)
from motcua.dossiers.national_view import hoso, hoso_may_change, qua_trinh
from motcua.org.scopes import covers
from motcua.workflow.definition import Process
from motcua.workflow.national import national_status
from motcua.workflow.vocabulary import Action, State

# Every model a lifecycle writes, in the order the rows are flushed (parents first).
ROW_MODELS: tuple[type[models.Model], ...] = (
    Dossier,
    DossierComponent,
    DossierFee,
    DossierResult,
    Draft,
    Pause,
    DueAdjustment,
    Consultation,
    DossierEvent,
    OutboxMessage,
)
_FOREIGN_KEYS = {f.name: f.attname for f in Dossier._meta.concrete_fields if f.is_relation}
_DATETIME_FIELDS = tuple(
    f.attname for f in Dossier._meta.concrete_fields if isinstance(f, models.DateTimeField)
)


class Row:
    """A row of a model without Django's instance machinery (constructing model instances dominated the
    generator's profile): the columns as attributes, foreign keys settable by object or by id, `pk`, and
    `to_model()` for the writers that need real instances (bulk_create on SQLite, the tests).

    Defaults live on the class, so `make` stores only what a command sets (one dict update, not a setattr
    per column); mutable defaults (a JSON column's `dict`) are made per row."""

    model: type[models.Model]
    _meta: Any
    _factories: tuple[tuple[str, Callable[[], Any]], ...] = ()
    _relations: dict[str, str] = {}

    @property
    def pk(self) -> int:
        return self.id  # type: ignore[attr-defined]

    def to_model(self) -> models.Model:
        return self.model(**{f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields})

    @classmethod
    def make(cls, **values: Any) -> Any:
        obj = cls.__new__(cls)
        for name, factory in cls._factories:
            if name not in values:
                values[name] = factory()
        if not values.keys().isdisjoint(cls._relations):
            for name in cls._relations.keys() & values.keys():
                value = values.pop(name)
                values["_obj_" + name] = value
                values[cls._relations[name]] = None if value is None else value.pk
        obj.__dict__ = values  # the keyword arguments are a new dict of this call's own
        return obj


def _fk_property(name: str, attname: str) -> property:
    def get(self):
        return self.__dict__["_obj_" + name]

    def set_(self, value):
        self.__dict__["_obj_" + name] = value
        self.__dict__[attname] = None if value is None else value.pk

    return property(get, set_)


def row_class(model: type[models.Model]) -> type[Row]:
    fields = model._meta.concrete_fields
    namespace: dict[str, Any] = {"model": model, "_meta": model._meta}
    factories = []
    for f in fields:
        default = f.default if f.has_default() else f.get_default()
        if callable(default):
            factories.append((f.attname, default))
            namespace[f.attname] = None
        else:
            namespace[f.attname] = default
        if f.is_relation:
            namespace[f.name] = _fk_property(f.name, f.attname)
            namespace["_obj_" + f.name] = None
    namespace["_factories"] = tuple(factories)
    namespace["_relations"] = {f.name: f.attname for f in fields if f.is_relation}
    return type(f"{model.__name__}Row", (Row,), namespace)


def new_instance(cls: type[models.Model], **values: Any) -> Any:
    """`cls(**values)` without Model.__init__ (a third of a reception's cost): every column from its default
    or `values`, related objects cached as the forward descriptor caches them. For the models the commands
    read as model instances (the dossier, components, pauses, consultations), which have no init signals."""
    obj = cls.__new__(cls)
    cache = (state := ModelState()).fields_cache
    obj._state = state
    attrs = obj.__dict__
    defaults, factories, relations = _instance_layout(cls._meta.concrete_model)
    attrs.update(defaults)
    for attname, factory in factories:
        if attname not in values:
            attrs[attname] = factory()
    for name, value in values.items():
        attname = relations.get(name)
        if attname is None:
            attrs[name] = value
        else:
            attrs[attname] = None if value is None else value.pk
            cache[name] = value
    return obj


_LAYOUTS: dict[type[models.Model], tuple[dict[str, Any], tuple, dict[str, str]]] = {}


def _instance_layout(model: type[models.Model]) -> tuple[dict[str, Any], tuple, dict[str, str]]:
    layout = _LAYOUTS.get(model)
    if layout is None:
        fields = model._meta.concrete_fields
        defaults = {f.attname: f.default if f.has_default() else f.get_default() for f in fields}
        factories = tuple((k, v) for k, v in defaults.items() if callable(v))
        relations = {f.name: f.attname for f in fields if f.is_relation}
        layout = _LAYOUTS[model] = (defaults, factories, relations)
    return layout


LIGHT: dict[type[models.Model], type[Row]] = {
    m: row_class(m) for m in (DossierFee, DossierResult, Draft, DueAdjustment, DossierEvent, OutboxMessage)
}
FeeRow, ResultRow, DraftRow = LIGHT[DossierFee], LIGHT[DossierResult], LIGHT[Draft]
AdjustmentRow, EventRow, OutboxRow = LIGHT[DueAdjustment], LIGHT[DossierEvent], LIGHT[OutboxMessage]


class SimulationError(RuntimeError):
    """The plan asked for something the real commands would refuse (a bug in the plan, not in the data)."""


class Related:
    """A dossier's related rows as a list, answering the manager calls the commands make."""

    def __init__(self, items: list | None = None):
        self.items: list = items if items is not None else []

    def _match(self, obj, filters: dict[str, Any]) -> bool:
        for key, wanted in filters.items():
            if key.endswith("__isnull"):
                if (getattr(obj, key[: -len("__isnull")]) is None) != wanted:
                    return False
            elif key == "pk":
                if obj.pk != wanted:
                    return False
            elif getattr(obj, key) != wanted:
                return False
        return True

    def filter(self, **filters) -> Related:
        return Related([o for o in self.items if self._match(o, filters)])

    def exclude(self, **filters) -> Related:
        return Related([o for o in self.items if not self._match(o, filters)])

    def all(self) -> Related:
        return self

    def select_related(self, *names) -> Related:
        return self

    def order_by(self, *keys: str) -> Related:
        items = list(self.items)
        for key in reversed(keys):
            name = key.lstrip("-")
            items.sort(key=lambda o, n=name: (getattr(o, n) is None, getattr(o, n)), reverse=key[0] == "-")
        return Related(items)

    def first(self):
        return self.items[0] if self.items else None

    def get(self, **filters):
        found = self.filter(**filters).items
        if len(found) != 1:
            raise SimulationError(f"expected one row for {filters}, found {len(found)}")
        return found[0]

    def exists(self) -> bool:
        return bool(self.items)

    def count(self) -> int:
        return len(self.items)

    def update(self, **values) -> int:
        for obj in self.items:
            for key, value in values.items():
                setattr(obj, key, value)
        return len(self.items)

    def delete(self) -> None:
        if self.items:  # only an unsigned draft result is ever deleted, and plans never redraft
            raise SimulationError("the simulator does not delete rows")

    def __iter__(self) -> Iterator:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


_RELATED = ("components", "fees", "results", "drafts", "pauses", "due_adjustments", "consultations")


class _FastForeignKey:
    """What Django's forward descriptor does for the moves the commands make, minus its router checks
    (the commands assign agencies and users of this same database on every move)."""

    def __init__(self, name: str, attname: str):
        self.name, self.attname = name, attname

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        return obj._state.fields_cache.get(self.name) if obj.__dict__[self.attname] is not None else None

    def __set__(self, obj, value) -> None:
        obj.__dict__[self.attname] = None if value is None else value.pk
        obj._state.fields_cache[self.name] = value


def _reload(self) -> None:
    """What `_lock` gives the next command: datetimes as read back from the database (UTC)."""
    values = self.__dict__
    for name in _DATETIME_FIELDS:
        value = values[name]
        if value is not None and value.tzinfo is not UTC:
            values[name] = value.astimezone(UTC)


# A Dossier whose related managers are in-memory lists. Made with type.__new__ so that Django's model
# metaclass does not register a new model: instances ARE Dossier rows (same _meta, same columns), only
# `dossier.components` & co. and its foreign keys read and write memory. No wrapper: attribute access costs
# what it costs on a plain row. The related lists are plain class attributes that each instance's own list
# shadows (Django's reverse managers are data descriptors, which an instance attribute could not shadow).
SimDossier: type[Dossier] = type.__new__(
    type(Dossier),
    "SimDossier",
    (Dossier,),
    {
        "__module__": __name__,
        "__qualname__": "SimDossier",
        **dict.fromkeys(_RELATED),
        **{name: _FastForeignKey(name, attname) for name, attname in _FOREIGN_KEYS.items()},
        "pk": property(lambda self: self.__dict__["id"]),
        "reload": _reload,
    },
)


# A dossier component in memory, the same way: hoso() reads every component's catalogue entry, id and file
# on each national view, and Django's descriptors (a new FieldFile per read) were a visible part of that.
# `file` is the column's raw value (the generator never attaches files).
SimComponent: type[DossierComponent] = type.__new__(
    type(DossierComponent),
    "SimComponent",
    (DossierComponent,),
    {
        "__module__": __name__,
        "__qualname__": "SimComponent",
        **{
            f.name: _FastForeignKey(f.name, f.attname)
            for f in DossierComponent._meta.concrete_fields
            if f.is_relation
        },
        "file": None,
        "pk": property(lambda self: self.__dict__["id"]),
    },
)


def as_model(obj: Any) -> models.Model:
    """A simulated row as Django's own instance, for the writers that save through the ORM (SQLite)."""
    if isinstance(obj, Row):
        return obj.to_model()
    if type(obj) is SimComponent:
        obj.__class__ = DossierComponent  # its FileField wants its FieldFile back to save
    return obj


def sim_dossier(row: Dossier) -> Any:
    """Turn a new, unsaved Dossier into a SimDossier with empty related lists."""
    row.__class__ = SimDossier
    for name in _RELATED:
        row.__dict__[name] = Related()
    return row


class IdPool:
    """Primary keys for new rows; the writer decides where they come from (a reserved range, or a test)."""

    def __init__(self, take: Callable[[type[models.Model]], int]):
        self.take = take

    def __call__(self, model: type[models.Model]) -> int:
        return self.take(model)


def counting_ids(start: dict[type[models.Model], int] | None = None) -> IdPool:
    """Consecutive ids from `start` (per model) — for a single writer on a quiet database."""
    nxt = dict(start or {})

    def take(model: type[models.Model]) -> int:
        value = nxt.get(model, 1)
        nxt[model] = value + 1
        return value

    return IdPool(take)


@dataclass
class Directory:
    """What a simulation reads instead of querying: agencies, users, role assignments, calendars, processes.

    `assignments[user_id]` lists the user's valid RoleAssignment rows in the order
    `motcua.org.scopes.roles_of` returns them, each agency with its parents cached (no query in `covers`).
    """

    agencies: dict[int, Any]
    users: dict[int, Any]
    assignments: dict[int, list]
    points: dict[int, Any] = field(default_factory=dict)
    calendars: dict[int, WorkingCalendar] = field(default_factory=dict)
    processes: dict[int, Process] = field(default_factory=dict)
    _assignment_cache: dict[tuple, Any] = field(default_factory=dict, repr=False)

    def calendar(self, agency) -> WorkingCalendar:
        cal = self.calendars.get(agency.pk)
        if cal is None:
            from motcua.deadlines.loader import calendar_for

            cal = self.calendars[agency.pk] = calendar_for(agency=agency)
        return cal

    def process(self, definition) -> Process:
        proc = self.processes.get(definition.pk)
        if proc is None:
            proc = self.processes[definition.pk] = definition.process()
        return proc

    def assignment(self, user, role: str, unit):
        key = (user.pk, role, unit.pk if unit is not None else None)
        try:
            return self._assignment_cache[key]
        except KeyError:
            pass
        found = None
        for assignment in self.assignments.get(user.pk, ()):
            if assignment.role == role and unit is not None and covers(assignment.agency, role, unit):
                found = assignment
                break
        self._assignment_cache[key] = found  # agencies and roles do not change during a simulation
        return found

    @classmethod
    def load(cls) -> Directory:
        """Everything from the database, once: a province has a few hundred agencies, a few thousand staff."""
        from django.contrib.auth import get_user_model

        from motcua.org.models import Agency, ReceptionPoint, RoleAssignment

        agencies = {a.pk: a for a in Agency.objects.all()}
        for agency in agencies.values():
            if agency.parent_id is not None:
                agency.parent = agencies[agency.parent_id]
        points = {}
        for point in ReceptionPoint.objects.all():
            point.agency = agencies[point.agency_id]
            points[point.pk] = point
        users = {
            u.pk: u for u in get_user_model().objects.filter(is_active=True, roles__isnull=False).distinct()
        }
        assignments: dict[int, list] = {}
        for a in RoleAssignment.objects.valid_on(None).filter(user_id__in=list(users)):
            a.agency = agencies[a.agency_id]
            a.user = users[a.user_id]
            assignments.setdefault(a.user_id, []).append(a)
        for rows in assignments.values():
            rows.sort(key=lambda a: (a.role, a.agency.code))
        return cls(agencies=agencies, users=users, assignments=assignments, points=points)


@dataclass
class Intake:
    """What a reception needs, already resolved (the plan chose valid references)."""

    version: Any  # ProcedureVersion with components, results and channels__fees prefetched
    process: Any  # ProcessDefinition
    channel: str
    reception_point: Any  # ReceptionPoint with .agency cached
    competent_agency: Any
    applicant: dict[str, Any]
    components: list[dict[str, Any]]
    return_point: Any = None
    national_dossier_id: str | None = None
    submitted_at: datetime | None = None
    summary: str | None = None


class Simulator:
    """Replays commands on SimDossiers; `emit(rows)` receives each dossier's rows when it is `close`d."""

    def __init__(self, directory: Directory, ids: IdPool):
        self.directory = directory
        self.ids = ids.take  # called for every row: the pool's function itself, not its wrapper
        self._last_view: dict[int, dict] = {}
        self._built_components: dict[tuple, DossierComponent] = {}
        self._parsed: dict[tuple, Any] = {}
        self._rows: dict[int, dict[type[models.Model], list]] = {}

    # ---------------------------------------------------------------- receptions

    def _new(self, intake: Intake, code: str, now: datetime) -> SimDossier:
        version = intake.version
        option = next(
            (o for o in version.channels.all() if o.channel == CATALOGUE_CHANNEL_FOR_INTAKE[intake.channel]),
            None,
        )
        if option is None:
            raise SimulationError(f"{version.procedure.code} does not offer channel {intake.channel}")
        params = p.parse(
            p.SubmitIn if intake.national_dossier_id else p.ReceiveIn,
            {
                "procedure_code": version.procedure.code,
                "reception_point_id": intake.reception_point.pk,
                "channel": intake.channel,
                "applicant": intake.applicant,
                "components": intake.components,
                **({"summary": intake.summary} if intake.summary else {}),
                **(
                    {"national_dossier_id": intake.national_dossier_id, "submitted_at": intake.submitted_at}
                    if intake.national_dossier_id
                    else {}
                ),
            },
        )
        applicant = params.applicant
        row = new_instance(
            Dossier,
            id=self.ids(Dossier),
            code=code,
            procedure_version=version,
            procedure=version.procedure,
            process=intake.process,
            channel=params.channel,
            reception_point=intake.reception_point,
            competent_agency=intake.competent_agency,
            return_point=intake.return_point or intake.reception_point,
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
            summary=(params.summary or f"{version.name} — {applicant.name}")[:1000],
            form_data=params.form_data,
            sets_count=params.sets_count,
            duration_value=option.duration_value,
            duration_unit=option.duration_unit or DurationUnit.NONE,
            supplement_policy=version.supplement_policy,
            version=0,
            created_at=now,
            updated_at=now,
        )
        row.search_text = fold(f"{row.code} {row.applicant_name} {row.applicant_id_number}")[:600]
        d = sim_dossier(row)
        self._rows[row.id] = {m: [] for m in ROW_MODELS}
        self._rows[row.id][Dossier].append(row)
        self._add_components(d, self._components(version, params.components), now)
        fees = [
            FeeRow.make(
                id=self.ids(DossierFee), dossier_id=row.id, code=f.code, name=f.name[:500], amount=f.amount
            )
            for f in option.fees.all()
            if f.amount
        ]
        d.fees.items.extend(fees)
        self._rows[row.id][DossierFee].extend(fees)
        d.fee_total = sum(f.amount for f in fees)
        d.payment_status = PaymentStatus.DUE if d.fee_total else PaymentStatus.NONE
        return d

    def _components(self, version, items: list[p.ComponentIn]) -> list[DossierComponent]:
        """`commands._build_components`, run once per procedure version and item, then copied: a
        province-year repeats the same few items (it builds each item on its own), and building five model
        instances per reception was a tenth of its cost."""
        copies = []
        built = self._built_components
        for item in items:
            key = (version.pk, *item.__dict__.values())
            template = built.get(key)
            if template is None:
                template = built[key] = commands._build_components(version, [item])[0]
            c = SimComponent.__new__(SimComponent)
            c.__dict__.update(template.__dict__)
            c._state = ModelState()
            c._state.fields_cache = dict(template._state.fields_cache)
            copies.append(c)
        return copies

    def _add_components(self, d: SimDossier, components: list[DossierComponent], now: datetime) -> None:
        for c in components:
            c.id = self.ids(DossierComponent)
            c.dossier_id = d.id
            c._state.fields_cache["dossier"] = d
            c.added_at = now
        d.components.items.extend(components)
        self._rows[d.id][DossierComponent].extend(components)

    def _context(self, d: SimDossier, user, now: datetime, assignment=None) -> commands.Context:
        ctx = commands.Context(d, user, now, None, assignment)  # type: ignore[arg-type]
        ctx._process = self.directory.process(d.process)
        ctx._cal = self.directory.calendar(d.competent_agency)
        return ctx

    def receive_new(self, user, intake: Intake, code: str, now: datetime) -> SimDossier:
        """`commands.receive_new`: counter or postal reception, the clock starts."""
        d = self._new(intake, code, now)
        assignment = self.directory.assignment(user, "one_stop", d.reception_point.agency)
        if assignment is None:
            raise SimulationError(f"{user} is not one-stop at {d.reception_point.agency}")
        missing = commands._missing_required(d.procedure_version, d.components.items)
        if missing:
            raise SimulationError(f"components missing: {missing}")
        d.state = State.SUBMITTED
        d.national_status = national_status(State.SUBMITTED)
        ctx = self._context(d, user, now, assignment)
        commands._start_clock(ctx)
        ctx.content = "Tiếp nhận hồ sơ, hẹn trả kết quả"
        self._record(ctx, Action.RECEIVE, {}, "", "")
        return d

    def submit_online(self, intake: Intake, code: str, now: datetime) -> SimDossier:
        """`commands.submit_online`: waits in status 1 at the reception point; no clock yet."""
        d = self._new(intake, code, now)
        d.national_dossier_id = intake.national_dossier_id
        d.submitted_at = intake.submitted_at or now
        d.state = State.SUBMITTED
        d.national_status = national_status(State.SUBMITTED)
        d.holder_unit = d.reception_point.agency
        ctx = self._context(d, None, now)
        ctx.content = "Nộp hồ sơ trực tuyến, chờ tiếp nhận"
        self._record(ctx, Action.SUBMIT, {}, "", "")
        return d

    # ---------------------------------------------------------------- commands on an existing dossier

    def execute(self, d: SimDossier, action: str, user, data: dict | None, now: datetime) -> SimDossier:
        """`commands.execute`: authorise, check guards, run, record — as the real command does."""
        spec = commands.COMMANDS[action]
        parsed = self._parse(spec.params, data)
        d.reload()
        ctx = self._context(d, user, now)
        if d.state not in spec.states:
            raise NotAllowed(f"{action} not allowed in state {d.state} ({d.code})")
        requirement = spec.requirement(ctx)
        if requirement is None:
            raise NotAllowed(f"{action} not allowed at step {d.current_step} ({d.code})")
        role, unit = requirement
        if user is not None:
            ctx.assignment = self.directory.assignment(user, role, unit)
            if ctx.assignment is None:
                raise NotAllowed(f"{user} holds no {role} role at {unit} ({d.code})")
        failed = spec.guards(ctx)
        if failed:
            raise GuardFailed(f"{d.code}: " + "; ".join(failed))
        # Nothing touches a simulated dossier between two commands, so the snapshot `_record` took after the
        # previous one is this one's "before" (one snapshot per event instead of two).
        before = d.__dict__.get("_sim_snapshot") or snapshot(d)
        from_state, from_step = d.state, d.current_step
        runner = self._RUN.get(action)
        if runner is None:
            spec.run(ctx, parsed)  # pure given the in-memory dossier (see the module doc)
        else:
            runner(self, ctx, parsed)
        self._record(ctx, action, before, from_state, from_step)
        return d

    def _parse(self, params: type, data: dict | None) -> Any:
        """`params.parse`, remembered for the inputs that repeat (no input at all, a unit, an assignee):
        validation was a twentieth of a command's cost. The commands only read their parameters."""
        if data and len(data) > 1:
            return p.parse(params, data)
        key = (params, *data.items()) if data else (params,)
        try:
            return self._parsed[key]
        except KeyError:
            parsed = p.parse(params, data)
        except TypeError:  # an unhashable value (a list of reasons)
            return p.parse(params, data)
        if len(self._parsed) < 100_000:
            self._parsed[key] = parsed
        return parsed

    def _transfer(self, ctx: commands.Context, params: p.TransferIn) -> None:
        d = ctx.dossier
        if params.handling_unit_id is not None:
            unit = self._unit_below(d.competent_agency, params.handling_unit_id)
            d.handling_unit = unit
        elif d.handling_unit_id is None:
            d.handling_unit = d.competent_agency
        commands._move(ctx, Action.TRANSFER, params)

    def _unit_below(self, competent, unit_id: int):
        unit = self.directory.agencies.get(unit_id)
        if unit is None or competent.pk not in {a.pk for a in unit.ancestors_and_self()}:
            raise SimulationError(f"handling unit {unit_id} is not below {competent}")
        return unit

    def _assign(self, ctx: commands.Context, params: p.AssignIn) -> None:
        # `_move` would look the assignee up in the database; the plan picked a specialist of the unit.
        assignee = self.directory.users[params.assignee_id]
        commands._move(ctx, Action.ASSIGN, p.MoveIn(note=params.note))
        step = ctx.step
        assert step is not None
        if self.directory.assignment(assignee, step.role, ctx.dossier.holder_unit) is None:
            raise SimulationError(f"{assignee} cannot be assigned at {ctx.dossier.holder_unit}")
        ctx.dossier.holder_user = assignee

    def _record_result(self, ctx: commands.Context, params: p.RecordResultIn) -> None:
        d = ctx.dossier
        items = params.results or [
            p.ResultIn(name=r.name, result_code=r.result_code) for r in d.procedure_version.results.all()
        ]
        if not items:
            raise SimulationError("no result to draft")
        d.results.filter(signed_at__isnull=True).delete()
        rows = [
            ResultRow.make(
                id=self.ids(DossierResult),
                dossier_id=d.id,
                name=i.name,
                result_code=i.result_code,
                document_number=i.document_number,
                is_refusal=i.is_refusal,
                drafted_by=ctx.user,
                drafted_at=ctx.now,
            )
            for i in items
        ]
        d.results.items.extend(rows)
        self._rows[d.id][DossierResult].extend(rows)
        ctx.payload.update(results=[i.model_dump() for i in items], note=params.note)
        ctx.content = "Dự thảo kết quả giải quyết: " + "; ".join(i.name[:80] for i in items)

    def _request_supplement(self, ctx: commands.Context, params: p.SupplementRequestIn) -> None:
        d = ctx.dossier
        draft = DraftRow.make(
            id=self.ids(Draft),
            dossier_id=d.id,
            kind=Draft.Kind.SUPPLEMENT_REQUEST,
            created_by=ctx.user,
            created_at=ctx.now,
            content={
                "items": params.items,
                "reason": params.reason,
                "legal_basis": params.legal_basis,
                "stage": d.current_step,
            },
        )
        d.drafts.items.append(draft)
        self._rows[d.id][Draft].append(draft)
        ctx.payload.update(items=params.items, reason=params.reason, legal_basis=params.legal_basis)
        ctx.content = "Dự thảo yêu cầu bổ sung hồ sơ, trình lãnh đạo phòng duyệt"

    def _approve_supplement_request(self, ctx: commands.Context, params: p.NoteIn) -> None:
        d = ctx.dossier
        draft = d.drafts.get(kind=Draft.Kind.SUPPLEMENT_REQUEST, status=Draft.Status.PENDING)
        draft.status = Draft.Status.SENT
        draft.approved_by = ctx.user
        draft.approved_at = ctx.now
        draft.content = {**draft.content, "due_before": d.due_at.isoformat() if d.due_at else None}
        d.supplement_requests += 1
        d.state = State.AWAITING_SUPPLEMENT
        d.national_status = national_status(d.state)
        self._pause(ctx, PauseReason.SUPPLEMENT)
        ctx.payload.update(
            draft=draft.pk, items=draft.content["items"], reason=draft.content["reason"], note=params.note
        )
        ctx.content = "Yêu cầu bổ sung, hoàn thiện hồ sơ: " + "; ".join(draft.content["items"])

    def _receive_supplement(self, ctx: commands.Context, params: p.ReceiveSupplementIn) -> None:
        d = ctx.dossier
        components = self._components(d.procedure_version, params.components)
        self._add_components(d, components, ctx.now)
        d.state = State.PROCESSING
        d.national_status = national_status(d.state)
        self._resume(ctx)
        draft = (
            d.drafts.filter(kind=Draft.Kind.SUPPLEMENT_REQUEST, status=Draft.Status.SENT)
            .order_by("-id")
            .first()
        )
        if draft is not None:
            draft.content = {
                **draft.content,
                "received_at": ctx.now.isoformat(),
                "due_after": d.due_at.isoformat() if d.due_at else None,
            }
        ctx.payload.update(components=[c.name for c in components], note=params.note)
        ctx.content = "Tiếp nhận hồ sơ bổ sung"

    def _consult(self, ctx: commands.Context, params: p.ConsultIn) -> None:
        d = ctx.dossier
        agency = self.directory.agencies.get(params.agency_id)
        if agency is None or agency.pk == d.competent_agency_id:
            raise SimulationError(f"cannot consult agency {params.agency_id}")
        budget = Decimal(str(params.budget_hours))
        consultation = new_instance(
            Consultation,
            id=self.ids(Consultation),
            dossier=d,
            agency=agency,
            question=params.question,
            budget_hours=budget,
            requested_by=ctx.user,
            requested_at=ctx.now,
            due_at=timing.step_due(ctx.cal, ctx.now, budget),
        )
        d.consultations.items.append(consultation)
        self._rows[d.id][Consultation].append(consultation)
        ctx.payload.update(
            consultation=consultation.pk,
            agency=agency.code,
            question=params.question,
            budget_hours=str(budget),
            due_at=consultation.due_at.isoformat() if consultation.due_at else None,
        )
        ctx.content = f"Xin ý kiến {agency.name}"

    def _reply_consultation(self, ctx: commands.Context, params: p.ReplyConsultationIn) -> None:
        consultation = ctx.dossier.consultations.filter(
            pk=params.consultation_id, replied_at__isnull=True
        ).first()
        if consultation is None:
            raise SimulationError(f"no open consultation {params.consultation_id}")
        consultation.reply = params.reply
        consultation.replied_at = ctx.now
        consultation.replied_by = ctx.user
        consultation.timeliness = timing.timeliness(ctx.now, consultation.due_at)
        ctx.payload.update(
            consultation=consultation.pk, reply=params.reply, step_timeliness=consultation.timeliness
        )
        ctx.content = f"{consultation.agency.name} trả lời xin ý kiến"

    _RUN: dict[str, Callable[[Simulator, commands.Context, Any], None]] = {
        Action.TRANSFER: _transfer,
        Action.ASSIGN: _assign,
        Action.RECORD_RESULT: _record_result,
        Action.REQUEST_SUPPLEMENT: _request_supplement,
        Action.APPROVE_SUPPLEMENT_REQUEST: _approve_supplement_request,
        Action.RECEIVE_SUPPLEMENT: _receive_supplement,
        Action.CONSULT: _consult,
        Action.REPLY_CONSULTATION: _reply_consultation,
    }

    # ---------------------------------------------------------------- clock

    def _pause(self, ctx: commands.Context, reason: str) -> None:
        d = ctx.dossier
        pause = new_instance(Pause, id=self.ids(Pause), dossier=d, reason=reason, started_at=ctx.now)
        d.pauses.items.append(pause)
        self._rows[d.id][Pause].append(pause)
        d.paused_at = ctx.now
        d.due_at = None if d.due_at is None or d.due_at > ctx.now else d.due_at

    def _resume(self, ctx: commands.Context) -> None:
        d = ctx.dossier
        open_pause = d.pauses.filter(ended_at__isnull=True).order_by("-started_at").first()
        if open_pause is None:
            raise SimulationError("resume without a pause")
        open_pause.ended_at = ctx.now
        previous = d.due_at
        if d.extended:
            raise SimulationError("the simulator does not extend dossiers")
        new_due = timing.legal_due(ctx.cal, d, at=ctx.now)  # type: ignore[arg-type]
        d.due_at = new_due
        d.step_due_at = timing.shift_by_pause(ctx.cal, d.step_due_at, open_pause.started_at, ctx.now)
        d.paused_at = None
        adjustment = AdjustmentRow.make(
            id=self.ids(DueAdjustment),
            dossier_id=d.id,
            reason=DueAdjustment.Reason.RESUMED,
            previous_due_at=previous,
            new_due_at=new_due,
            note=f"{open_pause.get_reason_display()} từ {commands._vn(open_pause.started_at)}",
            at=ctx.now,
        )
        d.due_adjustments.items.append(adjustment)
        self._rows[d.id][DueAdjustment].append(adjustment)
        ctx.payload["due_before"] = previous.isoformat() if previous else None
        ctx.payload["due_after"] = new_due.isoformat() if new_due else None

    # ---------------------------------------------------------------- event and outbox (`_record`)

    def _record(
        self, ctx: commands.Context, action: str, before: dict, from_state: str, from_step: str
    ) -> None:
        d = ctx.dossier
        d.version += 1
        after = d.__dict__["_sim_snapshot"] = snapshot(d)
        changes = diff(before, after)
        assignment = ctx.assignment
        actor = ctx.user
        payload = {
            **ctx.payload,
            "changes": changes,
            "content": ctx.content,
            "actor_title": assignment.title if assignment else "",
            "actor_unit_name": assignment.agency.name if assignment else "",
        }
        rows = self._rows[d.id]
        events = rows[DossierEvent]
        previous = events[-1].hash if d.version > 1 else genesis_hash(d.code)
        event = EventRow.make(
            id=self.ids(DossierEvent),
            dossier_id=d.id,
            seq=d.version,
            action=action,
            at=ctx.now,
            actor=actor,
            actor_name=(actor.get_full_name() or actor.get_username()) if actor is not None else "Hệ thống",
            actor_role=assignment.role if assignment else "",
            actor_unit=assignment.agency if assignment else None,
            from_state=from_state,
            to_state=d.state,
            from_step=from_step,
            to_step=d.current_step,
            national_status=d.national_status,
            step_timeliness=ctx.payload.get("step_timeliness", ""),
            payload=payload,
            request_ip=None,
            prev_hash=previous,
        )
        event.hash = chain_hash(event.prev_hash, event, d.code)
        events.append(event)
        d.updated_at = ctx.now
        self._write_outbox(ctx, event)

    def _write_outbox(self, ctx: commands.Context, event: Any) -> None:
        d = ctx.dossier
        out: list[tuple[str, dict]] = []
        if hoso_may_change(event.action, event.payload["changes"]):
            view = hoso(d, updated_at=ctx.now)  # type: ignore[arg-type]
            last = self._last_view.get(d.id)
            if last is None or commands._without_timestamp(last) != commands._without_timestamp(view):
                out.append((OutboxMessage.Topic.NATIONAL_DOSSIER, view))
                self._last_view[d.id] = view
        step_name = commands._step_name(ctx.process, d.current_step) if d.current_step else ""
        out.append(
            (
                OutboxMessage.Topic.NATIONAL_PROGRESS,
                qua_trinh(event, d, step_name=step_name, content=ctx.content or event.action),  # type: ignore[arg-type]
            )
        )
        template = commands.NOTIFY_ON.get(event.action)
        if template and (d.applicant_email or d.applicant_phone):
            out.append(
                (
                    OutboxMessage.Topic.APPLICANT_NOTICE,
                    {
                        "template": template,
                        "dossier": d.code,
                        "email": d.applicant_email,
                        "phone": d.applicant_phone,
                        "name": d.applicant_name,
                        "status": d.national_status,
                        "due_at": d.due_at.isoformat() if d.due_at else None,
                        "content": ctx.content,
                    },
                )
            )
        self._rows[d.id][OutboxMessage].extend(
            OutboxRow.make(
                id=self.ids(OutboxMessage),
                dossier_id=d.id,
                dossier_seq=event.seq,
                event_id=event.id,
                topic=topic,
                payload=payload,
                created_at=ctx.now,
            )
            for topic, payload in out
        )

    # ---------------------------------------------------------------- output

    def close(self, d: SimDossier) -> dict[type[models.Model], list]:
        """Forget the dossier and hand back its rows, ready to be written."""
        self._last_view.pop(d.id, None)
        return self._rows.pop(d.id)
