"""Importing index inputs and the portal's official scores from JSON or CSV files — all or nothing.

Every record is checked before anything is written; any problem aborts the whole file with a list of
"<file>, dòng/bản ghi N: reason" lines, so a half-imported quarter can never be scored. A record for a key
(unit, period, item) that already exists is refused unless ``replace`` is asked for: a correction must be
deliberate because it changes a published figure's provenance.

Inputs (JSON: a list, or {"inputs": [...]}; CSV: a header row with these columns):
    agency, period_start, period_end, item, numerator, denominator, portal_count, previous_year_total,
    source_note
Official scores (JSON: a list, or {"scores": [...]}; CSV likewise):
    agency, period_start, period_end, total, rank, published_on, source_note,
    CKMB, TDGQ, CLGQ, TTTT, MDSH, MDHL (group scores, optional; in JSON also as "groups": {"CKMB": …})
``agency`` is the unit's QCVN 102 code (000.00.00.H56) or its Decision 20 electronic id (H56.14). Dates are
YYYY-MM-DD or dd/mm/yyyy.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.indicators import scoring
from motcua.indicators.models import IndexInput, InputSource, OfficialScore, input_items, input_problems
from motcua.org.models import Agency

INPUT_COLUMNS = (
    "agency",
    "period_start",
    "period_end",
    "item",
    "numerator",
    "denominator",
    "portal_count",
    "previous_year_total",
    "source_note",
)
OFFICIAL_COLUMNS = (
    "agency",
    "period_start",
    "period_end",
    "total",
    "rank",
    "published_on",
    "source_note",
    *scoring.GROUP_CODES,
)


class ImportFileError(ValueError):
    """The file was refused; ``problems`` lists each record's reason. Nothing was written."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        shown = problems[:50]
        more = len(problems) - len(shown)
        lines = [_("Tệp %(f)s không được nhập (không ghi bản ghi nào):") % {"f": path}, *shown]
        if more:
            lines.append(_("… và %s lỗi khác.") % more)
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int


def _read_records(path: Path, list_key: str, columns: Iterable[str]) -> list[tuple[str, dict[str, Any]]]:
    """(position, record) pairs; position is "dòng N" for CSV and "bản ghi N" for JSON."""
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8-sig")  # spreadsheet programs add a BOM to CSV files
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(path, [_("không đọc được tệp (cần UTF-8): %s") % exc]) from None
    if suffix == ".json":
        try:
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise ImportFileError(
                path,
                [
                    _("JSON không hợp lệ ở dòng %(l)s, cột %(c)s: %(m)s")
                    % {"l": exc.lineno, "c": exc.colno, "m": exc.msg}
                ],
            ) from None
        if isinstance(data, dict):
            data = data.get(list_key)
        if not isinstance(data, list):
            raise ImportFileError(path, [_('cần một danh sách bản ghi, hoặc {"%s": [...]}') % list_key])
        records = []
        for index, record in enumerate(data, start=1):
            position = _("bản ghi %s") % index
            if not isinstance(record, dict):
                raise ImportFileError(path, [_("%s: phải là một đối tượng JSON") % position])
            records.append((position, record))
        return records
    if suffix == ".csv":
        reader = csv.DictReader(text.splitlines())
        header = [h.strip() for h in (reader.fieldnames or [])]
        unknown = [h for h in header if h not in columns]
        if not header or unknown:
            raise ImportFileError(
                path,
                [
                    _("dòng tiêu đề có cột không hợp lệ %(u)s; các cột được dùng: %(ok)s")
                    % {"u": ", ".join(unknown) or _("(trống)"), "ok": ", ".join(columns)}
                ],
            )
        reader.fieldnames = header
        records = []
        for row in reader:
            if None in row:
                raise ImportFileError(path, [_("dòng %s: nhiều cột hơn dòng tiêu đề") % reader.line_num])
            records.append((_("dòng %s") % reader.line_num, {k: (v or "").strip() for k, v in row.items()}))
        return records
    raise ImportFileError(path, [_("chỉ nhận tệp .json hoặc .csv")])


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                continue
    raise ValueError(
        _("%(f)s '%(v)s' không phải ngày dạng YYYY-MM-DD hoặc dd/mm/yyyy") % {"f": field, "v": value}
    )


