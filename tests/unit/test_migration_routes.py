"""Migration 0014 on a database the previous version made (tests/fixtures/schema13.sql): every
report comes through whole, with an empty route and unit-level coordinates, and says so."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from storage import Database, Precision, ReportStatus
from storage.db import migration_files

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "schema13.sql"
TERMEZ = (37.2242, 67.2783)  # the Termez mobile team's seeded location (migration 0013)
TERMEZ_BLO = (37.23, 67.28)  # the fixture's border office


TABLES = ("seizure_items", "attachments", "report_versions", "audit_log")


def _columns(path: Path) -> dict[str, str]:
    """The columns of the report tables as they are (later migrations may add their own)."""
    conn = sqlite3.connect(path)
    try:
        return {
            table: ", ".join(row[1] for row in conn.execute(f"PRAGMA table_info({table})"))
            for table in TABLES
        }
    finally:
        conn.close()


def _old_rows(path: Path, columns: dict[str, str]) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of the report tables, in the columns the previous version had."""
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f"SELECT {names} FROM {table} ORDER BY 1, 2").fetchall()
            for table, names in columns.items()
        } | {
            "reports": conn.execute(
                "SELECT id, number, form, form_code, year, seq, idempotency_key, unit_id,"
                " author_id, occurred_at, submitted_at, local_day, status, urgent, version,"
                " answers, place_text, persons_detained, updated_at, digest_day"
                " FROM reports ORDER BY id"
            ).fetchall()
        }
    finally:
        conn.close()


@pytest.fixture
def old_database(tmp_path: Path) -> Path:
    path = tmp_path / "schema13.sqlite3"
    conn = sqlite3.connect(path)
    try:
        conn.executescript(FIXTURE.read_text(encoding="utf-8"))
        assert conn.execute("PRAGMA user_version").fetchone() == (13,)
    finally:
        conn.close()
    return path


async def test_every_report_comes_through_with_its_record_saying_it_predates_routes(
    old_database: Path,
) -> None:
    columns_before = _columns(old_database)
    before = _old_rows(old_database, columns_before)
    assert {row[2] for row in before["reports"]} == {
        "seizure",
        "incident",
        "joint_operation",
        "daily_status",
    }
    db = await Database.open(old_database)
    try:
        assert await db.schema_version() == len(migration_files())
        async with db.read() as repos:
            reports = {
                report.number: report
                for report in await repos.reports.between_days(date(2026, 1, 1), date(2026, 12, 31))
            }
        conn = db._conn
        assert list(await conn.execute_fetchall("PRAGMA foreign_key_check")) == []
    finally:
        await db.close()
    # Nothing already stored is lost or changed: the old columns and tables read the same.
    assert _old_rows(old_database, columns_before) == before
    assert len(reports) == len(before["reports"]) == 8

    # Every report says it was filed before routes were asked; none has a route.
    assert all(r.filed_before_routes and r.route is None for r in reports.values())

    def where(number: str) -> tuple[Precision | None, tuple[float, float] | None]:
        report = reports[number]
        at = (report.latitude, report.longitude) if report.latitude is not None else None
        return report.precision, at  # type: ignore[return-value]

    assert where("SZ-2026-000001") == (Precision.UNIT, TERMEZ)  # typed, amended once
    assert where("SZ-2026-000002") == (Precision.EXACT, (37.2242, 67.2783))  # a shared location
    assert where("SZ-2026-000003") == (Precision.UNIT, TERMEZ_BLO)  # a point: the unit's, here
    assert where("SZ-2026-000004") == (Precision.UNIT, TERMEZ_BLO)
    assert where("SZ-2026-000005") == (Precision.NONE, None)  # a unit without coordinates
    assert where("IN-2026-000001") == (Precision.UNIT, TERMEZ)
    assert where("JO-2026-000001") == (None, None)  # no place asked
    assert where("DS-2026-000001") == (None, None)

    first = reports["SZ-2026-000001"]
    assert first.version == 2 and first.place_text == "Termiz bozori, 2-darvoza"
    assert [(i.substance, str(i.quantity), i.measure) for i in first.items] == [
        ("heroin", "2.5", "kg"),
        ("tramadol", "40", "tablets"),
    ]
    assert len(first.attachments) == 1
    assert reports["IN-2026-000001"].status is ReportStatus.WITHDRAWN
