"""Notices (a real SMTP server on loopback, the simulator's SMS sink), population lookups, status, serve."""

from __future__ import annotations

import email
import math
import socket
import sqlite3
from datetime import date, timedelta
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from motcua.core.serve import ServeOptions, collect_children
from motcua.dossiers import commands
from motcua.dossiers.models import OutboxMessage
from motcua.integrations import population
from motcua.integrations.models import NotificationDelivery, NotificationTemplate, PopulationLookup
from motcua.integrations.status import percentiles, sync_status
from motcua.integrations.worker import Worker

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    yield inbox
    controller.stop()


def notices():
    return OutboxMessage.objects.filter(topic="notify.applicant").order_by("id")


def test_a_received_dossier_is_announced_by_email_and_sms_in_vietnamese(world, portal, smtp):
    dossier = commands.receive_new(world.alice, world.receive_payload())
    worker = Worker(reconcile_minutes=0)
    worker._notices()
    (mail,) = smtp.messages
    assert mail["To"] == "nhung@example.vn"
    assert mail["Subject"].strip() == f"Hồ sơ {dossier.code} đã được tiếp nhận"
    body = mail.get_content()
    assert "Kính gửi Nguyễn Thị Hồng Nhung" in body
    assert f"{timezone.localtime(dossier.due_at):%H:%M %d/%m/%Y}" in body
    texts = [m for m in portal.sms() if dossier.code in m["NoiDung"]]
    assert [m["SoDienThoai"] for m in texts] == ["0912345678"]
    row = notices().get()
    assert row.status == "delivered"
    assert set(NotificationDelivery.objects.filter(message=row).values_list("channel", flat=True)) == {
        "email",
        "sms",
    }


def test_templates_edited_in_the_admin_are_used(world, portal, smtp):
    NotificationTemplate.objects.filter(key="received", channel="email").update(
        subject="[{ten_he_thong}] {ma_ho_so}", body="Xin chào {ho_ten}. Trạng thái: {trang_thai}. {khong_co}"
    )
    dossier = commands.receive_new(world.alice, world.receive_payload())
    Worker(reconcile_minutes=0)._notices()
    (mail,) = smtp.messages
    assert mail["Subject"].endswith(dossier.code)
    assert (
        mail.get_content().strip() == "Xin chào Nguyễn Thị Hồng Nhung. Trạng thái: Đã tiếp nhận. {khong_co}"
    )


def test_a_channel_that_failed_is_retried_without_repeating_the_one_that_worked(
    world, portal, smtp, settings
):
    commands.receive_new(world.alice, world.receive_payload())
    good_gateway = settings.MOTCUA_SMS_GATEWAY_URL
    settings.MOTCUA_SMS_GATEWAY_URL = f"http://127.0.0.1:{free_port()}/sms"  # nothing listens there
    worker = Worker(reconcile_minutes=0)
    worker._notices()
    row = notices().get()
    assert row.status == "pending" and "sms" in row.last_error and len(smtp.messages) == 1
    settings.MOTCUA_SMS_GATEWAY_URL = good_gateway
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=None)
    worker._notices()
    row.refresh_from_db()
    assert row.status == "delivered" and len(smtp.messages) == 1  # the e-mail was not sent twice
    assert NotificationDelivery.objects.filter(message=row).count() == 2


def seeded_citizen(store) -> tuple[str, str, date]:
    with sqlite3.connect(store) as db:
        number, name, born = db.execute(
            "SELECT so_dinh_danh, ho_va_ten, ngay_sinh FROM national_portal_citizen ORDER BY id LIMIT 1"
        ).fetchone()
    return number, name, date.fromisoformat(born)


def test_a_population_lookup_matches_only_on_all_three_and_is_logged_without_personal_data(world, portal):
    number, name, born = seeded_citizen(portal.store)
    dossier = commands.receive_new(world.alice, world.receive_payload())
    found = population.lookup(world.alice, number, name, born, "Xác minh nhân thân khi tiếp nhận", dossier)
    assert found.ok and found.matched
    assert found.citizen["SoDinhDanh"] == number and found.citizen["HoVaTen"] == name
    assert set(found.citizen) <= set(population.KEPT_FIELDS)  # parents, spouse, household never leave
    missed = population.lookup(world.alice, number, name.upper(), born, "Xác minh nhân thân")
    assert missed.ok and not missed.matched and missed.citizen == {}
    log = list(PopulationLookup.objects.order_by("id"))
    assert [(entry.matched, entry.dossier_id, entry.officer_id) for entry in log] == [
        (True, dossier.pk, world.alice.pk),
        (False, None, world.alice.pk),
    ]
    assert all(entry.number_last4 == number[-4:] and number not in entry.number_digest for entry in log)
    queries = portal.export()["TraCuuDanCu"]
    assert [q["MucDich"] for q in queries] == [entry.purpose for entry in log]
    assert [q["MaYeuCau"] for q in queries] == [entry.request_code for entry in log]


