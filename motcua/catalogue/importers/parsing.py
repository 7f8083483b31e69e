"""Understanding one national catalogue record: pure functions, no database.

The national portal's procedure pages were crawled as *flattened* text: table cells are glued together with
no separator ("Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp5 Ngày làm việcMiễn phí…"). Each parser here
takes one such text and returns structured items plus ``problems``: reasons why part of the text could not
be understood. A field with problems is kept raw in ``ProcedureVersion.unparsed`` and the version is marked
``partial`` so that an administrator reviews it; nothing is silently dropped or guessed without saying so.

Values are the stored choice values of ``catalogue.models`` (Channel, Level, Subject, Component.Form) and of
``deadlines.units.DurationUnit``; they are plain strings here so that this module needs no app registry.
A test checks that they match the model choices.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

from motcua.core.text import fold

T = TypeVar("T")

# --- Vocabulary (stored values) -------------------------------------------------------------------------
IN_PERSON, ONLINE, POSTAL = "in_person", "online", "postal"
WORKING_DAYS, WORKING_HOURS, CALENDAR_DAYS = "working_days", "working_hours", "calendar_days"
MONTHS, SAME_DAY, NO_LIMIT = "months", "same_day", "none"
FORM_ORIGINAL, FORM_COPY = "original", "copy"
FEE_CHARGED, FEE_MENTIONED = "charged", "mentioned"

NO_INFO = "Không có thông tin"
PROCEDURE_CODE_RE = re.compile(r"^\d\.\d{6}$")
# A result code exactly as the national catalogue defines it; a longer digit run is a different (broken) code.
RESULT_CODE_RE = re.compile(r"KQ\.[GH]\d{2}\.\d{6}(?!\d)")


@dataclass
class Parsed(Generic[T]):
    """What one parser understood (``items``), what it could not (``problems``) and what it inferred."""

    items: list[T] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def clean(text: Any) -> str:
    """Composed Unicode (tone marks are stored both ways in the crawl) and trimmed white space at the ends."""
    if text is None:
        return ""
    return unicodedata.normalize("NFC", str(text)).strip()


def is_blank(text: str) -> bool:
    return not text or text in (NO_INFO, "--", "-", "Không", "Không.")


def record_hash(raw: Mapping[str, Any]) -> str:
    """Stable hash of a source record: same content, same hash, whatever the key order in the file."""
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def field_code(name: str) -> str:
    """Deterministic code for a field (lĩnh vực) named without a code: its folded name as a slug."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")
    if len(slug) <= 50:
        return slug
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return f"{slug[:41].rstrip('-')}-{digest}"


# --- Amounts in đồng --------------------------------------------------------------------------------------
_MULTIPLIERS = {"nghìn": 1_000, "ngàn": 1_000, "triệu": 1_000_000, "tỷ": 1_000_000_000}
# "đồng" is also the first syllable of common words (đồng thời, đồng ý…); "đ" alone only as an abbreviation.
_DONG = r"(?:việt\s*nam\s*đồng|vnđ|vnd|đồng(?!\s*(?:thời|ý|bộ|nghĩa|hồ|loạt|đều)\b)|đ(?!\w))"
AMOUNT_RE = re.compile(
    rf"(?<![\d.,])(\d+(?:[.,]\d+)*)\s*(nghìn|ngàn|triệu|tỷ)?\s*{_DONG}",
    re.IGNORECASE,
)


def amount_value(number: str, multiplier: str | None = None) -> int:
    """'20.000' / '20,000' → 20000; with a multiplier a single 1–2 digit group is a decimal: '2,1 tỷ'."""
    if multiplier:
        factor = _MULTIPLIERS[multiplier.lower()]
        decimal = re.fullmatch(r"(\d+)(?:[.,](\d{1,2}))?", number)
        if decimal:
            return int(Decimal(f"{decimal.group(1)}.{decimal.group(2) or '0'}") * factor)
        return int(re.sub(r"[.,]", "", number)) * factor
    # Without a multiplier every separator is a thousands separator, whichever the writer used.
    return int(re.sub(r"[.,]", "", number))


@dataclass(frozen=True)
class AmountMention:
    value: int
    start: int
    end: int
    raw: str


def find_amounts(text: str) -> list[AmountMention]:
    """Every amount written in đồng in a text ('20.000 đồng', '20,000 VNĐ', '10 triệu đồng', '5.000đ')."""
    return [
        AmountMention(amount_value(m.group(1), m.group(2)), m.start(), m.end(), m.group(0))
        for m in AMOUNT_RE.finditer(text)
    ]


_DATE_RANGE_RE = re.compile(
    r"(?:từ|kể từ)\s*ngày\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*"
    r"(?:đến|tới)\s*(?:hết\s*)?ngày\s*(\d{1,2})/(\d{1,2})/(\d{4})",
    re.IGNORECASE,
)


def validity_range(text: str) -> tuple[date | None, date | None]:
    """'kể từ ngày 01/7/2025 đến hết ngày 31/12/2026' → the two dates (temporary fee reductions)."""
    m = _DATE_RANGE_RE.search(text)
    if not m:
        return None, None
    try:
        start = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        end = date(int(m.group(6)), int(m.group(5)), int(m.group(4)))
    except ValueError:
        return None, None
    return (start, end) if start <= end else (None, None)


