import pytest
from django.test import override_settings


@pytest.mark.django_db
def test_the_admin_login_page_says_it_is_not_production(client):
    page = client.get("/admin/login/").content.decode()
    assert "Môi trường thử nghiệm" in page


@pytest.mark.django_db
def test_production_shows_no_test_badge(client):
    with override_settings(DEPLOYMENT="production"):
        page = client.get("/admin/login/").content.decode()
    assert "Môi trường thử nghiệm" not in page
    assert "motcua" in page
