"""An admin's change of a kilogram factor: the value typed in the unit people think in, bad input
refused with its reason, and the rules layer (refused, audited with old and new)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bot import conversion, reference
from bot.audit_log import AuditPage, entry_lines
from bot.authority import Refused
from bot.digest.labels import factor_text
from bot.equivalents import (
    BadFactor,
    FactorProblem,
    load_factors,
    parse_factor,
    typed_value,
)
from bot.i18n import Catalogs
from storage import Database, Role, UserStatus
from tests.unit.kg_samples import LANGUAGES, TASHKENT, people

# -- what an admin types -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "unit", "kg"),
    [
        ("1", "l", "1"),
        ("0,95", "l", "0.95"),
        (" 1.08 ", "l", "1.08"),
        ("100", "tablets", "0.0001"),
        ("300", "tablets", "0.0003"),
        ("0.5", "tablets", "0.0000005"),
        ("250", "pieces", "0.25"),
        (".5", "pieces", "0.0005"),
    ],
)
def test_a_typed_factor_in_the_unit_people_think_in(typed: str, unit: str, kg: str) -> None:
    value = parse_factor(typed, unit)
    assert value == Decimal(kg)
    assert typed_value(value, unit) == Decimal(typed.strip().replace(",", "."))


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        (None, FactorProblem.EMPTY),
        ("", FactorProblem.EMPTY),
        ("   \n", FactorProblem.EMPTY),
        ("heavy", FactorProblem.NOT_A_NUMBER),  # wrong
        ("1.2.3", FactorProblem.NOT_A_NUMBER),  # malformed
        ("1,5,0", FactorProblem.NOT_A_NUMBER),
        ("1 000", FactorProblem.NOT_A_NUMBER),
        ("1.", FactorProblem.NOT_A_NUMBER),
        ("1e2", FactorProblem.NOT_A_NUMBER),
        ("NaN", FactorProblem.NOT_A_NUMBER),
        ("Infinity", FactorProblem.NOT_A_NUMBER),
        ("0x10", FactorProblem.NOT_A_NUMBER),
        ("+1", FactorProblem.NOT_A_NUMBER),
        ("١٠٠", FactorProblem.NOT_A_NUMBER),  # digits, but not ASCII
        ("１００", FactorProblem.NOT_A_NUMBER),
        ("<b>1</b>", FactorProblem.NOT_A_NUMBER),  # hostile
        ("=1+1", FactorProblem.NOT_A_NUMBER),
        ("1; DROP TABLE conversion_factors", FactorProblem.NOT_A_NUMBER),
        ("\u202e1", FactorProblem.NOT_A_NUMBER),
        ("1\x00", FactorProblem.NOT_A_NUMBER),
        ("9" * 10_000, FactorProblem.NOT_A_NUMBER),  # huge
        ("-1", FactorProblem.NOT_POSITIVE),  # negative
        ("-0,5", FactorProblem.NOT_POSITIVE),
        ("0", FactorProblem.NOT_POSITIVE),  # zero
        ("0.0000", FactorProblem.NOT_POSITIVE),
        ("99999999999999999999", FactorProblem.TOO_LARGE),  # absurdly large
        ("5.0001", FactorProblem.TOO_LARGE),
        ("0.00001", FactorProblem.TOO_PRECISE),
    ],
)
def test_a_bad_typed_factor_is_refused_with_its_reason(
    typed: str | None, problem: FactorProblem
) -> None:
    with pytest.raises(BadFactor) as raised:
        parse_factor(typed, "l")
    assert raised.value.problem is problem


def test_each_unit_has_its_own_plausible_maximum() -> None:
    assert parse_factor("5000", "tablets") == Decimal("0.005")
    with pytest.raises(BadFactor):
        parse_factor("5001", "tablets")
    assert parse_factor("50000", "pieces") == Decimal(50)
    with pytest.raises(BadFactor):
        parse_factor("50001", "pieces")
    with pytest.raises(ValueError, match="no factor"):
        parse_factor("1", "kg")


# -- the rules layer -------------------------------------------------------------------------


async def test_an_admin_sets_a_factor_audited_with_old_and_new(db: Database) -> None:
    async with db.transaction() as repos:
        await people(repos)
        done = await conversion.set_factor(repos, 1, "hashish", "pieces", "250")
    assert not isinstance(done, Refused) and done is not None
    assert (done.kg_per_unit, done.updated_by) == (Decimal("0.25"), 1)
    async with db.transaction() as repos:
        await conversion.set_factor(repos, 1, "hashish", "pieces", "300")
        await conversion.set_factor(repos, 1, "hashish", "pieces", None)
    async with db.read() as repos:
        entries = await repos.audit.latest(3)
        row = await repos.factors.get("hashish", "pieces")
    assert row is not None and row.kg_per_unit is None
    assert [(e.action, e.actor_telegram_id, e.target) for e in entries] == [
        ("factor.changed", 1, "hashish:pieces")
    ] * 3
    assert [json.loads(e.details or "{}") for e in entries] == [
        {"before": "0.3", "after": None},
        {"before": "0.25", "after": "0.3"},
        {"before": None, "after": "0.25"},
    ]
    assert (await load_factors(db)).factor("hashish", "pieces") is None


async def test_the_same_factor_again_changes_and_audits_nothing(db: Database) -> None:
    """Two admins typing the same weight, or "Remove" of a factor another admin removed: the
    audit lists only real changes, and the row keeps who set it."""
    async with db.transaction() as repos:
        await people(repos)
        await repos.users.create(telegram_id=7, role=Role.ADMIN, display_name="Second admin")
        await conversion.set_factor(repos, 1, "hashish", "pieces", "250")
    async with db.transaction() as repos:
        again = await conversion.set_factor(repos, 7, "hashish", "pieces", "250,0")
        await conversion.set_factor(repos, 7, "opium", "pieces", None)  # none already
    async with db.read() as repos:
        entries = [e for e in await repos.audit.latest(10) if e.action == "factor.changed"]
        row = await repos.factors.get("hashish", "pieces")
    assert not isinstance(again, Refused) and again is not None
    assert again.kg_per_unit == Decimal("0.25")
    assert row is not None and row.updated_by == 1
    assert [(e.actor_telegram_id, e.target) for e in entries] == [(1, "hashish:pieces")]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.COORDINATOR, None])
async def test_nobody_but_an_admin_changes_or_reads_a_factor(
    db: Database, role: Role | None
) -> None:
    async with db.transaction() as repos:
        await people(repos)
        if role is not None:
            await repos.users.create(telegram_id=7, role=role, display_name="Not admin")
    async with db.transaction() as repos:
        changed = await conversion.set_factor(repos, 7, "precursor", "l", "3")
        listed = await conversion.factors_list(repos, 7)
        viewed = await conversion.factor_view(repos, 7, "precursor", "l")
    assert isinstance(changed, Refused)
    assert isinstance(listed, Refused) and isinstance(viewed, Refused)
    async with db.read() as repos:
        row = await repos.factors.get("precursor", "l")
        entries = await repos.audit.latest(3)
    assert row is not None and row.kg_per_unit == 1 and row.updated_by is None
    assert {e.action for e in entries} == {"factor.change_refused", "factor.list_refused"}


async def test_a_blocked_admin_is_refused(db: Database) -> None:
    async with db.transaction() as repos:
        admin, _officer = await people(repos)
        await repos.users.set_status(admin.id, UserStatus.BLOCKED)
    async with db.transaction() as repos:
        assert isinstance(await conversion.set_factor(repos, 1, "heroin", "l", "2"), Refused)


async def test_the_rules_layer_checks_the_typed_value_again(db: Database) -> None:
    async with db.transaction() as repos:
        await people(repos)
    with pytest.raises(BadFactor):
        async with db.transaction() as repos:
            await conversion.set_factor(repos, 1, "heroin", "l", "-1")
    async with db.transaction() as repos:
        assert await conversion.set_factor(repos, 1, "heroin", "kg", "1") is None  # kg: none
        assert await conversion.set_factor(repos, 1, "nope", "l", "1") is None
        assert await conversion.factor_view(repos, 1, "heroin", "g") is None
    async with db.read() as repos:
        row = await repos.factors.get("heroin", "l")
    assert row is not None and row.kg_per_unit == 1


async def test_the_repository_refuses_what_is_not_a_weight(db: Database) -> None:
    for bad in (Decimal(0), Decimal(-1), Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(ValueError, match="positive"):
            async with db.transaction() as repos:
                await repos.factors.set("heroin", "l", bad, updated_by=None)


async def test_the_audit_log_names_the_substance_and_unit(db: Database) -> None:
    async with db.transaction() as repos:
        await people(repos)
        await conversion.set_factor(repos, 1, "meth", "tablets", "150")
    catalogs = Catalogs(TASHKENT)
    await reference.load_names(db, catalogs)  # as the bot does at start
    ru = catalogs.translator("ru")
    async with db.read() as repos:
        entries = await repos.audit.latest(1)
        admin = await repos.users.get_by_telegram_id(1)
    assert admin is not None
    (line,) = entry_lines(AuditPage(entries, {1: admin}), ru)
    assert ru.gettext("Kilogram-equivalent factor changed") in line
    assert "Метамфетамин (табл.)" in line


@pytest.mark.parametrize("language", LANGUAGES)
def test_factors_read_in_every_language(catalogs: Catalogs, language: str) -> None:
    tr = catalogs.translator(language)
    for unit, kg in (("l", "1"), ("tablets", "0.0001"), ("pieces", "0.25")):
        text = factor_text(Decimal(kg), unit, tr)
        assert text and "{" not in text
    assert factor_text(None, "tablets", tr) == tr.gettext("no factor")
