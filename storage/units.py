"""Units (mobile teams and border liaison offices)."""

from __future__ import annotations

import sqlite3

import aiosqlite

from storage.models import Unit, UnitKind

_COLUMNS = "id, code, kind, name_uz, name_ru, name_en, active"


def _unit(row: sqlite3.Row) -> Unit:
    return Unit(
        id=int(row[0]),
        code=str(row[1]),
        kind=UnitKind(row[2]),
        name_uz=str(row[3]),
        name_ru=str(row[4]),
        name_en=str(row[5]),
        active=bool(row[6]),
    )


class UnitRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def get(self, unit_id: int) -> Unit | None:
        async with self._conn.execute(
            f"SELECT {_COLUMNS} FROM units WHERE id = ?", (unit_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return _unit(row) if row else None

    async def get_by_code(self, code: str) -> Unit | None:
        async with self._conn.execute(
            f"SELECT {_COLUMNS} FROM units WHERE code = ?", (code,)
        ) as cursor:
            row = await cursor.fetchone()
        return _unit(row) if row else None

    async def list(self, *, active_only: bool = False) -> list[Unit]:
        query = f"SELECT {_COLUMNS} FROM units"
        if active_only:
            query += " WHERE active = 1"
        query += " ORDER BY kind, code"
        async with self._conn.execute(query) as cursor:
            rows = await cursor.fetchall()
        return [_unit(row) for row in rows]
