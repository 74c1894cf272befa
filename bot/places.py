"""Where things are: typed coordinates checked, and the region the programme works in.

An admin types a crossing point's coordinates as they come from a map application
("41.311081, 69.240562"), or with a decimal comma as Russian keyboards give it
("41,31; 69,24" or "41,31 69,24"). Latitude comes first, as every map application shows it;
a pair that is valid on the globe but far from the region (typically the two swapped) is
refused rather than stored, because a point in the wrong country would mislead every map and
export that uses it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from storage import Coordinates

#: More than any honest pair of coordinates needs ("-89.1234567, -179.1234567" is 24).
MAX_TYPED_CHARS = 64
#: Digits after the decimal point kept: 6 is about 10 cm, more is noise from a phone.
DECIMALS = 6

_NUMBER = r"[+-]?[0-9]{1,3}(?:[.,][0-9]{1,12})?"
# Two numbers, each maybe followed by a degree sign, separated by a comma, a semicolon or
# spaces. A decimal comma and a separating comma can both appear ("41,31, 69,24"): the
# pattern must then cover the whole text with the comma inside each number.
_PAIR = re.compile(
    rf"^\s*({_NUMBER})\s*°?\s*(?:[,;]\s*|\s+)({_NUMBER})\s*°?\s*$",
    re.ASCII,
)


@dataclass(frozen=True)
class Region:
    """A latitude/longitude box: the map's frame and where the programme's places can be."""

    south: float
    north: float
    west: float
    east: float

    def holds(self, where: Coordinates) -> bool:
        return (
            self.south <= where.latitude <= self.north and self.west <= where.longitude <= self.east
        )


#: Uzbekistan and its neighbours (Kazakhstan's south, Kyrgyzstan, Tajikistan, Turkmenistan,
#: Afghanistan's north, Iran's and China's edges): the digest's map shows exactly this.
REGION = Region(south=34.0, north=48.0, west=50.0, east=81.0)


class PlaceProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    MALFORMED = "malformed"
    OUT_OF_RANGE = "out_of_range"  # not a place on Earth (latitude beyond ±90…)
    OUTSIDE_REGION = "outside_region"  # on Earth, but not near Uzbekistan (swapped?)


class InvalidPlace(ValueError):
    """Typed coordinates that cannot be used; ``problem`` says why (for the message)."""

    def __init__(self, problem: PlaceProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def _number(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:  # the pattern lets only plain numbers through; kept as a guard
        raise InvalidPlace(PlaceProblem.MALFORMED) from None


def parse_coordinates(text: str) -> Coordinates:
    """``"41.31, 69.24"`` → latitude 41.31, longitude 69.24, rounded to :data:`DECIMALS`."""
    if len(text) > MAX_TYPED_CHARS:
        raise InvalidPlace(PlaceProblem.TOO_LONG)
    typed = unicodedata.normalize("NFKC", text).strip()
    if not typed:
        raise InvalidPlace(PlaceProblem.EMPTY)
    match = _PAIR.match(typed)
    if match is None:
        raise InvalidPlace(PlaceProblem.MALFORMED)
    latitude, longitude = (_number(part) for part in match.groups())
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidPlace(PlaceProblem.OUT_OF_RANGE)
    where = Coordinates(round(float(latitude), DECIMALS), round(float(longitude), DECIMALS))
    check_place(where)
    return where


def check_place(where: Coordinates) -> None:
    """:class:`InvalidPlace` unless ``where`` is a place the programme's maps can hold: what
    the rules layer asks again before storing coordinates, whoever built them."""
    if not (math.isfinite(where.latitude) and math.isfinite(where.longitude)):
        raise InvalidPlace(PlaceProblem.MALFORMED)
    if not (-90 <= where.latitude <= 90 and -180 <= where.longitude <= 180):
        raise InvalidPlace(PlaceProblem.OUT_OF_RANGE)
    if not REGION.holds(where):
        raise InvalidPlace(PlaceProblem.OUTSIDE_REGION)
