"""Migration 0010 makes the users table again (SQLite cannot change a CHECK in place): every
row, id and reference must come through, and 'uz_Cyrl' becomes a language a person may have."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage import Database
from storage.db import migration_files


async def _database_at_version_9(path: Path) -> Database:
    db = await Database.open(path, migrate=False)
    for number, _name, sql in migration_files():
        if number <= 9:
            await db._conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number:d};\nCOMMIT;"
            )
    await db._conn.executescript(
        "BEGIN IMMEDIATE;"
        "INSERT INTO users (id, telegram_id, display_name, role, unit_id, language, status,"
        " created_at, updated_at, telegram_language)"
        " VALUES (7, 1001, 'Bekzod', 'officer', 1, 'uz', 'active', 'a', 'b', 'uz'),"
        " (8, 1002, 'Olga', 'coordinator', NULL, NULL, 'blocked', 'c', 'd', NULL);"
        "INSERT INTO drafts (user_id, draft_id, form, data, created_at, updated_at)"
        " VALUES (7, 'd-1', 'seizure', '{}', 'a', 'a');"
        "COMMIT;"
    )
    return db


async def test_every_user_and_reference_comes_through(tmp_path: Path) -> None:
    db = await _database_at_version_9(tmp_path / "old.sqlite3")
    try:
        assert (await db.migrate())[0] == "0010_uzbek_cyrillic.sql"  # and any later ones
        conn = db._conn
        rows = await conn.execute_fetchall(
            "SELECT id, telegram_id, display_name, role, unit_id, language, status, created_at,"
            " updated_at, telegram_language FROM users ORDER BY id"
        )
        assert [tuple(row) for row in rows] == [
            (7, 1001, "Bekzod", "officer", 1, "uz", "active", "a", "b", "uz"),
            (8, 1002, "Olga", "coordinator", None, None, "blocked", "c", "d", None),
        ]
        assert list(await conn.execute_fetchall("PRAGMA foreign_key_check")) == []
        assert [tuple(r) for r in await conn.execute_fetchall("SELECT user_id FROM drafts")] == [
            (7,)
        ]
        tables = {
            str(row[0]) for row in await conn.execute_fetchall("SELECT name FROM sqlite_master")
        }
        assert "users_before_cyrillic" not in tables
        assert "users_unit" in tables  # the index is back
        await conn.execute("UPDATE users SET language = 'uz_Cyrl' WHERE id = 7")
        with pytest.raises(sqlite3.IntegrityError):
            await conn.execute("UPDATE users SET language = 'xx' WHERE id = 7")
        await conn.rollback()
    finally:
        await db.close()