def test_a_lookup_needs_a_purpose_and_a_valid_number_before_anything_is_asked(world, portal):
    result = population.lookup(world.alice, "123", "Nguyễn Văn A", date(1990, 1, 1), "")
    assert not result.ok and "mục đích" in result.message
    assert not PopulationLookup.objects.exists()
    assert portal.export()["TraCuuDanCu"] == []


def test_the_lookup_endpoint_and_the_monthly_report(world, portal, client):
    number, name, born = seeded_citizen(portal.store)
    client.force_login(world.alice)
    body = {"so_dinh_danh": number, "ho_ten": name, "ngay_sinh": born.isoformat(), "muc_dich": "Tiếp nhận"}
    answer = client.post("/api/v1/population/lookup", body, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["matched"] is True
    rows = population.report()
    assert [(r["officer"], r["total"], r["matched"]) for r in rows] == [("alice", 1, 1)]
    from io import StringIO

    out = StringIO()
    call_command("population_report", stdout=out)
    assert "alice" in out.getvalue()


def test_status_counts_and_exact_lag_percentiles(world):
    for _ in range(3):
        commands.receive_new(world.alice, world.receive_payload())
    rows = list(
        OutboxMessage.objects.filter(topic__in=["national.dossier", "national.progress"]).order_by("id")
    )
    now = timezone.now()
    lags = [137, 12, 950, 40, 5000, 61][: len(rows)]
    for row, lag in zip(rows, lags, strict=False):
        OutboxMessage.objects.filter(pk=row.pk).update(status="delivered", delivered_at=now, lag_ms=lag)
    OutboxMessage.objects.filter(pk=rows[-1].pk).update(
        status="dead", delivered_at=None, lag_ms=None, last_error="Cổng DVCQG trả mã -1: x"
    )
    status = sync_status(now + timedelta(seconds=1))
    delivered = sorted(lags[: len(rows) - 1])
    n = len(delivered)
    assert status["national"]["delivered"] == n and status["national"]["dead"] == 1
    for p in (50, 95, 99):
        assert status["lag"]["last_hour"][f"p{p}_ms"] == delivered[max(1, math.ceil(p / 100 * n)) - 1]
    assert status["last_errors"][0]["error"] == "Cổng DVCQG trả mã -1: x"
    assert percentiles(now - timedelta(days=2), now - timedelta(days=1))["n"] == 0


def test_the_status_page_and_endpoint_are_for_staff_and_supervisors(world, admin_user):
    anonymous = Client()
    assert anonymous.get("/api/v1/national-portal/status").status_code == 401
    officer = Client()
    officer.force_login(world.carol)
    assert officer.get("/dong-bo/").status_code == 403
    admin = Client()
    admin.force_login(admin_user)
    page = admin.get("/dong-bo/")
    assert page.status_code == 200 and "Đồng bộ với Cổng Dịch vụ công quốc gia" in page.content.decode()
    assert admin.get("/api/v1/national-portal/status").json()["portal"]["breaker"] == "closed"


def test_the_admin_resends_dead_messages(world, admin_user):
    commands.receive_new(world.alice, world.receive_payload())
    dead = OutboxMessage.objects.filter(topic="national.dossier").get()
    OutboxMessage.objects.filter(pk=dead.pk).update(status="dead", attempts=15, last_error="x")
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/admin/dossiers/outboxmessage/", {"action": "resend", "_selected_action": [dead.pk]}, follow=True
    )
    assert response.status_code == 200
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == ("pending", 0)


def test_serve_starts_the_worker_and_in_development_the_simulator_pointed_at_this_httt(settings):
    settings.MOTCUA_NATIONAL_PORTAL_URL = "http://127.0.0.1:8100"
    settings.MOTCUA_NATIONAL_SIMULATOR = True
    children = {c.name: c for c in collect_children(ServeOptions(host="0.0.0.0", port=8001))}
    assert "national_portal" in children["national-portal-worker"].argv
    sim = children["national-portal-sim"]
    assert sim.argv[-4:] == ["--host", "127.0.0.1", "--port", "8100"]
    assert sim.env["MOTCUA_SIM_HTTT_URL"] == "http://127.0.0.1:8001"
    assert sim.env["MOTCUA_SIM_HTTT_API_KEY"] == settings.MOTCUA_NATIONAL_API_KEY
    settings.MOTCUA_NATIONAL_SIMULATOR = False
    assert "national-portal-sim" not in {c.name for c in collect_children(ServeOptions())}
    assert "national-portal-worker" not in {c.name for c in collect_children(ServeOptions(worker=False))}


def test_the_admin_report_of_lookups_per_officer_and_month(world, admin_user):
    PopulationLookup.objects.create(
        officer=world.alice,
        at=timezone.now(),
        purpose="Tiếp nhận",
        request_code="MC-1",
        number_last4="2345",
        number_digest="x" * 64,
        matched=True,
    )
    client = Client()
    client.force_login(admin_user)
    page = client.get("/admin/integrations/populationlookup/bao-cao/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "alice" in text and f"{timezone.localtime():%m/%Y}" in text
