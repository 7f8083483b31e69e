"""Extension points that packages fill without editing the package that runs them.

A package contributes to a hook by defining a list in one of its modules, e.g. ``DEMO_STEPS`` in
``motcua/<package>/demo.py`` or ``SERVE_CHILDREN`` in ``motcua/<package>/serve.py``. The runner collects
them in INSTALLED_APPS order, which is the layering order (lowest package first), so a package's demo data
can rely on the data of the packages below it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps


def app_hooks(module: str, attribute: str) -> list[Any]:
    """Concatenate ``<app>.<module>.<attribute>`` over the installed apps that define it."""
    found: list[Any] = []
    for config in apps.get_app_configs():
        name = f"{config.name}.{module}"
        try:
            mod = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # the app has no such module: it does not take part
                continue
            raise  # the module exists but imports something missing: a real error
        found.extend(getattr(mod, attribute, ()))
    return found