# --- Durations -------------------------------------------------------------------------------------------
_UNITS = {
    "ngày làm việc": WORKING_DAYS,
    "giờ làm việc": WORKING_HOURS,
    "ngày": CALENDAR_DAYS,
    "giờ": WORKING_HOURS,
    "tháng": MONTHS,
}
_UNIT_ALTERNATIVES = "ngày làm việc|giờ làm việc|ngày|giờ|tháng"
# At most 5 digits and 2 decimals (what ChannelOption stores): a longer run is digits glued together.
_NUMBER = r"\d{1,5}(?:[.,]\d{1,2})?"
_DURATION_AT_START = re.compile(rf"({_NUMBER})\s*({_UNIT_ALTERNATIVES})", re.IGNORECASE)
# In prose the number may be spelled out too: "tối đa 10 (mười) ngày làm việc".
_DURATION_IN_TEXT = re.compile(
    rf"(?<![\d/.,])({_NUMBER})\s*(?:\([^()\d]{{1,30}}\)\s*)?({_UNIT_ALTERNATIVES})(?!\w)", re.IGNORECASE
)
# A description that says the law sets no time limit.
_NO_LIMIT_STATED_RE = re.compile(
    r"(?:chưa|không)\s+(?:có\s+)?quy\s+định(?:\s+cụ\s+thể)?(?:\s+về)?\s+thời\s+(?:gian|hạn|giạn)",
    re.IGNORECASE,
)
# Statements that the procedure has no time limit at all (not "unknown", which is ``NO_INFO``).
_NO_LIMIT_RE = re.compile(
    r"^(?:không quy định(?: thời hạn)?|không phải trả kết quả[^.]*|không có thời hạn|không)\.?$",
    re.IGNORECASE,
)


@dataclass
class Duration:
    value: Decimal | None
    unit: str  # a DurationUnit value, or "" when not understood
    text: str  # as written

    @property
    def structured(self) -> bool:
        return bool(self.unit) and (self.value is not None or self.unit in (SAME_DAY, NO_LIMIT))

    def key(self) -> tuple[Decimal | None, str]:
        return (self.value, self.unit)


def _decimal(number: str) -> Decimal:
    return Decimal(number.replace(",", "."))


def parse_duration(text: str) -> Duration:
    """One time cell: '5 Ngày làm việc', '30 Ngày', '4 Giờ', '3 Tháng', 'Trong ngày', 'Không quy định'."""
    text = clean(text)
    m = _DURATION_AT_START.fullmatch(text)
    if m:
        return Duration(_decimal(m.group(1)), _UNITS[m.group(2).lower()], text)
    if re.fullmatch(r"(?:ngay\s+)?trong\s+ngày(?:\s+làm\s+việc)?", text, re.IGNORECASE):
        return Duration(None, SAME_DAY, text)
    if _NO_LIMIT_RE.match(text):
        return Duration(None, NO_LIMIT, text)
    return Duration(None, "", text)


def durations_in(text: str) -> list[Duration]:
    """Every 'N ngày làm việc' / 'N ngày' / 'N giờ' / 'N tháng' written in prose."""
    return [
        Duration(_decimal(m.group(1)), _UNITS[m.group(2).lower()], m.group(0))
        for m in _DURATION_IN_TEXT.finditer(text)
    ]


# --- Channels × duration × fees (cach_thuc_thuc_hien) -----------------------------------------------------
CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
CHANNEL_LABELS = {"Trực tiếp": IN_PERSON, "Trực tuyến": ONLINE, "Dịch vụ bưu chính": POSTAL}
_LABEL_RE = re.compile("|".join(re.escape(label) for label in CHANNEL_LABELS))
_FEE_AMOUNT = r"(\d{1,3}(?:,\d{3})+|\d+)\s*(Việt Nam Đồng|VNĐ|VND|đồng|USD)"
_FEE_START = re.compile(rf"Miễn phí|{NO_INFO}|{_FEE_AMOUNT}")
# A unit-less number glued to the fee amount ("Trực tuyến120 VNĐ" = duration 1, fee 20): the shortest
# leading number that leaves a well-formed amount. It is a guess, so the row is reported as partial.
_GLUED_AMOUNT = re.compile(
    r"(\d+?)(?=(?:\d{1,3}(?:,\d{3})+|\d{1,3})\s*(?:Việt Nam Đồng|VNĐ|VND|USD)(?![\w]))"
)
_BARE_NUMBER = re.compile(rf"(?<!\d)({_NUMBER})(?=Miễn phí|{NO_INFO}|\s*$)")
_NO_LIMIT_CELL = re.compile(
    rf"(Không quy định|Không phải trả kết quả[^.(]*?|Không)\s*(?=Miễn phí|{NO_INFO}|\d|$)"
)
CHARGED_FEE_NAME = "Phí, lệ phí"
MAX_FEE_NAME = 500


@dataclass
class FeeSpec:
    name: str
    amount: int | None  # đồng; None when the fee is not in đồng (USD) or not stated as a number
    text: str
    kind: str = FEE_CHARGED
    exemption_note: str = ""
    valid_from: date | None = None
    valid_to: date | None = None

    def key(self) -> tuple:
        return (self.kind, self.name, self.amount, self.text, self.valid_from, self.valid_to)


