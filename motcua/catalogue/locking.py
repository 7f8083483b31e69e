"""Immutability of published and retired procedure versions, enforced where every save goes through.

Dossiers pin the version they were received under (rules.md §3.2): if a published version could be edited,
an open dossier's required components, duration or fees would change under it. So a published or retired
version — and each of its components, channels, fees, results and legal bases — refuses any change in
``save``/``delete``. The only changes allowed are the status transitions made by ``catalogue.versions``.

Bulk queryset operations (``update``, ``bulk_create``, ``delete`` on a queryset) bypass ``save``: they are
used only by ``versions.py`` and the importer on drafts they have just created.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

DRAFT = "draft"


class VersionLockedError(ValidationError):
    """A published or retired version (or one of its parts) was about to change. Message in Vietnamese."""


def _concrete_attnames(instance: models.Model) -> list[str]:
    return [f.attname for f in instance._meta.concrete_fields if not f.primary_key]


def _changed_fields(instance: models.Model, stored: dict[str, Any]) -> set[str]:
    return {name for name, value in stored.items() if getattr(instance, name) != value}


def assert_version_editable(version: Any) -> None:
    """Raise VersionLockedError unless saving ``version`` (a ProcedureVersion) is allowed."""
    allowed: frozenset[str] = version._transition_fields
    if version._state.adding or version.pk is None:
        if version.status != DRAFT and "status" not in allowed:
            raise VersionLockedError(
                _("Phiên bản mới phải ở trạng thái dự thảo; hãy dùng chức năng 'Công bố' để công bố."),
                code="version_not_draft",
            )
        return
    stored = type(version).objects.filter(pk=version.pk).values(*_concrete_attnames(version)).first()
    if stored is None:
        return
    changed = _changed_fields(version, stored)
    if "status" in changed and "status" not in allowed:
        raise VersionLockedError(
            _("Trạng thái của phiên bản chỉ thay đổi qua các chức năng công bố và hết hiệu lực."),
            code="status_change_not_allowed",
        )
    if stored["status"] != DRAFT and changed - allowed:
        raise VersionLockedError(
            _(
                "Phiên bản %(version)s đã công bố hoặc đã hết hiệu lực nên không được sửa (%(fields)s). "
                "Hãy tạo dự thảo mới từ phiên bản này."
            ),
            code="version_locked",
            params={"version": f"v{version.number}", "fields": ", ".join(sorted(changed - allowed))},
        )


class LockedByVersionMixin:
    """For the parts of a version: refuse to create, change or delete them unless the version is a draft."""

    pk: Any
    _state: Any
    _meta: Any

    def version_id_from(self, values: dict[str, Any]) -> int | None:
        """The version that owns a row with these field values (a Fee goes through its channel)."""
        return values.get("version_id")

    def _assert_parent_draft(self, deleting: bool = False) -> None:
        model: Any = type(self)
        current = {name: getattr(self, name) for name in _concrete_attnames(self)}  # type: ignore[arg-type]
        version_ids = {self.version_id_from(current)}
        if not self._state.adding and self.pk is not None:
            stored = model.objects.filter(pk=self.pk).values(*current).first()
            if stored is not None:
                if not deleting and not _changed_fields(self, stored):  # type: ignore[arg-type]
                    return  # saving what is already stored changes nothing
                version_ids.add(self.version_id_from(stored))
        ProcedureVersion = apps.get_model("catalogue", "ProcedureVersion")
        locked = (
            ProcedureVersion.objects.filter(pk__in=[v for v in version_ids if v is not None])
            .exclude(status=DRAFT)
            .select_related("procedure")
            .first()
        )
        if locked is not None:
            raise VersionLockedError(
                _(
                    "Không thể %(action)s %(part)s của phiên bản %(version)s vì phiên bản đã công bố hoặc đã "
                    "hết hiệu lực. Hãy tạo dự thảo mới từ phiên bản này."
                ),
                code="version_locked",
                params={
                    "action": _("xoá") if deleting else _("thay đổi"),
                    "part": self._meta.verbose_name,
                    "version": f"{locked.procedure.code} v{locked.number}",
                },
            )

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._assert_parent_draft()
        super().save(*args, **kwargs)  # type: ignore[misc]

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self._assert_parent_draft(deleting=True)
        return super().delete(*args, **kwargs)  # type: ignore[misc]
