"""Kilogram equivalents: the conversions of every measure, the factor each item keeps, the urgent
rule with factors, the admin's change through the rules layer (refused, audited, bad input) and
migration 0015 over a database of the previous version."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import conversion, filing, reference
from bot.audit_log import AuditPage, entry_lines
from bot.authority import Refused
from bot.digest.build import build_digest
from bot.digest.figures import Amount
from bot.digest.labels import factor_text, rounded_estimate, weighing_text
from bot.digest.text import render_text
from bot.equivalents import (
    WEIGHT_ONLY,
    BadFactor,
    FactorProblem,
    Factors,
    load_factors,
    parse_factor,
    typed_value,
)
from bot.forms.definitions import SEIZURE, SUBSTANCES
from bot.handlers.urgent.alert_view import AlertView, alert_text
from bot.i18n import Catalogs
from bot.urgent import Reason, heaviest_equivalent_kg, large_by, why_urgent
from storage import Database, Report, Repositories, Role, SeizureItem, User, UserStatus
from storage.alerts import Alert
from storage.bulk import Chunk, bulk_load
from storage.db import migration_files
from tests.unit.digest_samples import DAY, TERMEZ_IMT, UNITS, local, make_report

TASHKENT = ZoneInfo("Asia/Tashkent")
NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
THRESHOLD = Decimal(1)
LANGUAGES = ("uz", "uz_Cyrl", "ru", "en")
#: What migration 0015 seeds: litres at 1 kg/L for every substance, methamphetamine tablets at
#: 100 mg; nothing else.
SEEDED = Factors(
    {(option.key, "l"): Decimal(1) for option in SUBSTANCES}
    | {("meth", "tablets"): Decimal("0.0001")}
)


def seizure(*items: tuple[str, str, str], urgent: bool = False) -> dict[str, Any]:
    return {
        "items": [{"substance": s, "qty": q, "measure": m} for s, q, m in items],
        "detained": "0",
        "urgent": urgent,
    }


def item(substance: str, qty: str, measure: str, factors: Factors = SEEDED) -> SeizureItem:
    """One stored item as filing makes it with ``factors``."""
    (made,) = filing.report_changes(SEIZURE, seizure((substance, qty, measure)), factors).items
    return SeizureItem(
        made.substance,
        made.quantity,
        made.measure,
        made.normalized_quantity,
        made.normalized_unit,
        made.kg_factor,
    )


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs(TASHKENT)


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


async def file(repos: Repositories, author: User, *items: tuple[str, str, str], key: str) -> Report:
    factors = Factors.from_rows(await repos.factors.list())
    assert author.unit_id is not None
    return await repos.reports.create(
        filing.new_report(
            SEIZURE,
            seizure(*items),
            draft_id=key,
            author=author,
            unit_id=author.unit_id,
            now=NOW,
            timezone=TASHKENT,
            factors=factors,
        )
    )


async def people(repos: Repositories) -> tuple[User, User]:
    unit = await repos.units.get_by_code("IMT-TER")
    assert unit is not None
    admin = await repos.users.create(telegram_id=1, role=Role.ADMIN, display_name="Zarina")
    officer = await repos.users.create(
        telegram_id=2, role=Role.OFFICER, display_name="Bekzod", unit_id=unit.id
    )
    return admin, officer


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


# -- the urgent rule -------------------------------------------------------------------------


def filed(*items: SeizureItem, urgent: bool = False) -> Report:
    report = make_report("SZ-2026-000101", TERMEZ_IMT, local(DAY, 9), urgent=urgent)
    return replace(report, items=items)


def test_litres_at_their_factor_make_a_seizure_large() -> None:
    report = filed(item("precursor", "3", "l"))
    assert why_urgent(report, THRESHOLD) is Reason.LARGE
    large = large_by(report.items, THRESHOLD)
    assert large is not None and not large.weighed and large.equivalent_kg == 3


def test_weighed_and_converted_items_of_one_substance_add_up() -> None:
    report = filed(item("meth", "600", "g"), item("meth", "5000", "tablets"))  # 0.6 + 0.5 kg
    large = large_by(report.items, THRESHOLD)
    assert large is not None and (large.reported_kg, large.equivalent_kg) == (
        Decimal("0.6"),
        Decimal("1.1"),
    )
    assert why_urgent(report, THRESHOLD) is Reason.LARGE


def test_reported_weight_is_named_first_when_it_reaches_the_threshold() -> None:
    report = filed(item("heroin", "1.2", "kg"), item("precursor", "5", "l"))
    large = large_by(report.items, THRESHOLD)
    assert large is not None and large.substance == "heroin" and large.reported_kg == Decimal("1.2")
    assert heaviest_equivalent_kg(report.items) == 5


@pytest.mark.parametrize(
    "items",
    [
        (("tramadol", "100000", "tablets"),),  # no factor: tablets never weigh
        (("hashish", "50", "pieces"),),
        (("heroin", "0.6", "kg"), ("precursor", "0.6", "l")),  # two substances, neither large
        (("precursor", "999", "ml"),),
        (("meth", "9999", "tablets"),),  # 0.9999 kg
    ],
)
def test_what_stays_below_the_threshold(items: tuple[tuple[str, str, str], ...]) -> None:
    report = filed(*(item(*i) for i in items))
    assert why_urgent(report, THRESHOLD) is None
    assert large_by(report.items, THRESHOLD) is None


def test_a_threshold_of_nothing_still_needs_something_weighed_or_converted() -> None:
    assert why_urgent(filed(item("tramadol", "3", "tablets")), Decimal(0)) is None
    assert why_urgent(filed(item("meth", "3", "tablets")), Decimal(0)) is Reason.LARGE


def test_the_filing_summary_agrees_with_the_alert() -> None:
    answers = seizure(("precursor", "1", "l"))
    assert filing.urgency(SEIZURE, answers, THRESHOLD, SEEDED) is Reason.LARGE
    assert filing.urgency(SEIZURE, answers, THRESHOLD, WEIGHT_ONLY) is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_alert_says_which_kilograms_in_every_language(
    catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    by_equivalent = filed(item("precursor", "3", "l"), item("meth", "4000", "tablets"))
    by_weight = filed(item("heroin", "1.2", "kg"))
    texts = {}
    for name, report in (("equivalent", by_equivalent), ("weight", by_weight)):
        at = report.submitted_at
        alert = Alert(1, report.id, Reason.LARGE.value, at, None, None, 0, at)
        texts[name] = alert_text(AlertView(alert, report, TERMEZ_IMT, None), tr, THRESHOLD)
    large = large_by(by_equivalent.items, THRESHOLD)
    assert large is not None
    said = weighing_text(large, THRESHOLD, tr)
    assert tr.format_number(Decimal(3)) in said
    assert factor_text(Decimal(1), "l", tr) in said
    assert tr.gettext("{quantity} L").format(quantity="3") in said
    assert said in texts["equivalent"].replace("&lt;", "<").replace("&gt;", ">")
    weighed = large_by(by_weight.items, THRESHOLD)
    assert weighed is not None
    assert weighing_text(weighed, THRESHOLD, tr) in texts["weight"]
    if language == "en":
        assert (
            "Large seizure:</b> Precursor (acetic anhydride etc.): ≈\u00a03\u00a0kg equivalent"
            in texts["equivalent"]
        )
        assert "(3\u00a0L at 1\u00a0kg/L)" in texts["equivalent"]
        assert "Heroin: 1.2\u00a0kg reported" in texts["weight"]
    if language == "ru":
        assert "≈\u00a03\u00a0кг в эквиваленте (3\u00a0л по 1\u00a0кг/л)" in texts["equivalent"]
        assert "Героин: 1,2\u00a0кг по отчёту" in texts["weight"]


@pytest.mark.parametrize(
    ("count", "ru_words"),
    [("1", "1 таблетка"), ("3", "3 таблетки"), ("5", "5 таблеток"), ("21", "21 таблетка")],
)
def test_tablets_in_the_alert_take_their_plural_form(
    catalogs: Catalogs, count: str, ru_words: str
) -> None:
    factors = Factors({("meth", "tablets"): Decimal(1)})  # an absurd 1 kg per tablet
    report = filed(item("meth", count, "tablets", factors))
    large = large_by(report.items, THRESHOLD)
    assert large is not None
    text = weighing_text(large, THRESHOLD, catalogs.translator("ru"))
    assert ru_words in text.replace("\u00a0", " ")


# -- the digest -----------------------------------------------------------------------------


def test_the_digest_shows_quantities_as_reported_and_the_equivalent_total(
    catalogs: Catalogs,
) -> None:
    report = filed(
        item("heroin", "500", "g"),
        item("precursor", "1500", "ml"),
        item("meth", "2000", "tablets"),
        item("tramadol", "300", "tablets"),
    )
    digest = build_digest(DAY, [report], UNITS, [], urgent_threshold_kg=Decimal(10))
    h = digest.headline
    assert h.kg_seized == Decimal("0.5")  # weighed only, as before
    assert h.kg_equivalent == Decimal("2.2")  # 0.5 + 1.5 + 0.2; tramadol has no factor
    assert h.totals == (
        Amount("heroin", "kg", Decimal("0.5"), Decimal("0.5")),
        Amount("meth", "tablets", Decimal(2000), Decimal("0.2")),
        Amount("tramadol", "tablets", Decimal(300)),
        Amount("precursor", "l", Decimal("1.5"), Decimal("1.5")),
    )
    assert h.without_factor == (Amount("tramadol", "tablets", Decimal(300)),)
    en = "\n".join(render_text(digest, catalogs.translator("en"), {u.id: u for u in UNITS}))
    assert "Methamphetamine: 2,000\u00a0tablets (≈\u00a00.2\u00a0kg equivalent)" in en
    assert "Total in kilogram equivalents: ≈\u00a02.2\u00a0kg" in en
    assert "Not included (no factor):" in en


def test_an_urgent_report_by_equivalent_reads_so_in_the_digest(catalogs: Catalogs) -> None:
    digest = build_digest(DAY, [filed(item("precursor", "3", "l"))], UNITS, [])
    (urgent,) = digest.highlights.urgent
    assert (urgent.large, urgent.equivalent, urgent.kg) == (True, True, Decimal(3))
    en = "\n".join(render_text(digest, catalogs.translator("en"), {u.id: u for u in UNITS}))
    assert "(large seizure of ≈\u00a03\u00a0kg equivalent)" in en


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


# -- the migration ------------------------------------------------------------------------------


def test_the_seed_is_the_documented_one() -> None:
    sql = next(s for number, _n, s in migration_files() if number == 15)
    assert "90 to 300 mg" in sql and "100 mg" in sql
    for sqlite_only in ("AUTOINCREMENT", "datetime(", "strftime(", "PRAGMA", "GLOB"):
        assert sqlite_only.lower() not in sql.lower()


async def test_the_migration_gives_existing_items_the_factor_that_applies(
    tmp_path: Path,
) -> None:
    """A database of the previous version with seizures in every measure: each item keeps its
    quantities and gets the seeded factor, or none."""
    db = await Database.open(tmp_path / "old.sqlite3", migrate=False)
    try:
        for number, _name, sql in migration_files():
            if number < 15:
                await db._conn.executescript(
                    f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number:d};\nCOMMIT;"
                )
        rows = [
            ("heroin", "1500", "g", "1.5", "kg"),
            ("precursor", "250", "ml", "0.25", "l"),
            ("meth", "300", "tablets", "300", "tablets"),
            ("tramadol", "40", "tablets", "40", "tablets"),
            ("hashish", "2", "pieces", "2", "pieces"),
        ]
        values = ", ".join(
            f"(1, {position}, '{s}', '{q}', '{m}', '{nq}', '{nu}')"
            for position, (s, q, m, nq, nu) in enumerate(rows, 1)
        )
        await db._conn.executescript(
            "BEGIN IMMEDIATE;"
            "INSERT INTO users (id, telegram_id, display_name, role, unit_id, status, created_at,"
            " updated_at) VALUES (1, 5, 'Bekzod', 'officer', 1, 'active',"
            " '2026-02-01T00:00:00+00:00', '2026-02-01T00:00:00+00:00');"
            "INSERT INTO reports (id, number, form, form_code, year, seq, idempotency_key,"
            " unit_id, author_id, submitted_at, local_day, status, answers, updated_at)"
            " VALUES (1, 'SZ-2026-000001', 'seizure', 'SZ', 2026, 1, 'k1', 1, 1,"
            " '2026-02-01T05:00:00+00:00', '2026-02-01', 'submitted', '{}',"
            " '2026-02-01T05:00:00+00:00');"
            "INSERT INTO seizure_items (report_id, position, substance, quantity, measure,"
            f" normalized_quantity, normalized_unit) VALUES {values};"
            "COMMIT;"
        )
        assert (await db.migrate())[:1] == ["0015_conversion_factors.sql"]
        async with db.read() as repos:
            report = await repos.reports.get(1)
            factors = await repos.factors.list()
    finally:
        await db.close()
    assert report is not None
    assert [(i.quantity, i.measure, i.normalized_quantity) for i in report.items] == [
        (Decimal(q), m, Decimal(nq)) for _s, q, m, nq, _nu in rows
    ]
    assert [i.kg_factor for i in report.items] == [
        Decimal(1),
        Decimal(1),
        Decimal("0.0001"),
        None,
        None,
    ]
    assert [i.kg_equivalent for i in report.items] == [
        Decimal("1.5"),
        Decimal("0.25"),
        Decimal("0.03"),
        None,
        None,
    ]
    # Every substance of the forms has its three rows; only the seed has values.
    assert {(f.substance, f.unit) for f in factors} == {
        (o.key, unit) for o in SUBSTANCES for unit in ("l", "tablets", "pieces")
    }
    assert Factors.from_rows(factors).factor("meth", "tablets") == Decimal("0.0001")
    assert sum(1 for f in factors if f.kg_per_unit is not None) == len(SUBSTANCES) + 1


async def test_bulk_loaded_items_get_the_factor_a_filed_report_would(tmp_path: Path) -> None:
    """The sandbox's demo reports and the benchmarks' load rows without a factor column."""
    path = tmp_path / "bulk.sqlite3"
    db = await Database.open(path)
    async with db.transaction() as repos:
        _admin, officer = await people(repos)
        await file(repos, officer, ("tramadol", "10", "tablets"), key="before")
        await conversion.set_factor(repos, 1, "tramadol", "tablets", "100")  # after it was filed
    await db.close()
    report: list[str | int | float | None] = [
        *(50, "SZ-2026-000050", "seizure", "SZ", 2026, 50, "bulk-50", officer.unit_id, officer.id),
        *(None, "2026-12-06T05:00:00+00:00", "2026-12-06", "submitted", 0, 1, "{}", None),
        *(None, None, None, "2026-12-06T05:00:00+00:00", "2026-12-06"),
    ]
    items = [
        (50, 1, "precursor", "2", "l", "2", "l"),
        (50, 2, "tramadol", "30", "tablets", "30", "tablets"),
        (50, 3, "heroin", "5", "g", "0.005", "kg"),
    ]
    bulk_load(path, [Chunk(reports=[report], items=items)])
    db = await Database.open(path)
    try:
        async with db.read() as repos:
            loaded = await repos.reports.get(50)
            before = await repos.reports.get_by_idempotency_key("before")
    finally:
        await db.close()
    assert loaded is not None and before is not None
    assert [i.kg_factor for i in loaded.items] == [Decimal(1), Decimal("0.0001"), Decimal(1)]
    assert [i.kg_factor for i in before.items] == [None]  # filed earlier: left as it was


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