@dataclass
class ChannelRow:
    channel: str
    duration: Duration
    fee: FeeSpec | None
    note: str
    description: str


@dataclass
class ChannelSpec:
    channel: str
    duration: Duration
    duration_text: str
    description: str
    fees: list[FeeSpec]


def _closing_paren(text: str, start: int) -> int:
    """Index just past the parenthesis that closes ``text[start]`` ('('), or -1 when it never closes."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    return -1


def _clause_around(text: str, start: int, end: int) -> str:
    """The phrase an amount belongs to, to name the fee ('Sát hạch lý thuyết: 600.000 đồng/lần')."""
    left = max(text.rfind(d, 0, start) for d in (";", "\n", "\t", "(", "+ ", "- ", ". "))
    left = 0 if left < 0 else left + 1
    rights = [i for i in (text.find(d, end) for d in (";", "\n", "\t", ")", ". ", " +", " - ")) if i >= 0]
    right = min(rights) if rights else len(text)
    return text[left:right].strip(" -+.,;:()\t\n")


def mentioned_fees(text: str, charged: int | None) -> list[FeeSpec]:
    """Each amount written in đồng inside a fee note or description, as a fee row of kind 'mentioned'."""
    fees = []
    for mention in find_amounts(text):
        if mention.value == charged:
            continue  # the note repeats the charged amount ("100.000 đồng/giấy"): nothing new
        clause = _clause_around(text, mention.start, mention.end) or mention.raw
        valid_from, valid_to = validity_range(clause)
        fees.append(
            FeeSpec(
                name=clause[:MAX_FEE_NAME],
                amount=mention.value,
                text=clause,
                kind=FEE_MENTIONED,
                valid_from=valid_from,
                valid_to=valid_to,
            )
        )
    return fees


def _row_starts(body: str) -> list[re.Match[str]]:
    # A label starts a row only when the time cell follows glued to it (a digit or a capital); the same words
    # inside a description are followed by ':' or a space ("Trực tiếp: nộp hồ sơ tại…").
    starts = []
    for m in _LABEL_RE.finditer(body):
        following = body[m.end() : m.end() + 1]
        if following and (following.isdigit() or following.isupper()):
            starts.append(m)
    return starts


def _parse_row(channel: str, cell: str, problems: list[str], warnings: list[str]) -> ChannelRow:
    label = next(k for k, v in CHANNEL_LABELS.items() if v == channel)
    duration: Duration
    rest: str
    if m := _DURATION_AT_START.match(cell):
        duration = Duration(_decimal(m.group(1)), _UNITS[m.group(2).lower()], m.group(0))
        rest = cell[m.end() :]
    elif cell.startswith(NO_INFO):
        duration, rest = Duration(None, "", NO_INFO), cell[len(NO_INFO) :]
    elif m := re.match(r"(?:Ngay trong|Trong) ngày(?: làm việc)?", cell):
        duration, rest = Duration(None, SAME_DAY, m.group(0)), cell[m.end() :]
    elif m := _BARE_NUMBER.match(cell):
        duration, rest = Duration(_decimal(m.group(1)), "", m.group(1)), cell[m.end() :]
    elif m := _GLUED_AMOUNT.match(cell):
        duration, rest = Duration(_decimal(m.group(1)), "", m.group(1)), cell[m.end() :]
        problems.append(
            f"{label}: số '{m.group(1)}' dính liền số tiền, đã tách thành thời hạn '{m.group(1)}' "
            f"và phí '{rest.split('(')[0].strip()}' — cần kiểm tra."
        )
    elif m := _NO_LIMIT_CELL.match(cell):
        duration, rest = Duration(None, NO_LIMIT, m.group(1).strip()), cell[m.end() :]
    else:
        fee_at = _FEE_START.search(cell)
        cut = fee_at.start() if fee_at else len(cell)
        duration, rest = parse_duration(cell[:cut]), cell[cut:]
        if not duration.structured:
            problems.append(f"{label}: không hiểu thời hạn '{duration.text[:120]}'.")

    fee: FeeSpec | None = None
    rest = rest.lstrip()
    if rest.startswith("Miễn phí"):
        fee = FeeSpec(name=CHARGED_FEE_NAME, amount=0, text="Miễn phí", exemption_note="Miễn phí")
        rest = rest[len("Miễn phí") :]
    elif rest.startswith(NO_INFO):
        rest = rest[len(NO_INFO) :]
    elif m := re.match(_FEE_AMOUNT, rest):
        currency = m.group(2)
        if currency == "USD":
            fee = FeeSpec(name=CHARGED_FEE_NAME, amount=None, text=m.group(0))
        else:
            fee = FeeSpec(name=CHARGED_FEE_NAME, amount=amount_value(m.group(1)), text=m.group(0))
        rest = rest[m.end() :]
    elif rest.strip():
        problems.append(f"{label}: không đọc được phí, lệ phí trong '{rest[:120]}'.")

    note = ""
    if fee is not None and rest.startswith("("):
        end = _closing_paren(rest, 0)
        end = len(rest) if end < 0 else end
        note, rest = rest[1 : end - 1 if rest[end - 1 : end] == ")" else end].strip(), rest[end:]
        fee.text = f"{fee.text} ({note})"
        if fee.amount == 0:
            fee.exemption_note = f"Miễn phí ({note})"
    description = rest.strip()
    if is_blank(description):
        description = ""
    return ChannelRow(channel, duration, fee, note, description)


def _infer_unit(row: ChannelRow, context: str) -> Duration | None:
    """A unit-less number ('5') takes its unit from the same number written with a unit nearby."""
    value = row.duration.value
    if value is None:
        return None
    for source in (row.description, row.note, context):
        for candidate in durations_in(source):
            if candidate.value == value:
                return candidate
    return None


def _complete_duration(row: ChannelRow, context: str, only_in_steps: Duration | None, result: Parsed) -> None:
    """Give a row whose time cell has no unit (or no value) the duration stated elsewhere, saying where."""
    label = next(k for k, v in CHANNEL_LABELS.items() if v == row.channel)
    stated = {d.key(): d for d in durations_in(row.description)}
    only_stated = next(iter(stated.values())) if len(stated) == 1 else None
    if row.duration.value is not None and not row.duration.unit:
        inferred = _infer_unit(row, context)
        source = "số cùng giá trị trong trang"
        if inferred is None and only_stated is not None:
            # The number is a placeholder ("1") and the description states the one real time limit.
            inferred, source = only_stated, "mô tả"
        if inferred is None and only_in_steps is not None:
            inferred, source = only_in_steps, "trình tự thực hiện"
        if inferred is None:
            result.problems.append(f"{label}: thời hạn '{row.duration.text}' không ghi đơn vị.")
            return
        row.duration = Duration(inferred.value, inferred.unit, row.duration.text)
        result.problems.append(
            f"{label}: thời hạn '{row.duration.text}' không ghi đơn vị; lấy '{inferred.text}' từ {source} "
            "— cần kiểm tra."
        )
    elif row.duration.text == NO_INFO:
        if not stated and _NO_LIMIT_STATED_RE.search(row.description):
            row.duration = Duration(None, NO_LIMIT, NO_INFO)
            result.warnings.append(f"{label}: mô tả nêu không quy định thời hạn giải quyết.")
            return
        found, source = (only_stated, "mô tả") if only_stated else (only_in_steps, "trình tự thực hiện")
        if stated and not only_stated:
            return  # the description states several limits (several cases or steps): none is the total
        if found is not None:
            row.duration = Duration(found.value, found.unit, NO_INFO)
            result.problems.append(
                f"{label}: cột thời hạn để trống; lấy '{found.text}' từ {source} — cần kiểm tra."
            )


def parse_channels(text: str, context: str = "", steps_text: str = "") -> Parsed[ChannelSpec]:
    """``cach_thuc_thuc_hien`` → one ChannelSpec per channel (duration, its original text, fees).

    ``context`` (the page text) is where a unit-less duration looks for the same number with its unit;
    ``steps_text`` (trình tự thực hiện) is used when it states exactly one time limit and the cell has none.
    Every duration taken from elsewhere than its cell is reported as a problem, for review."""
    result: Parsed[ChannelSpec] = Parsed()
    text = clean(text)
    if is_blank(text):
        return result
    if not text.startswith(CHANNEL_HEADER):
        result.problems.append("Không thấy tiêu đề bảng 'Hình thức nộp / Thời gian / Phí, lệ phí / Mô tả'.")
        return result
    body = text[len(CHANNEL_HEADER) :]
    starts = _row_starts(body)
    if not starts:
        result.problems.append("Không tìm thấy hình thức nộp nào (Trực tiếp, Trực tuyến, Dịch vụ bưu chính).")
        return result
    if body[: starts[0].start()].strip():
        result.problems.append(f"Nội dung không thuộc hàng nào: '{body[: starts[0].start()][:120]}'.")

    rows: list[ChannelRow] = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(body)
        rows.append(
            _parse_row(CHANNEL_LABELS[m.group(0)], body[m.end() : end], result.problems, result.warnings)
        )

    # The steps text states the time limit once in many records whose table cell lost it.
    in_steps = {d.key(): d for d in durations_in(steps_text)}
    only_in_steps = next(iter(in_steps.values())) if len(in_steps) == 1 else None
    for row in rows:
        _complete_duration(row, context, only_in_steps, result)

    by_channel: dict[str, list[ChannelRow]] = {}
    for row in rows:
        by_channel.setdefault(row.channel, []).append(row)
    for channel, channel_rows in by_channel.items():
        label = next(k for k, v in CHANNEL_LABELS.items() if v == channel)
        distinct = {r.duration.key() for r in channel_rows}
        if len(distinct) > 1:
            # One channel, several cases with their own time limits: the model holds one duration per
            # channel, so the first case with a readable duration is kept and the others stay in the text.
            result.problems.append(
                f"{label}: {len(channel_rows)} trường hợp với thời hạn khác nhau; "
                "giữ thời hạn của trường hợp đầu tiên đọc được."
            )
        fees: list[FeeSpec] = []
        seen: set[tuple] = set()
        for row in channel_rows:
            row_fees = [row.fee] if row.fee else []
            charged = row.fee.amount if row.fee else None
            row_fees += mentioned_fees(row.note, charged) + mentioned_fees(row.description, charged)
            for fee in row_fees:
                if fee.key() not in seen:
                    seen.add(fee.key())
                    fees.append(fee)
        first = channel_rows[0]
        kept = next((r.duration for r in channel_rows if r.duration.structured), first.duration)
        if len(channel_rows) == 1:
            duration_text = first.duration.text
            description = first.description
        else:
            duration_text = "\n".join(
                f"{r.duration.text} — {r.description[:200]}".strip(" —") for r in channel_rows
            )
            description = "\n".join(r.description for r in channel_rows if r.description)
        result.items.append(ChannelSpec(channel, kept, duration_text, description, fees))
    return result


# --- Dossier components (thanh_phan_ho_so) ------------------------------------------------------------------
COMPONENT_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
# The quantity cell: '1 bản chính', '0 bản chính,1 bản sao', '1 bản sao'. Prose inside names writes '02 bản
# chính' (leading zero), '01 (một) bản sao' or is followed by a space/full stop, so only a glued cell counts.
_COUNT_RE = re.compile(
    r"(?:(?<=\d)(\d)|(?<!\d)(0|[1-9]\d{0,2})) bản (chính|sao)(?:,(\d+) bản sao)?(?=$|[^\s.,;:)])"
)
_TEMPLATE_EXT_RE = re.compile(r"\.(?:docx?|xlsx?|pdf|odt|rtf|zip|rar)$", re.IGNORECASE)
_TEMPLATE_IN_NAME_RE = re.compile(r"\b(?:theo\s+)?(mẫu(?:\s+số)?\s+[0-9A-ZĐa-z][\w./\-]*)", re.IGNORECASE)
MAX_TEMPLATE = 255
_TEMPLATE_STARTS = ("mẫu", "Mẫu", "MẪU", "Mau", "MAU", "Phụ lục", "PHỤ LỤC", "Phu luc", "PL ")


@dataclass
class ComponentSpec:
    name: str
    original_count: int
    copy_count: int
    form: str
    condition: str = ""
    template_name: str = ""
    replacing_result_code: str = ""


def _filename_start(text: str, ext_start: int) -> int:
    """Where a template file name glued after the component name begins (-1 when it cannot be told)."""
    for i in range(ext_start - 1, max(0, ext_start - 150), -1):
        before, here = text[i - 1], text[i]
        after = text[i + 1] if i + 1 < len(text) else ""
        if here.isspace():
            continue
        if before in ";:)" and not here.isspace():
            return i
        if before == "." and (here.isalpha() or here.isdigit()):
            prior = text[i - 2] if i >= 2 else ""
            if not (prior.isupper() or prior.isdigit()) or (here.isupper() and after.islower()):
                return i
        if before.islower() and here.isupper() and (after.islower() or after == " "):
            return i
        if text[:i].endswith(("bản chính", "bản sao", ".docx", ".doc", ".pdf", ".xlsx", ".xls")):
            return i
        if before.isalpha() and text.startswith(_TEMPLATE_STARTS, i):
            return i  # 'khoanh nợmẫu số 03.docx': a form's file name glued after the last word
    return -1


def split_template(name: str) -> tuple[str, str]:
    """'Tờ khai theo mẫuMẫu 01.docx' → ('Tờ khai theo mẫu', 'Mẫu 01.docx'); a named form ('theo Mẫu số 02')
    becomes the template name when no file is attached."""
    ext = _TEMPLATE_EXT_RE.search(name)
    if ext:
        start = _filename_start(name, ext.start())
        if start > 0:
            return name[:start].strip(), name[start:].strip()[:MAX_TEMPLATE]
    mention = _TEMPLATE_IN_NAME_RE.search(name)
    if mention:
        return name, mention.group(1).rstrip(".,;:)")[:MAX_TEMPLATE]
    return name, ""


def parse_components(text: str) -> Parsed[ComponentSpec]:
    """``thanh_phan_ho_so`` → components with their quantities, section (case) and template name."""
    result: Parsed[ComponentSpec] = Parsed()
    text = clean(text)
    if is_blank(text):
        return result
    if COMPONENT_HEADER not in text:
        codes = RESULT_CODE_RE.findall(text)
        if codes and not RESULT_CODE_RE.sub("", text).strip(" ,;\n"):
            # Only result codes: the components are results already in the national data store.
            for code in codes:
                result.items.append(
                    ComponentSpec(
                        f"Kết quả giải quyết mã {code}", 1, 0, FORM_ORIGINAL, replacing_result_code=code
                    )
                )
            result.problems.append("Thành phần hồ sơ chỉ ghi mã kết quả, không có tên giấy tờ.")
        else:
            result.problems.append("Không thấy bảng 'Tên giấy tờ / Mẫu đơn, tờ khai / Số lượng'.")
        return result

    sections = text.split(COMPONENT_HEADER)
    condition = sections[0].strip()
    for body in sections[1:]:
        condition = "" if is_blank(condition) else condition.strip(" *:")
        position = 0
        for m in _COUNT_RE.finditer(body):
            raw_name = body[position : m.start()].strip()
            position = m.end()
            count = int(m.group(1) or m.group(2))
            originals, copies = (count, int(m.group(4) or 0)) if m.group(3) == "chính" else (0, count)
            if not raw_name:
                result.problems.append(f"Một dòng số lượng '{m.group(0)}' không có tên giấy tờ.")
                continue
            name, template = split_template(raw_name)
            code = RESULT_CODE_RE.search(name)
            result.items.append(
                ComponentSpec(
                    name=name,
                    original_count=originals,
                    copy_count=copies,
                    form=FORM_COPY if originals == 0 and copies > 0 else FORM_ORIGINAL,
                    condition=condition,
                    template_name=template,
                    replacing_result_code=code.group(0) if code else "",
                )
            )
        # What follows the last quantity is the title of the next section ('* Trường hợp ủy quyền…').
        condition = body[position:].strip()
    if condition and not is_blank(condition):
        result.problems.append(f"Nội dung sau dòng cuối cùng không có số lượng: '{condition[:120]}'.")
    return result


# --- Legal basis (can_cu_phap_ly) ---------------------------------------------------------------------------
LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
# '08/2015/NĐ-CP', 'Luật số 32/2024/QH15', '66.7/2025/NQ-CP', '2222/QĐ-BHXH', '1/2020/QĐ-TTg'. Each issuer
# part is capitals not followed by a lower-case letter, so that the capital starting the next glued title
# ('NĐ-CPLuật…') is not swallowed; QH carries the legislature number.
_LOWER = "a-zđàáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ"
_ISSUER_PART = rf"(?:[A-ZĐ]*QH\d{{2}}|TTg|[A-ZĐ]+(?![{_LOWER}]))"
# A number starts after a non-digit, or glued after the previous number ('QH1354/2014/QH13') or after a date
# that ends the previous title ('ngày 29/11/2019106/2021/TT-BTC').
_NUMBER_START = (
    r"(?:(?<=QH\d\d)|(?<=\d/\d/\d{4})|(?<=\d/\d\d/\d{4})|(?<=\s\d{4})|(?<=\d{4}\.)|(?<![\d/])(?<!\d\.))"
)
_LEGAL_NUMBER_RE = re.compile(
    rf"{_NUMBER_START}\d{{1,4}}[a-z]?(?:\.\d{{1,2}})?(?:/\d{{4}})?/{_ISSUER_PART}(?:-{_ISSUER_PART})*"
)
_LAW_PREFIX_RE = re.compile(r"Luật(?:\s+số)?\s*$")


@dataclass
class LegalBasisSpec:
    number: str
    title: str


def _ends_legal_row(after: str) -> bool:
    """Whether what follows a document number shows it is the row's number column, not a quotation."""
    punctuation = len(after) - len(after.lstrip(".;,"))
    rest = after[punctuation:]
    if not rest.strip():
        return True  # the end of the table
    if punctuation:
        return not rest[0].isspace()  # 'NĐ-CP;Thông tư…' glued after the punctuation
    if rest[0] in ":)":
        return False
    return not rest[0].isspace() or rest[1:2].isupper()


