"""Reading the figures file of ``motcua index score --inputs FILE.json``.

    {"period": "quarter",                      optional; only needed for 1.4's fallback
     "items": {"1.1": [3, 4],                  [numerator, denominator] for every item
               "1.4": [950, 1000, 950],        or [synchronised, national_reporting_count, portal_count]
               ...}}

1.4 also takes an object, which is the only way to give the fallback for a period with no national counts:
``{"synchronised": 0, "reporting": 0, "portal": 0, "previous_year_total": 4000}`` (with ``"period"`` set).
Counts are whole, non-negative JSON numbers. Every problem in the file is reported at once, naming the item.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from motcua.indicators import scoring


class ScoreFileError(ValueError):
    pass


def _count(value: Any, what: str) -> Decimal:
    """A whole, non-negative count; raises ValueError with a Vietnamese reason."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError(
            _("%(what)s phải là số nguyên không âm, nhận được %(v)s")
            % {"what": what, "v": json.dumps(value, default=str)}
        )
    number = Decimal(value)
    if number < 0 or number != number.to_integral_value():
        raise ValueError(
            _("%(what)s phải là số nguyên không âm, nhận được %(v)s") % {"what": what, "v": value}
        )
    return number


def _figure(number: str, raw: Any, period: scoring.PeriodKind | None) -> scoring.Figure:
    if number == scoring.NATIONAL_COUNTS_ITEM and isinstance(raw, Mapping):
        allowed = {"synchronised", "reporting", "portal", "previous_year_total"}
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise ValueError(
                _("khóa không hợp lệ %(k)s (được dùng: %(ok)s)")
                % {"k": ", ".join(unknown), "ok": ", ".join(sorted(allowed))}
            )
        missing = sorted({"synchronised", "reporting", "portal"} - set(raw))
        if missing:
            raise ValueError(_("thiếu %s") % ", ".join(missing))
        fallback = None
        if raw.get("previous_year_total") is not None:
            if period is None:
                raise ValueError(
                    _('có previous_year_total thì tệp phải có "period" (month, quarter hoặc year)')
                )
            fallback = scoring.fallback_denominator(
                _count(raw["previous_year_total"], "previous_year_total"), period
            )
        return scoring.Figure(
            numerator=_count(raw["synchronised"], "synchronised"),
            denominator=_count(raw["reporting"], "reporting"),
            alternative_denominators=(_count(raw["portal"], "portal"),),
            fallback_denominator=fallback,
        )
    if not isinstance(raw, list):
        raise ValueError(_("phải là [tử số, mẫu số], nhận được %s") % json.dumps(raw, default=str))
    if number == scoring.NATIONAL_COUNTS_ITEM and len(raw) == 3:
        return scoring.Figure(
            numerator=_count(raw[0], _("số hồ sơ đồng bộ")),
            denominator=_count(raw[1], _("số hồ sơ trên hệ thống báo cáo quốc gia")),
            alternative_denominators=(_count(raw[2], _("số hồ sơ trên Cổng")),),
        )
    if len(raw) != 2:
        if number == scoring.NATIONAL_COUNTS_ITEM:
            raise ValueError(
                _("phải là [tử số, mẫu số] hoặc [đồng bộ, hệ thống báo cáo, Cổng], nhận được %s phần tử")
                % len(raw)
            )
        raise ValueError(_("phải là [tử số, mẫu số], nhận được %s phần tử") % len(raw))
    return scoring.Figure(numerator=_count(raw[0], _("tử số")), denominator=_count(raw[1], _("mẫu số")))


def parse_figures(data: Any, definition: scoring.Definition | None = None) -> dict[str, scoring.Figure]:
    """Figures from already-decoded JSON (floats as Decimal).

    Raises ScoreFileError for a wrong shape, or FiguresError listing every item's problem at once: malformed
    figures and, when ``definition`` is given, missing, unknown and inconsistent ones too.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("items"), Mapping):
        raise ScoreFileError(_('phải là một đối tượng JSON có khóa "items": {"1.1": [tử số, mẫu số], …}'))
    unknown_keys = sorted(set(data) - {"items", "period"})
    if unknown_keys:
        raise ScoreFileError(_("khóa không hợp lệ ở cấp ngoài cùng: %s") % ", ".join(unknown_keys))
    period = None
    if data.get("period") is not None:
        try:
            period = scoring.PeriodKind(data["period"])
        except ValueError:
            raise ScoreFileError(
                _('"period" phải là month, quarter hoặc year, nhận được %s')
                % json.dumps(data["period"], default=str)
            ) from None
    figures: dict[str, scoring.Figure] = {}
    problems: dict[str, str] = {}
    for number, raw in data["items"].items():
        try:
            figures[number] = _figure(number, raw, period)
        except ValueError as exc:
            problems[number] = str(exc)
    if definition is not None:
        # An item whose figure could not be read is reported as malformed, not also as missing.
        for number, reason in scoring.problems_in(definition, figures).items():
            problems.setdefault(number, reason)
    if problems:
        raise scoring.FiguresError(dict(sorted(problems.items(), key=lambda kv: scoring.natural_key(kv[0]))))
    return figures


def read_figures(path: Path, definition: scoring.Definition | None = None) -> dict[str, scoring.Figure]:
    """Figures from a file; every error message starts with the file's name."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScoreFileError(_("Không đọc được tệp %(f)s: %(e)s") % {"f": path, "e": exc}) from None
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ScoreFileError(
            _("Tệp %(f)s không phải JSON hợp lệ (dòng %(line)s, cột %(col)s): %(msg)s")
            % {"f": path, "line": exc.lineno, "col": exc.colno, "msg": exc.msg}
        ) from None
    try:
        return parse_figures(data, definition)
    except ScoreFileError as exc:
        raise ScoreFileError(_("Tệp %(f)s: %(e)s") % {"f": path, "e": exc}) from None
    except scoring.FiguresError as exc:
        lines = [_("Tệp %s không chấm điểm được:") % path, *(f"  - {line}" for line in exc.lines())]
        raise ScoreFileError("\n".join(lines)) from None
