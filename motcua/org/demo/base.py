"""What every demo step shares: the context passed along, and an idempotent upsert."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models

DEMO_PASSWORD = "motcua-demo-2026"
# Stamped on demo procedure versions (ProcedureVersion.source) so the demo never overwrites a procedure an
# administrator imported or typed under the same code.
DEMO_SOURCE = "motcua demo"

M = TypeVar("M", bound=models.Model)


@dataclass
class AccountRow:
    username: str
    full_name: str
    role: str
    unit: str


@dataclass
class DemoContext:
    """Passed to every demo step in turn; a step finds what earlier steps made through these maps."""

    reset_passwords: bool = False
    write: Callable[[str], None] = print
    units: dict[str, Any] = field(default_factory=dict)  # AdministrativeUnit by code
    agencies: dict[str, Any] = field(default_factory=dict)  # Agency by demo key ("justice", "commune:99001")
    points: dict[str, Any] = field(default_factory=dict)  # ReceptionPoint by demo key
    users: dict[str, Any] = field(default_factory=dict)  # User by username
    accounts: list[AccountRow] = field(default_factory=list)
    # "created"/"updated"/"unchanged" per model label: the proof that a second run changes nothing.
    stats: Counter = field(default_factory=Counter)

    def count(self, outcome: str, obj: models.Model) -> None:
        self.stats[(outcome, obj._meta.label)] += 1

    def total(self, outcome: str) -> int:
        return sum(n for (o, _label), n in self.stats.items() if o == outcome)


def ensure(
    ctx: DemoContext,
    model: type[M],
    lookup: dict[str, Any],
    *,
    create_only: dict[str, Any] | None = None,
    **values: Any,
) -> M:
    """Get the row matching ``lookup`` and make ``values`` true on it, writing only what differs.

    Unlike ``update_or_create`` an unchanged row is not saved again, so a second ``motcua demo`` writes
    nothing at all. ``create_only`` values are set on a new row only (e.g. a password someone may have
    changed since).
    """
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values, **(create_only or {}))
        obj.full_clean()
        obj.save()
        ctx.count("created", obj)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save()
        ctx.count("updated", obj)
    else:
        ctx.count("unchanged", obj)
    return obj
