"""Validity dates and successor links shared by administrative units, agencies and role assignments.

Conventions (one place, so every caller agrees):
- ``valid_from`` and ``valid_to`` are calendar dates in Vietnam time and both are INCLUSIVE: an agency
  with ``valid_to = 30/06/2025`` still exists on 30/06 and is gone on 01/07. Empty means "no limit".
- A unit that was merged or renamed is never deleted: it gets a ``valid_to`` and a ``successor``. Following
  successors from any old unit reaches the one in force today (``current_successor``).
"""

from __future__ import annotations

from datetime import date
from typing import Protocol, TypeVar

from django.db import models
from django.utils import timezone

MAX_SUCCESSOR_CHAIN = 50  # far more renames than any unit will see; stops a cycle typed in the admin


class HasValidity(Protocol):
    valid_from: date | None
    valid_to: date | None


def today() -> date:
    """Today in the project's time zone (Asia/Ho_Chi_Minh): validity is a legal, local-date notion."""
    return timezone.localdate()


def is_valid_on(obj: HasValidity, at: date | None = None) -> bool:
    at = at or today()
    return (obj.valid_from is None or obj.valid_from <= at) and (obj.valid_to is None or obj.valid_to >= at)


def valid_on_q(at: date | None = None, prefix: str = "") -> models.Q:
    """The Q expression of ``is_valid_on`` (``prefix`` e.g. "agency__" to filter on a related row)."""
    at = at or today()
    return (
        models.Q(**{f"{prefix}valid_from__isnull": True}) | models.Q(**{f"{prefix}valid_from__lte": at})
    ) & (models.Q(**{f"{prefix}valid_to__isnull": True}) | models.Q(**{f"{prefix}valid_to__gte": at}))


_Q = TypeVar("_Q", bound="ValidityQuerySet")


class ValidityQuerySet(models.QuerySet):
    def valid_on(self: _Q, at: date | None = None) -> _Q:
        return self.filter(valid_on_q(at))


class SuccessorCycleError(ValueError):
    """Following successor links came back to a unit already seen."""


_M = TypeVar("_M", bound=models.Model)


def successor_chain(obj: _M) -> list[_M]:
    """``obj`` followed by its successors, in order; raises SuccessorCycleError on a loop."""
    chain = [obj]
    seen = {obj.pk}
    node = obj.successor  # type: ignore[attr-defined]
    while node is not None:
        if node.pk in seen or len(chain) >= MAX_SUCCESSOR_CHAIN:
            raise SuccessorCycleError(f"successor links of {obj} loop back to {node}")
        chain.append(node)
        seen.add(node.pk)
        node = node.successor
    return chain


def current_successor(obj: _M, at: date | None = None) -> _M:
    """The unit that carries on ``obj`` at ``at``: the first one in its successor chain valid then.

    If none of them is valid at that date (a chain that ends in a closed unit), the last one is returned:
    it is the best answer the data gives, and callers showing it can still display its validity.
    """
    chain = successor_chain(obj)
    for node in chain:
        if is_valid_on(node, at):  # type: ignore[arg-type]
            return node
    return chain[-1]
