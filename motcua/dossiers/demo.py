"""Demo dossiers in every state, so the back office, the API and the index have something to show.

Driven through the real commands (events, outbox, due dates all genuine), at instants spread over the last
working days. Idempotent: the demo dossiers carry `form_data.demo` and are created only once.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from django.utils import timezone

from motcua.deadlines.loader import calendar_for
from motcua.deadlines.units import DurationUnit

from . import commands
from .models import Dossier

APPLICANTS = [
    ("Nguyễn Văn An", "001090012345", "1990-04-12", "0912000111"),
    ("Trần Thị Bình", "001192023456", "1992-09-03", "0912000222"),
    ("Lê Minh Cường", "001085034567", "1985-01-25", "0912000333"),
    ("Phạm Thu Dung", "001198045678", "1998-07-19", "0912000444"),
    ("Hoàng Đức Em", "001201056789", "2001-11-30", "0912000555"),
    ("Vũ Thị Giang", "001187067890", "1987-02-14", "0912000666"),
    ("Đặng Quốc Huy", "001079078901", "1979-06-08", "0912000777"),
    ("Bùi Ngọc Khánh", "001195089012", "1995-03-22", "0912000888"),
    ("Đỗ Thị Lan", "001183090123", "1983-12-01", "0912000999"),
    ("Ngô Văn Minh", "001093001234", "1993-08-16", "0913000111"),
]

# (applicant index, how far the dossier goes)
PROVINCE_PLAN = [
    (0, "received"),
    (1, "received"),
    (2, "appraisal"),
    (3, "appraisal"),
    (4, "supplement"),
    (5, "leader"),
    (6, "issued"),
    (7, "returned"),
    (8, "overdue"),
]


def _payload(procedure_code: str, point, applicant: tuple, **extra) -> dict:
    name, number, birth, phone = applicant
    from motcua.catalogue.models import Procedure

    version = Procedure.objects.get(code=procedure_code).published_version()
    assert version is not None
    return {
        "procedure_code": procedure_code,
        "reception_point_id": point.pk,
        "applicant": {
            "name": name,
            "id_number": number,
            "birth_date": birth,
            "phone": phone,
            "address": "Phường Đông Thành, tỉnh Hồng Lam",
        },
        "components": [
            {"component_id": c.pk, "digitised": True} for c in version.components.filter(required=True)
        ],
        "form_data": {"demo": True},
        **extra,
    }


def load(ctx) -> None:
    if Dossier.objects.filter(form_data__demo=True).exists():
        ctx.write("Hồ sơ mẫu: đã có, bỏ qua.")
        return
    users, agencies, points = ctx.users, ctx.agencies, ctx.points
    cal = calendar_for(agency=agencies["justice"])
    # Office-hour instants: the n-th working hour after 08:00, eight working days ago (Vietnam time).
    today = timezone.localdate()
    base = timezone.make_aware(datetime.combine(cal.nth_working_day(today, -8), time(8, 0)))
    clock = [base]

    def at_hour(hours: float) -> datetime:
        return min(cal.due(base, Decimal(str(hours)), DurationUnit.WORKING_HOURS) or base, timezone.now())

    def tick(hours: float = 1) -> datetime:
        moment = cal.due(clock[0], Decimal(str(hours)), DurationUnit.WORKING_HOURS) or clock[0]
        clock[0] = min(moment, timezone.now())
        return clock[0]

    def run(d, action, who, data=None, hours=1.0):
        commands.execute(d.code, action, users[who], data or {}, now=tick(hours))

    civil = agencies["justice.civil"]
    created = 0
    for index, goal in PROVINCE_PLAN:
        clock[0] = at_hour(1.5 * index)
        if goal == "overdue":
            clock[0] = timezone.make_aware(datetime.combine(cal.nth_working_day(today, -20), time(9, 0)))
        d = commands.receive_new(
            users["motcua.tinh"], _payload("9.990021", points["centre"], APPLICANTS[index]), now=tick(0.5)
        )
        created += 1
        if goal == "received":
            continue
        run(d, "transfer", "motcua.tinh", {"handling_unit_id": civil.pk})
        run(d, "assign", "tp.tuphap", {"assignee_id": users["cv.tuphap"].pk})
        if goal in ("appraisal", "overdue"):
            continue
        if goal == "supplement":
            run(
                d,
                "request_supplement",
                "cv.tuphap",
                {
                    "items": ["Bản sao Thẻ căn cước rõ nét"],
                    "reason": "Ảnh chụp Thẻ căn cước bị mờ, không đọc được số",
                },
            )
            run(d, "approve_supplement_request", "tp.tuphap")
            continue
        run(d, "record_result", "cv.tuphap")
        run(d, "forward", "cv.tuphap")
        run(d, "approve", "tp.tuphap")
        if goal == "leader":
            continue
        run(d, "approve", "gd.tuphap")
        run(d, "issue_result", "vt.tuphap")
        if goal == "issued":
            continue
        run(d, "return_result", "motcua.tinh", {"recipient_name": APPLICANTS[index][0]})

    # Two online dossiers from the national portal, waiting at the centre's counter.
    for n, applicant in enumerate(APPLICANTS[8:10], start=1):
        commands.submit_online(
            _payload(
                "9.990021",
                points["centre"],
                applicant,
                channel="online",
                national_dossier_id=f"DEMO-G22-{n:06d}",
            ),
            now=at_hour(30 + n),
        )
        created += 1
    ctx.write(f"Hồ sơ mẫu: đã tạo {created} hồ sơ qua các lệnh nghiệp vụ.")


DEMO_STEPS = [load]
