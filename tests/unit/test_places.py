"""Typed coordinates: the forms map applications and keyboards give, and everything else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.places import REGION, InvalidPlace, PlaceProblem, parse_coordinates
from storage import Coordinates


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("41.31, 69.24", Coordinates(41.31, 69.24)),
        ("41.311081, 69.240562", Coordinates(41.311081, 69.240562)),
        ("  41.31,69.24  ", Coordinates(41.31, 69.24)),
        ("41.31 69.24", Coordinates(41.31, 69.24)),
        ("41,31; 69,24", Coordinates(41.31, 69.24)),
        ("41,31 69,24", Coordinates(41.31, 69.24)),
        ("41,31, 69,24", Coordinates(41.31, 69.24)),
        ("41.31°, 69.24°", Coordinates(41.31, 69.24)),
        ("+37.2167; +67.45", Coordinates(37.2167, 67.45)),
        ("41, 69", Coordinates(41.0, 69.0)),
        ("41.1234567891, 69.1", Coordinates(41.123457, 69.1)),  # rounded to 6 decimals
        ("４１.３１, ６９.２４", Coordinates(41.31, 69.24)),  # full-width digits, NFKC
    ],
)
def test_coordinates_as_people_type_them(typed: str, expected: Coordinates) -> None:
    assert parse_coordinates(typed) == expected


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", PlaceProblem.EMPTY),
        ("   ", PlaceProblem.EMPTY),
        ("4" * 65, PlaceProblem.TOO_LONG),
        ("41.31, 69.24" + " " * 60, PlaceProblem.TOO_LONG),
        ("41.31", PlaceProblem.MALFORMED),
        ("41.31, 69.24, 12", PlaceProblem.MALFORMED),
        ("forty-one, sixty-nine", PlaceProblem.MALFORMED),
        ("41.31N 69.24E", PlaceProblem.MALFORMED),
        ("41°18′N 69°14′E", PlaceProblem.MALFORMED),
        ("1e2, 69", PlaceProblem.MALFORMED),
        ("nan, inf", PlaceProblem.MALFORMED),
        ("41.31,\n69.24\x00", PlaceProblem.MALFORMED),
        ("<b>41.31</b>, 69.24", PlaceProblem.MALFORMED),
        ("41.31, 69.24'); DROP TABLE units;--", PlaceProblem.MALFORMED),
        ("٤١.٣١, ٦٩.٢٤", PlaceProblem.MALFORMED),  # Arabic-Indic digits: not ours to guess
        ("91, 69", PlaceProblem.OUT_OF_RANGE),
        ("-90.5, 69", PlaceProblem.OUT_OF_RANGE),
        ("41, 181", PlaceProblem.OUT_OF_RANGE),
        ("999, 999", PlaceProblem.OUT_OF_RANGE),
        ("69.24, 41.31", PlaceProblem.OUTSIDE_REGION),  # swapped
        ("48.86, 2.35", PlaceProblem.OUTSIDE_REGION),  # Paris
        ("-41.31, -69.24", PlaceProblem.OUTSIDE_REGION),
    ],
)
def test_anything_else_is_refused_with_its_reason(typed: str, problem: PlaceProblem) -> None:
    with pytest.raises(InvalidPlace) as refused:
        parse_coordinates(typed)
    assert refused.value.problem is problem


@given(st.text(max_size=80))
def test_any_text_gives_a_place_in_the_region_or_a_reason(typed: str) -> None:
    try:
        where = parse_coordinates(typed)
    except InvalidPlace:
        return
    assert REGION.holds(where)
