"""``motcua import-calendar``: load a yearly notice (CSV or JSON) into the calendar overlay.

Accepted files:

* CSV with a header ``date,kind,name,source`` (``source`` may be left out when ``--source`` is given);
  dates as ``2026-01-02`` or ``02/01/2026``; kind ``day_off`` / ``working_day`` (or ``nghỉ`` / ``làm bù``).
* JSON: a list of ``{"date", "kind", "name", "source"}`` objects, or ``{"source": …, "entries": [...]}``.
* JSON in the official table format (``{"source": …, "years": {"2026": {"weekday_days_off": [...],
  "make_up_working_saturdays": [...]}}}``). Such a table is the *complete* list of a year, so a weekday
  that the computed calendar takes off but the table does not list becomes a working-day entry (and a
  computed make-up weekend day the table does not list becomes a day off): after the import the calendar
  matches the table on every date of its years.

The whole file is read and checked before anything is written; one bad record stops the import with an
error naming the file, the line or record and the reason. Writing happens in one transaction. Importing
the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import transaction

from .computed import FIRST_DATE, LAST_DATE, computed_calendar
from .models import NATIONAL_SCOPE, CalendarEntry

DAY_OFF = CalendarEntry.Kind.DAY_OFF.value
WORKING_DAY = CalendarEntry.Kind.WORKING_DAY.value
_KIND_ALIASES = {
    "day_off": DAY_OFF,
    "nghỉ": DAY_OFF,
    "ngày nghỉ": DAY_OFF,
    "working_day": WORKING_DAY,
    "làm bù": WORKING_DAY,
    "ngày làm việc": WORKING_DAY,
    "ngày làm bù": WORKING_DAY,
}
_DOW = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_NAME_MAX = CalendarEntry._meta.get_field("name").max_length or 255
_SOURCE_MAX = CalendarEntry._meta.get_field("source").max_length or 500


class CalendarImportError(ValueError):
    """The file cannot be imported; the message names the file, the record and the reason."""


@dataclass(frozen=True)
class Record:
    date: date
    kind: str
    name: str
    source: str
    where: str  # "tệp.csv, dòng 4" — for error messages


@dataclass
class Scope:
    scope: str = CalendarEntry.Scope.NATIONAL
    province: Any = None  # org.AdministrativeUnit
    agency: Any = None  # org.Agency

    @property
    def key(self) -> str:
        if self.scope == CalendarEntry.Scope.PROVINCE:
            return f"province:{self.province.pk}"
        if self.scope == CalendarEntry.Scope.AGENCY:
            return f"agency:{self.agency.pk}"
        return NATIONAL_SCOPE

    @property
    def label(self) -> str:
        if self.province is not None:
            return str(self.province.full_name)
        if self.agency is not None:
            return str(self.agency.name)
        return "toàn quốc"


@dataclass
class ImportReport:
    added: list[Record] = field(default_factory=list)
    changed: list[tuple[Record, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    dry_run: bool = False

    def lines(self) -> list[str]:
        out = []
        for record in self.added:
            out.append(f"+ {record.date:%d/%m/%Y} {_kind_vi(record.kind)}: {record.name}")
        for record, what in self.changed:
            out.append(f"~ {record.date:%d/%m/%Y} {_kind_vi(record.kind)}: {record.name} ({'; '.join(what)})")
        verb = "Sẽ thêm" if self.dry_run else "Đã thêm"
        out.append(
            f"{verb} {len(self.added)}, {'sẽ sửa' if self.dry_run else 'đã sửa'} {len(self.changed)}, "
            f"giữ nguyên {self.unchanged} mục."
        )
        return out


def _kind_vi(kind: str) -> str:
    return "ngày nghỉ" if kind == DAY_OFF else "ngày làm việc"


def _parse_date(value: Any, where: str) -> date:
    text = str(value or "").strip()
    parsed: date | None = None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            parsed = datetime.strptime(text, fmt).date()
            break
        except ValueError:
            continue
    if parsed is None:
        raise CalendarImportError(f"{where}: ngày '{text}' không hợp lệ (dùng YYYY-MM-DD hoặc dd/mm/yyyy).")
    if not FIRST_DATE <= parsed <= LAST_DATE:
        raise CalendarImportError(f"{where}: ngày {parsed:%d/%m/%Y} nằm ngoài khoảng 1900–2100.")
    return parsed


def _record(raw: dict[str, Any], where: str, default_source: str) -> Record:
    day = _parse_date(raw.get("date"), where)
    kind_text = unicodedata.normalize("NFC", str(raw.get("kind") or "")).strip().lower()
    kind = _KIND_ALIASES.get(kind_text)
    if kind is None:
        raise CalendarImportError(
            f"{where}: loại '{raw.get('kind')}' không hợp lệ (dùng day_off hoặc working_day)."
        )
    name = str(raw.get("name") or "").strip()
    if not name:
        raise CalendarImportError(f"{where}: thiếu tên ngày (cột name).")
    source = str(raw.get("source") or "").strip() or default_source
    if not source:
        raise CalendarImportError(
            f"{where}: thiếu văn bản căn cứ (cột source); có thể cho chung cả tệp bằng --source."
        )
    return _checked(Record(day, kind, name, source, where))


def _checked(record: Record) -> Record:
    if len(record.name) > _NAME_MAX:
        raise CalendarImportError(f"{record.where}: tên dài quá {_NAME_MAX} ký tự.")
    if len(record.source) > _SOURCE_MAX:
        raise CalendarImportError(f"{record.where}: văn bản căn cứ dài quá {_SOURCE_MAX} ký tự.")
    return record


def _read_csv(path: Path, default_source: str) -> list[Record]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CalendarImportError(f"{path.name}: không đọc được dưới dạng UTF-8 ({exc.reason}).") from None
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("date", "kind", "name") if c not in header]
    if missing:
        raise CalendarImportError(
            f"{path.name}, dòng 1: thiếu cột {', '.join(missing)} (cần date,kind,name,source)."
        )
    records = []
    for line_no, row in enumerate(reader, start=2):
        cleaned = {str(k).strip().lower(): (v or "") for k, v in row.items() if k is not None}
        if None in row:
            raise CalendarImportError(f"{path.name}, dòng {line_no}: thừa cột so với dòng tiêu đề.")
        if not any(v.strip() for v in cleaned.values()):
            continue  # a blank line
        records.append(_record(cleaned, f"{path.name}, dòng {line_no}", default_source))
    return records


def _read_official_table(
    path: Path, data: dict[str, Any], default_source: str
) -> tuple[list[Record], set[int]]:
    source = str(data.get("source") or "").strip() or default_source
    if not source:
        raise CalendarImportError(f"{path.name}: bảng không có trường 'source' và không có --source.")
    years = data["years"]
    if not isinstance(years, dict) or not years:
        raise CalendarImportError(
            f"{path.name}: 'years' phải là một đối tượng theo năm, ví dụ {{'2026': …}}."
        )
    records: list[Record] = []
    covered: set[int] = set()
    for year_text, content in years.items():
        where_year = f"{path.name}, năm {year_text}"
        valid_year = re.fullmatch(r"\d{4}", str(year_text)) is not None
        if not valid_year or not FIRST_DATE.year <= int(year_text) <= LAST_DATE.year:
            raise CalendarImportError(f"{where_year}: năm không hợp lệ.")
        year = int(year_text)
        if not isinstance(content, dict):
            raise CalendarImportError(f"{where_year}: phải là một đối tượng.")
        unknown = set(content) - {"weekday_days_off", "make_up_working_saturdays"}
        if unknown:
            raise CalendarImportError(f"{where_year}: trường không rõ {', '.join(sorted(unknown))}.")
        days_off = content.get("weekday_days_off", [])
        make_up = content.get("make_up_working_saturdays", [])
        if not isinstance(days_off, list) or not isinstance(make_up, list):
            raise CalendarImportError(
                f"{where_year}: weekday_days_off và make_up_working_saturdays phải là danh sách."
            )
        for index, item in enumerate(days_off):
            where = f"{where_year}, weekday_days_off[{index}]"
            if not isinstance(item, dict):
                raise CalendarImportError(f"{where}: phải là một đối tượng có date và name_vi.")
            day = _parse_date(item.get("date"), where)
            if day.year != year:
                raise CalendarImportError(f"{where}: ngày {day:%d/%m/%Y} không thuộc năm {year}.")
            dow = item.get("dow")
            if dow is not None and dow != _DOW[day.weekday()]:
                raise CalendarImportError(
                    f"{where}: ngày {day:%d/%m/%Y} là {_DOW[day.weekday()]}, không phải {dow} như trong bảng."
                )
            if day.weekday() >= 5:
                raise CalendarImportError(
                    f"{where}: ngày {day:%d/%m/%Y} không phải ngày trong tuần (thứ Hai–Sáu)."
                )
            name = str(item.get("name_vi") or item.get("name") or "").strip()
            if not name:
                raise CalendarImportError(f"{where}: thiếu tên ngày (name_vi).")
            records.append(_checked(Record(day, DAY_OFF, name, source, where)))
        for index, item in enumerate(make_up):
            where = f"{where_year}, make_up_working_saturdays[{index}]"
            day = _parse_date(item.get("date") if isinstance(item, dict) else item, where)
            if day.year != year:
                raise CalendarImportError(f"{where}: ngày {day:%d/%m/%Y} không thuộc năm {year}.")
            if day.weekday() < 5:
                raise CalendarImportError(
                    f"{where}: ngày {day:%d/%m/%Y} là ngày trong tuần, không phải ngày nghỉ cuối tuần làm bù."
                )
            name = str(item.get("name_vi") or "").strip() if isinstance(item, dict) else ""
            records.append(_checked(Record(day, WORKING_DAY, name or "Ngày làm việc bù", source, where)))
        covered.add(year)
    return records, covered


def _read_json(path: Path, default_source: str) -> tuple[list[Record], set[int]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise CalendarImportError(f"{path.name}: không đọc được dưới dạng UTF-8 ({exc.reason}).") from None
    except json.JSONDecodeError as exc:
        raise CalendarImportError(f"{path.name}, dòng {exc.lineno}: JSON không hợp lệ ({exc.msg}).") from None
    if isinstance(data, dict) and "years" in data:
        return _read_official_table(path, data, default_source)
    if isinstance(data, dict) and "entries" in data:
        default_source = str(data.get("source") or "").strip() or default_source
        data = data["entries"]
    if not isinstance(data, list):
        raise CalendarImportError(
            f"{path.name}: cần một danh sách mục {{date, kind, name, source}}, "
            "một đối tượng có 'entries' hoặc bảng chính thức có 'years'."
        )
    records = []
    for index, item in enumerate(data):
        where = f"{path.name}, mục {index + 1}"
        if not isinstance(item, dict):
            raise CalendarImportError(f"{where}: phải là một đối tượng {{date, kind, name, source}}.")
        records.append(_record(item, where, default_source))
    return records, set()


def read_calendar_file(path: Path | str, default_source: str = "") -> tuple[list[Record], set[int]]:
    """Parse and check a file; returns its records and the years it describes completely."""
    path = Path(path)
    if not path.is_file():
        raise CalendarImportError(f"Không tìm thấy tệp {path}.")
    suffix = path.suffix.lower()
    years: set[int] = set()
    if suffix == ".csv":
        records = _read_csv(path, default_source)
    elif suffix == ".json":
        records, years = _read_json(path, default_source)
    else:
        raise CalendarImportError(f"{path.name}: chỉ nhận tệp .csv hoặc .json.")
    if not records and not years:
        raise CalendarImportError(f"{path.name}: tệp không có mục nào.")
    seen: dict[date, Record] = {}
    for record in records:
        earlier = seen.get(record.date)
        if earlier is not None:
            relation = "mâu thuẫn với" if earlier.kind != record.kind else "trùng với"
            raise CalendarImportError(
                f"{record.where}: ngày {record.date:%d/%m/%Y} {relation} {earlier.where} "
                f"({_kind_vi(earlier.kind)} / {_kind_vi(record.kind)})."
            )
        seen[record.date] = record
    return records, years


def _complete_years(records: list[Record], years: set[int], path_name: str) -> list[Record]:
    """Entries making the computed calendar agree with a complete official table on every date."""
    if not years:
        return []
    base = computed_calendar()
    listed = {r.date for r in records}
    source = records[0].source if records else ""
    extra = []
    for day, name in sorted(base.days_off.items()):
        if day.year in years and day.weekday() < 5 and day not in listed:
            extra.append(
                Record(
                    day,
                    WORKING_DAY,
                    f"Ngày làm việc (bảng chính thức không cho nghỉ; lịch tính sẵn ghi: {name})",
                    source,
                    f"{path_name}, năm {day.year} (suy ra)",
                )
            )
    for day in sorted(base.weekend_workdays):
        if day.year in years and day not in listed:
            extra.append(
                Record(
                    day,
                    DAY_OFF,
                    "Nghỉ cuối tuần (bảng chính thức không có ngày làm bù này)",
                    source,
                    f"{path_name}, năm {day.year} (suy ra)",
                )
            )
    return extra


def _expected_kind(day: date, by_date: dict[date, Record], years: set[int]) -> str | None:
    """What a complete table says about a day it does not list (None when it says nothing)."""
    if day in by_date:
        return by_date[day].kind
    if day.year in years:
        return WORKING_DAY if day.weekday() < 5 else DAY_OFF
    return None


def import_calendar(
    path: Path | str,
    scope: Scope | None = None,
    *,
    default_source: str = "",
    replace: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import a calendar file into ``scope`` (national by default).

    Raises CalendarImportError (and writes nothing) on any bad record or contradiction.
    """
    scope = scope or Scope()
    path = Path(path)
    records, years = read_calendar_file(path, default_source)
    records = records + _complete_years(records, years, path.name)
    by_date = {r.date: r for r in records}
    report = ImportReport(dry_run=dry_run)

    existing = {e.date: e for e in CalendarEntry.objects.filter(scope_key=scope.key)}
    # Entries already in this scope that a complete table contradicts without listing their date.
    for day, entry in sorted(existing.items()):
        if day in by_date:
            continue
        expected = _expected_kind(day, by_date, years)
        if expected is not None and expected != entry.kind:
            if not replace:
                raise CalendarImportError(
                    f"{path.name}: bảng năm {day.year} không ghi ngày {day:%d/%m/%Y}, tức là "
                    f"{_kind_vi(expected)}, nhưng lịch {scope.label} đang ghi {_kind_vi(entry.kind)} "
                    f"({entry.name}, theo {entry.source}). Dùng --replace để sửa theo bảng."
                )
            record = Record(
                day,
                expected,
                f"{_kind_vi(expected).capitalize()} theo bảng chính thức năm {day.year}",
                records[0].source if records else entry.source,
                f"{path.name}, năm {day.year} (suy ra)",
            )
            records.append(record)
            by_date[day] = record

    to_create: list[CalendarEntry] = []
    to_update: list[CalendarEntry] = []
    for record in sorted(records, key=lambda r: r.date):
        found = existing.get(record.date)
        if found is None:
            report.added.append(record)
            to_create.append(
                CalendarEntry(
                    date=record.date,
                    kind=record.kind,
                    name=record.name,
                    source=record.source,
                    scope=scope.scope,
                    province=scope.province,
                    agency=scope.agency,
                )
            )
            continue
        entry = found
        what = []
        if entry.kind != record.kind:
            if not replace:
                raise CalendarImportError(
                    f"{record.where}: ngày {record.date:%d/%m/%Y} mâu thuẫn với lịch {scope.label}: "
                    f"đã ghi là {_kind_vi(entry.kind)} ({entry.name}, theo {entry.source}). "
                    "Dùng --replace để thay."
                )
            what.append(f"loại: {_kind_vi(entry.kind)} → {_kind_vi(record.kind)}")
        if entry.name != record.name:
            what.append(f"tên: “{entry.name}” → “{record.name}”")
        if entry.source != record.source:
            what.append(f"căn cứ: “{entry.source}” → “{record.source}”")
        if what:
            entry.kind, entry.name, entry.source = record.kind, record.name, record.source
            report.changed.append((record, what))
            to_update.append(entry)
        else:
            report.unchanged += 1

    if dry_run:
        return report
    with transaction.atomic():
        for entry in to_create + to_update:
            entry.save()  # one by one: save() sets scope_key and fires the cache-clearing signal
    return report
