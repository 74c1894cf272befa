"""Kilogram equivalents, over plain values: which factor an item is filed with, what an admin
may type as a factor, and how a factor reads.

A seizure measured in litres, tablets or pieces is compared with weighed ones through a
conversion factor per substance and normalised unit (reference data, migration 0015): litres at
1 kg/L unless an admin says otherwise, tablets and pieces only where the programme supplies a
bulk weight. Grams and kilograms are weights by definition (factor 1 on the normalised kg).
The factor is stored with each item when the report is filed, so later changes of the table
apply to reports filed after them and never move an old report's figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Protocol

from bot.forms.parsing import plain_decimal
from storage import Database
from storage.models import ConversionFactor

#: The normalised units a factor converts (kg needs none).
CONVERTIBLE_UNITS: tuple[str, ...] = ("l", "tablets", "pieces")

#: What an admin types for each unit, in the unit people think in: kilograms per litre,
#: milligrams per tablet (UNODC gives 90–300 mg for ATS tablets), grams per piece.
TYPED_SCALE: dict[str, Decimal] = {
    "l": Decimal(1),  # kg per litre
    "tablets": Decimal("0.000001"),  # mg per tablet → kg
    "pieces": Decimal("0.001"),  # g per piece → kg
}
#: The largest typed value that is still plausible: no liquid seized is 5 kg per litre; a
#: tablet of 5 g is a lump, not a tablet; a piece (a plate, a block, a plant) up to 50 kg.
TYPED_MAXIMUM: dict[str, Decimal] = {
    "l": Decimal(5),
    "tablets": Decimal(5000),
    "pieces": Decimal(50000),
}
#: Digits after the decimal point an admin may type (0.0001 mg would be noise).
TYPED_DECIMALS = 4
#: Characters read at most: a factor is a short number, anything longer is refused unread.
TYPED_LENGTH = 20


class FactorProblem(StrEnum):
    EMPTY = "empty"
    NOT_A_NUMBER = "not_a_number"
    NOT_POSITIVE = "not_positive"
    TOO_LARGE = "too_large"
    TOO_PRECISE = "too_precise"


class BadFactor(ValueError):
    """What the admin typed is not a factor; ``problem`` says why."""

    def __init__(self, problem: FactorProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def parse_factor(text: str | None, unit: str) -> Decimal:
    """The factor an admin typed for ``unit`` (kg per L, mg per tablet, g per piece) in kg per
    normalised unit; :class:`BadFactor` otherwise. A comma or a point marks decimals; no
    thousands separators, signs, exponents or words (``1e3`` and ``∞`` are not factors)."""
    if unit not in TYPED_SCALE:
        raise ValueError(f"no factor for {unit!r}")
    trimmed = (text or "").strip()
    if not trimmed:
        raise BadFactor(FactorProblem.EMPTY)
    if len(trimmed) > TYPED_LENGTH:
        raise BadFactor(FactorProblem.NOT_A_NUMBER)
    candidate = trimmed.replace(",", ".", 1)
    if candidate.startswith("-") and _is_plain_number(candidate[1:]):
        raise BadFactor(FactorProblem.NOT_POSITIVE)
    if not _is_plain_number(candidate):
        raise BadFactor(FactorProblem.NOT_A_NUMBER)
    try:
        typed = Decimal(candidate)
    except InvalidOperation:  # pragma: no cover - the shape was checked above
        raise BadFactor(FactorProblem.NOT_A_NUMBER) from None
    if typed <= 0:
        raise BadFactor(FactorProblem.NOT_POSITIVE)
    if typed > TYPED_MAXIMUM[unit]:
        raise BadFactor(FactorProblem.TOO_LARGE)
    exponent = typed.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > TYPED_DECIMALS:
        raise BadFactor(FactorProblem.TOO_PRECISE)
    return plain_decimal(typed * TYPED_SCALE[unit])


def _is_plain_number(text: str) -> bool:
    """ASCII digits with at most one point inside: ``12``, ``0.25``, ``.5`` but not ``1.``."""
    whole, point, fraction = text.partition(".")
    if point and not fraction:
        return False
    digits = whole + fraction
    return bool(digits) and digits.isascii() and digits.isdigit()


def typed_value(kg_per_unit: Decimal, unit: str) -> Decimal:
    """A stored factor as an admin types it (0.0001 kg per tablet → 100 mg)."""
    return plain_decimal(kg_per_unit / TYPED_SCALE[unit])


class Factors:
    """The factors in force, looked up per substance and normalised unit."""

    def __init__(self, table: Mapping[tuple[str, str], Decimal]) -> None:
        self._table = dict(table)

    @classmethod
    def from_rows(cls, rows: Iterable[ConversionFactor]) -> Factors:
        return cls(
            {
                (row.substance, row.unit): row.kg_per_unit
                for row in rows
                if row.kg_per_unit is not None
            }
        )

    def factor(self, substance: str, normalized_unit: str) -> Decimal | None:
        """Kilograms per normalised unit: 1 for kg, the table's factor, None for no factor."""
        if normalized_unit == "kg":
            return Decimal(1)
        return self._table.get((substance, normalized_unit))

    def keeping(self, items: Iterable[_Filed]) -> Factors:
        """These factors, but those ``items`` were filed with where they say (an amended
        report keeps the factors of its filing for the substances and units it had; a new
        substance or unit takes today's). An item filed with no factor keeps none."""
        table: dict[tuple[str, str], Decimal | None] = dict(self._table)
        for item in items:
            if item.normalized_unit != "kg":
                table[item.substance, item.normalized_unit] = item.kg_factor
        return Factors({key: value for key, value in table.items() if value is not None})


@dataclass(frozen=True)
class KeptFactor:
    """The factor one item of a filed report was filed with, as an amendment's draft keeps it."""

    substance: str
    normalized_unit: str
    kg_factor: Decimal | None


def kept_factors(items: Iterable[_Filed]) -> list[list[str | None]]:
    """The factors ``items`` were filed with, as JSON for a draft (weighed items need none)."""
    return [
        [
            item.substance,
            item.normalized_unit,
            str(item.kg_factor) if item.kg_factor is not None else None,
        ]
        for item in items
        if item.normalized_unit != "kg"
    ]


def from_kept(rows: Iterable[Sequence[str | None]]) -> list[KeptFactor]:
    """What :func:`kept_factors` stored, for :meth:`Factors.keeping`."""
    return [
        KeptFactor(str(substance), str(unit), Decimal(factor) if factor is not None else None)
        for substance, unit, factor in rows
    ]


class _Filed(Protocol):
    @property
    def substance(self) -> str: ...

    @property
    def normalized_unit(self) -> str: ...

    @property
    def kg_factor(self) -> Decimal | None: ...


#: No factor at all: what a caller passes when it has not read the table (items get only kg).
WEIGHT_ONLY = Factors({})


async def load_factors(db: Database) -> Factors:
    """The factors as stored now (one query): at start and after an admin changes one."""
    async with db.read() as repos:
        return Factors.from_rows(await repos.factors.list())
