"""Definitions as data: loaded by migration, versioned, frozen once published, edited through the admin."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from motcua.indicators import scoring
from motcua.indicators.defaults import read_definition
from motcua.indicators.models import IndexDefinition, IndexItem, IndexTarget
from motcua.indicators.tests.worked_example import WORKED_EXAMPLE, worked_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def v1() -> IndexDefinition:
    return IndexDefinition.objects.get(version=1)


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_superuser("alice", "alice@example.vn", "mật-khẩu-dài-123")


def test_the_migration_loads_the_2026_definition_published_from_1_january(v1):
    assert v1.status == IndexDefinition.Status.PUBLISHED
    assert v1.valid_from == dt.date(2026, 1, 1)
    assert "766/QĐ-TTg" in v1.justification
    assert v1.items.count() == len(WORKED_EXAMPLE)


def test_the_snapshot_from_the_database_equals_the_data_file(v1):
    assert v1.snapshot() == read_definition()[1]


def test_the_database_definition_scores_the_worked_example(v1):
    assert scoring.score(v1.snapshot(), worked_figures()).total == Decimal("76.64")


def test_item_sources_follow_the_spec(v1):
    inputs = set(v1.items.filter(source="input").values_list("number", flat=True))
    assert inputs == {"1.1", "1.2", "1.3", "1.4", "5.1", "5.2"}


def test_the_targets_of_section_3_are_loaded_as_editable_rows():
    assert IndexTarget.objects.count() == 8
    on_time = IndexTarget.objects.get(applies_to="2.1")
    assert on_time.is_met(Decimal("90.01"))
    assert not on_time.is_met(Decimal("90"))  # "above 90%"
    payment = IndexTarget.objects.get(applies_to="3.5", due_year=2025)
    assert payment.is_met(Decimal("80"))  # "≥ 80%"


def test_a_published_definition_cannot_be_edited(v1):
    item = v1.items.get(number="2.1")
    item.points = Decimal("25")
    with pytest.raises(ValidationError, match="đã công bố"):
        item.save()
    with pytest.raises(ValidationError):
        item.delete()
    v1.valid_from = dt.date(2026, 7, 1)
    with pytest.raises(ValidationError):
        v1.save()


def make_v2(v1: IndexDefinition, points_2_1="18", points_5_3="8") -> IndexDefinition:
    draft = v1.new_draft()
    IndexItem.objects.filter(definition=draft, number="2.1").update(points=Decimal(points_2_1))
    IndexItem.objects.filter(definition=draft, number="5.3").update(points=Decimal(points_5_3))
    draft.groups.filter(code="TDGQ").update(max_points=Decimal(points_2_1))
    draft.groups.filter(code="MDHL").update(max_points=Decimal(12) + Decimal(points_5_3))
    draft.valid_from = dt.date(2027, 1, 1)
    draft.justification = "Công văn số 123/VPCP-KSTT ngày 01/12/2026"
    draft.save()
    return draft


def test_a_change_is_a_new_version_and_the_old_one_keeps_scoring_its_periods(v1):
    v2 = make_v2(v1)
    assert v2.version == 2
    assert v2.based_on == v1
    v2.publish()
    assert IndexDefinition.objects.in_force(dt.date(2026, 12, 31)) == v1
    assert IndexDefinition.objects.in_force(dt.date(2027, 1, 1)) == v2
    old = scoring.score(v1.snapshot(), worked_figures())
    new = scoring.score(v2.snapshot(), worked_figures())
    assert old.total == Decimal("76.64")
    assert new.item("2.1").score == Decimal("15.66")  # 18 × 0.87
    assert v1.items.get(number="2.1").points == Decimal("20")


def test_a_draft_is_never_in_force(v1):
    make_v2(v1)
    assert IndexDefinition.objects.in_force(dt.date(2027, 6, 1)) == v1


def test_publishing_needs_the_justifying_document(v1):
    draft = make_v2(v1)
    draft.justification = " "
    draft.save()
    with pytest.raises(ValidationError, match="văn bản làm căn cứ"):
        draft.publish()
    draft.refresh_from_db()
    assert draft.status == IndexDefinition.Status.DRAFT


def test_publishing_refuses_items_that_do_not_add_up_to_their_group(v1):
    draft = make_v2(v1)
    draft.groups.filter(code="TDGQ").update(max_points=Decimal(20))  # items now sum to 18
    with pytest.raises(ValidationError, match="TDGQ"):
        draft.publish()


def test_publishing_refuses_a_second_definition_starting_the_same_day(v1):
    draft = make_v2(v1)
    draft.valid_from = v1.valid_from
    draft.save()
    with pytest.raises(ValidationError, match="01/01/2026"):
        draft.publish()


def test_a_withdrawn_definition_no_longer_applies(v1):
    v2 = make_v2(v1)
    v2.publish()
    v2.withdraw()
    assert IndexDefinition.objects.in_force(dt.date(2027, 6, 1)) == v1


def test_admin_lists_definitions_and_shows_a_published_one_read_only(client, alice, v1):
    client.force_login(alice)
    listing = client.get(reverse("admin:indicators_indexdefinition_changelist"))
    assert listing.status_code == 200
    assert "Bộ chỉ số chỉ đạo" in listing.content.decode()
    page = client.get(reverse("admin:indicators_indexdefinition_change", args=[v1.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hồ sơ giải quyết đúng hạn" in html
    assert 'name="items-0-points"' not in html  # inline rows are not editable


def test_admin_actions_create_a_draft_then_publish_it(client, alice, v1):
    client.force_login(alice)
    url = reverse("admin:indicators_indexdefinition_changelist")
    client.post(url, {"action": "make_new_draft", "_selected_action": [v1.pk]})
    draft = IndexDefinition.objects.get(version=2)
    assert draft.status == IndexDefinition.Status.DRAFT
    page = client.get(reverse("admin:indicators_indexdefinition_change", args=[draft.pk]))
    assert 'name="items-0-points"' in page.content.decode()  # a draft is editable

    response = client.post(url, {"action": "publish", "_selected_action": [draft.pk]}, follow=True)
    assert "Không công bố được phiên bản 2" in response.content.decode()  # no start date, no document
    draft.valid_from = dt.date(2027, 1, 1)
    draft.justification = "Quyết định số 1/QĐ-VPCP"
    draft.save()
    client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == IndexDefinition.Status.PUBLISHED
    assert draft.published_by == alice


def test_admin_pages_for_targets_inputs_and_official_scores_open(client, alice):
    client.force_login(alice)
    for model in ("indextarget", "indexinput", "officialscore"):
        assert client.get(reverse(f"admin:indicators_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:indicators_{model}_add")).status_code == 200
