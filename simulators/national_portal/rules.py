"""The portal side's own reading of the national codes (rules.md §3.1 and §6).

The simulator judges what the HTTT sends; it must not borrow the HTTT's rules to do so, or a bug in them
would be invisible. So the status order and the identifier checks are written here again, independently.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TIMESTAMP_RE = re.compile(r"^\d{14}$")

# --- National status order (TrangThaiHoSo) --------------------------------------------------------
#
# The normal path is 1 → 2 → 4 → (5 | 6 → 4)* → 9 → 10. A status may skip ahead (2 → 9 for a same-day
# result, 1 → 4 for automatic reception). Going to a lower rank is "backwards" except for the two
# documented returns from a pause: 5 → 4 / 5 → 2 (supplement received) and 6 → 4 (obligation paid).
# 3, 7, 8 and 10 are terminal: nothing may follow them. 3 (refused at reception) only follows 1, 2 or 5;
# 7 (withdrawn) and 8 (stopped) may follow any open status before a result exists (rank < 9's).
TERMINAL = frozenset({3, 7, 8, 10})
RANK = {1: 0, 2: 1, 4: 2, 5: 3, 6: 3, 9: 4, 10: 5}
RESUMES = frozenset({(5, 4), (5, 2), (6, 4)})
STATUS_LABELS = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}


def is_allowed_transition(old: int, new: int) -> bool:
    """True when a dossier may go from national status ``old`` to ``new`` (staying put is allowed)."""
    if old == new:
        return True
    if old in TERMINAL:
        return False
    if new == 3:
        return old in (1, 2, 5)
    if new in (7, 8):
        return RANK[old] < RANK[9]
    if (old, new) in RESUMES:
        return True
    return RANK[new] >= RANK[old]


# --- Timestamps -----------------------------------------------------------------------------------


def parse_timestamp(value: str) -> dt.datetime:
    """``yyyyMMddHHmmss`` in Vietnam time → aware datetime; ValueError with the reason otherwise."""
    if not isinstance(value, str) or not TIMESTAMP_RE.match(value):
        raise ValueError("phải có dạng yyyyMMddHHmmss (14 chữ số)")
    try:
        naive = dt.datetime.strptime(value, "%Y%m%d%H%M%S")
    except ValueError:
        raise ValueError("không phải một thời điểm có thật") from None
    return naive.replace(tzinfo=VN_TZ)


def format_timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(VN_TZ).strftime("%Y%m%d%H%M%S")


def now_timestamp() -> str:
    return format_timestamp(dt.datetime.now(tz=VN_TZ))


# --- Personal identification numbers (rules.md §6) ------------------------------------------------
#
# Twelve digits: 1–3 the province of birth registration (or a country code), 4 century and sex, 5–6 the
# last two digits of the birth year, 7–12 random. There is no check digit, so only soft checks are made:
# the century digit and year must give a birth year that is not in the future, and the number must not be a
# placeholder (all one digit, or a run like 123456789012) that some systems type when the number is unknown.

CENTURY_BY_DIGIT = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}
_PLACEHOLDER_RUNS = ("0123456789012", "1234567890123", "9876543210987")


def is_placeholder_number(number: str) -> bool:
    if len(set(number)) == 1:
        return True
    return any(number in run for run in _PLACEHOLDER_RUNS) and len(number) >= 9


def birth_year_and_sex(number: str) -> tuple[int, str]:
    """From a 12-digit number: (birth year, "Nam"/"Nữ"). The number must already be 12 digits."""
    digit = int(number[3])
    year = CENTURY_BY_DIGIT[digit] + int(number[4:6])
    sex = "Nam" if digit % 2 == 0 else "Nữ"
    return year, sex


def century_digit(year: int, sex: str) -> int:
    """The 4th digit for someone born in ``year``: 0/1 1900s, 2/3 2000s, … (even male, odd female)."""
    base = {1800: 8, 1900: 0, 2000: 2, 2100: 4, 2200: 6}[year // 100 * 100]
    return base + (0 if sex == "Nam" else 1)


def check_personal_number(number: object, *, today: dt.date | None = None) -> str | None:
    """None when ``number`` looks like a real 12-digit personal number, else the reason (Vietnamese)."""
    if not isinstance(number, str) or not re.fullmatch(r"\d{12}", number):
        return "số định danh cá nhân phải gồm đúng 12 chữ số"
    if is_placeholder_number(number):
        return "số định danh là số giả (toàn một chữ số hoặc dãy liên tiếp)"
    if number[:3] == "000":
        return "3 chữ số đầu (mã nơi đăng ký khai sinh) không thể là 000"
    year, _sex = birth_year_and_sex(number)
    if year > (today or dt.date.today()).year:
        return f"chữ số thứ 4–6 cho năm sinh {year}, ở tương lai"
    return None


def check_identifier(kind: object, number: object) -> str | None:
    """DinhDanhCHS: LoaiDinhDanh 1 twelve-digit / 2 nine-digit ID card / 3 tax code."""
    if kind in (1, "1"):
        return check_personal_number(number)
    if kind in (2, "2"):
        if not isinstance(number, str) or not re.fullmatch(r"\d{9}", number):
            return "chứng minh nhân dân phải gồm đúng 9 chữ số"
        if is_placeholder_number(number):
            return "số chứng minh nhân dân là số giả"
        return None
    if kind in (3, "3"):
        if not isinstance(number, str) or not re.fullmatch(r"\d{10}(-\d{3})?", number):
            return "mã số thuế phải gồm 10 chữ số, hoặc 13 với hậu tố chi nhánh -xxx"
        if is_placeholder_number(number[:10]):
            return "mã số thuế là số giả"
        return None
    return "LoaiDinhDanh phải là 1 (12 số), 2 (9 số) hoặc 3 (mã số thuế)"


PROCEDURE_CODE_RE = re.compile(r"^\d\.\d{6}$")
RESULT_CODE_RE = re.compile(r"^KQ\.[GH]\d{2}\.\d{6}$")
# Agency codes: QCVN 102 (000.00.00.H56) or Decision 20 identifiers (H56.14): dot-separated 0-9A-Z groups.
AGENCY_CODE_RE = re.compile(r"^[0-9A-Z]{1,5}(\.[0-9A-Z]{1,5}){0,7}$")
