"""Process definitions as validated, immutable data (pure: no database).

A definition is a list of steps and the transitions between them, written in the fixed vocabulary of
`vocabulary.py`. `parse_process` turns a plain dict (from YAML or the database) into a `Process`, and
refuses anything it cannot prove sound: an unknown action or guard, an unreachable step, a step from which
no end can be reached, a step without a role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .vocabulary import (
    GLOBAL_ACTION_ROLES,
    MOVING_ACTIONS,
    STEP_ACTION_DEFAULT_ROLES,
    Action,
    Guard,
    UnitRef,
)

ROLES = ("one_stop", "specialist", "head", "leader", "clerk", "supervisor", "admin")
END = "end"  # the pseudo-step after the result is returned


class ProcessError(ValueError):
    """A definition that cannot be published; `problems` lists every reason (Vietnamese)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Step:
    key: str
    name: str
    role: str
    unit: str  # a UnitRef value or an explicit agency code
    budget_hours: Decimal
    allows: tuple[str, ...] = ()  # non-moving actions available at this step
    allow_roles: dict[str, str] = field(default_factory=dict)  # action → role override


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    guards: tuple[str, ...] = ()
    role: str | None = None  # defaults to the source step's role


@dataclass(frozen=True)
class Process:
    code: str
    name: str
    steps: tuple[Step, ...]
    transitions: tuple[Transition, ...]
    warnings: tuple[str, ...] = ()

    @property
    def first_step(self) -> Step:
        return self.steps[0]

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def transitions_from(self, key: str) -> list[Transition]:
        return [t for t in self.transitions if t.source == key]

    def transition(self, source: str, action: str, target: str | None = None) -> Transition | None:
        for t in self.transitions:
            if t.source == source and t.action == action and (target is None or t.target == target):
                return t
        return None

    def role_for(self, step_key: str, action: str, target: str | None = None) -> str | None:
        if action in GLOBAL_ACTION_ROLES:
            return GLOBAL_ACTION_ROLES[action]
        step = self.step(step_key)
        if action in MOVING_ACTIONS:
            t = self.transition(step_key, action, target)
            if t is None:
                return None
            return t.role or step.role
        if action in step.allows:
            return step.allow_roles.get(action) or STEP_ACTION_DEFAULT_ROLES.get(action) or step.role
        return None

    def total_budget_hours(self) -> Decimal:
        return sum((s.budget_hours for s in self.steps), Decimal(0))

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "steps": [
                {
                    "key": s.key,
                    "name": s.name,
                    "role": s.role,
                    "unit": s.unit,
                    "budget_hours": float(s.budget_hours) if s.budget_hours % 1 else int(s.budget_hours),
                    **({"allows": list(s.allows)} if s.allows else {}),
                    **({"allow_roles": dict(s.allow_roles)} if s.allow_roles else {}),
                }
                for s in self.steps
            ],
            "transitions": [
                {
                    "from": t.source,
                    "action": t.action,
                    "to": t.target,
                    **({"guards": list(t.guards)} if t.guards else {}),
                    **({"role": t.role} if t.role else {}),
                }
                for t in self.transitions
            ],
        }


