"""Validity dates and successor links of agencies and units."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from motcua.org.models import AdministrativeUnit, Agency
from motcua.org.validity import SuccessorCycleError, successor_chain

K = Agency.Kind


@pytest.fixture
def merged(db):
    """Two departments merged on 01/03/2025 into a new one (as in the 2025 reorganisation)."""
    new = Agency.objects.create(
        code="000.00.07.H99",
        name="Sở Nông nghiệp và Môi trường",
        kind=K.DEPARTMENT,
        valid_from=date(2025, 3, 1),
    )
    old_a = Agency.objects.create(
        code="000.00.17.H99",
        name="Sở Nông nghiệp và Phát triển nông thôn",
        kind=K.DEPARTMENT,
        valid_to=date(2025, 2, 28),
        successor=new,
    )
    old_b = Agency.objects.create(
        code="000.00.18.H99",
        name="Sở Tài nguyên và Môi trường",
        kind=K.DEPARTMENT,
        valid_to=date(2025, 2, 28),
        successor=new,
    )
    return new, old_a, old_b


def test_valid_on_filters_by_inclusive_dates(merged):
    new, old_a, old_b = merged
    assert set(Agency.objects.valid_on(date(2025, 2, 28))) == {old_a, old_b}
    assert set(Agency.objects.valid_on(date(2025, 3, 1))) == {new}


def test_is_valid_on_matches_the_queryset(merged):
    new, old_a, _ = merged
    assert old_a.is_valid_on(date(2025, 2, 28)) and not old_a.is_valid_on(date(2025, 3, 1))
    assert new.is_valid_on(date(2026, 1, 1)) and not new.is_valid_on(date(2025, 2, 28))


def test_current_follows_successors_to_the_unit_in_force(merged):
    new, old_a, _ = merged
    assert old_a.current(date(2026, 1, 1)) == new
    assert old_a.current(date(2025, 1, 1)) == old_a
    assert new.current() == new


def test_current_follows_several_renames(merged):
    new, old_a, _ = merged
    newer = Agency.objects.create(code="000.00.08.H99", name="Sở Nông nghiệp", kind=K.DEPARTMENT)
    new.valid_to = date(2026, 6, 30)
    new.successor = newer
    new.save()
    assert old_a.current(date(2026, 7, 1)) == newer
    assert [a.code for a in successor_chain(old_a)] == ["000.00.17.H99", "000.00.07.H99", "000.00.08.H99"]


def test_a_successor_loop_is_detected_not_followed_forever(merged):
    new, old_a, _ = merged
    new.successor = old_a
    new.save()
    with pytest.raises(SuccessorCycleError):
        successor_chain(old_a)


def test_clean_refuses_an_end_before_the_start(merged):
    new, _, _ = merged
    new.valid_to = date(2025, 1, 1)
    with pytest.raises(ValidationError) as err:
        new.full_clean()
    assert "valid_to" in err.value.message_dict


def test_clean_refuses_an_agency_as_its_own_successor_or_ancestor(merged):
    new, _, _ = merged
    new.successor = new
    with pytest.raises(ValidationError) as err:
        new.full_clean()
    assert "successor" in err.value.message_dict
    division = Agency.objects.create(code="000.01.07.H99", name="Phòng Đất đai", kind=K.DIVISION, parent=new)
    new.successor = None
    new.parent = division
    with pytest.raises(ValidationError) as err:
        new.full_clean()
    assert "parent" in err.value.message_dict


def test_a_division_needs_a_parent(db):
    with pytest.raises(ValidationError) as err:
        Agency(code="000.01.07.H99", name="Phòng Đất đai", kind=K.DIVISION).full_clean()
    assert "parent" in err.value.message_dict


def test_an_empty_electronic_id_is_stored_as_null_so_many_agencies_can_lack_one(db):
    Agency.objects.create(code="000.00.07.H99", name="A", kind=K.DEPARTMENT, electronic_id="")
    Agency.objects.create(code="000.00.08.H99", name="B", kind=K.DEPARTMENT, electronic_id="")
    assert Agency.objects.filter(electronic_id__isnull=True).count() == 2


def test_a_province_unit_cannot_belong_to_a_province(db):
    hl = AdministrativeUnit.objects.create(
        code="99", kind="province", name="Hồng Lam", full_name="Tỉnh Hồng Lam"
    )
    unit = AdministrativeUnit(code="98", kind="province", name="X", full_name="Tỉnh X", province=hl)
    with pytest.raises(ValidationError):
        unit.full_clean()
