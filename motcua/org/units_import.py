"""Import of the official list of administrative units (34 provinces and their communes, Decision 19/2025).

Input: the JSON list published with the 2025 reorganisation — a list of provinces, each with its
``Wards`` (communes, wards and special zones). See ``docs/operations.md`` for where it comes from.

The import is all or nothing: the whole selection is read and checked first, then written in one
transaction. It is idempotent: units are keyed by their code (codes are stable for the life of a unit and
never reused), a re-import updates what differs and reports it, and names that differ only by tone-mark
placement ("Hòa"/"Hoà") count as unchanged, so importing another list never churns the directory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from motcua.core.names import same_name
from motcua.core.text import fold, normalize_name

from .models import AdministrativeUnit

Kind = AdministrativeUnit.Kind

# AdministrativeUnitId of the official list → our kind. The short name is the fallback for lists that only
# carry the Vietnamese type ("Tỉnh", "Phường"…).
_PROVINCE_KIND_BY_ID = {1: Kind.CITY, 2: Kind.PROVINCE}
_COMMUNE_KIND_BY_ID = {3: Kind.WARD, 4: Kind.COMMUNE, 5: Kind.SPECIAL_ZONE}
_PROVINCE_KIND_BY_NAME = {"thanh pho": Kind.CITY, "tinh": Kind.PROVINCE}
_COMMUNE_KIND_BY_NAME = {"phuong": Kind.WARD, "xa": Kind.COMMUNE, "dac khu": Kind.SPECIAL_ZONE}

# The fields an import owns; anything else on the row (validity dates, successor) is the administrator's.
TRACKED_FIELDS = ("kind", "name", "full_name", "name_en", "province")
FIELD_LABELS = {
    "kind": "loại",
    "name": "tên",
    "full_name": "tên đầy đủ",
    "name_en": "tên tiếng Anh",
    "province": "tỉnh",
}


class UnitImportError(Exception):
    """The input cannot be imported; the message (Vietnamese) names the file, the record and the reason."""


@dataclass(frozen=True)
class UnitRecord:
    code: str
    kind: str
    name: str
    full_name: str
    name_en: str
    province_code: str | None  # None for a province
    where: str  # how to find the record in the file, for messages


@dataclass
class UnitChange:
    code: str
    full_name: str
    changes: dict[str, tuple[str, str]]  # field → (old, new), as displayed

    def describe(self) -> str:
        parts = [f"{FIELD_LABELS[f]}: '{old}' → '{new}'" for f, (old, new) in self.changes.items()]
        return f"{self.code} {self.full_name}: " + "; ".join(parts)


@dataclass
class ImportReport:
    provinces: int = 0
    communes: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[UnitChange] = field(default_factory=list)
    unchanged: int = 0
    # Units in the database, in the imported provinces, in force, that the list no longer has. They are not
    # touched: closing a unit needs a date and a successor, which only an administrator can supply.
    missing: list[str] = field(default_factory=list)


def _kind_key(text: Any) -> str:
    return fold(str(text or ""))


def _required_text(record: dict, key: str, where: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not normalize_name(value):
        raise UnitImportError(f"{where}: thiếu trường '{key}' hoặc không phải chuỗi ký tự.")
    return normalize_name(value)


def _kind(record: dict, by_id: Mapping[int, str], by_name: Mapping[str, str], where: str) -> str:
    unit_id = record.get("AdministrativeUnitId")
    if unit_id is not None:
        if unit_id in by_id:
            return by_id[unit_id]
        raise UnitImportError(f"{where}: loại đơn vị AdministrativeUnitId={unit_id!r} không được hỗ trợ.")
    for key in ("AdministrativeUnitShortName", "AdministrativeUnitFullName"):
        if record.get(key) and _kind_key(record[key]) in by_name:
            return by_name[_kind_key(record[key])]
    # Last resort: the full name starts with the type ("Phường Ba Đình").
    full = _kind_key(record.get("FullName"))
    for prefix, kind in sorted(by_name.items(), key=lambda item: -len(item[0])):
        if full.startswith(prefix + " "):
            return kind
    raise UnitImportError(f"{where}: không xác định được loại đơn vị (tỉnh/thành phố, xã/phường/đặc khu).")


def _record(raw: Any, *, level: str, where: str, province_code: str | None) -> UnitRecord:
    if not isinstance(raw, dict):
        raise UnitImportError(f"{where}: cần một đối tượng JSON, nhận được {type(raw).__name__}.")
    code = raw.get("Code")
    digits = 2 if level == "province" else 5
    if not isinstance(code, str) or not re.fullmatch(rf"\d{{{digits}}}", code):
        label = "tỉnh" if level == "province" else "xã"
        raise UnitImportError(f"{where}: mã {label} {code!r} không hợp lệ (phải gồm {digits} chữ số).")
    where = f"{where} (mã {code})"
    if level == "province":
        kind = _kind(raw, _PROVINCE_KIND_BY_ID, _PROVINCE_KIND_BY_NAME, where)
    else:
        kind = _kind(raw, _COMMUNE_KIND_BY_ID, _COMMUNE_KIND_BY_NAME, where)
        declared = raw.get("ProvinceCode")
        if declared is not None and declared != province_code:
            raise UnitImportError(
                f"{where}: ProvinceCode {declared!r} không khớp với tỉnh chứa nó ({province_code})."
            )
    name = _required_text(raw, "Name", where)
    full_name = normalize_name(raw.get("FullName") if isinstance(raw.get("FullName"), str) else "") or name
    name_en = normalize_name(raw.get("NameEn") if isinstance(raw.get("NameEn"), str) else "")
    return UnitRecord(code, kind, name, full_name, name_en, province_code, where)


def read_units(path: Path, province: str | None = None) -> list[UnitRecord]:
    """Read and check the official list; with ``province``, only that province and its communes.

    Provinces come before their communes in the result. Raises UnitImportError on anything wrong.
    """
    label = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnitImportError(f"Không đọc được tệp {label}: {exc.strerror or exc}.") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnitImportError(
            f"Tệp {label} không phải văn bản UTF-8 (byte không hợp lệ ở vị trí {exc.start})."
        ) from None
    try:
        provinces = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnitImportError(
            f"Tệp {label} không phải JSON hợp lệ: dòng {exc.lineno}, cột {exc.colno}: {exc.msg}."
        ) from None
    if not isinstance(provinces, list):
        raise UnitImportError(
            f"Tệp {label}: cần một danh sách (mảng JSON) các tỉnh, mỗi tỉnh có 'Wards'; "
            f"nhận được {type(provinces).__name__}."
        )
    if province is not None and not re.fullmatch(r"\d{2}", province):
        raise UnitImportError(f"Mã tỉnh {province!r} không hợp lệ (phải gồm 2 chữ số).")

    records: list[UnitRecord] = []
    seen: dict[str, str] = {}
    found = False
    for index, raw in enumerate(provinces, start=1):
        where = f"{label}, tỉnh thứ {index}"
        if province is not None and (not isinstance(raw, dict) or raw.get("Code") != province):
            continue
        found = True
        prov = _record(raw, level="province", where=where, province_code=None)
        wards = raw.get("Wards")
        if not isinstance(wards, list):
            raise UnitImportError(f"{prov.where}: thiếu danh sách xã 'Wards' (mảng JSON).")
        batch = [prov]
        for w_index, w_raw in enumerate(wards, start=1):
            batch.append(
                _record(
                    w_raw, level="commune", where=f"{prov.where}, xã thứ {w_index}", province_code=prov.code
                )
            )
        for rec in batch:
            if rec.code in seen:
                raise UnitImportError(f"{rec.where}: mã bị trùng với {seen[rec.code]}.")
            seen[rec.code] = rec.where
        records.extend(batch)
    if province is not None and not found:
        raise UnitImportError(f"Tệp {label} không có tỉnh mã {province}.")
    if not records:
        raise UnitImportError(f"Tệp {label} không có tỉnh nào.")
    return records


def _display(unit_field: str, value: Any) -> str:
    if unit_field == "kind":
        return str(Kind(value).label) if value in Kind.values else str(value)
    if unit_field == "province":
        return value or ""
    return str(value or "")


def _diff(unit: AdministrativeUnit, rec: UnitRecord, province_code: str | None) -> dict[str, tuple[str, str]]:
    changes: dict[str, tuple[str, str]] = {}
    if unit.kind != rec.kind:
        changes["kind"] = (_display("kind", unit.kind), _display("kind", rec.kind))
    for attr in ("name", "full_name"):
        # Tone-mark placement differs between official lists: not a change worth an update.
        if not same_name(getattr(unit, attr), getattr(rec, attr)):
            changes[attr] = (getattr(unit, attr), getattr(rec, attr))
    if (unit.name_en or "") != rec.name_en and rec.name_en:
        changes["name_en"] = (unit.name_en, rec.name_en)
    if province_code != rec.province_code:
        changes["province"] = (province_code or "", rec.province_code or "")
    return changes


def import_units(records: Iterable[UnitRecord], *, dry_run: bool = False) -> ImportReport:
    """Create or update the units in ``records`` (as returned by ``read_units``) in one transaction."""
    records = list(records)
    report = ImportReport()
    with transaction.atomic():
        codes = [r.code for r in records]
        existing = {
            u.code: u for u in AdministrativeUnit.objects.select_related("province").filter(code__in=codes)
        }
        for level in ("province", "commune"):
            selected = [r for r in records if (r.province_code is None) == (level == "province")]
            province_ids = (
                dict(AdministrativeUnit.objects.filter(province__isnull=True).values_list("code", "pk"))
                if level == "commune"
                else {}
            )
            to_create: list[AdministrativeUnit] = []
            to_update: list[AdministrativeUnit] = []
            for rec in selected:
                if level == "province":
                    report.provinces += 1
                else:
                    report.communes += 1
                province_id = province_ids[rec.province_code] if rec.province_code else None
                unit = existing.get(rec.code)
                if unit is None:
                    unit = AdministrativeUnit(
                        code=rec.code,
                        kind=rec.kind,
                        name=rec.name,
                        full_name=rec.full_name,
                        name_en=rec.name_en,
                        province_id=province_id,
                    )
                    unit.search_text = unit.compute_search_text()
                    to_create.append(unit)
                    report.created.append(rec.code)
                    continue
                changes = _diff(unit, rec, unit.province.code if unit.province else None)
                if not changes:
                    report.unchanged += 1
                    continue
                for attr in changes:
                    if attr == "province":
                        unit.province_id = province_id
                    else:
                        setattr(unit, attr, getattr(rec, attr))
                unit.search_text = unit.compute_search_text()
                to_update.append(unit)
                report.updated.append(UnitChange(rec.code, rec.full_name, changes))
            AdministrativeUnit.objects.bulk_create(to_create, batch_size=500)
            AdministrativeUnit.objects.bulk_update(
                to_update, ["kind", "name", "full_name", "name_en", "province", "search_text"], batch_size=500
            )

        province_codes = [r.code for r in records if r.province_code is None]
        report.missing = list(
            AdministrativeUnit.objects.valid_on()
            .filter(province__code__in=province_codes)
            .exclude(code__in=codes)
            .order_by("code")
            .values_list("code", flat=True)
        )
        if dry_run:
            transaction.set_rollback(True)
    return report
