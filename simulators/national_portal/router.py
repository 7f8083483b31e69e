"""Keeps the simulator's tables in their own database and nothing else there.

The simulator stands for the national side: if its tables lived beside the HTTT's, a test comparing
"what the portal holds" with "what the HTTT holds" could pass by accident.
"""

from __future__ import annotations

from typing import Any

DB_ALIAS = "national_portal"
APP_LABEL = "national_portal"


class NationalPortalRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return DB_ALIAS if model._meta.app_label == APP_LABEL else None  # type: ignore[attr-defined]

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return DB_ALIAS if model._meta.app_label == APP_LABEL else None  # type: ignore[attr-defined]

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        in_sim = {obj1._meta.app_label == APP_LABEL, obj2._meta.app_label == APP_LABEL}
        if in_sim == {True}:
            return True
        if in_sim == {True, False}:
            return False
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        if app_label == APP_LABEL:
            return db == DB_ALIAS
        if db == DB_ALIAS:
            return False
        return None