def parse_legal_bases(text: str) -> Parsed[LegalBasisSpec]:
    """``can_cu_phap_ly`` → (number, title) rows. A row is a title glued to its number: the number is the
    one that ends the row (followed by the next title or the end), not one quoted inside the title."""
    result: Parsed[LegalBasisSpec] = Parsed()
    text = clean(text)
    if is_blank(text):
        return result
    if not text.startswith(LEGAL_HEADER):
        result.problems.append("Không thấy tiêu đề bảng 'Tên văn bản pháp lý / Mã văn bản'.")
        return result
    body = text[len(LEGAL_HEADER) :]
    position = 0
    for m in _LEGAL_NUMBER_RE.finditer(body):
        if _LEGAL_NUMBER_RE.match(body, m.end()):
            continue  # 'Nghị định 55/2015/NĐ-CP55/2015/NĐ-CP': the first is quoted in the title
        if not _ends_legal_row(body[m.end() :]):
            continue
        title = body[position : m.start()].strip(" ;,")
        number = m.group(0).strip()
        prefix = _LAW_PREFIX_RE.search(title)
        if prefix and title[: prefix.start()].strip():
            # 'Luật Các tổ chức tín dụngLuật số 32/2024/QH15': the number column reads 'Luật số …'.
            number = f"{prefix.group(0).strip()} {number}"
            title = title[: prefix.start()].strip(" ;,")
        result.items.append(LegalBasisSpec(number=number[:100], title=title or number))
        position = m.end()
    leftover = body[position:].strip(" ;,.")
    if leftover:
        result.problems.append(f"Văn bản không có số hiệu: '{leftover[:120]}'.")
    if not result.items and not leftover:
        result.problems.append("Bảng căn cứ pháp lý trống.")
    return result


