"""Names of agencies and substances (reference data): read all at once, corrected one by one."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import aiosqlite

from storage.clock import from_db, to_db, utc_now
from storage.models import ReferenceKind, ReferenceName
from storage.sql import fetch_all, fetch_one

_COLUMNS = "kind, key, name_uz, name_ru, name_en, updated_at, updated_by"


def _name(row: sqlite3.Row) -> ReferenceName:
    return ReferenceName(
        kind=ReferenceKind(row[0]),
        key=str(row[1]),
        name_uz=str(row[2]),
        name_ru=str(row[3]),
        name_en=str(row[4]),
        updated_at=from_db(row[5]),
        updated_by=int(row[6]) if row[6] is not None else None,
    )


class ReferenceNameRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def list(self) -> list[ReferenceName]:
        """Every name in one query: the bot keeps them in memory (bot/reference.py)."""
        rows = await fetch_all(
            self._conn, f"SELECT {_COLUMNS} FROM reference_names ORDER BY kind, key"
        )
        return [_name(row) for row in rows]

    async def get(self, kind: ReferenceKind, key: str) -> ReferenceName | None:
        row = await fetch_one(
            self._conn,
            f"SELECT {_COLUMNS} FROM reference_names WHERE kind = ? AND key = ?",
            (kind.value, key),
        )
        return _name(row) if row else None

    async def rename(
        self,
        kind: ReferenceKind,
        key: str,
        *,
        name_uz: str,
        name_ru: str,
        name_en: str,
        updated_by: int | None,
        now: datetime | None = None,
    ) -> ReferenceName | None:
        """Store the corrected names; None for a kind and key that are not in the table."""
        row = await fetch_one(
            self._conn,
            "UPDATE reference_names SET name_uz = ?, name_ru = ?, name_en = ?, updated_at = ?,"
            " updated_by = ? WHERE kind = ? AND key = ?"
            f" RETURNING {_COLUMNS}",
            (name_uz, name_ru, name_en, to_db(now or utc_now()), updated_by, kind.value, key),
        )
        return _name(row) if row else None
