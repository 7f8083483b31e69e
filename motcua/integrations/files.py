"""What a submitted file really is, judged by its first bytes (never by its name or declared type).

Images and PDFs are accepted by default; a procedure may accept more kinds (IntakeFilePolicy). A file is
also checked to be readable: a PDF must carry its end-of-file marker, an image must decode (Pillow).
"""

from __future__ import annotations

import io
import zipfile

DEFAULT_KINDS = frozenset({"pdf", "png", "jpeg"})
EXTRA_KINDS = frozenset({"gif", "tiff", "webp", "docx", "xlsx", "doc", "xls", "zip", "xml"})
IMAGE_KINDS = frozenset({"png", "jpeg", "gif", "tiff", "webp"})
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "tiff": "image/tiff",
    "webp": "image/webp",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "zip": "application/zip",
    "xml": "application/xml",
}
EXTENSIONS = {"jpeg": "jpg"}


def sniff(data: bytes) -> str | None:
    """The kind of file from its magic bytes, or None when it is none of the kinds we know."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"  # OLE2 container: Word or Excel 97–2003; both are accepted together
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return "zip"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "zip"
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<?xml"):
        return "xml"
    return None


def unreadable(kind: str, data: bytes) -> str | None:
    """Why a file of a known kind cannot be read (None when it can)."""
    if kind == "pdf":
        return None if b"%%EOF" in data[-2048:] else "tệp PDF bị cắt cụt (không có dấu kết thúc %%EOF)"
    if kind in IMAGE_KINDS:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(data)) as image:
                image.load()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            return f"ảnh không đọc được ({exc})"
    return None


def allowed_kinds(extra: list[str] | None) -> frozenset[str]:
    kinds = set(DEFAULT_KINDS)
    for item in extra or []:
        item = str(item).lower().strip()
        if item in ("jpg",):
            item = "jpeg"
        if item in EXTRA_KINDS:
            kinds.add(item)
        if item == "doc":
            kinds.add("xls")
        if item == "xls":
            kinds.add("doc")
    return frozenset(kinds)


def describe(kinds: frozenset[str]) -> str:
    return ", ".join(sorted(EXTENSIONS.get(k, k).upper() for k in kinds))