def _count(value: Any, field: str) -> int | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(_("%(f)s phải là số nguyên không âm, nhận được %(v)s") % {"f": field, "v": value})
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(
            _("%(f)s phải là số nguyên không âm, nhận được '%(v)s'") % {"f": field, "v": value}
        ) from None
    if not number.is_finite() or number < 0 or number != number.to_integral_value():
        raise ValueError(_("%(f)s phải là số nguyên không âm, nhận được '%(v)s'") % {"f": field, "v": value})
    return int(number)


def _points(value: Any, field: str) -> Decimal | None:
    if _blank(value):
        return None
    try:
        number = Decimal(
            str(value).strip().replace(",", ".")
        )  # "76,64" as a Vietnamese spreadsheet writes it
    except InvalidOperation:
        raise ValueError(_("%(f)s '%(v)s' không phải là số") % {"f": field, "v": value}) from None
    if not number.is_finite() or not 0 <= number <= 100 or number != number.quantize(Decimal("0.01")):
        raise ValueError(
            _("%(f)s phải từ 0 đến 100, tối đa 2 chữ số thập phân, nhận được '%(v)s'")
            % {"f": field, "v": value}
        )
    return number.quantize(Decimal("0.01"))  # "17.4" and "17.40" are the same published score


class _AgencyLookup:
    def __init__(self) -> None:
        self._cache: dict[str, Agency | None] = {}

    def __call__(self, value: Any) -> Agency:
        key = str(value or "").strip()
        if not key:
            raise ValueError(_("thiếu mã cơ quan (agency)"))
        if key not in self._cache:
            self._cache[key] = Agency.objects.filter(Q(code=key) | Q(electronic_id=key)).first()
        agency = self._cache[key]
        if agency is None:
            raise ValueError(_("không có cơ quan mã '%s' (mã QCVN 102 hoặc mã định danh điện tử)") % key)
        return agency


def import_inputs(
    path: Path, *, source: str = InputSource.IMPORTED, replace: bool = False, user=None
) -> ImportSummary:
    """Validate every record of ``path`` and write them all in one transaction, or raise ImportFileError."""
    records = _read_records(path, "inputs", INPUT_COLUMNS)
    problems: list[str] = []
    agency = _AgencyLookup()
    allowed_by_date: dict[dt.date, set[str] | None] = {}
    rows: list[tuple[str, IndexInput]] = []
    seen: dict[tuple[Any, ...], str] = {}
    for position, record in records:
        unknown = sorted(set(record) - set(INPUT_COLUMNS))
        if unknown:
            problems.append(_("%(p)s: trường không hợp lệ %(u)s") % {"p": position, "u": ", ".join(unknown)})
            continue
        try:
            unit = agency(record.get("agency"))
            start = _date(record.get("period_start"), "period_start")
            end = _date(record.get("period_end"), "period_end")
            item = str(record.get("item") or "").strip()
            values = {
                f: _count(record.get(f), f)
                for f in ("numerator", "denominator", "portal_count", "previous_year_total")
            }
        except ValueError as exc:
            problems.append(f"{position}: {exc}")
            continue
        if start not in allowed_by_date:
            allowed_by_date[start] = input_items(start)
        allowed = allowed_by_date[start]
        if allowed is None:
            problems.append(
                _("%(p)s: chưa có bộ chỉ số nào áp dụng vào ngày %(d)s")
                % {"p": position, "d": start.strftime("%d/%m/%Y")}
            )
            continue
        found = input_problems(
            item_number=item, period_start=start, period_end=end, allowed_items=allowed, **values
        )
        if found:
            problems.extend(f"{position}: {reason}" for reason in found.values())
            continue
        key = (unit.pk, start, end, item)
        if key in seen:
            problems.append(
                _("%(p)s: trùng với %(q)s (cùng đơn vị, kỳ và chỉ tiêu %(i)s)")
                % {"p": position, "q": seen[key], "i": item}
            )
            continue
        seen[key] = position
        rows.append(
            (
                position,
                IndexInput(
                    agency=unit,
                    period_start=start,
                    period_end=end,
                    item_number=item,
                    source=source,
                    source_note=str(record.get("source_note") or "")[:500] or _("Tệp %s") % path.name,
                    entered_by=user,
                    **values,
                ),
            )
        )
    existing = _existing(
        IndexInput,
        [(r.agency_id, r.period_start, r.period_end, r.item_number) for _p, r in rows],
        with_item=True,
    )
    if not replace:
        problems.extend(
            _("%(p)s: đã có số liệu chỉ tiêu %(i)s của đơn vị này cho kỳ này; dùng --replace để thay")
            % {"p": p, "i": r.item_number}
            for p, r in rows
            if (r.agency_id, r.period_start, r.period_end, r.item_number) in existing
        )
    if problems:
        raise ImportFileError(path, problems)
    return _write(
        IndexInput,
        [r for _p, r in rows],
        existing,
        key=lambda r: (r.agency_id, r.period_start, r.period_end, r.item_number),
    )


