"""The officer pages in a real browser: Debian's Chromium driven by Playwright against a live server.

Covers the counter-to-return journey across seven officers, htmx swaps included, and keeps screenshots of
the main screens at a 1366×768 counter screen and at a phone width under test-output/screenshots/.
Browsers are never downloaded: without /usr/bin/chromium (``make deb-test`` installs it) the tests skip.
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from motcua.dossiers import commands
from motcua.dossiers.models import Dossier
from motcua.dossiers.testing import PASSWORD

from ..views.dossier import form_url
from .conftest import receive, to_appraisal

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is absent (make deb-test installs it)"
    ),
]
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (test extra)")

SHOTS = Path(settings.BASE_DIR) / "test-output" / "screenshots"
DESK = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API keeps an event loop running in this thread; the test's own ORM calls are
    # plain synchronous code, so Django's async-safety guard is lifted for this module only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _chromium()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _chromium():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield chromium
        chromium.close()


_GUARD = importlib.import_module("motcua.dossiers.migrations.0003_events_append_only")


@pytest.fixture
def _flushed_with_event_guard(transactional_db):
    """A live-server test commits for real, so its rows are flushed afterwards. SQLite's flush deletes row
    by row, which the append-only trigger on dossier events forbids (PostgreSQL truncates, which row
    triggers ignore): flush here with the trigger lifted, then put it back for the tests that follow."""
    yield
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS dossiers_event_no_delete")
    try:
        call_command("flush", verbosity=0, interactive=False, database="default")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(_GUARD.SQLITE[1])


@pytest.fixture
def open_as(browser, _flushed_with_event_guard, live_server, world):
    """open_as("alice") → a page signed in through the sign-in form (each officer their own context)."""
    contexts = []

    def make(username: str, viewport: dict | None = None):
        context = browser.new_context(viewport=viewport or DESK, locale="vi-VN", accept_downloads=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/dang-nhap/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.locator("#login-submit").click()
        page.wait_for_url(re.compile(r".*/ho-so/$"))
        return page

    yield make
    for context in contexts:
        context.close()


def shot(page, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def test_a_one_stop_officer_receives_a_counter_dossier_and_prints_the_receipt(open_as, live_server, world):
    page = open_as("alice")
    shot(page, "inbox-one-stop-1366")
    page.get_by_role("link", name="Tiếp nhận", exact=True).click()
    page.get_by_label("Tìm thủ tục theo mã hoặc tên").fill("dang ky khai sinh")  # no diacritics typed
    result = page.locator("#procedure-results a").first
    result.wait_for()
    assert world.procedure.code in result.inner_text()
    result.click()
    appointment = page.locator("#appointment .appointment-time")
    appointment.wait_for()
    assert re.fullmatch(r"\d\d:\d\d \d\d/\d\d/\d{4}", appointment.inner_text().strip())
    for component in world.version.components.filter(required=True):
        page.get_by_label(component.name).check()
    first = world.version.components.get(order=1)
    page.locator(f"#file-{first.pk}").set_input_files(
        {"name": "to-khai.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.get_by_label("Họ và tên / tên tổ chức").fill("Trương Thị Ngọc Ánh")
    id_number = page.get_by_label("Số định danh / mã số thuế")
    id_number.fill("1234")
    page.locator("#id-number-feedback").get_by_text("phải gồm đúng 12 chữ số").wait_for()  # live check
    id_number.fill("038190001234")
    page.locator("#id-number-feedback").get_by_text("đúng định dạng").wait_for()
    page.get_by_label("Ngày sinh").fill("1990-02-03")
    page.get_by_role("button", name="Tra cứu CSDL quốc gia về dân cư").click()
    page.locator("#population-feedback .notice").wait_for()  # a clear answer, whatever it is
    shot(page, "reception-1366")
    shown = appointment.inner_text().strip()
    page.locator("#confirm-receive").click()
    page.wait_for_url(re.compile(r".*/tiep-nhan/xong/.*"))
    code = page.locator("#dossier-code").inner_text().strip()
    dossier = Dossier.objects.get(code=code)
    assert dossier.applicant_name == "Trương Thị Ngọc Ánh" and dossier.state == "received"
    assert dossier.components.exclude(file="").count() == 1
    # The appointment on the slip is the one shown before confirming (same minute, same engine).
    assert page.locator(".appointment-time").inner_text().strip() == shown
    shot(page, "reception-done-1366")
    if form_url(code, "01") is None:
        pytest.skip("the documents package does not serve Mẫu 01 yet: the receipt link is shown disabled")
    href = page.locator("#receipt-link").get_attribute("href")
    receipt = page.request.get(f"{live_server.url}{href}")
    assert receipt.status == 200 and receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")


def _do(page, live_server, code: str, action: str, fill=None, *, done: str):
    """Open a dossier, open an action's form (htmx), fill it, confirm, and wait for the swap."""
    page.goto(f"{live_server.url}/ho-so/{code}/")
    page.locator(f'a[data-action="{action}"]').click()
    form = page.locator(f'form[data-action="{action}"]')
    form.wait_for()
    for label, value in (fill or {}).items():
        field = form.get_by_label(label, exact=False).first
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        elif value is True:
            field.check()
        else:
            field.fill(value)
    form.get_by_role("button", name=re.compile("^Xác nhận")).click()
    page.get_by_text(f"Đã thực hiện: {done}.").wait_for()
    return page


