"""``motcua deadline``: the due date of one reception, for officers and operators.

    motcua deadline --start 2026-02-13T15:30 --duration 5 --unit working_days
    2026-02-27T15:30:00+07:00

A start without an offset is Vietnam time (the engine itself refuses naive datetimes; the command line is
where a human types a local time). ``--json`` adds the working hours counted and the days skipped.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from motcua.deadlines.engine import TZ, DeadlineError, Pause
from motcua.deadlines.loader import calendar_for, scopes_for
from motcua.deadlines.units import DurationUnit, PausePolicy, PauseReason

_FORMATS = ("%H:%M %d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y")


def parse_instant(text: str, what: str) -> datetime:
    """ISO 8601 (with or without offset) or hh:mm dd/mm/yyyy; without an offset it is Vietnam time."""
    text = text.strip()
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        for fmt in _FORMATS:
            try:
                moment = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if moment is None:
        raise CommandError(f"{what} '{text}' không đúng dạng (ví dụ 2026-02-13T15:30 hoặc 15:30 13/02/2026).")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TZ)
    return moment


def parse_pause(text: str, reason: str) -> Pause:
    start, sep, end = text.partition("/")
    if not sep or not start.strip():
        raise CommandError(
            f"--pause '{text}' phải có dạng BẮT_ĐẦU/KẾT_THÚC (để trống KẾT_THÚC nếu chưa kết thúc)."
        )
    return Pause(
        parse_instant(start, "Thời điểm bắt đầu tạm dừng"),
        parse_instant(end, "Thời điểm kết thúc tạm dừng") if end.strip() else None,
        reason,
    )


def _hours(working_time: timedelta) -> float:
    return round(working_time.total_seconds() / 3600, 4)


class Command(BaseCommand):
    help = "Tính hạn xử lý của một hồ sơ theo lịch làm việc (in một dòng ISO 8601)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", required=True, help="Thời điểm tiếp nhận, ví dụ 2026-02-13T15:30")
        parser.add_argument("--duration", default=None, help="Thời hạn (số), ví dụ 5")
        parser.add_argument(
            "--unit", required=True, choices=[u.value for u in DurationUnit], help="Đơn vị thời hạn"
        )
        parser.add_argument("--agency", help="Mã QCVN 102 của cơ quan (lịch và giờ làm việc của cơ quan đó)")
        parser.add_argument(
            "--pause",
            action="append",
            default=[],
            metavar="START/END",
            help="Khoảng tạm dừng (bổ sung hồ sơ); lặp lại được",
        )
        parser.add_argument(
            "--pause-reason",
            default=PauseReason.SUPPLEMENT.value,
            choices=[r.value for r in PauseReason],
            help="Lý do của các khoảng --pause (mặc định supplement)",
        )
        parser.add_argument(
            "--policy", default=PausePolicy.PAUSE.value, choices=[p.value for p in PausePolicy]
        )
        parser.add_argument(
            "--json", action="store_true", help="In thêm giờ làm việc đã tính và các ngày nghỉ"
        )

    def handle(self, *args, **options) -> None:
        start = parse_instant(options["start"], "--start")
        unit = DurationUnit(options["unit"])
        duration: Decimal | int | None = None
        if options["duration"] is not None:
            try:
                value = Decimal(options["duration"])
            except InvalidOperation:
                raise CommandError(f"--duration '{options['duration']}' không phải là số.") from None
            duration = int(value) if value == value.to_integral_value() else value
        elif unit not in (DurationUnit.SAME_DAY, DurationUnit.NONE):
            raise CommandError(f"Đơn vị {unit.value} cần --duration.")
        pauses = [parse_pause(p, options["pause_reason"]) for p in options["pause"]]

        agency = None
        try:
            if options["agency"]:
                from motcua.org.models import Agency

                agency = Agency.objects.filter(code=options["agency"]).first()
                if agency is None:
                    raise CommandError(f"Không tìm thấy cơ quan có mã {options['agency']}.")
            calendar = calendar_for(agency=agency)
            _keys, label = scopes_for(agency)
        except DatabaseError as exc:
            raise CommandError(
                f"Không đọc được lịch làm việc trong cơ sở dữ liệu ({exc}); đã chạy 'motcua migrate' chưa?"
            ) from None

        try:
            state = calendar.ledger(start, duration, unit, pauses=pauses, policy=options["policy"], at=None)
        except DeadlineError as exc:
            raise CommandError(str(exc)) from None
        due = state.due

        if not options["json"]:
            if due is None:
                self.stdout.write(
                    "Không quy định thời hạn"
                    if unit == DurationUnit.NONE
                    else "Đang tạm dừng: chưa xác định hạn"
                )
            else:
                self.stdout.write(due.isoformat())
            return

        skipped = []
        counted = None
        if due is not None:
            first, last = start.astimezone(TZ).date(), due.date()
            skipped = [
                {"date": d.isoformat(), "weekday": d.strftime("%a"), "name": name}
                for d, name in calendar.days_off_between(first, last)
            ]
            counted = _hours(calendar.elapsed(start, due) - state.paused_working_time)
        payload = {
            "due": due.isoformat() if due else None,
            "start": start.isoformat(),
            "counting_from": calendar.next_working_instant(state.anchor).isoformat(),
            "duration": str(duration) if duration is not None else None,
            "unit": unit.value,
            "policy": options["policy"],
            "calendar": label,
            "office_hours": str(calendar.office_hours),
            "hours_per_day": float(calendar.hours_per_day),
            "working_hours_counted": counted,
            "paused_working_hours": _hours(state.paused_working_time),
            "pauses": [
                {
                    "start": p.start.isoformat(),
                    "end": p.end.isoformat() if p.end else None,
                    "reason": p.reason,
                }
                for p in pauses
            ],
            "days_skipped": skipped,
        }
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