def parse_process(data: dict, *, procedure_budget_hours: Decimal | None = None) -> Process:
    """Validate a definition; raise ProcessError listing every problem, or return the Process."""
    problems: list[str] = []
    warnings: list[str] = []
    if not isinstance(data, dict):
        raise ProcessError(["Định nghĩa quy trình phải là một đối tượng (mapping)."])
    code = str(data.get("code") or "").strip()
    name = str(data.get("name") or "").strip()
    if not code:
        problems.append("Thiếu mã quy trình (code).")
    if not name:
        problems.append("Thiếu tên quy trình (name).")
    raw_steps = data.get("steps") or []
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ProcessError([*problems, "Quy trình phải có ít nhất một bước (steps)."])

    steps: list[Step] = []
    keys: set[str] = set()
    valid_units = set(UnitRef.values)
    for i, raw in enumerate(raw_steps, start=1):
        if not isinstance(raw, dict):
            problems.append(f"Bước {i}: phải là một đối tượng.")
            continue
        key = str(raw.get("key") or "").strip()
        label = key or f"#{i}"
        if not key:
            problems.append(f"Bước {i}: thiếu mã bước (key).")
        elif key in keys or key == END:
            problems.append(f"Bước '{key}': mã bước bị trùng hoặc dành riêng.")
        keys.add(key)
        role = raw.get("role")
        if role not in ROLES:
            problems.append(f"Bước '{label}': vai trò '{role}' không hợp lệ (một trong {', '.join(ROLES)}).")
        unit = str(raw.get("unit") or "")
        if unit not in valid_units and not _looks_like_agency_code(unit):
            problems.append(f"Bước '{label}': đơn vị '{unit}' không hợp lệ.")
        try:
            budget = Decimal(str(raw.get("budget_hours", 0)))
            if budget < 0 or budget > 10000:
                raise ValueError
        except (ValueError, ArithmeticError):
            problems.append(f"Bước '{label}': thời gian (giờ làm việc) không hợp lệ.")
            budget = Decimal(0)
        allows = tuple(raw.get("allows") or ())
        for action in allows:
            if action not in STEP_ACTION_DEFAULT_ROLES:
                problems.append(
                    f"Bước '{label}': thao tác '{action}' không thuộc danh mục thao tác tại bước."
                )
        allow_roles = dict(raw.get("allow_roles") or {})
        for action, arole in allow_roles.items():
            if action not in allows or arole not in ROLES:
                problems.append(f"Bước '{label}': phân vai cho thao tác '{action}' không hợp lệ.")
        steps.append(Step(key, str(raw.get("name") or key), str(role), unit, budget, allows, allow_roles))

    transitions: list[Transition] = []
    for i, raw in enumerate(data.get("transitions") or [], start=1):
        if not isinstance(raw, dict):
            problems.append(f"Chuyển bước {i}: phải là một đối tượng.")
            continue
        source, action, target = raw.get("from"), raw.get("action"), raw.get("to")
        if source not in keys:
            problems.append(f"Chuyển bước {i}: bước nguồn '{source}' không tồn tại.")
        if target not in keys and target != END:
            problems.append(f"Chuyển bước {i}: bước đích '{target}' không tồn tại.")
        if action not in MOVING_ACTIONS:
            problems.append(f"Chuyển bước {i}: thao tác '{action}' không phải thao tác chuyển bước.")
        guards = tuple(raw.get("guards") or ())
        for guard in guards:
            if guard not in Guard.values:
                problems.append(f"Chuyển bước {i}: điều kiện '{guard}' không thuộc danh mục.")
        role = raw.get("role")
        if role is not None and role not in ROLES:
            problems.append(f"Chuyển bước {i}: vai trò '{role}' không hợp lệ.")
        transitions.append(Transition(str(source), str(action), str(target), guards, role))

    if problems:
        raise ProcessError(problems)

    _check_graph(steps, transitions, problems)
    if not any(t.action == Action.ISSUE_RESULT for t in transitions):
        problems.append("Quy trình phải có thao tác ban hành kết quả (issue_result).")
    if not any(t.action == Action.RETURN_RESULT and t.target == END for t in transitions):
        problems.append("Quy trình phải kết thúc bằng thao tác trả kết quả (return_result → end).")
    if problems:
        raise ProcessError(problems)

    total = sum((s.budget_hours for s in steps), Decimal(0))
    if procedure_budget_hours is not None and total > procedure_budget_hours:
        warnings.append(
            f"Tổng thời gian các bước ({total} giờ) vượt thời hạn giải quyết ({procedure_budget_hours} giờ)."
        )
    return Process(code, name, tuple(steps), tuple(transitions), tuple(warnings))


def _looks_like_agency_code(value: str) -> bool:
    from motcua.org.models import AGENCY_CODE_RE

    return bool(AGENCY_CODE_RE.match(value))


def _check_graph(steps: list[Step], transitions: list[Transition], problems: list[str]) -> None:
    """Every step reachable from the first; the end reachable from every step."""
    forward: dict[str, set[str]] = {s.key: set() for s in steps}
    backward: dict[str, set[str]] = {s.key: set() for s in steps}
    backward[END] = set()
    for t in transitions:
        forward[t.source].add(t.target)
        backward.setdefault(t.target, set()).add(t.source)

    reached = _closure(steps[0].key, forward)
    for s in steps:
        if s.key not in reached:
            problems.append(f"Bước '{s.key}' không thể đến được từ bước đầu tiên.")
    can_finish = _closure(END, backward)
    for s in steps:
        if s.key not in can_finish:
            problems.append(f"Từ bước '{s.key}' không thể đi đến kết thúc.")


def _closure(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        node = todo.pop()
        for nxt in edges.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
