"""Searching procedures without diacritics, on both databases."""

from __future__ import annotations

import pytest

from motcua.catalogue.models import Procedure
from motcua.catalogue.search import search_procedures

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    names = {
        "1.001193": "Đăng ký khai sinh",
        "1.000656": "Đăng ký khai tử",
        "2.000001": "Cấp bản sao trích lục hộ tịch đăng ký khai sinh",
        "1.004884": "Thay đổi, cải chính hộ tịch",
        "1.001100": "Đăng ký lại khai sinh có yếu tố nước ngoài",
    }
    return {code: Procedure.objects.create(code=code, name=name) for code, name in names.items()}


def codes(query: str, limit: int = 20) -> list[str]:
    return [p.code for p in search_procedures(query, limit)]


def test_typing_without_marks_finds_the_marked_name(catalogue):
    assert codes("dang ky khai sinh")[0] == "1.001193"
    assert set(codes("dang ky khai sinh")) == {"1.001193", "2.000001", "1.001100"}


def test_d_stroke_folds_to_d_both_ways(catalogue):
    assert "1.000656" in codes("đăng ký khai tử")
    assert "1.000656" in codes("DANG KY KHAI TU")


def test_every_word_must_match_in_any_order(catalogue):
    assert codes("khai sinh dang ky nuoc ngoai") == ["1.001100"]
    assert codes("hộ tịch cải chính") == ["1.004884"]


def test_a_code_prefix_ranks_first_then_a_name_prefix(catalogue):
    assert codes("1.00")[:4] == ["1.000656", "1.001100", "1.001193", "1.004884"]
    ranked = codes("dang ky")
    assert ranked[:3] == ["1.000656", "1.001100", "1.001193"]  # names starting with it, by code
    assert ranked[-1] == "2.000001"  # contains it further in


def test_limit_and_empty_query(catalogue):
    assert len(codes("dang ky", limit=2)) == 2
    assert codes("   ") == []
    assert codes("khong co thu tuc nay") == []
