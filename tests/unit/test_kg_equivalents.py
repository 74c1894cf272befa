"""Kilogram equivalents: the conversions of every measure, the factor each item keeps (also after
the factor changes or the report is amended), and how an estimate is shown."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot import conversion, filing
from bot.digest.labels import rounded_estimate
from bot.equivalents import (
    WEIGHT_ONLY,
    Factors,
)
from bot.forms.definitions import SEIZURE
from storage import Database, SeizureItem
from tests.unit.kg_samples import NOW, file, item, people, seizure

# -- the conversions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("substance", "qty", "measure", "factor", "equivalent"),
    [
        ("heroin", "1500", "g", "1", "1.5"),  # a weight by definition
        ("heroin", "2.5", "kg", "1", "2.5"),
        ("precursor", "250", "ml", "1", "0.25"),  # 250 ml = 0.25 L at 1 kg/L
        ("precursor", "3", "l", "1", "3"),
        ("meth", "500", "tablets", "0.0001", "0.05"),  # 500 tablets at 100 mg
        ("tramadol", "500", "tablets", None, None),  # no factor: no equivalent
        ("hashish", "4", "pieces", None, None),
    ],
)
def test_every_measure_converts_with_the_seeded_factor(
    substance: str, qty: str, measure: str, factor: str | None, equivalent: str | None
) -> None:
    made = item(substance, qty, measure)
    assert made.kg_factor == (Decimal(factor) if factor else None)
    assert made.kg_equivalent == (Decimal(equivalent) if equivalent else None)


def test_kilograms_are_their_own_equivalent_even_without_a_factor() -> None:
    made = item("heroin", "700", "g", WEIGHT_ONLY)
    assert made.kg_factor == 1
    bare = SeizureItem("heroin", Decimal(2), "kg", Decimal(2), "kg")  # built with no factor
    assert bare.kg_equivalent == 2


def test_a_factor_set_by_an_admin_applies_to_pieces_and_millilitres() -> None:
    factors = Factors({("hashish", "pieces"): Decimal("0.25"), ("precursor", "l"): Decimal("1.08")})
    assert item("hashish", "4", "pieces", factors).kg_equivalent == 1
    assert item("precursor", "500", "ml", factors).kg_equivalent == Decimal("0.54")


async def test_a_stored_report_keeps_its_factor_after_the_factor_changes(db: Database) -> None:
    async with db.transaction() as repos:
        _admin, officer = await people(repos)
        old = await file(repos, officer, ("precursor", "3", "l"), ("meth", "1000", "tablets"),
                         key="old")  # fmt: skip
    async with db.transaction() as repos:
        await conversion.set_factor(repos, 1, "precursor", "l", "1,08")
        await conversion.set_factor(repos, 1, "meth", "tablets", None)  # no factor any more
    async with db.transaction() as repos:
        new = await file(repos, officer, ("precursor", "3", "l"), ("meth", "1000", "tablets"),
                         key="new")  # fmt: skip
        again = await repos.reports.get(old.id)
    assert again is not None
    assert [(i.kg_factor, i.kg_equivalent) for i in again.items] == [
        (Decimal(1), Decimal(3)),
        (Decimal("0.0001"), Decimal("0.1")),
    ]
    assert [(i.kg_factor, i.kg_equivalent) for i in new.items] == [
        (Decimal("1.08"), Decimal("3.24")),
        (None, None),
    ]
    # Its version snapshot says the same.
    async with db.read() as repos:
        (version,) = await repos.reports.versions(old.id)
    assert [i["kg_factor"] for i in version.answers["items"]] == ["1", "0.0001"]


async def test_an_amendment_keeps_the_factors_its_report_was_filed_with(db: Database) -> None:
    async with db.transaction() as repos:
        _admin, officer = await people(repos)
        report = await file(repos, officer, ("precursor", "3", "l"), key="filed")
        await conversion.set_factor(repos, 1, "precursor", "l", "2")
        await conversion.set_factor(repos, 1, "hashish", "pieces", "250")
        factors = Factors.from_rows(await repos.factors.list()).keeping(report.items)
        changes = filing.report_changes(
            SEIZURE, seizure(("precursor", "4", "l"), ("hashish", "2", "pieces")), factors
        )
        amended = await repos.reports.amend(
            report.id, changes, amended_by=officer.id, idempotency_key="a1", now=NOW
        )
    # Litres of precursor as filed (1 kg/L); pieces of hashish, new to it, at today's factor.
    assert [i.kg_equivalent for i in amended.items] == [Decimal(4), Decimal("0.5")]


@pytest.mark.parametrize(
    ("kg", "shown"),
    [
        ("224.6907", "224.7"),
        ("43.9186", "43.9"),
        ("1.6604", "1.66"),
        ("0.1234", "0.123"),
        ("100", "100"),
        ("0.0004", "0"),
        ("0", "0"),
    ],
)
def test_an_equivalent_is_shown_to_what_an_estimate_can_claim(kg: str, shown: str) -> None:
    """A sum of converted tablets printed to four decimals would read as a weighing."""
    assert rounded_estimate(Decimal(kg)) == Decimal(shown)
