"""What a day's digest holds, as plain frozen values: the headline, the per-unit table,
completeness, what needs attention, and the comparison with earlier days.

Computed by :func:`bot.digest.build.build_digest`, rendered by :mod:`bot.digest.text`,
:mod:`bot.digest.xlsx` and :mod:`bot.digest.chart`; kept apart from the computation so a
renderer reads the shapes without the arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "Amount",
    "Comparison",
    "Completeness",
    "DayStats",
    "Digest",
    "Headline",
    "Highlights",
    "LargeSeizure",
    "LateReport",
    "Trend",
    "UnitSummary",
    "UrgentReport",
]


@dataclass(frozen=True)
class Amount:
    """A quantity of one substance in one normalised unit: ``heroin 2.5 kg``."""

    substance: str
    unit: str
    quantity: Decimal
    #: The kilogram equivalent of the items with a factor (kg: the same kilograms); None when
    #: none of them has one.
    kg_equivalent: Decimal | None = None


@dataclass(frozen=True)
class Headline:
    reports: int
    seizures: int  # reports on the seizure form
    persons_detained: int
    urgent: int
    late: int
    withdrawn: int  # left out of every other figure
    kg_seized: Decimal
    totals: tuple[Amount, ...]  # per substance and normalised unit
    #: Every item with a factor in kilograms (weighed ones as they are, the others through the
    #: factor each was filed with), added up across substances and measures: labelled as an
    #: equivalent wherever shown, never as kilograms seized.
    kg_equivalent: Decimal = Decimal(0)
    #: What has no factor (per substance and normalised unit), so is in no equivalent.
    without_factor: tuple[Amount, ...] = ()


@dataclass(frozen=True)
class UnitSummary:
    unit_id: int
    code: str  # the unit's code, or ``#<id>`` for a unit the caller did not pass
    active: bool
    filed: bool  # submitted a report for the day itself
    reports: int
    by_form: tuple[tuple[str, int], ...]  # (form key, count), in the order of FORMS, no zeros
    totals: tuple[Amount, ...]
    persons_detained: int
    urgent: int
    late: int


@dataclass(frozen=True)
class LateReport:
    number: str
    unit_id: int
    form: str
    local_day: date


@dataclass(frozen=True)
class Completeness:
    active_units: int
    filed: tuple[int, ...]  # ids of the active units that filed for the day
    missing: tuple[int, ...]  # ids of the active units that did not
    rate: Fraction | None  # filed / active units; None when there is no active unit
    late: tuple[LateReport, ...]


@dataclass(frozen=True)
class UrgentReport:
    number: str
    unit_id: int
    form: str
    marked: bool  # the officer marked it urgent
    large: bool  # one of its substances reaches the threshold
    #: The kilograms that made it large: its heaviest substance's weight as reported, or (when
    #: ``equivalent``) the kilogram equivalent that reached the threshold; 0 if not large.
    kg: Decimal
    equivalent: bool = False


@dataclass(frozen=True)
class LargeSeizure:
    """One substance of one report (its items of that substance added up)."""

    number: str
    unit_id: int
    substance: str
    unit: str
    quantity: Decimal


@dataclass(frozen=True)
class Highlights:
    urgent: tuple[UrgentReport, ...]  # in the order they were submitted
    #: The largest seizures of each normalised unit (kg first), largest first, at most top_n each.
    largest: tuple[LargeSeizure, ...]


@dataclass(frozen=True)
class Trend:
    today: Decimal
    average: Fraction  # exact average of the earlier days
    change_percent: int | None  # rounded half away from zero; None when the average is zero


@dataclass(frozen=True)
class Comparison:
    days: int  # how many earlier days the average covers (1 to 7)
    reports: Trend
    seizures: Trend
    persons_detained: Trend
    kg_seized: Trend


@dataclass(frozen=True)
class DayStats:
    """The figures of one day's digest, kept so that later digests can compare with them."""

    day: date
    reports: int
    seizures: int
    persons_detained: int
    kg_seized: Decimal


@dataclass(frozen=True)
class Digest:
    day: date
    headline: Headline
    units: tuple[UnitSummary, ...]  # active units, and inactive or unknown ones with reports
    completeness: Completeness
    highlights: Highlights
    comparison: Comparison | None  # None without earlier figures
    urgent_threshold_kg: Decimal
