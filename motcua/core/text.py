"""Diacritic folding: the one owner of how Vietnamese text is made searchable.

Vietnamese users type without marks ("dang ky khai sinh") and expect to find "Đăng ký khai sinh".
Unicode decomposition strips most marks, but đ/Đ is a separate letter, not d + mark, so it is folded
explicitly. Both databases search a stored folded column, because SQLite's FTS does not fold đ.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics, fold đ→d and collapse white space."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()


def normalize_name(text: str | None) -> str:
    """Canonical composed form (NFC) with single spaces: tone-mark placement differs between lists."""
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
