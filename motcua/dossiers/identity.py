"""Identity numbers of applicants (rules.md §6): validated strictly on form, softly on meaning.

The 12-digit personal identification number has NO check digit; nothing here invents one. What can be
checked is the form (12 digits), the century/sex digit and the birth year against a given birth date —
and those are only consistency warnings, because the register, not this code, is the authority.
"""

from __future__ import annotations

import re
from datetime import date

_PERSONAL = re.compile(r"^\d{12}$")
_LEGACY = re.compile(r"^\d{9}$")
_TAX = re.compile(r"^\d{10}(-\d{3})?$")


def id_number_error(kind: str, number: str) -> str | None:
    """A Vietnamese error message when the number cannot be of that kind, else None."""
    number = (number or "").strip()
    if kind == "personal":
        if not _PERSONAL.match(number):
            return "Số định danh cá nhân phải gồm đúng 12 chữ số."
        if len(set(number)) == 1:
            return "Số định danh cá nhân không hợp lệ (không dùng số giả định)."
        return None
    if kind == "legacy_card":
        if not _LEGACY.match(number):
            return "Số chứng minh nhân dân phải gồm đúng 9 chữ số."
        return None
    if kind == "tax_code":
        if not _TAX.match(number):
            return "Mã số thuế phải gồm 10 chữ số, hoặc 13 ký tự dạng 0123456789-001."
        return None
    return f"Loại giấy tờ '{kind}' không hợp lệ."


def personal_number_warnings(number: str, birth_date: date | None) -> list[str]:
    """Soft checks of the century/sex digit and birth year against a birth date."""
    if not _PERSONAL.match(number or "") or birth_date is None:
        return []
    century_digit = int(number[3])
    century = 1900 + 100 * (century_digit // 2)
    year = century + int(number[4:6])
    if year != birth_date.year:
        return [f"Năm sinh theo số định danh ({year}) khác năm sinh đã khai ({birth_date.year})."]
    return []
