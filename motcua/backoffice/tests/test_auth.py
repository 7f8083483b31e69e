"""Sign-in, lockout, sign-out and the role switcher."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from motcua.dossiers.testing import PASSWORD
from motcua.org.models import ReceptionPoint, Role, RoleAssignment


def sign_in(client: Client, username: str, password: str):
    return client.post("/dang-nhap/", {"username": username, "password": password})


def test_the_root_opens_the_inbox_and_asks_strangers_to_sign_in(world):
    client = Client()
    assert client.get("/")["Location"] == "/ho-so/"
    response = client.get("/ho-so/")
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/?next=/ho-so/")
    page = client.get("/dang-nhap/")
    assert page.status_code == 200
    assert "Đăng nhập dành cho cán bộ" in page.content.decode()


def test_an_officer_signs_in_and_lands_on_the_inbox(world):
    client = Client()
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/ho-so/"
    inbox = client.get("/ho-so/")
    assert inbox.status_code == 200
    assert "Trần Thị Ánh" in inbox.content.decode()


def test_a_wrong_password_is_refused_in_vietnamese(world):
    response = sign_in(Client(), "alice", "not-the-password")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_repeated_failures_lock_the_account_with_a_clear_message(world):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice", "wrong")
    locked = sign_in(client, "alice", PASSWORD)  # even the right password is refused while locked
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Tài khoản đã bị tạm khóa" in body
    assert f"{settings.AXES_FAILURE_LIMIT} lần" in body
    assert "_auth_user_id" not in client.session
    # Another account behind the same counter address is not affected (lockout is per account).
    assert sign_in(Client(), "bob", PASSWORD).status_code == 302


def test_sign_out_is_a_post_and_ends_the_session(world, as_user):
    client = as_user("alice")
    assert client.get("/dang-xuat/").status_code == 405
    response = client.post("/dang-xuat/")
    assert response.status_code == 302 and response["Location"] == "/dang-nhap/"
    assert client.get("/ho-so/").status_code == 302


def test_a_person_without_a_staff_role_gets_an_explanation(world):
    from django.contrib.auth import get_user_model

    citizen = get_user_model().objects.create_user("congdan", password=PASSWORD)
    client = Client()
    client.force_login(citizen)
    response = client.get("/ho-so/")
    assert response.status_code == 403
    assert "chưa được phân công vai trò cán bộ" in response.content.decode()


@pytest.fixture
def two_hats(world):
    """carol is also a one-stop officer at the commune counter."""
    RoleAssignment.objects.create(
        user=world.carol,
        role=Role.ONE_STOP,
        agency=world.commune,
        reception_point=world.commune_centre,
        title="Kiêm nhiệm một cửa",
    )
    return world.carol


def test_the_header_offers_a_switcher_only_to_people_with_several_roles(world, as_user, two_hats):
    single = as_user("bob").get("/ho-so/").content.decode()
    assert 'name="assignment"' not in single
    several = as_user("carol").get("/ho-so/").content.decode()
    assert several.count('name="assignment"') == 1
    assert "Chuyên viên thụ lý — Phòng Hành chính tư pháp" in several
    assert "Cán bộ tiếp nhận (Một cửa) — UBND phường Đông Hải" in several


def test_the_chosen_role_is_remembered_and_drives_the_inbox_and_the_counter(world, as_user, two_hats):
    client = as_user("carol")
    one_stop = RoleAssignment.objects.get(user=two_hats, role=Role.ONE_STOP)
    specialist = RoleAssignment.objects.get(user=two_hats, role=Role.SPECIALIST)
    # Roles come sorted by code, so the one-stop desk is the default at first.
    assert client.get("/tiep-nhan/").status_code == 200
    response = client.post("/vai-tro/", {"assignment": specialist.pk, "next": "/tiep-nhan/"})
    assert response.status_code == 302 and response["Location"] == "/tiep-nhan/"
    assert client.session["backoffice_assignment"] == specialist.pk
    counter = client.get("/tiep-nhan/")
    assert counter.status_code == 403 and "dành cho cán bộ một cửa" in counter.content.decode()
    inbox = client.get("/ho-so/").content.decode()
    assert "Chờ tiếp nhận" not in inbox  # a one-stop tab
    client.post("/vai-tro/", {"assignment": one_stop.pk, "next": "/ho-so/"})
    assert "Chờ tiếp nhận" in client.get("/ho-so/").content.decode()
    assert ReceptionPoint.objects.filter(pk=one_stop.reception_point_id).exists()


def test_someone_else_s_assignment_cannot_be_chosen(world, as_user):
    client = as_user("alice")
    bobs = RoleAssignment.objects.get(user=world.bob)
    client.post("/vai-tro/", {"assignment": bobs.pk, "next": "/ho-so/"})
    assert "backoffice_assignment" not in client.session
    page = client.get("/ho-so/").content.decode()
    assert "Cán bộ tiếp nhận (Một cửa)" in page


def test_the_switcher_never_redirects_off_site(world, as_user):
    client = as_user("alice")
    mine = RoleAssignment.objects.get(user=world.alice)
    response = client.post("/vai-tro/", {"assignment": mine.pk, "next": "https://evil.example/"})
    assert response["Location"] == "/ho-so/"


def test_the_pages_are_vietnamese_by_default_and_english_on_request(world, as_user):
    client = as_user("alice")
    vietnamese = client.get("/ho-so/").content.decode()
    assert (
        'lang="vi"' in vietnamese and "Của tôi" in vietnamese and "Bỏ qua, đến nội dung chính" in vietnamese
    )
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/ho-so/"})
    assert response.status_code == 302 and response["Location"] == "/ho-so/"
    english = client.get("/ho-so/").content.decode()
    assert 'lang="en"' in english
    for text in ("Mine", "Due within 1 working day", "Overdue", "Skip to main content", "Sign out"):
        assert text in english, text
    assert 'name="language" value="vi"' in english  # the way back
