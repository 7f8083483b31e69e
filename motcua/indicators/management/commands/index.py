"""``motcua index …``: score figures, load the default definition, import inputs and official scores."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from motcua.indicators import scoring
from motcua.indicators.defaults import DEFAULT_DEFINITION, DefinitionFileError, load_definition
from motcua.indicators.imports import ImportFileError, import_inputs, import_official_scores
from motcua.indicators.models import IndexDefinition
from motcua.indicators.scorefile import ScoreFileError, read_figures


def _number(value) -> str:
    """Vietnamese number format (76,64), as in every table the province prints."""
    return formats.number_format(value, use_l10n=True)


class Command(BaseCommand):
    help = "Bộ chỉ số phục vụ người dân, doanh nghiệp: chấm điểm, nạp định nghĩa, nhập số liệu."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action",
            required=True,
            metavar="{score,load-defaults,import-inputs,import-official,rebuild,figures}",
        )

        score = sub.add_parser("score", help="Chấm điểm từ tệp số liệu JSON")
        score.add_argument(
            "--inputs", required=True, type=Path, help='Tệp JSON {"items": {"1.1": [tử số, mẫu số], …}}'
        )
        score.add_argument("--json", action="store_true", help="In kết quả dạng JSON")
        score.add_argument(
            "--version",
            dest="definition_version",
            type=int,
            help="Phiên bản bộ chỉ số (mặc định: phiên bản đang áp dụng hôm nay)",
        )
        score.add_argument(
            "--on", type=dt.date.fromisoformat, help="Dùng phiên bản áp dụng vào ngày này (YYYY-MM-DD)"
        )
        score.add_argument("--language", choices=["vi", "en"], default="vi", help="Ngôn ngữ tên chỉ tiêu")

        sub.add_parser("load-defaults", help="Nạp bộ chỉ số năm 2026 (bỏ qua nếu đã có)")

        inputs = sub.add_parser(
            "import-inputs", help="Nhập số liệu đầu vào (1.1–1.3, 1.4, 5.1–5.2) từ JSON hoặc CSV"
        )
        inputs.add_argument("file", type=Path)
        inputs.add_argument(
            "--replace", action="store_true", help="Thay số liệu đã có của cùng đơn vị, kỳ, chỉ tiêu"
        )

        official = sub.add_parser("import-official", help="Nhập điểm công bố chính thức của Cổng DVCQG")
        official.add_argument("file", type=Path)
        official.add_argument("--replace", action="store_true", help="Thay điểm đã có của cùng đơn vị, kỳ")

        rebuild = sub.add_parser(
            "rebuild",
            help="Tính lại số liệu tổng hợp của chỉ số và Biểu 06 từ hồ sơ (tất cả hoặc một khoảng ngày)",
        )
        rebuild.add_argument("--from", dest="first", type=_date, help="Từ ngày (YYYY-MM-DD hoặc dd/mm/yyyy)")
        rebuild.add_argument("--to", dest="last", type=_date, help="Đến ngày (YYYY-MM-DD hoặc dd/mm/yyyy)")

        figures = sub.add_parser("figures", help="Chấm điểm một đơn vị trong một kỳ từ số liệu của hệ thống")
        figures.add_argument("--unit", required=True, help="Mã cơ quan, đơn vị (QCVN 102)")
        figures.add_argument(
            "--period", required=True, help="2026-07, 2026-Q3, 2026 hoặc 2026-01-01..2026-03-31"
        )
        figures.add_argument("--json", action="store_true", help="In kết quả dạng JSON")

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "rebuild":
            self.rebuild(options)
            return
        if action == "figures":
            self.figures(options)
            return
        if action == "score":
            self.score(options)
        elif action == "load-defaults":
            self.load_defaults()
        elif action == "import-inputs":
            self.import_file(import_inputs, options)
        elif action == "import-official":
            self.import_file(import_official_scores, options)

    # --- score ----------------------------------------------------------------------------------------

    def _definition(self, options) -> IndexDefinition:
        if options.get("definition_version") is not None:
            definition = IndexDefinition.objects.filter(version=options["definition_version"]).first()
            if definition is None:
                raise CommandError(_("Không có bộ chỉ số phiên bản %s.") % options["definition_version"])
            return definition
        on = options.get("on") or timezone.localdate()
        definition = IndexDefinition.objects.in_force(on)
        if definition is None:
            raise CommandError(
                _(
                    "Không có bộ chỉ số nào đang áp dụng vào ngày %s; chạy 'motcua migrate' hoặc "
                    "'motcua index load-defaults', hoặc chọn --version / --on."
                )
                % on.strftime("%d/%m/%Y")
            )
        return definition

    def score(self, options) -> None:
        definition = self._definition(options).snapshot()
        try:
            figures = read_figures(options["inputs"], definition)
            result = scoring.score(definition, figures)
        except ScoreFileError as exc:
            raise CommandError(str(exc)) from None
        except scoring.FiguresError as exc:
            raise CommandError(_("Tệp %(f)s: %(e)s") % {"f": options["inputs"], "e": exc}) from None
        language = options["language"]
        if options["json"]:
            self.stdout.write(
                json.dumps(scoring.score_to_dict(definition, result, language), ensure_ascii=False, indent=2)
            )
            return
        with translation.override(language):
            self.stdout.write(self._table(definition, result, language))

    def _table(self, definition: scoring.Definition, result: scoring.IndexScore, language: str) -> str:
        en = language == "en"
        headers = (
            ("Item", "Title", "Figures", "Ratio", "Max", "Score")
            if en
            else ("Chỉ tiêu", "Nội dung", "Số liệu", "Tỷ lệ", "Tối đa", "Điểm")
        )
        rows: list[tuple[str, ...]] = []
        for group in result.groups:
            group_def = next(g for g in definition.groups if g.code == group.code)
            for item in group.items:
                item_def = definition.item(item.number)
                if item.ratio is not None:
                    ratio = f"{_number(scoring.ratio_percent(item.ratio))}%"
                elif item.score == item.points:  # an empty denominator scored by the item's policy
                    ratio = "0/0 → max" if en else "0/0 → tối đa"
                else:
                    ratio = "0/0 → 0"
                rows.append(
                    (
                        item.number,
                        _shorten(item_def.title_en if en else item_def.title_vi, 64),
                        f"{_number(item.numerator)}/{_number(item.denominator)}",
                        ratio,
                        _number(item.points),
                        _number(item.score),
                    )
                )
            rows.append(
                (
                    group.code,
                    (group_def.title_en if en else group_def.title_vi).upper(),
                    "",
                    "",
                    _number(group.max_points),
                    _number(group.score),
                )
            )
            rows.append(("",) * 6)
        widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(6)]
        right = {2, 3, 4, 5}

        def line(row: tuple[str, ...]) -> str:
            return "  ".join(
                c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(row)
            ).rstrip()

        title = (
            f"Service-quality index, definition version {definition.version}"
            if en
            else f"Bộ chỉ số phục vụ người dân, doanh nghiệp — phiên bản {definition.version}"
        )
        if definition.valid_from:
            title += f" ({'from' if en else 'áp dụng từ'} {definition.valid_from:%d/%m/%Y})"
        band = result.band.label_en if en else result.band.label_vi
        total_label = "Total" if en else "Tổng điểm"
        band_label = "band" if en else "xếp loại"
        out = [title, "", line(headers), line(tuple("-" * w for w in widths))]
        out += [line(r) for r in rows[:-1]]
        out += [
            line(tuple("=" * w for w in widths)),
            f"{total_label}: {_number(result.total)}/{_number(result.max_total)} — {band_label}: {band}",
        ]
        return "\n".join(out)

    # --- aggregates -----------------------------------------------------------------------------------

    def rebuild(self, options) -> None:
        from motcua.indicators.aggregates import rebuild

        first, last = options.get("first"), options.get("last")
        if first and last and first > last:
            raise CommandError(_("--from phải trước hoặc bằng --to."))
        started = timezone.now()
        summary = rebuild(first, last)
        seconds = (timezone.now() - started).total_seconds()
        window = (
            _("toàn bộ")
            if first is None and last is None
            else _("từ %(a)s đến %(b)s")
            % {
                "a": first.strftime("%d/%m/%Y") if first else "…",
                "b": last.strftime("%d/%m/%Y") if last else "…",
            }
        )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Đã tính lại số liệu tổng hợp (%(w)s): %(n)s hồ sơ, %(c)s hồ sơ có số liệu thay đổi, "
                    "%(r)s dòng bộ đếm, %(s).1f giây."
                )
                % {
                    "w": window,
                    "n": summary.dossiers,
                    "c": summary.changed,
                    "r": summary.counter_rows,
                    "s": seconds,
                }
            )
        )

    def figures(self, options) -> None:
        from motcua.indicators import dashboard, periods
        from motcua.indicators.figures import FiguresUnavailable
        from motcua.org.models import Agency

        agency = Agency.objects.filter(code=options["unit"]).first()
        if agency is None:
            raise CommandError(_("Không có cơ quan, đơn vị mã %s.") % options["unit"])
        try:
            period = periods.parse(options["period"])
            board = dashboard.build(agency, period, with_trend=False)
        except (periods.PeriodError, FiguresUnavailable) as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(dashboard.to_dict(board), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{agency.name} — {period.label}")
        self.stdout.write(self._table(board.definition, board.result, "vi"))
        for ranked in board.scores.ranking:
            self.stdout.write(f"  {ranked.rank:>3}. {ranked.key.node.name}: {_number(ranked.total)}")

    # --- data -----------------------------------------------------------------------------------------

    def load_defaults(self) -> None:
        try:
            with transaction.atomic():
                created = load_definition(apps, DEFAULT_DEFINITION)
        except DefinitionFileError as exc:
            raise CommandError(str(exc)) from None
        if created:
            self.stdout.write(self.style.SUCCESS(_("Đã nạp bộ chỉ số từ %s.") % DEFAULT_DEFINITION.name))
        else:
            self.stdout.write(_("Bộ chỉ số trong %s đã có, không thay đổi gì.") % DEFAULT_DEFINITION.name)

    def import_file(self, importer, options) -> None:
        try:
            summary = importer(options["file"], replace=options["replace"])
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Đã nhập %(f)s: %(c)s bản ghi mới, %(u)s bản ghi thay thế.")
                % {"f": options["file"], "c": summary.created, "u": summary.updated}
            )
        )


def _date(text: str) -> dt.date:
    from motcua.indicators.periods import PeriodError, parse_date

    try:
        return parse_date(text)
    except PeriodError as exc:
        raise CommandError(str(exc)) from None


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
