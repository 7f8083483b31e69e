"""The /chi-so/ pages and the /api/v1 endpoints: sign-in, scope, figures identical to the engine's."""

import re
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model

from motcua.dossiers import commands
from motcua.indicators import dashboard, periods
from motcua.indicators.models import OfficialScore
from motcua.indicators.testing import at, payload
from motcua.org.models import Role, RoleAssignment

from .conftest import NOW


@pytest.fixture
def frozen():
    with time_machine.travel(at(NOW), tick=False):
        yield


def page(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:2000]
    return response


def test_the_pages_ask_for_sign_in(client, scenario):
    response = client.get(f"/chi-so/{scenario.world.province.code}/")
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


def test_a_specialist_cannot_see_the_index_and_is_told_why(client, scenario):
    response = page(client, scenario.world.carol, f"/chi-so/{scenario.world.province.code}/", 403)
    assert "không có quyền xem chỉ số" in response.content.decode()


def test_a_supervisor_sees_the_unit_below_but_not_above_or_beside(client, scenario, frozen):
    w = scenario.world
    local = get_user_model().objects.create_user("gs.tuphap", password="x")
    RoleAssignment.objects.create(user=local, role=Role.SUPERVISOR, agency=w.justice)
    page(client, local, f"/chi-so/{w.justice.code}/?ky=2026-03")
    page(client, local, f"/chi-so/{w.province.code}/?ky=2026-03", 403)
    page(client, local, f"/chi-so/{w.construction.code}/?ky=2026-03", 403)
    assert page(client, local, "/chi-so/", 302)["Location"] == f"/chi-so/{w.justice.code}/"


def test_an_agency_leader_sees_their_own_agency(client, scenario, frozen):
    page(client, scenario.world.dave, f"/chi-so/{scenario.world.justice.code}/?ky=2026-03")


def test_the_dashboard_shows_total_groups_ranking_targets_and_trend(client, scenario, frozen):
    w = scenario.world
    html = page(client, scenario.supervisor, f"/chi-so/{w.province.code}/?ky=2026-03").content.decode()
    board = dashboard.build(w.province, periods.parse("2026-03"), now=at(NOW))
    total = f"{board.result.total:.2f}".replace(".", ",")
    assert total in html and board.result.band.label_vi in html
    for group in ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDSH", "MDHL"):
        assert group in html
    assert "Sở Xây dựng" in html and "Sở Y tế" in html  # the child ranking
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in html  # a target of §3
    assert "Tháng 3/2026" in html  # the trend by month
    assert "chart.umd.min.js" in html and 'id="chart-data"' in html
    assert "Điểm bị mất, xếp theo số điểm" in html


def test_the_dashboard_reflects_a_new_event_at_the_next_request(client, scenario, frozen):
    w = scenario.world
    url = f"/chi-so/{w.justice.code}/?ky=2026-Q2"
    before = (
        page(client, scenario.supervisor, url).context["board"].scores.root.unit.counts.columns["dossiers"]
    )
    commands.receive_new(w.alice, payload(w), now=at("2026-04-02T09:30"))
    after = (
        page(client, scenario.supervisor, url).context["board"].scores.root.unit.counts.columns["dossiers"]
    )
    assert after == before + 1


def test_the_official_score_is_shown_with_the_difference(client, scenario, frozen):
    w = scenario.world
    march = periods.parse("2026-03")
    OfficialScore.objects.create(
        agency=w.province, period_start=march.start, period_end=march.end, total=Decimal("50.00"), rank=3
    )
    response = page(client, scenario.supervisor, f"/chi-so/{w.province.code}/?ky=2026-03")
    board = response.context["board"]
    assert board.official.difference == board.result.total - Decimal("50.00")
    assert "50,00" in response.content.decode()


def test_the_what_if_panel_says_how_many_points_more_dossiers_would_earn(client, scenario, frozen):
    w = scenario.world
    html = page(
        client, scenario.supervisor, f"/chi-so/{w.province.code}/?ky=2026-03&chi-tieu=4.2&them=3"
    ).content
    # 4.2: 2 of 8 digitised, 4 points → 5 of 8: +1.50 points.
    assert "+1,50" in html.decode()


def test_a_bad_period_is_explained(client, scenario):
    html = page(client, scenario.supervisor, f"/chi-so/{scenario.world.province.code}/?ky=2026-13", 400)
    assert "Tháng 13 không hợp lệ" in html.content.decode()


def test_the_item_page_lists_the_dossiers_that_lost_points_with_links(client, scenario, frozen):
    w = scenario.world
    html = page(
        client, scenario.supervisor, f"/chi-so/{w.province.code}/chi-tieu/2.1/?ky=2026-03&ket-qua=lost"
    ).content.decode()
    assert f'href="/ho-so/{scenario.dossiers["late"].code}/"' in html
    assert scenario.dossiers["early"].code not in html
    assert re.search(r"Mất điểm: 5\b", html)


def test_procedure_items_list_procedures(client, scenario, frozen):
    html = page(
        client,
        scenario.supervisor,
        f"/chi-so/{scenario.world.province.code}/chi-tieu/3.2/?ky=2026-03&ket-qua=lost",
    ).content.decode()
    assert "9.100001" in html and "9.100002" in html and "1.001193" not in html


# --- API ------------------------------------------------------------------------------------------------


def test_the_api_returns_the_same_figures_as_the_page(client, scenario, frozen):
    w = scenario.world
    client.force_login(scenario.supervisor)
    data = client.get("/api/v1/indicators", {"unit": w.province.code, "period": "2026-03"}).json()
    board = page(client, scenario.supervisor, f"/chi-so/{w.province.code}/?ky=2026-03").context["board"]
    assert data["total"] == str(board.result.total)
    assert {i["number"]: (i["numerator"], i["denominator"], i["score"]) for i in data["items"]} == {
        i.number: (str(i.numerator), str(i.denominator), str(i.score)) for i in board.result.items
    }
    assert [c["code"] for c in data["children"]] == [r.key.node.code for r in board.scores.ranking]
    assert data["period"]["start"] == "2026-03-01" and data["period"]["end"] == "2026-03-31"


def test_the_api_answers_every_declared_error(client, scenario, frozen):
    w = scenario.world
    assert client.get("/api/v1/indicators", {"unit": w.province.code, "period": "2026"}).status_code == 401
    client.force_login(scenario.supervisor)
    bad = client.get("/api/v1/indicators", {"unit": w.province.code, "period": "2026-Q5"})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_period"
    assert client.get("/api/v1/indicators", {"unit": "000.00.99.H99", "period": "2026"}).status_code == 404
    assert client.get("/api/v1/indicators", {"unit": w.province.code}).status_code == 422
    client.force_login(w.carol)
    assert client.get("/api/v1/indicators", {"unit": w.province.code, "period": "2026"}).status_code == 403
    schema = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/indicators", "/api/v1/reports/bieu-06"):
        declared = set(schema["paths"][path]["get"]["responses"])
        assert {"200", "400", "401", "403", "404", "422"} <= declared, path
