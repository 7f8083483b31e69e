"""Reading generated PDFs back the way a person (or a scanner) would: text, page size, links, QR codes."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

A5 = (419.53, 595.28)  # points, portrait
A4 = (595.28, 841.89)


def text(pdf: bytes) -> str:
    """The text of every page (pdftotext when poppler is installed, else pypdf), NFC, spaces collapsed."""
    if shutil.which("pdftotext"):
        raw = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
        content = raw.decode("utf-8")
    else:
        content = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", content))


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [
        (round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2))
        for p in PdfReader(io.BytesIO(pdf)).pages
    ]


def is_size(size: tuple[float, float], paper: tuple[float, float]) -> bool:
    """Either orientation, within a point."""
    w, h = size
    return any(abs(w - a) < 1 and abs(h - b) < 1 for a, b in (paper, paper[::-1]))


def link_uris(pdf: bytes) -> list[str]:
    uris = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annot in page.get("/Annots", []) or []:
            action = annot.get_object().get("/A")
            if action is not None and action.get("/URI"):
                uris.append(str(action["/URI"]))
    return uris


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Base font name → whether the font program is inside the file."""
    found: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            found[str(font["/BaseFont"])] = any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    return found


def qr_codes(pdf: bytes, page: int = 1) -> list[str]:
    """Decode the QR codes printed on a page, from a 200 dpi rendering (what a phone camera sees)."""
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdftoppm) is not installed: run `make deb-test`")
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "form.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "200",
                "-f",
                str(page),
                "-l",
                str(page),
                "-png",
                str(source),
                str(Path(tmp) / "p"),
            ],
            check=True,
        )
        image = Image.open(next(Path(tmp).glob("p*.png")))
        image.load()
    return [result.text for result in zxingcpp.read_barcodes(image)]
