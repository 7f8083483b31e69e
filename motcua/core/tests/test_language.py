import pytest
from django.conf import settings


@pytest.mark.django_db
def test_pages_are_vietnamese_even_when_the_browser_asks_for_english(client):
    page = client.get("/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi"' in page.content.decode()


@pytest.mark.django_db
def test_english_is_shown_once_the_user_chooses_it(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/dang-nhap/")
    assert '<html lang="en"' in page.content.decode()