def import_official_scores(path: Path, *, replace: bool = False) -> ImportSummary:
    """Import the portal's published scores; same all-or-nothing rules as ``import_inputs``."""
    records = _read_records(path, "scores", OFFICIAL_COLUMNS)
    problems: list[str] = []
    agency = _AgencyLookup()
    rows: list[tuple[str, OfficialScore]] = []
    seen: dict[tuple[Any, ...], str] = {}
    for position, record in records:
        unknown = sorted(set(record) - set(OFFICIAL_COLUMNS) - {"groups"})
        if unknown:
            problems.append(_("%(p)s: trường không hợp lệ %(u)s") % {"p": position, "u": ", ".join(unknown)})
            continue
        try:
            unit = agency(record.get("agency"))
            start = _date(record.get("period_start"), "period_start")
            end = _date(record.get("period_end"), "period_end")
            if start > end:
                raise ValueError(_("ngày kết thúc kỳ phải sau hoặc bằng ngày bắt đầu"))
            total = _points(record.get("total"), "total")
            if total is None:
                raise ValueError(_("thiếu tổng điểm (total)"))
            nested = record.get("groups")
            groups_raw: dict[str, Any] = nested if isinstance(nested, dict) else record
            groups = {}
            for code in scoring.GROUP_CODES:
                value = _points(groups_raw.get(code), code)
                if value is not None:
                    groups[code] = str(value)
            published = (
                None
                if _blank(record.get("published_on"))
                else _date(record.get("published_on"), "published_on")
            )
            rank_value = _count(record.get("rank"), "rank")
        except ValueError as exc:
            problems.append(f"{position}: {exc}")
            continue
        key = (unit.pk, start, end)
        if key in seen:
            problems.append(_("%(p)s: trùng với %(q)s (cùng đơn vị và kỳ)") % {"p": position, "q": seen[key]})
            continue
        seen[key] = position
        rows.append(
            (
                position,
                OfficialScore(
                    agency=unit,
                    period_start=start,
                    period_end=end,
                    total=total,
                    group_scores=groups,
                    rank=rank_value,
                    published_on=published,
                    source_note=str(record.get("source_note") or "")[:500] or _("Tệp %s") % path.name,
                    source=InputSource.IMPORTED,
                ),
            )
        )
    existing = _existing(
        OfficialScore, [(r.agency_id, r.period_start, r.period_end) for _p, r in rows], with_item=False
    )
    if not replace:
        problems.extend(
            _("%s: đã có điểm chính thức của đơn vị này cho kỳ này; dùng --replace để thay") % p
            for p, r in rows
            if (r.agency_id, r.period_start, r.period_end) in existing
        )
    if problems:
        raise ImportFileError(path, problems)
    return _write(
        OfficialScore,
        [r for _p, r in rows],
        existing,
        key=lambda r: (r.agency_id, r.period_start, r.period_end),
    )


def _existing(model, keys: list[tuple[Any, ...]], *, with_item: bool) -> dict[tuple[Any, ...], int]:
    """Key → primary key of the rows already stored for these keys (one query per unit, not per record)."""
    found: dict[tuple[Any, ...], int] = {}
    by_agency: dict[int, set[tuple[Any, ...]]] = {}
    for key in keys:
        by_agency.setdefault(key[0], set()).add(key)
    fields = ["pk", "agency_id", "period_start", "period_end"] + (["item_number"] if with_item else [])
    for agency_id, wanted in by_agency.items():
        for row in model.objects.filter(agency_id=agency_id).values_list(*fields):
            if row[1:] in wanted:
                found[row[1:]] = row[0]
    return found


def _write(model, rows: list, existing: dict[tuple[Any, ...], int], key) -> ImportSummary:
    created = updated = 0
    now = timezone.now()
    with transaction.atomic():
        for row in rows:
            pk = existing.get(key(row))
            if pk is not None:
                row.pk = pk
                updated += 1
            else:
                created += 1
            if isinstance(row, IndexInput):
                row.entered_at = now
            else:
                row.imported_at = now
            row.save()
    return ImportSummary(created=created, updated=updated)
