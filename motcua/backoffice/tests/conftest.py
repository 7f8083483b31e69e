"""Fixtures for the officer pages: signed-in clients for the world's actors and dossiers at known steps."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from motcua.dossiers import commands

VN = ZoneInfo("Asia/Ho_Chi_Minh")
HTMX = {"HTTP_HX_REQUEST": "true"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


@pytest.fixture
def as_user(world):
    """as_user("alice") → a test client signed in as that actor of the world."""

    def make(name: str) -> Client:
        client = Client()
        client.force_login(world.users[name])
        return client

    return make


def receive(world, when: datetime | None = None, **overrides):
    return commands.receive_new(world.alice, world.receive_payload(**overrides), now=when)


def to_appraisal(world, dossier, when: datetime | None = None):
    """Transfer to Phòng Hành chính tư pháp and assign to carol."""
    commands.execute(
        dossier.code, "transfer", world.alice, {"handling_unit_id": world.civil_status.pk}, now=when
    )
    commands.execute(dossier.code, "assign", world.bob, {"assignee_id": world.carol.pk}, now=when)
    dossier.refresh_from_db()
    return dossier


def submit_online(world, number: int = 1, **overrides):
    data = world.receive_payload(channel="online", national_dossier_id=f"TEST-{number:06d}", **overrides)
    dossier, _created = commands.submit_online(data)
    return dossier


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Scans written by a test go to a temporary folder, never to the working copy's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
