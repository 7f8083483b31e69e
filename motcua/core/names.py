"""Comparing Vietnamese names written by different official lists.

Lists disagree on where the tone mark sits ("Hòa" vs "Hoà", "Thủy" vs "Thuỷ"): the same name, two
spellings. Folding every mark away (``core.text.fold``) would hide that, but it would also hide a real
rename such as "Hòa" → "Hóa". So the comparison key keeps each syllable's letters (with their vowel marks:
â, ê, ô, ơ, ư, ă) and its tone, but not the tone's position.
"""

from __future__ import annotations

import unicodedata

from motcua.core.text import normalize_name

# The five Vietnamese tone marks as Unicode combining characters.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def tone_key(text: str | None) -> str:
    """A key equal for two spellings of a name that differ only in tone-mark placement or case."""
    syllables = []
    for word in normalize_name(text).lower().split(" "):
        letters: list[str] = []
        tones: list[str] = []
        for ch in unicodedata.normalize("NFD", word):
            (tones if ch in _TONES else letters).append(ch)
        syllables.append(unicodedata.normalize("NFC", "".join(letters)) + "".join(tones))
    return " ".join(syllables)


def same_name(a: str | None, b: str | None) -> bool:
    """True when two names are the same once NFC, spaces, case and tone placement are normalised."""
    return tone_key(a) == tone_key(b)
