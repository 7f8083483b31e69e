"""Writing imported records into the catalogue: one transaction per record, idempotent, never editing a
published version.

For each record: a hash of the source record is compared with the ``source_hash`` of the procedure's latest
version. Same hash → ``unchanged`` (nothing written). Otherwise a NEW DRAFT version is created (a full
national record replaces the content; a list row copies the latest version and changes only the name,
field and agency it carries), and published at once with ``--publish``. A record that fails — unreadable,
invalid code, duplicate code in the same file, a database error — is ``rejected`` with its reason, its
transaction rolled back, and the run goes on. Every record leaves an ``ImportRecord``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from motcua.catalogue import versions
from motcua.catalogue.models import (
    ChannelOption,
    Component,
    Fee,
    Field,
    ImportRecord,
    ImportRun,
    LegalBasis,
    Procedure,
    ProcedureVersion,
    ResultDocument,
)
from motcua.core.text import normalize_name

from . import parsing
from .national import LIST, NOTE, SourceItem, iter_source

Status = ImportRecord.Status


@dataclass
class Outcome:
    status: str
    action: str = ""
    reason: str = ""
    version: ProcedureVersion | None = None
    spec: parsing.ProcedureSpec | None = None
    source_hash: str = ""


@dataclass
class Importer:
    """One import run. ``progress`` wraps the item iterator (a tqdm bar on a terminal)."""

    publish: bool = False
    progress: Callable[[Iterable[SourceItem]], Iterable[SourceItem]] | None = None
    _fields: dict[str, Field] = field(default_factory=dict)
    _seen: dict[tuple[str, str], str] = field(default_factory=dict)

    def run(self, path: Path) -> ImportRun:
        started = time.monotonic()
        run = ImportRun.objects.create(source=str(path), publish=self.publish)
        items: Iterable[SourceItem] = iter_source(path)
        if self.progress:
            items = self.progress(items)
        notes: list[str] = []
        counts = dict.fromkeys(Status.values, 0)
        records: list[ImportRecord] = []
        try:
            for item in items:
                if item.kind == NOTE:
                    notes.extend(item.notes)
                    continue
                outcome = self.import_item(item)
                counts[outcome.status] += 1
                records.append(self._record(run, item, outcome))
                if len(records) >= 500:
                    ImportRecord.objects.bulk_create(records)
                    records = []
        except BaseException:
            run.status = ImportRun.Status.FAILED
            raise
        else:
            run.status = ImportRun.Status.FINISHED
        finally:
            ImportRecord.objects.bulk_create(records)
            run.total = sum(counts.values())
            run.ok, run.partial = counts[Status.OK], counts[Status.PARTIAL]
            run.rejected, run.unchanged = counts[Status.REJECTED], counts[Status.UNCHANGED]
            run.finished_at = timezone.now()
            elapsed = time.monotonic() - started
            run.message = "\n".join([*notes, f"Thời gian: {elapsed:.1f} giây."])
            run.save()
        return run

    # --- one record -------------------------------------------------------------------------------------
    def import_item(self, item: SourceItem) -> Outcome:
        if item.error or item.raw is None:
            return Outcome(Status.REJECTED, reason=item.error or f"{item.where}: bản ghi trống.")
        try:
            spec = (
                parsing.parse_list_record(item.raw)
                if item.kind == LIST
                else parsing.parse_national_record(item.raw)
            )
        except parsing.RecordRejected as exc:
            return Outcome(Status.REJECTED, reason=f"{item.where}: {exc}")
        first = self._seen.setdefault((item.source_file, spec.code), item.where)
        if first != item.where:
            return Outcome(
                Status.REJECTED,
                reason=f"{item.where}: mã thủ tục {spec.code} trùng với {first}; bản ghi sau bị bỏ qua.",
                spec=spec,
            )
        source_hash = parsing.record_hash({"kind": item.kind, **item.raw})
        try:
            with transaction.atomic():
                outcome = self._write(item, spec, source_hash)
        except (DatabaseError, ValidationError) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            return Outcome(Status.REJECTED, reason=f"{item.where}: không ghi được ({message}).", spec=spec)
        outcome.spec, outcome.source_hash = spec, source_hash
        return outcome

    def _write(self, item: SourceItem, spec: parsing.ProcedureSpec, source_hash: str) -> Outcome:
        procedure = Procedure.objects.filter(code=spec.code).first()
        latest = procedure.versions.order_by("-number").first() if procedure else None
        if latest is not None and latest.source_hash == source_hash:
            if self.publish and latest.status == ProcedureVersion.Status.DRAFT:
                versions.publish(latest)
                return Outcome(Status.UNCHANGED, action="published", version=latest)
            return Outcome(Status.UNCHANGED, version=latest)
        field_obj = self._field(spec.field_name)
        if spec.kind == LIST and latest is not None:
            return self._overlay_list_row(item, spec, latest, field_obj)
        created = procedure is None
        if procedure is None:
            procedure = Procedure.objects.create(code=spec.code, name=spec.name)
        draft = versions.create_draft(
            procedure,
            name=spec.name,
            field=field_obj,
            levels=spec.levels,
            subjects=spec.subjects,
            procedure_type=spec.procedure_type,
            competent_agency_text=spec.competent_agency_text,
            coordinating_agencies_text=spec.coordinating_agencies_text,
            announcing_decision=spec.announcing_decision,
            online_level=spec.online_level,
            steps_text=spec.steps_text,
            conditions_text=spec.conditions_text,
            source=self._source_label(item),
            source_hash=source_hash,
            import_status=(
                ProcedureVersion.ImportStatus.PARTIAL if spec.unparsed else ProcedureVersion.ImportStatus.OK
            ),
            unparsed=spec.unparsed,
        )
        self._write_children(draft, spec)
        return self._finish(draft, "created" if created else "new_version", spec)

    def _finish(self, draft: ProcedureVersion, action: str, spec: parsing.ProcedureSpec) -> Outcome:
        if self.publish:
            versions.publish(draft)
            action = f"{action}+published"
        return Outcome(Status.PARTIAL if spec.unparsed else Status.OK, action=action, version=draft)

    def _overlay_list_row(
        self, item: SourceItem, spec: parsing.ProcedureSpec, latest: ProcedureVersion, field_obj: Field | None
    ) -> Outcome:
        """A list row knows only the name, field and agency: it changes those on a copy of the latest version.

        The copy keeps the latest version's ``source_hash`` (the record its content came from), so that
        re-importing that record finds it unchanged; the list row itself is compared by content, so that
        importing a folder holding both sources twice changes nothing the second time."""
        changes: dict[str, Any] = {}
        if normalize_name(spec.name) != normalize_name(latest.name):
            changes["name"] = spec.name
            spec.warnings.append(f"Danh sách ghi tên khác phiên bản v{latest.number}: '{latest.name[:120]}'.")
        if field_obj is not None and field_obj.pk != latest.field_id:
            changes["field"] = field_obj
        if spec.competent_agency_text and not latest.competent_agency_text:
            changes["competent_agency_text"] = spec.competent_agency_text
        if not changes:
            return Outcome(Status.UNCHANGED, version=latest)
        draft = versions.new_draft_from(latest, source=self._source_label(item), **changes)
        return self._finish(draft, "new_version", spec)

    @staticmethod
    def _write_children(draft: ProcedureVersion, spec: parsing.ProcedureSpec) -> None:
        # bulk_create on a draft created in this very transaction: nothing here can be locked.
        LegalBasis.objects.bulk_create(
            LegalBasis(version=draft, order=i, number=b.number, title=b.title)
            for i, b in enumerate(spec.legal_bases)
        )
        ResultDocument.objects.bulk_create(
            ResultDocument(
                version=draft, order=i, name=r.name, result_code=r.result_code, raw_code=r.raw_code[:100]
            )
            for i, r in enumerate(spec.results)
        )
        Component.objects.bulk_create(
            Component(
                version=draft,
                order=i,
                name=c.name,
                form=c.form,
                original_count=c.original_count,
                copy_count=c.copy_count,
                condition=c.condition,
                template_name=c.template_name,
                replacing_result_code=c.replacing_result_code,
                replaceable_by_data=bool(c.replacing_result_code),
            )
            for i, c in enumerate(spec.components)
        )
        channels = ChannelOption.objects.bulk_create(
            ChannelOption(
                version=draft,
                channel=c.channel,
                duration_value=c.duration.value,
                duration_unit=c.duration.unit,
                duration_text=c.duration_text,
                description=c.description,
            )
            for c in spec.channels
        )
        Fee.objects.bulk_create(
            Fee(
                channel_option=channel,
                kind=fee.kind,
                name=fee.name[:500],
                amount=fee.amount,
                text=fee.text,
                exemption_note=fee.exemption_note,
                valid_from=fee.valid_from,
                valid_to=fee.valid_to,
            )
            for channel, channel_spec in zip(channels, spec.channels, strict=True)
            for fee in channel_spec.fees
        )

    def _field(self, name: str) -> Field | None:
        if not name:
            return None
        code = parsing.field_code(name)
        if code not in self._fields:
            self._fields[code] = Field.objects.get_or_create(code=code, defaults={"name": name})[0]
        return self._fields[code]

    @staticmethod
    def _source_label(item: SourceItem) -> str:
        url = str((item.raw or {}).get("detail_url") or "")
        label = url or item.where
        return label[:255]

    @staticmethod
    def _record(run: ImportRun, item: SourceItem, outcome: Outcome) -> ImportRecord:
        spec = outcome.spec
        code = spec.code if spec else str((item.raw or {}).get("ma_thu_tuc") or "")[:40]
        return ImportRecord(
            run=run,
            source_file=item.source_file[:1000],
            line=item.line,
            record_index=item.record_index,
            code=code,
            status=outcome.status,
            action=outcome.action,
            reason=outcome.reason,
            unparsed_fields=sorted(spec.unparsed) if spec else [],
            unparsed=spec.unparsed if spec else {},
            warnings=spec.warnings if spec else [],
            source_hash=outcome.source_hash,
            version=outcome.version,
        )


def import_path(
    path: Path | str,
    *,
    publish: bool = False,
    progress: Callable[[Iterable[SourceItem]], Iterable[SourceItem]] | None = None,
) -> ImportRun:
    return Importer(publish=publish, progress=progress).run(Path(path))


def report(run: ImportRun) -> dict[str, Any]:
    """The JSON report: the run's totals and one entry per record."""
    return {
        "source": run.source,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "publish": run.publish,
        "summary": {
            "total": run.total,
            "ok": run.ok,
            "partial": run.partial,
            "unchanged": run.unchanged,
            "rejected": run.rejected,
        },
        "notes": [line for line in run.message.splitlines() if line],
        "records": [
            {
                "file": r.source_file,
                "line": r.line,
                "record": r.record_index,
                "code": r.code,
                "status": r.status,
                **({"action": r.action} if r.action else {}),
                **({"reason": r.reason} if r.reason else {}),
                **({"unparsed_fields": r.unparsed_fields} if r.unparsed_fields else {}),
                **({"warnings": r.warnings} if r.warnings else {}),
                **({"version": r.version_id} if r.version_id else {}),
            }
            for r in run.records.order_by("id")
        ],
    }


def write_report(run: ImportRun, destination: Path | str) -> None:
    Path(destination).write_text(json.dumps(report(run), ensure_ascii=False, indent=2), encoding="utf-8")
