"""Demo data for ``motcua demo``: one fictional province, its agencies, staff, citizens and procedures.

How later packages add their own demo data (processes, dossiers, …): define ``DEMO_STEPS`` — a list of
functions taking a ``DemoContext`` — in ``motcua/<package>/demo.py``. ``motcua demo`` runs this package's
steps, then every installed package's ``DEMO_STEPS`` in INSTALLED_APPS order (lowest layer first), all in
one transaction. A step finds what earlier steps made in the context (``ctx.agencies["justice"]``,
``ctx.users["cv.tuphap"]``, ``ctx.points["centre"]``) and must be idempotent: look rows up by a natural key
and use ``ensure()`` so that a second run writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from motcua.core.hooks import app_hooks

from . import accounts, directory, procedures
from .base import DEMO_PASSWORD, DEMO_SOURCE, AccountRow, DemoContext, ensure

DemoStep = Callable[[DemoContext], None]

# This package's own steps, in order: the directory first, since accounts and procedures refer to it.
DEMO_STEPS: list[DemoStep] = [directory.load, accounts.load, procedures.load]

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_SOURCE",
    "DEMO_STEPS",
    "AccountRow",
    "DemoContext",
    "DemoStep",
    "collect_steps",
    "ensure",
    "run_demo",
]


def collect_steps() -> list[DemoStep]:
    """Every package's ``DEMO_STEPS`` (this one's included, through the same hook) in layer order."""
    return app_hooks("demo", "DEMO_STEPS")


def run_demo(*, reset_passwords: bool = False, write: Callable[[str], None] = print) -> DemoContext:
    ctx = DemoContext(reset_passwords=reset_passwords, write=write)
    with transaction.atomic():
        for step in collect_steps():
            step(ctx)
    return ctx
