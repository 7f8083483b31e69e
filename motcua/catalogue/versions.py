"""The life of a procedure version: draft → published → retired. The only code that changes a status.

A procedure has at most one published version at a time. Publishing a new one retires the previous one in
the same transaction, with ``valid_to`` of the old = ``valid_from`` of the new, so that at any instant
exactly one version is in force and a dossier received at that instant knows which one applies.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .locking import VersionLockedError
from .models import (
    ChannelOption,
    Component,
    Fee,
    LegalBasis,
    Procedure,
    ProcedureVersion,
    ResultDocument,
)

Status = ProcedureVersion.Status

# Fields a copy never takes over from its source: identity, life-cycle and provenance of the copy itself.
_NOT_COPIED = {"id", "procedure", "number", "status", "valid_from", "valid_to", "created_at"}


class VersionTransitionError(VersionLockedError):
    """A transition that the life cycle does not allow (publishing a retired version…)."""


@contextmanager
def _transition(version: ProcedureVersion, fields: set[str]) -> Iterator[None]:
    version._transition_fields = frozenset(fields)
    try:
        yield
    finally:
        version._transition_fields = frozenset()


def _next_number(procedure: Procedure) -> int:
    current = procedure.versions.aggregate(top=Max("number"))["top"]
    return (current or 0) + 1


def _lock_procedure(procedure: Procedure) -> Procedure:
    # Serialises concurrent publish/draft numbering for one procedure (a no-op row lock on SQLite, which
    # already takes the database write lock at BEGIN IMMEDIATE).
    return Procedure.objects.select_for_update().get(pk=procedure.pk)


def create_draft(procedure: Procedure, **fields: Any) -> ProcedureVersion:
    """A new empty draft version of ``procedure``; ``fields`` are ProcedureVersion fields (name defaults to
    the procedure's name)."""
    if "status" in fields or "number" in fields:
        raise VersionTransitionError(_("Số phiên bản và trạng thái do hệ thống đặt; không truyền vào."))
    fields.setdefault("name", procedure.name)
    with transaction.atomic():
        _lock_procedure(procedure)
        return ProcedureVersion.objects.create(procedure=procedure, number=_next_number(procedure), **fields)


def new_draft_from(version: ProcedureVersion, **overrides: Any) -> ProcedureVersion:
    """A draft that copies ``version`` entirely — components, channels with their fees, results and legal
    bases — to be edited and later published in its place."""
    with transaction.atomic():
        procedure = _lock_procedure(version.procedure)
        values = {
            f.attname: getattr(version, f.attname)
            for f in ProcedureVersion._meta.concrete_fields
            if f.name not in _NOT_COPIED
        }
        for name, value in overrides.items():
            # An override by field name ("field") replaces the copied column ("field_id").
            model_field = ProcedureVersion._meta.get_field(name)
            values.pop(getattr(model_field, "attname", name), None)
            values[name] = value
        draft = ProcedureVersion.objects.create(procedure=procedure, number=_next_number(procedure), **values)
        _copy_children(version, draft)
        return draft


def _copy_children(source: ProcedureVersion, draft: ProcedureVersion) -> None:
    def clone(obj: Any, **changes: Any) -> Any:
        data = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}
        data.update(changes)
        return type(obj)(**data)

    # bulk_create: the draft was created above in this transaction, so nothing can be locked yet.
    LegalBasis.objects.bulk_create([clone(x, version_id=draft.pk) for x in source.legal_bases.all()])
    ResultDocument.objects.bulk_create([clone(x, version_id=draft.pk) for x in source.results.all()])
    Component.objects.bulk_create([clone(x, version_id=draft.pk) for x in source.components.all()])
    channels = list(source.channels.prefetch_related("fees"))
    copies = ChannelOption.objects.bulk_create([clone(c, version_id=draft.pk) for c in channels])
    Fee.objects.bulk_create(
        [
            clone(fee, channel_option_id=copy.pk)
            for channel, copy in zip(channels, copies, strict=True)
            for fee in channel.fees.all()
        ]
    )


def publish(version: ProcedureVersion, at: datetime | None = None) -> ProcedureVersion:
    """Publish a draft from ``at`` (now by default); the version published until then is retired at ``at``."""
    at = at or timezone.now()
    with transaction.atomic():
        procedure = _lock_procedure(version.procedure)
        version.refresh_from_db()
        if version.status != Status.DRAFT:
            raise VersionTransitionError(
                _("Chỉ công bố được dự thảo; phiên bản %(version)s đang ở trạng thái '%(status)s'.")
                % {"version": f"v{version.number}", "status": version.get_status_display()}
            )
        previous = procedure.versions.filter(status=Status.PUBLISHED).first()
        if previous is not None:
            if previous.valid_from and at < previous.valid_from:
                raise VersionTransitionError(
                    _(
                        "Thời điểm công bố %(at)s sớm hơn ngày hiệu lực của phiên bản "
                        "đang áp dụng (%(since)s)."
                    )
                    % {
                        "at": timezone.localtime(at).strftime("%d/%m/%Y %H:%M"),
                        "since": timezone.localtime(previous.valid_from).strftime("%d/%m/%Y %H:%M"),
                    }
                )
            _retire(previous, at)
        version.status = Status.PUBLISHED
        version.valid_from = at
        version.valid_to = None
        with _transition(version, {"status", "valid_from", "valid_to"}):
            version.save()
        if procedure.name != version.name:
            # The procedure's searchable name follows the version in force.
            procedure.name = version.name
            procedure.save()
        version.procedure = procedure
        return version


def _retire(version: ProcedureVersion, at: datetime) -> None:
    version.status = Status.RETIRED
    version.valid_to = at
    with _transition(version, {"status", "valid_to"}):
        version.save()


def retire(version: ProcedureVersion, at: datetime | None = None) -> ProcedureVersion:
    """End the validity of a published version without a successor (the procedure is abolished)."""
    at = at or timezone.now()
    with transaction.atomic():
        _lock_procedure(version.procedure)
        version.refresh_from_db()
        if version.status != Status.PUBLISHED:
            raise VersionTransitionError(
                _(
                    "Chỉ phiên bản đang công bố mới chuyển sang hết hiệu lực; phiên bản %(version)s đang ở "
                    "trạng thái '%(status)s'."
                )
                % {"version": f"v{version.number}", "status": version.get_status_display()}
            )
        if version.valid_from and at < version.valid_from:
            raise VersionTransitionError(_("Thời điểm hết hiệu lực phải sau thời điểm bắt đầu hiệu lực."))
        _retire(version, at)
        return version