# --- Results (ket_qua_xu_ly) --------------------------------------------------------------------------------
# What the crawl appended after the results: the portal's search widgets.
_RESULT_TAIL_RE = re.compile(r"Từ khóa.*\Z", re.DOTALL)
_RAW_CODE_RE = re.compile(r"[A-Z0-9][A-Za-z0-9.\-]*\d")


@dataclass
class ResultSpec:
    name: str
    result_code: str  # a valid KQ.Gxx.nnnnnn / KQ.Hxx.nnnnnn, else ""
    raw_code: str  # the code as published, even when it is not a valid result code


def result_section_of_raw_text(raw_text: str) -> str:
    """The 'Kết quả xử lý' part of the page text (used when the crawl put something else in ket_qua_xu_ly)."""
    start = raw_text.find("Kết quả xử lý")
    if start < 0:
        return ""
    return _RESULT_TAIL_RE.sub("", raw_text[start + len("Kết quả xử lý") :]).strip()


def parse_results(text: str) -> Parsed[ResultSpec]:
    """``ket_qua_xu_ly`` → result documents 'name + Mã: code', every KQ code extracted."""
    result: Parsed[ResultSpec] = Parsed()
    text = _RESULT_TAIL_RE.sub("", clean(text)).strip()
    if is_blank(text):
        return result
    parts = re.split(r"Mã:\s*", text)
    name = parts[0]
    for part in parts[1:]:
        standard = RESULT_CODE_RE.match(part)
        raw = standard or _RAW_CODE_RE.match(part)
        if raw is None:
            result.problems.append(f"Không đọc được mã kết quả sau 'Mã:' trong '{part[:80]}'.")
            name = f"{name} Mã: {part}"
            continue
        code = raw.group(0)
        if not standard:
            result.warnings.append(f"Mã kết quả '{code}' không đúng dạng KQ.Gxx.nnnnnn; giữ nguyên văn.")
        result.items.append(
            ResultSpec(name=_result_name(name) or code, result_code=code if standard else "", raw_code=code)
        )
        name = part[raw.end() :]
    name = _result_name(name)
    if name:
        # A result without 'Mã:', or a trailing one; codes written in the name itself are still extracted.
        codes = RESULT_CODE_RE.findall(name)
        if codes:
            for code in codes:
                result.items.append(ResultSpec(name=name, result_code=code, raw_code=code))
        else:
            result.items.append(ResultSpec(name=name, result_code="", raw_code=""))
    return result