@pytest.mark.slow  # seven officers sign in one after another (~15 s)
def test_a_supplement_round_trip_and_the_result_reach_the_applicant(open_as, live_server, world):
    dossier = to_appraisal(world, receive(world))
    code = dossier.code

    carol = open_as("carol")
    shot(carol, "inbox-specialist-1366")
    _do(
        carol,
        live_server,
        code,
        "request_supplement",
        {"Giấy tờ cần bổ sung": "Bản sao giấy chứng sinh có chứng thực", "Lý do": "Bản chụp không rõ"},
        done="Dự thảo yêu cầu bổ sung",
    )
    bob = open_as("bob")
    bob.get_by_role("link", name=re.compile("Dự thảo chờ duyệt")).click()
    assert code in bob.locator("table.inbox").inner_text()
    _do(bob, live_server, code, "approve_supplement_request", done="Duyệt và gửi yêu cầu bổ sung")
    assert Dossier.objects.get(code=code).state == "awaiting_supplement"

    alice = open_as("alice")
    alice.get_by_role("link", name=re.compile("Chờ người nộp")).click()
    assert code in alice.locator("table.inbox").inner_text()
    second = world.version.components.get(order=2)
    _do(alice, live_server, code, "receive_supplement", {second.name: True}, done="Nhận hồ sơ bổ sung")

    _do(carol, live_server, code, "record_result", done="Dự thảo kết quả")
    shot(carol, "dossier-specialist-1366")
    _do(
        carol, live_server, code, "forward", {"Người nhận xử lý": "Lê Văn Bình"}, done="Chuyển bước tiếp theo"
    )
    _do(bob, live_server, code, "approve", done="Phê duyệt")
    dave = open_as("dave")
    _do(dave, live_server, code, "approve", {"Ghi chú": "Đồng ý ký"}, done="Phê duyệt")
    erin = open_as("erin")
    _do(erin, live_server, code, "issue_result", done="Ban hành kết quả")
    _do(
        alice,
        live_server,
        code,
        "return_result",
        {"Họ tên người nhận kết quả": "Nguyễn Thị Hồng Nhung"},
        done="Trả kết quả",
    )
    dossier.refresh_from_db()
    assert dossier.state == "returned" and dossier.supplement_requests == 1
    assert [e.action for e in dossier.events.order_by("seq")] == [
        "receive",
        "transfer",
        "assign",
        "request_supplement",
        "approve_supplement_request",
        "receive_supplement",
        "record_result",
        "forward",
        "approve",
        "approve",
        "issue_result",
        "return_result",
    ]
    alice.goto(f"{live_server.url}/ho-so/{code}/")
    assert "Đã trả kết quả" in alice.locator(".badge-state").inner_text()
    shot(alice, "dossier-returned-1366")


def test_an_officer_cannot_act_on_a_dossier_outside_their_unit(open_as, live_server, world):
    dossier = to_appraisal(world, receive(world))
    olga = open_as("olga")
    olga.get_by_role("link", name=re.compile("Của đơn vị")).click()
    assert dossier.code not in olga.content()
    response = olga.goto(f"{live_server.url}/ho-so/{dossier.code}/")
    assert response is not None and response.status == 403
    assert "nằm ngoài phạm vi đơn vị của bạn" in olga.locator(".notice-error").inner_text()
    # Even a hand-made form post is refused, and nothing changes.
    token = olga.context.cookies()
    csrf = next(c["value"] for c in token if c["name"] == "csrftoken")
    refused = olga.request.post(
        f"{live_server.url}/ho-so/{dossier.code}/thao-tac/withdraw/",
        form={"reason": "thử", "version": str(dossier.version)},
        headers={"X-CSRFToken": csrf, "Referer": f"{live_server.url}/ho-so/"},
    )
    assert refused.status == 403
    assert Dossier.objects.get(pk=dossier.pk).state == dossier.state


def test_the_main_screens_on_a_phone(open_as, live_server, world):
    dossier = to_appraisal(world, receive(world))
    commands.execute(dossier.code, "record_result", world.carol, {})
    phone = open_as("carol", PHONE)
    shot(phone, "inbox-specialist-phone", full_page=False)
    phone.goto(f"{live_server.url}/ho-so/{dossier.code}/")
    # Nothing overflows sideways on a phone: the page is as wide as the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "dossier-phone")
    alice = open_as("alice", PHONE)
    alice.goto(f"{live_server.url}/tiep-nhan/?thu-tuc={world.procedure.code}")
    assert alice.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(alice, "reception-phone")
    # Keyboard: the first Tab reaches the skip link, which takes focus to the main content.
    alice.keyboard.press("Tab")
    assert alice.evaluate("document.activeElement.className") == "skip-link"
    alice.keyboard.press("Enter")
    assert alice.evaluate("document.activeElement.id") == "main"
