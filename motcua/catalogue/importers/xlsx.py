"""Reading the national portal's procedure lists (``danh-sach-tthc-*.xlsx``).

The export has a title block, then a header row (Mã số, Tên, Cơ quan ban hành, Cơ quan thực hiện, Lĩnh vực)
and one procedure per row. Columns are found by their folded header text, not by position, so a list with
columns in another order still reads; a sheet without the code and name columns is refused as a whole with
a message listing the columns it does have.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from motcua.core.text import fold

from .national import LIST, NOTE, SourceItem

# folded header → key of the record (same keys as the national records where they mean the same thing)
COLUMNS = {
    "ma so": "ma_thu_tuc",
    "ma thu tuc": "ma_thu_tuc",
    "ma tthc": "ma_thu_tuc",
    "ten": "ten_thu_tuc",
    "ten thu tuc": "ten_thu_tuc",
    "ten tthc": "ten_thu_tuc",
    "co quan ban hanh": "co_quan_ban_hanh",
    "co quan thuc hien": "co_quan_thuc_hien",
    "linh vuc": "linh_vuc",
}
REQUIRED = {"ma_thu_tuc": "Mã số", "ten_thu_tuc": "Tên"}
HEADER_SEARCH_ROWS = 20


def _cell_text(value: Any, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and key == "ma_thu_tuc":
        return f"{value:.6f}"  # a code typed as a number loses its trailing zeros (1.00119 for 1.001190)
    return str(value).strip()


def _header(row: tuple[Any, ...]) -> dict[int, str]:
    found: dict[int, str] = {}
    for index, value in enumerate(row):
        key = COLUMNS.get(fold(str(value)) if value is not None else "")
        if key and key not in found.values():
            found[index] = key
    return found


def iter_xlsx(path: Path) -> Iterator[SourceItem]:
    name = str(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        yield SourceItem(name, LIST, error=f"tệp {name}: không đọc được tệp Excel ({exc}).")
        return
    try:
        for sheet in workbook.worksheets:
            yield from _iter_sheet(name, sheet)
    finally:
        workbook.close()


def _iter_sheet(name: str, sheet: Any) -> Iterator[SourceItem]:
    rows = sheet.iter_rows(values_only=True)
    header: dict[int, str] = {}
    seen_headers: list[str] = []
    row_number = 0
    for row_number, row in enumerate(rows, start=1):
        candidate = _header(row)
        if set(REQUIRED) <= set(candidate.values()):
            header = candidate
            ignored = [str(v).strip() for i, v in enumerate(row) if v is not None and i not in candidate]
            if ignored:
                yield SourceItem(
                    name,
                    NOTE,
                    notes=[f"tệp {name}, trang '{sheet.title}': bỏ qua các cột {', '.join(ignored)}."],
                )
            break
        seen_headers.extend(str(v).strip()[:40] for v in row if v is not None)
        if row_number >= HEADER_SEARCH_ROWS:
            break
    if not header:
        if row_number == 0:
            return  # an empty sheet
        yield SourceItem(
            name,
            LIST,
            error=(
                f"tệp {name}, trang '{sheet.title}': không thấy dòng tiêu đề có các cột "
                f"{', '.join(REQUIRED.values())} trong {HEADER_SEARCH_ROWS} dòng đầu "
                f"(các ô đọc được: {', '.join(seen_headers[:10]) or 'không có'}); trang này bị bỏ qua."
            ),
        )
        return
    for data_row_number, row in enumerate(rows, start=row_number + 1):
        if all(v is None or not str(v).strip() for v in row):
            continue
        record = {key: _cell_text(row[i] if i < len(row) else None, key) for i, key in header.items()}
        yield SourceItem(name, LIST, raw=record, line=data_row_number)
