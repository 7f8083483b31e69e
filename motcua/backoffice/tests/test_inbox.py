"""The inbox: tabs per role, counts, urgency, filters, search, pages, and cost that does not grow."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.deadlines.loader import calendar_for
from motcua.dossiers import commands

from .. import inbox
from .conftest import HTMX, at, receive, submit_online, to_appraisal

MONDAY = "2026-03-02T09:00"  # a working Monday; 5 working days → due Monday 09/03 09:00


def codes_in(html: str) -> list[str]:
    return re.findall(r'class="code" href="/ho-so/([^/]+)/"', html)


def tab_counts(html: str) -> dict[str, str]:
    found = re.findall(r'href="\?tab=(\w+)"[^>]*>[^<]*<span class="count[^"]*">([^<]+)</span>', html)
    return dict(found)


def test_a_one_stop_officer_sees_online_dossiers_waiting_at_her_counter(world, as_user):
    waiting = submit_online(world, 1)
    elsewhere = submit_online(world, 2, reception_point_id=world.commune_centre.pk)
    page = as_user("alice").get("/ho-so/")  # one-stop default tab: to receive
    html = page.content.decode()
    assert codes_in(html) == [waiting.code]
    assert elsewhere.code not in html
    assert tab_counts(html)["to_receive"] == "1"
    assert "Dự thảo chờ duyệt" not in html and "Chờ ký" not in html  # not her role's tabs


def test_mine_and_my_unit_follow_the_holder_columns(world, as_user):
    with time_machine.travel(at(MONDAY), tick=False):
        first = to_appraisal(world, receive(world))
        second = receive(world)  # still at the counter, held by alice
    carol = as_user("carol").get("/ho-so/?tab=mine").content.decode()
    assert codes_in(carol) == [first.code]
    bob_unit = as_user("bob").get("/ho-so/?tab=unit").content.decode()
    assert codes_in(bob_unit) == [first.code]
    alice_mine = as_user("alice").get("/ho-so/?tab=mine").content.decode()
    assert codes_in(alice_mine) == [second.code]
    assert first.code not in as_user("mallory").get("/ho-so/?tab=unit").content.decode()


def test_heads_see_dossiers_with_a_draft_waiting_for_their_approval(world, as_user):
    dossier = to_appraisal(world, receive(world))
    other = to_appraisal(world, receive(world))
    commands.execute(
        dossier.code,
        "request_supplement",
        world.carol,
        {"items": ["Giấy chứng sinh bản sao"], "reason": "Mờ"},
    )
    html = as_user("bob").get("/ho-so/?tab=drafts").content.decode()
    assert codes_in(html) == [dossier.code]
    assert other.code not in html
    assert tab_counts(html)["drafts"] == "1"


def test_leaders_see_what_waits_for_their_signature(world, as_user):
    dossier = to_appraisal(world, receive(world))
    to_appraisal(world, receive(world))  # still with the specialist: not to sign
    commands.execute(dossier.code, "record_result", world.carol, {})
    commands.execute(dossier.code, "forward", world.carol, {})
    commands.execute(dossier.code, "approve", world.bob, {})
    html = as_user("dave").get("/ho-so/").content.decode()  # the leader's default tab
    assert 'aria-current="page">Chờ ký' in html
    assert codes_in(html) == [dossier.code]


def test_due_soon_and_overdue_tabs_and_row_colours_follow_the_clock(world, as_user):
    with time_machine.travel(at(MONDAY), tick=False):
        early = to_appraisal(world, receive(world))  # due Mon 09/03 09:00
    with time_machine.travel(at("2026-03-04T09:00"), tick=False):
        later = to_appraisal(world, receive(world))  # due Wed 11/03 09:00
    with time_machine.travel(at("2026-03-06T10:00"), tick=False):  # Friday: early is due within a day
        client = as_user("bob")
        soon = client.get("/ho-so/?tab=due_soon").content.decode()
        assert codes_in(soon) == [early.code]
        unit = client.get("/ho-so/?tab=unit").content.decode()
        assert codes_in(unit) == [early.code, later.code]  # nearest due first
        assert 'class="u-on_track"' in unit and "u-overdue" not in unit
        assert codes_in(client.get("/ho-so/?tab=overdue").content.decode()) == []
    with time_machine.travel(at("2026-03-09T08:00"), tick=False):  # Monday morning: due today
        assert 'class="u-today"' in as_user("bob").get("/ho-so/?tab=unit").content.decode()
    with time_machine.travel(at("2026-03-10T09:00"), tick=False):
        html = as_user("bob").get("/ho-so/?tab=overdue").content.decode()
        assert codes_in(html) == [early.code]
        assert 'class="u-overdue"' in html and "Quá hạn</span>" in html
        assert tab_counts(html)["overdue"] == "1"
        assert codes_in(as_user("bob").get("/ho-so/?tab=unit&sap-xep=-due").content.decode()) == [
            later.code,
            early.code,
        ]


def test_waiting_for_the_applicant_shows_paused_dossiers_to_the_unit_and_the_counter(world, as_user):
    dossier = to_appraisal(world, receive(world))
    commands.execute(
        dossier.code, "request_supplement", world.carol, {"items": ["Tờ khai"], "reason": "Thiếu"}
    )
    commands.execute(dossier.code, "approve_supplement_request", world.bob, {})
    for who in ("bob", "carol", "alice"):
        html = as_user(who).get("/ho-so/?tab=waiting").content.decode()
        assert codes_in(html) == [dossier.code], who
        assert 'class="u-paused"' in html
    assert codes_in(as_user("olga").get("/ho-so/?tab=waiting").content.decode()) == []


@pytest.mark.parametrize(
    "typed",
    ["nhung", "NGUYEN THI HONG", "Hồng Nhung", "001190012345", "12345", "-0001"],
)
def test_search_ignores_diacritics_and_matches_code_name_or_id_number(world, as_user, typed):
    with time_machine.travel(at(MONDAY), tick=False):
        dossier = to_appraisal(world, receive(world))
        other = to_appraisal(
            world,
            receive(
                world,
                applicant={"name": "Đỗ Văn Đạt", "id_number": "079085000999", "phone": "0988000000"},
            ),
        )
    html = as_user("bob").get("/ho-so/", {"tab": "unit", "q": typed}).content.decode()
    assert codes_in(html) == [dossier.code]
    assert other.code not in html
    assert codes_in(as_user("bob").get("/ho-so/", {"tab": "unit", "q": "dat"}).content.decode()) == [
        other.code
    ]


def test_filters_by_procedure_channel_and_state(world, as_user):
    counter = to_appraisal(world, receive(world))
    postal = to_appraisal(world, receive(world, channel="postal"))
    client = as_user("bob")
    assert codes_in(client.get("/ho-so/?tab=unit&kenh=postal").content.decode()) == [postal.code]
    assert codes_in(client.get("/ho-so/?tab=unit&thu-tuc=1.001193&kenh=in_person").content.decode()) == [
        counter.code
    ]
    assert codes_in(client.get("/ho-so/?tab=unit&thu-tuc=9.999999").content.decode()) == []
    assert codes_in(client.get("/ho-so/?tab=unit&trang-thai=received").content.decode()) == []
    assert "Không có hồ sơ nào khớp với bộ lọc" in client.get("/ho-so/?tab=unit&kenh=online").content.decode()
    # Unknown values are ignored rather than failing.
    assert client.get("/ho-so/?tab=nope&kenh=fax&trang-thai=x&sap-xep=y&trang=abc").status_code == 200


def test_htmx_asks_for_the_result_list_only(world, as_user):
    dossier = to_appraisal(world, receive(world))
    response = as_user("bob").get("/ho-so/?tab=unit&q=nhung", HTTP_HX_TARGET="inbox-results", **HTMX)
    html = response.content.decode()
    assert codes_in(html) == [dossier.code]
    assert "<html" not in html and 'class="tabs"' not in html


def test_pages_are_cut_without_counting_everything(world, as_user, monkeypatch):
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    monkeypatch.setattr(inbox, "COUNT_CAP", 3)
    made = [to_appraisal(world, receive(world)) for _ in range(5)]
    client = as_user("bob")
    first = client.get("/ho-so/?tab=unit").content.decode()
    assert len(codes_in(first)) == 2 and 'rel="next"' in first and 'rel="prev"' not in first
    assert tab_counts(first)["unit"] == "3+"  # capped: the count stops at COUNT_CAP
    third = client.get("/ho-so/?tab=unit&trang=3").content.decode()
    assert len(codes_in(third)) == 1 and 'rel="next"' not in third and 'rel="prev"' in third
    seen = set()
    for page in (1, 2, 3):
        seen.update(codes_in(client.get(f"/ho-so/?tab=unit&trang={page}").content.decode()))
    assert seen == {d.code for d in made}


def _inbox_cost(client, path: str) -> tuple[int, int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries.captured_queries), len(response.content), [q["sql"] for q in queries.captured_queries]


def _one_round(world) -> None:
    """An overdue dossier with a draft waiting for the head, and one paused for a supplement."""
    past = timezone.now() - timedelta(days=30)
    late = to_appraisal(world, receive(world, when=past), when=past)
    commands.execute(late.code, "request_supplement", world.carol, {"items": ["x"], "reason": "y"}, now=past)
    paused = to_appraisal(world, receive(world))
    commands.execute(paused.code, "request_supplement", world.carol, {"items": ["x"], "reason": "y"})
    commands.execute(paused.code, "approve_supplement_request", world.bob, {})


@pytest.mark.parametrize(
    "who, tab",
    [("bob", "unit"), ("bob", "drafts"), ("bob", "overdue"), ("bob", "waiting"), ("carol", "mine")],
)
def test_the_inbox_costs_the_same_number_of_queries_for_few_or_many_dossiers(world, as_user, who, tab):
    """No N+1: rows come with their procedure and holder in the page query, counts are bounded."""
    client = as_user(who)
    _one_round(world)
    calendar_for(agency=world.civil_status)  # warm the per-process calendar cache like a running server
    few_queries, _few_bytes, _sql = _inbox_cost(client, f"/ho-so/?tab={tab}")
    few_rows = len(codes_in(client.get(f"/ho-so/?tab={tab}").content.decode()))
    for _ in range(4):
        _one_round(world)
    many_queries, _many_bytes, sql = _inbox_cost(client, f"/ho-so/?tab={tab}")
    many_rows = len(codes_in(client.get(f"/ho-so/?tab={tab}").content.decode()))
    assert many_rows == 5 * few_rows > 0  # the rows are really on the page
    assert many_queries == few_queries, "\n".join(sql)
    assert not any("dossiers_dossierevent" in q for q in sql)  # never the event log
    assert many_queries <= 20


def test_the_page_weight_of_a_full_page_is_bounded(world, as_user):
    for _ in range(inbox.PAGE_SIZE + 2):
        receive(world)  # held by alice at the counter: her "mine" tab
    client = as_user("alice")
    _queries, size, _sql = _inbox_cost(client, "/ho-so/?tab=mine")
    html = client.get("/ho-so/?tab=mine").content.decode()
    assert len(codes_in(html)) == inbox.PAGE_SIZE
    assert size < 80_000, size  # about 1.5 KB a row plus the chrome