def _result_name(text: str) -> str:
    return text.strip().lstrip("+-* ").strip()


# --- Levels and subjects ------------------------------------------------------------------------------------
LEVELS = {"cấp bộ": "ministry", "cấp tỉnh": "province", "cấp xã": "commune", "cơ quan khác": "other"}
# Longest phrases first: several contain commas ("Cán bộ, công chức, viên chức").
SUBJECTS = [
    ("tổ chức (không bao gồm doanh nghiệp, htx)", "organisation"),
    ("cán bộ, công chức, viên chức", "citizen"),
    ("người việt nam định cư ở nước ngoài", "citizen"),
    ("người nước ngoài cư trú tại việt nam", "citizen"),
    ("doanh nghiệp có vốn đầu tư nước ngoài", "enterprise"),
    ("doanh nghiệp việt nam", "enterprise"),
    ("công dân việt nam", "citizen"),
    ("người nước ngoài", "citizen"),
    ("tổ chức nước ngoài", "organisation"),
    ("cơ quan nhà nước", "agency"),
    ("tổ chức đảng", "organisation"),
    ("doanh nghiệp", "enterprise"),
    ("hợp tác xã", "enterprise"),
    ("hộ kinh doanh", "enterprise"),
    ("đảng viên", "citizen"),
    ("cá nhân", "citizen"),
    ("tổ chức", "organisation"),
]


