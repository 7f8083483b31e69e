"""Tiny but real attachments for generated online dossiers: a one-page PDF and a PNG.

Built byte by byte (a few hundred bytes each, microseconds to make) so that a load run of thousands of
dossiers is not slowed by a PDF engine, while the HTTT's "type by content" checks see genuine files.
"""

from __future__ import annotations

import struct
import unicodedata
import zlib


def _pdf_text(text: str) -> str:
    # The standard Helvetica font has no Vietnamese glyphs: write the text without marks (đ → d).
    text = text.replace("đ", "d").replace("Đ", "D")
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    ascii_text = "".join(c if 32 <= ord(c) < 127 else "?" for c in bare)[:120]
    return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def tiny_pdf(title: str) -> bytes:
    """A valid one-page A6 PDF 1.4 showing ``title`` (marks removed), with a correct xref table."""
    stream = f"BT /F1 11 Tf 20 380 Td ({_pdf_text(title)}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 298 420] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def tiny_png(seed: int, size: int = 16) -> bytes:
    """A ``size``×``size`` RGB PNG: a two-colour diagonal pattern whose colours depend on ``seed``."""
    a = ((seed * 97) % 256, (seed * 57) % 256, (seed * 31) % 256)
    b = (255 - a[0], 255 - a[1], 255 - a[2])
    rows = b"".join(
        b"\x00" + b"".join(bytes(a if (x + y) % 4 < 2 else b) for x in range(size)) for y in range(size)
    )
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )
