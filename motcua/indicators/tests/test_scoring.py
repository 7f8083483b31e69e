"""The pure scorer against indicators.md §1: worked example, item kinds, empty denominators, rounding, bands.

The 2026 definition is read from its data file (no database), so these tests check the data as typed too.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.indicators import scoring
from motcua.indicators.scoring import EmptyPolicy, Figure, FiguresError, ScoringKind
from motcua.indicators.tests.worked_example import (
    DEFINITION,
    WORKED_EXAMPLE,
    WORKED_GROUPS,
    full_figures,
    worked_figures,
)

D = Decimal


def one_item_definition(
    points="6", kind=ScoringKind.LINEAR, threshold=None, policy=EmptyPolicy.ZERO, decimals=2
) -> scoring.Definition:
    points = D(points)
    return scoring.Definition(
        version=99,
        valid_from=dt.date(2026, 1, 1),
        groups=(scoring.GroupDefinition("TDGQ", "Nhóm", "Group", points),),
        items=(
            scoring.ItemDefinition(
                number="9.1",
                group="TDGQ",
                title_vi="Chỉ tiêu",
                title_en="Item",
                points=points,
                kind=kind,
                empty_policy=policy,
                source=scoring.Source.COMPUTED,
                threshold=None if threshold is None else Fraction(threshold),
                decimals=decimals,
            ),
        ),
        bands=(scoring.Band("weak", D(0), "Yếu", "Weak"),),
    )


def item_score(definition: scoring.Definition, numerator, denominator) -> Decimal:
    return scoring.score(definition, {"9.1": Figure(numerator, denominator)}).item("9.1").score


# --- The worked example -----------------------------------------------------------------------------


def test_the_2026_definition_has_the_six_groups_on_100_points_and_is_consistent():
    assert [g.code for g in DEFINITION.groups] == list(scoring.GROUP_CODES)
    assert DEFINITION.max_total == D(100)
    assert DEFINITION.problems() == []
    assert set(DEFINITION.item_numbers) == set(WORKED_EXAMPLE)


def test_it_scores_the_worked_example_at_76_64_fair():
    result = scoring.score(DEFINITION, worked_figures())
    assert result.total == D("76.64")
    assert str(result.total) == "76.64"
    assert result.band.code == "fair"
    assert result.band.label_vi == "Khá"


@pytest.mark.parametrize("number", list(WORKED_EXAMPLE))
def test_it_scores_each_worked_example_item_as_in_the_table(number):
    expected = WORKED_EXAMPLE[number][1]
    assert str(scoring.score(DEFINITION, worked_figures()).item(number).score) == expected


@pytest.mark.parametrize("code", list(WORKED_GROUPS))
def test_it_scores_each_worked_example_group_as_the_sum_of_its_rounded_items(code):
    group = scoring.score(DEFINITION, worked_figures()).group(code)
    assert str(group.score) == WORKED_GROUPS[code]
    assert group.score == sum((i.score for i in group.items), D(0))


# --- Linear and threshold items -----------------------------------------------------------------------


def test_a_threshold_item_gets_full_points_exactly_at_the_threshold():
    assert scoring.score(DEFINITION, worked_figures(**{"3_4": (16, 20)})).item("3.4").score == D("2.00")


def test_a_threshold_item_gets_full_points_above_the_threshold_and_never_more():
    assert scoring.score(DEFINITION, worked_figures(**{"3_1": (50, 50)})).item("3.1").score == D("2.00")
    assert scoring.score(DEFINITION, worked_figures(**{"3_1": (41, 50)})).item("3.1").score == D("2.00")


def test_a_threshold_item_below_the_threshold_scores_in_proportion_to_it():
    # 5.3: 810 of 1000 = 81% of a 90% threshold → 6 × 0.9 = 5.40
    assert scoring.score(DEFINITION, worked_figures(**{"5_3": (810, 1000)})).item("5.3").score == D("5.40")


def test_a_linear_item_never_exceeds_its_points_and_reaches_them_at_100_percent():
    result = scoring.score(DEFINITION, full_figures())
    assert all(item.score == item.points for item in result.items)
    assert result.total == D(100)


def test_national_counts_item_divides_by_the_larger_of_the_two_national_counts():
    by_portal = scoring.score(DEFINITION, worked_figures(**{"1_4": (950, 900, 1000)})).item("1.4")
    assert by_portal.denominator == D(1000)
    assert by_portal.score == D("5.70")


# --- Empty denominators -----------------------------------------------------------------------------


def test_feedback_items_with_no_feedback_get_full_points():
    result = scoring.score(DEFINITION, worked_figures(**{"5_1": (0, 0), "5_2": (0, 0)}))
    assert result.item("5.1").score == D("6.00")
    assert result.item("5.2").score == D("6.00")
    assert result.item("5.1").empty_policy_applied == EmptyPolicy.FULL


def test_certified_copies_with_no_commune_managed_count_as_100_percent():
    assert scoring.score(DEFINITION, worked_figures(**{"4_5": (0, 0)})).item("4.5").score == D("2.00")


def test_an_item_with_zero_policy_earns_nothing_on_an_empty_denominator():
    item = scoring.score(DEFINITION, worked_figures(**{"2_1": (0, 0)})).item("2.1")
    assert item.score == D("0.00")
    assert item.empty_policy_applied == EmptyPolicy.ZERO
    assert item.ratio is None


def test_synchronisation_uses_last_years_total_when_both_national_counts_are_zero():
    # last year 4,000 on the reporting system → 1,000 a quarter; 900 synchronised → 6 × 0.9
    fallback = scoring.fallback_denominator(4000, "quarter")
    figures = worked_figures()
    figures["1.4"] = Figure(900, 0, (0,), fallback_denominator=fallback)
    item = scoring.score(DEFINITION, figures).item("1.4")
    assert item.denominator == D(1000)
    assert item.score == D("5.40")
    assert item.empty_policy_applied == EmptyPolicy.FALLBACK


def test_synchronisation_fallback_is_an_estimate_so_exceeding_it_is_capped_at_full_points():
    # 1,200 last year → 100 expected this month; 150 synchronised while the national counts still read 0
    figures = worked_figures()
    figures["1.4"] = Figure(150, 0, (0,), fallback_denominator=scoring.fallback_denominator(1200, "month"))
    item = scoring.score(DEFINITION, figures).item("1.4")
    assert item.denominator == D(100)
    assert item.score == D("6.00")


def test_it_refuses_a_fallback_item_with_empty_counts_and_no_fallback_naming_the_item():
    figures = worked_figures(**{"1_4": (0, 0, 0)})
    with pytest.raises(FiguresError) as err:
        scoring.score(DEFINITION, figures)
    assert "1.4" in err.value.problems
    assert "năm trước" in str(err.value)


def test_a_unit_with_nothing_last_year_either_loses_no_synchronisation_points():
    figures = worked_figures()
    figures["1.4"] = Figure(0, 0, (0,), fallback_denominator=scoring.fallback_denominator(0, "year"))
    assert scoring.score(DEFINITION, figures).item("1.4").score == D("6.00")


@pytest.mark.parametrize(
    ("period", "divisor"), [(scoring.PeriodKind.MONTH, 12), (scoring.PeriodKind.QUARTER, 4), ("year", 1)]
)
def test_the_fallback_spreads_last_years_total_over_the_period(period, divisor):
    assert scoring.fallback_denominator(1234, period) == Fraction(1234, divisor)


@pytest.mark.parametrize(
    ("start", "end", "kind"),
    [
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28), scoring.PeriodKind.MONTH),
        (dt.date(2024, 2, 1), dt.date(2024, 2, 29), scoring.PeriodKind.MONTH),
        (dt.date(2026, 10, 1), dt.date(2026, 12, 31), scoring.PeriodKind.QUARTER),
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31), scoring.PeriodKind.YEAR),
        (dt.date(2026, 2, 1), dt.date(2026, 4, 30), None),
        (dt.date(2026, 1, 2), dt.date(2026, 1, 31), None),
    ],
)
def test_it_recognises_calendar_months_quarters_and_years(start, end, kind):
    assert scoring.period_kind(start, end) == kind


# --- Bad figures --------------------------------------------------------------------------------------


def test_it_names_every_missing_item():
    figures = worked_figures()
    del figures["2.1"], figures["5.3"]
    with pytest.raises(FiguresError) as err:
        scoring.score(DEFINITION, figures)
    assert err.value.problems == {"2.1": "thiếu số liệu", "5.3": "thiếu số liệu"}
    assert "chỉ tiêu 2.1, 5.3: thiếu số liệu" in str(err.value)


def test_it_refuses_an_item_the_definition_does_not_have():
    with pytest.raises(FiguresError) as err:
        scoring.score(DEFINITION, {**worked_figures(), "6.1": Figure(1, 1)})
    assert list(err.value.problems) == ["6.1"]


@pytest.mark.parametrize(
    ("figure", "reason"),
    [
        (Figure(11, 10), "lớn hơn mẫu số"),
        (Figure(-1, 10), "không được âm"),
        (Figure(1, -10), "không được âm"),
        (Figure(3, 0), "mẫu số bằng 0"),
        (Figure(True, 10), "phải là một số"),
        (Figure(D("NaN"), 10), "hữu hạn"),
    ],
)
def test_it_refuses_impossible_figures_with_the_reason(figure, reason):
    with pytest.raises(FiguresError) as err:
        scoring.score(DEFINITION, {**worked_figures(), "2.1": figure})
    assert reason in err.value.problems["2.1"]


# --- Rounding ----------------------------------------------------------------------------------------


def test_an_exact_half_rounds_up_4_125_to_4_13():
    assert item_score(one_item_definition("6"), 11, 16) == D("4.13")  # 6 × 11/16 = 4.125


def test_an_exact_half_reached_through_a_threshold_rounds_up():
    # 6 × (11/20) / 80% = 4.125
    assert item_score(one_item_definition("6", ScoringKind.THRESHOLD, "4/5"), 11, 20) == D("4.13")


def test_an_exact_half_reached_through_a_recurring_ratio_rounds_up():
    # 9 × 11/24 = 4.125 exactly, although 11/24 = 0.458333… has no finite decimal form
    assert item_score(one_item_definition("9"), 11, 24) == D("4.13")


def test_2_675_rounds_to_2_68_where_binary_floats_give_2_67():
    # 4 × 107/160 = 2.675; round(2.675, 2) == 2.67 in float arithmetic
    assert round(4 * 107 / 160, 2) == 2.67
    assert scoring.score(DEFINITION, worked_figures(**{"3_2": (107, 160)})).item("3.2").score == D("2.68")


def test_2_1_at_a_value_of_4_125_scores_4_13():
    assert scoring.score(DEFINITION, worked_figures(**{"2_1": (33, 160)})).item("2.1").score == D("4.13")


def test_just_below_a_half_rounds_down():
    assert item_score(one_item_definition("6"), 10999, 16000) == D("4.12")  # 4.124625


def test_an_item_rounds_to_its_own_number_of_decimals():
    assert item_score(one_item_definition("6", decimals=0), 11, 16) == D("4")
    assert str(item_score(one_item_definition("6", decimals=3), 1, 3)) == "2.000"


@given(
    points=st.integers(min_value=1, max_value=2000).map(lambda c: D(c) / 100),
    denominator=st.integers(min_value=1, max_value=10**6),
    data=st.data(),
)
def test_an_item_score_is_the_exact_value_rounded_half_up(points, denominator, data):
    numerator = data.draw(st.integers(min_value=0, max_value=denominator))
    got = item_score(one_item_definition(points), numerator, denominator)
    exact = Fraction(points) * Fraction(numerator, denominator)
    assert -Fraction(1, 200) < Fraction(got) - exact <= Fraction(1, 200)
    assert D(0) <= got <= points


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=4))
def test_rounding_agrees_with_decimal_round_half_up_on_finite_decimals(thousandths, decimals):
    value = D(thousandths).scaleb(-3)
    expected = value.quantize(D(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    assert scoring.round_half_up(Fraction(value), decimals) == expected


@given(st.data())
def test_a_group_is_the_sum_of_its_rounded_items_and_the_total_the_sum_of_groups(data):
    figures = {}
    for number in DEFINITION.item_numbers:
        denominator = data.draw(st.integers(min_value=1, max_value=5000))
        figures[number] = Figure(data.draw(st.integers(min_value=0, max_value=denominator)), denominator)
    result = scoring.score(DEFINITION, figures)
    for group in result.groups:
        assert group.score == sum((i.score for i in group.items), D(0))
        assert group.score <= group.max_points
    assert result.total == sum((g.score for g in result.groups), D(0))
    assert result.band == DEFINITION.band_for(result.total)


# --- Bands -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        ("100", "excellent"),
        ("90", "excellent"),
        ("89.99", "good"),
        ("80", "good"),
        ("79.99", "fair"),
        ("70", "fair"),
        ("69.99", "average"),
        ("50", "average"),
        ("49.99", "weak"),
        ("0", "weak"),
    ],
)
def test_band_boundaries_belong_to_the_higher_band(total, band):
    assert DEFINITION.band_for(D(total)).code == band


def test_a_total_of_exactly_90_is_excellent_and_exactly_80_is_good():
    assert scoring.score(DEFINITION, full_figures(**{"2_1": (500, 1000)})).band.label_vi == "Xuất sắc"
    at_80 = scoring.score(DEFINITION, full_figures(**{"2_1": (0, 1000)}))
    assert at_80.total == D(80)
    assert at_80.band.label_vi == "Tốt"


# --- What if -----------------------------------------------------------------------------------------


def test_what_if_500_more_digitised_dossiers_earns_the_points_4_2_was_missing():
    figures = worked_figures()
    before = scoring.score(DEFINITION, figures).item("4.2")
    gained = scoring.what_if(DEFINITION, figures, "4.2", 500)
    assert gained == before.lost
    assert gained > 0


def test_what_if_adds_dossiers_to_both_sides_when_asked():
    figures = worked_figures()
    gained = scoring.what_if(DEFINITION, figures, "2.1", 100, 100)  # 970 of 1100 on time
    expected = scoring.round_half_up(Fraction(20 * 970, 1100), 2) - D("17.40")
    assert gained == expected


def test_what_if_on_national_counts_applies_the_denominator_change_to_both_counts():
    figures = worked_figures()
    gained = scoring.what_if(DEFINITION, figures, "1.4", 50, 50)  # 1000 of max(1050, 1000)
    assert gained == scoring.round_half_up(Fraction(6 * 1000, 1050), 2) - D("5.70")


def test_what_if_refuses_more_digitised_dossiers_than_dossiers():
    with pytest.raises(FiguresError) as err:
        scoring.what_if(DEFINITION, worked_figures(), "4.2", 501)
    assert "4.2" in err.value.problems


def test_what_if_refuses_an_unknown_item():
    with pytest.raises(FiguresError):
        scoring.what_if(DEFINITION, worked_figures(), "7.7", 1)


@given(st.sampled_from(list(WORKED_EXAMPLE)), st.integers(min_value=0, max_value=50))
def test_what_if_is_the_difference_between_the_two_totals(number, extra):
    figures = worked_figures()
    figure = figures[number]
    room = int(max((figure.denominator, *figure.alternative_denominators)) - figure.numerator)
    delta = min(extra, room)
    changed = {
        **figures,
        number: Figure(figure.numerator + delta, figure.denominator, figure.alternative_denominators),
    }
    gained = scoring.what_if(DEFINITION, figures, number, delta)
    assert gained == scoring.score(DEFINITION, changed).total - scoring.score(DEFINITION, figures).total
    assert gained >= 0


# --- Ranking -----------------------------------------------------------------------------------------


def test_ties_share_a_rank_and_the_next_rank_skips():
    totals = [("a", D("90")), ("c", D("70.5")), ("b", D("80")), ("d", D("70.5")), ("e", D("60"))]
    ranked = scoring.rank(totals)
    assert [(r.rank, r.key) for r in ranked] == [(1, "a"), (2, "b"), (3, "c"), (3, "d"), (5, "e")]


def test_everyone_tied_is_first():
    assert [r.rank for r in scoring.rank([("a", D(5)), ("b", D(5)), ("c", D(5))])] == [1, 1, 1]


def test_ranking_nothing_gives_nothing():
    assert scoring.rank([]) == []


@given(st.lists(st.integers(min_value=0, max_value=10000).map(lambda c: D(c) / 100), max_size=40))
def test_a_rank_is_one_plus_the_number_of_strictly_higher_totals(totals):
    ranked = scoring.rank(enumerate(totals))
    assert len(ranked) == len(totals)
    for entry in ranked:
        assert entry.rank == 1 + sum(1 for t in totals if t > entry.total)
    assert [e.total for e in ranked] == sorted(totals, reverse=True)


# --- Definition consistency and views ------------------------------------------------------------------


def test_scoring_a_threshold_item_that_lacks_its_threshold_is_an_error_not_a_crash():
    with pytest.raises(FiguresError, match="không có ngưỡng"):
        item_score(one_item_definition("6", ScoringKind.THRESHOLD, None), 1, 2)


def test_a_definition_whose_items_do_not_add_up_to_the_group_maximum_is_reported():
    broken = one_item_definition("6")
    broken = scoring.Definition(
        version=1,
        valid_from=None,
        groups=(scoring.GroupDefinition("TDGQ", "Nhóm", "Group", D(20)),),
        items=broken.items,
        bands=broken.bands,
    )
    assert any("TDGQ" in p and "20" in p for p in broken.problems())


def test_a_threshold_item_without_a_threshold_is_reported():
    broken = one_item_definition("6", ScoringKind.THRESHOLD, None)
    assert any("9.1" in p and "ngưỡng" in p for p in broken.problems())


def test_lost_points_are_listed_costliest_first():
    lost = scoring.score(DEFINITION, worked_figures()).lost_points()
    # from the §1.4 table: 4.4 loses 3.60, 2.1 loses 2.60, 3.6 loses 2.40
    assert [i.number for i in lost][:3] == ["4.4", "2.1", "3.6"]
    assert all(a.lost >= b.lost for a, b in itertools.pairwise(lost))
    assert all(i.lost > 0 for i in lost)


def test_the_json_view_keeps_exact_decimals_as_strings():
    result = scoring.score(DEFINITION, worked_figures())
    view = scoring.score_to_dict(DEFINITION, result)
    assert view["total"] == "76.64"
    assert view["band"] == {"code": "fair", "label": "Khá"}
    assert {g["code"]: g["score"] for g in view["groups"]} == WORKED_GROUPS
    assert {i["number"]: i["score"] for i in view["items"]} == {n: s for n, (_f, s) in WORKED_EXAMPLE.items()}