def parse_levels(text: str) -> Parsed[str]:
    result: Parsed[str] = Parsed()
    text = clean(text)
    if is_blank(text):
        return result
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        level = LEVELS.get(part.lower())
        if level is None:
            result.problems.append(f"Cấp thực hiện không rõ: '{part}'.")
        elif level not in result.items:
            result.items.append(level)
    return result


def parse_subjects(text: str) -> Parsed[str]:
    result: Parsed[str] = Parsed()
    rest = clean(text).lower()
    if is_blank(rest):
        return result
    while rest:
        rest = rest.lstrip(" ,;")
        if not rest:
            break
        for phrase, subject in SUBJECTS:
            if rest.startswith(phrase) and (len(rest) == len(phrase) or rest[len(phrase)] in " ,;"):
                if subject not in result.items:
                    result.items.append(subject)
                rest = rest[len(phrase) :]
                break
        else:
            unknown, _, rest = rest.partition(",")
            result.problems.append(f"Đối tượng thực hiện không rõ: '{unknown.strip()}'.")
    return result


# --- A whole record -----------------------------------------------------------------------------------------
class RecordRejected(Exception):
    """The record cannot be imported at all; the message (Vietnamese) says why."""


@dataclass
class ProcedureSpec:
    code: str
    name: str
    kind: str  # "national" (a full record) or "list" (a row of the portal's procedure list)
    field_name: str = ""
    levels: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    procedure_type: str = ""
    competent_agency_text: str = ""
    coordinating_agencies_text: str = ""
    announcing_decision: str = ""
    steps_text: str = ""
    conditions_text: str = ""
    online_level: str = "none"
    channels: list[ChannelSpec] = field(default_factory=list)
    components: list[ComponentSpec] = field(default_factory=list)
    legal_bases: list[LegalBasisSpec] = field(default_factory=list)
    results: list[ResultSpec] = field(default_factory=list)
    unparsed: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "partial" if self.unparsed else "ok"


