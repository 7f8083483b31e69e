"""Reading national catalogue records from files: ``.jsonl``, ``.jsonl.gz``, one-JSON-per-file folders and
the portal's ``.xlsx`` lists (see ``xlsx.py``), or a folder mixing them.

Reading never stops at a bad record: each record comes out as a ``SourceItem`` that carries either the
parsed JSON object or a Vietnamese reason naming the file and the line (or record) — a line that is not
UTF-8, not JSON, or not an object. A damaged gzip stream (truncated download) ends that file with an item
saying after which line it broke; the complete lines before it are still imported.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NATIONAL = "national"  # a full record of the national catalogue
LIST = "list"  # a row of the portal's procedure list (code, name, agency, field)
NOTE = "note"  # not a record: something the run should mention (a skipped file, ignored columns)

SUPPORTED = (".jsonl", ".jsonl.gz", ".json", ".xlsx")


class SourceError(Exception):
    """The path itself cannot be read (missing, unsupported type). Message in Vietnamese."""


@dataclass
class SourceItem:
    source_file: str
    kind: str
    raw: dict[str, Any] | None = None
    error: str = ""
    line: int | None = None
    record_index: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        if self.line is not None:
            return f"tệp {self.source_file}, dòng {self.line}"
        if self.record_index is not None:
            return f"tệp {self.source_file}, bản ghi {self.record_index}"
        return f"tệp {self.source_file}"


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in SUPPORTED:
        if name.endswith(suffix):
            return suffix
    return ""


def iter_source(path: Path) -> Iterator[SourceItem]:
    """Every record under ``path`` (a file, or a folder read recursively in name order)."""
    if not path.exists():
        raise SourceError(f"Không tìm thấy '{path}'.")
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        for child in files:
            if _suffix(child):
                yield from iter_file(child)
            else:
                yield SourceItem(
                    str(child),
                    NOTE,
                    notes=[f"Bỏ qua tệp {child}: không phải .jsonl, .jsonl.gz, .json, .xlsx."],
                )
        return
    if not _suffix(path):
        raise SourceError(
            f"Tệp '{path}' không được hỗ trợ: chỉ nhận .jsonl, .jsonl.gz, .json, .xlsx "
            "hoặc một thư mục chứa chúng."
        )
    yield from iter_file(path)


def iter_file(path: Path) -> Iterator[SourceItem]:
    suffix = _suffix(path)
    if suffix == ".xlsx":
        from .xlsx import iter_xlsx

        yield from iter_xlsx(path)
    elif suffix == ".json":
        yield from _iter_json_file(path)
    else:
        yield from _iter_jsonl(path, gzipped=suffix == ".jsonl.gz")


def _decode_line(data: bytes) -> str:
    # A UTF-8 byte-order mark at the start of a file is harmless; anything else not UTF-8 is an error.
    return data.decode("utf-8-sig")


def _object_or_error(item: SourceItem, text: str) -> SourceItem:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        item.error = f"{item.where}: JSON không hợp lệ ({exc.msg}, cột {exc.colno})."
        return item
    if not isinstance(value, dict):
        item.error = (
            f"{item.where}: bản ghi phải là một đối tượng JSON {{…}}, không phải {type(value).__name__}."
        )
        return item
    item.raw = value
    return item


def _iter_jsonl(path: Path, gzipped: bool) -> Iterator[SourceItem]:
    name = str(path)
    line_number = 0
    try:
        with gzip.open(path, "rb") if gzipped else path.open("rb") as stream:
            for line_number, data in enumerate(stream, start=1):
                item = SourceItem(name, NATIONAL, line=line_number)
                try:
                    text = _decode_line(data)
                except UnicodeDecodeError as exc:
                    item.error = (
                        f"{item.where}: không phải UTF-8 (byte 0x{data[exc.start]:02x} "
                        f"ở vị trí {exc.start + 1}); hãy lưu tệp ở dạng UTF-8."
                    )
                    yield item
                    continue
                if not text.strip():
                    continue
                yield _object_or_error(item, text)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        reason = "bị cắt cụt" if isinstance(exc, EOFError) else "không phải gzip hợp lệ hoặc bị hỏng"
        yield SourceItem(
            name,
            NATIONAL,
            error=(
                f"tệp {name}: {reason} sau dòng {line_number} ({exc}); các dòng đầy đủ trước đó "
                "vẫn được nhập, phần còn lại của tệp bị bỏ qua."
            ),
            line=line_number + 1,
        )


def _iter_json_file(path: Path) -> Iterator[SourceItem]:
    name = str(path)
    item = SourceItem(name, NATIONAL, record_index=1)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        item.error = f"tệp {name}: không phải UTF-8 (vị trí {exc.start + 1}); hãy lưu tệp ở dạng UTF-8."
        yield item
        return
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        item.error = f"tệp {name}: JSON không hợp lệ ({exc.msg}, dòng {exc.lineno}, cột {exc.colno})."
        yield item
        return
    values = value if isinstance(value, list) else [value]
    for index, record in enumerate(values, start=1):
        item = SourceItem(name, NATIONAL, record_index=index)
        if isinstance(record, dict):
            item.raw = record
        else:
            item.error = (
                f"{item.where}: bản ghi phải là một đối tượng JSON {{…}}, không phải {type(record).__name__}."
            )
        yield item
