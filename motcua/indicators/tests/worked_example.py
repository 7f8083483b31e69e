"""The worked example of indicators.md §1.4, typed from its table, and figure builders for the tests."""

from __future__ import annotations

from motcua.indicators.defaults import read_definition
from motcua.indicators.scoring import Figure, figures_from_pairs

# The 2026 definition as typed in definition_2026.yaml, read without the database.
DEFINITION = read_definition()[1]

# indicators.md §1.4, typed from the table: item → (figures, expected score).
WORKED_EXAMPLE = {
    "1.1": ((3, 4), "4.50"),
    "1.2": ((4, 4), "4.00"),
    "1.3": ((10, 10), "2.00"),
    "1.4": ((950, 1000, 950), "5.70"),
    "2.1": ((870, 1000), "17.40"),
    "3.1": ((45, 50), "2.00"),
    "3.2": ((30, 45), "2.67"),
    "3.3": ((400, 1000), "4.80"),
    "3.4": ((16, 20), "2.00"),
    "3.5": ((12, 20), "1.50"),
    "3.6": ((300, 500), "3.60"),
    "4.1": ((600, 800), "4.50"),
    "4.2": ((500, 1000), "2.00"),
    "4.3": ((200, 1000), "0.50"),
    "4.4": ((100, 1000), "0.40"),
    "4.5": ((1, 1), "2.00"),
    "4.6": ((700, 1000), "1.40"),
    "4.7": ((30, 60), "1.00"),
    "5.1": ((8, 10), "4.80"),
    "5.2": ((7, 10), "4.20"),
    "5.3": ((850, 1000), "5.67"),
}
WORKED_GROUPS = {
    "CKMB": "16.20",
    "TDGQ": "17.40",
    "CLGQ": "9.47",
    "TTTT": "7.10",
    "MDSH": "11.80",
    "MDHL": "14.67",
}


def worked_figures(**overrides) -> dict[str, Figure]:
    pairs = {number: figures for number, (figures, _score) in WORKED_EXAMPLE.items()}
    pairs.update({k.replace("_", "."): v for k, v in overrides.items()})
    return figures_from_pairs(pairs)


def full_figures(**overrides) -> dict[str, Figure]:
    """Every item at 100%, except the overrides (item "2_1" → "2.1")."""
    pairs = {number: (10, 10) for number in DEFINITION.item_numbers}
    pairs.update({k.replace("_", "."): v for k, v in overrides.items()})
    return figures_from_pairs(pairs)