def check_code(raw_code: Any) -> str:
    code = clean(raw_code)
    if not code:
        raise RecordRejected("Thiếu mã thủ tục (ma_thu_tuc).")
    if not PROCEDURE_CODE_RE.match(code):
        raise RecordRejected(f"Mã thủ tục '{code[:40]}' không đúng dạng N.NNNNNN (ví dụ 1.001193).")
    return code


def _text_field(raw: Mapping[str, Any], key: str) -> str:
    value = clean(raw.get(key))
    return "" if is_blank(value) else value


def _limited(spec: ProcedureSpec, label: str, text: str, limit: int) -> str:
    if len(text) > limit:
        spec.warnings.append(f"{label} dài hơn {limit} ký tự, đã cắt bớt.")
        return text[: limit - 1] + "…"
    return text


def parse_national_record(raw: Mapping[str, Any]) -> ProcedureSpec:
    """A record of the national catalogue crawl (all values strings) → ProcedureSpec, or RecordRejected."""
    code = check_code(raw.get("ma_thu_tuc"))
    name = clean(raw.get("ten_thu_tuc"))
    if not name:
        raise RecordRejected(f"Thủ tục {code} không có tên (ten_thu_tuc).")
    spec = ProcedureSpec(code=code, name=name, kind="national")
    spec.name = _limited(spec, "Tên thủ tục", name, 1000)
    spec.field_name = _limited(spec, "Lĩnh vực", _text_field(raw, "linh_vuc"), 255)
    spec.procedure_type = _limited(spec, "Loại thủ tục", _text_field(raw, "loai_thu_tuc"), 255)
    agency = _text_field(raw, "co_quan_co_tham_quyen") or _text_field(raw, "co_quan_thuc_hien")
    spec.competent_agency_text = _limited(spec, "Cơ quan có thẩm quyền", agency, 1000)
    spec.coordinating_agencies_text = _text_field(raw, "co_quan_phoi_hop")
    spec.announcing_decision = _limited(spec, "Quyết định công bố", _text_field(raw, "so_quyet_dinh"), 255)
    spec.steps_text = _text_field(raw, "trinh_tu_thuc_hien")
    conditions = _RESULT_TAIL_RE.sub("", clean(raw.get("yeu_cau_dieu_kien")))
    spec.conditions_text = "" if is_blank(conditions.strip()) else conditions.strip()

    def take(key: str, parsed: Parsed[T]) -> list[T]:
        if parsed.problems:
            spec.unparsed[key] = clean(raw.get(key))
            spec.warnings.extend(parsed.problems)
        spec.warnings.extend(parsed.warnings)
        return parsed.items

    spec.levels = take("cap_thuc_hien", parse_levels(raw.get("cap_thuc_hien", "")))
    spec.subjects = take("doi_tuong_thuc_hien", parse_subjects(raw.get("doi_tuong_thuc_hien", "")))
    spec.channels = take(
        "cach_thuc_thuc_hien",
        parse_channels(
            raw.get("cach_thuc_thuc_hien", ""), clean(raw.get("raw_text")) or spec.steps_text, spec.steps_text
        ),
    )
    spec.components = take("thanh_phan_ho_so", parse_components(raw.get("thanh_phan_ho_so", "")))
    spec.legal_bases = take("can_cu_phap_ly", parse_legal_bases(raw.get("can_cu_phap_ly", "")))

    results_text = clean(raw.get("ket_qua_xu_ly"))
    from_page = result_section_of_raw_text(clean(raw.get("raw_text")))
    if "Mã:" not in results_text and "Mã:" in from_page:
        # The crawl sometimes put another section (or nothing) in ket_qua_xu_ly; the page text has them.
        spec.warnings.append(
            "Kết quả xử lý lấy từ nội dung trang (raw_text) vì trường ket_qua_xu_ly không có mã."
        )
        results_text = from_page
    spec.results = take("ket_qua_xu_ly", parse_results(results_text))

    # The record does not say whether the online service is full or partial; claiming "full" without a
    # source would be worse than asking the administrator, so an online channel means "partial".
    spec.online_level = "partial" if any(c.channel == ONLINE for c in spec.channels) else "none"
    return spec


def parse_list_record(raw: Mapping[str, Any]) -> ProcedureSpec:
    """A row of the portal's procedure list: code, name, implementing agencies, field."""
    code = check_code(raw.get("ma_thu_tuc"))
    name = clean(raw.get("ten_thu_tuc"))
    if not name:
        raise RecordRejected(f"Thủ tục {code} không có tên (cột 'Tên').")
    spec = ProcedureSpec(code=code, name="", kind="list")
    spec.name = _limited(spec, "Tên thủ tục", name, 1000)
    spec.field_name = _limited(spec, "Lĩnh vực", _text_field(raw, "linh_vuc"), 255)
    agencies = [line.strip() for line in clean(raw.get("co_quan_thuc_hien")).splitlines() if line.strip()]
    spec.competent_agency_text = _limited(spec, "Cơ quan thực hiện", "; ".join(agencies), 1000)
    return spec
