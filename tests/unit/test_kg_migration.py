"""Migration 0015 over a database of the previous version: the documented seed, and existing and
bulk-loaded items given the factor that applies."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from bot import conversion
from bot.equivalents import (
    Factors,
)
from bot.forms.definitions import SUBSTANCES
from storage import Database
from storage.bulk import Chunk, bulk_load
from storage.db import migration_files
from tests.unit.kg_samples import file, people

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
