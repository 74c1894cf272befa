"""Units (mobile teams and border liaison offices)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import aiosqlite

from storage.clock import to_db, utc_now
from storage.models import Coordinates, Unit, UnitKind
from storage.sql import execute_counting, fetch_all, fetch_one

_COLUMNS = "id, code, kind, name_uz, name_ru, name_en, active, latitude, longitude"


def coordinates_from(latitude: float | None, longitude: float | None) -> Coordinates | None:
    """The pair as stored, or None unless both parts are (they are written together)."""
    if latitude is None or longitude is None:
        return None
    return Coordinates(float(latitude), float(longitude))


def coordinates_params(coordinates: Coordinates | None) -> tuple[float | None, float | None]:
    if coordinates is None:
        return None, None
    return coordinates.latitude, coordinates.longitude


def _unit(row: sqlite3.Row) -> Unit:
    return Unit(
        id=int(row[0]),
        code=str(row[1]),
        kind=UnitKind(row[2]),
        name_uz=str(row[3]),
        name_ru=str(row[4]),
        name_en=str(row[5]),
        active=bool(row[6]),
        coordinates=coordinates_from(row[7], row[8]),
    )


class UnitRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def get(self, unit_id: int) -> Unit | None:
        row = await fetch_one(self._conn, f"SELECT {_COLUMNS} FROM units WHERE id = ?", (unit_id,))
        return _unit(row) if row else None

    async def get_by_code(self, code: str) -> Unit | None:
        row = await fetch_one(self._conn, f"SELECT {_COLUMNS} FROM units WHERE code = ?", (code,))
        return _unit(row) if row else None

    async def list(self, *, active_only: bool = False) -> list[Unit]:
        query = f"SELECT {_COLUMNS} FROM units"
        if active_only:
            query += " WHERE active = 1"
        query += " ORDER BY kind, code"
        rows = await fetch_all(self._conn, query)
        return [_unit(row) for row in rows]

    async def create(
        self,
        *,
        code: str,
        kind: UnitKind,
        name_uz: str,
        name_ru: str,
        name_en: str,
        coordinates: Coordinates | None = None,
        now: datetime | None = None,
    ) -> Unit:
        """A new active unit; the unique code is enforced by the table (IntegrityError)."""
        row = await fetch_one(
            self._conn,
            "INSERT INTO units (code, kind, name_uz, name_ru, name_en, active, created_at,"
            f" latitude, longitude) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING {_COLUMNS}",
            (
                code,
                kind.value,
                name_uz,
                name_ru,
                name_en,
                to_db(now or utc_now()),
                *coordinates_params(coordinates),
            ),
        )
        assert row is not None
        return _unit(row)

    async def rename(self, unit_id: int, *, name_uz: str, name_ru: str, name_en: str) -> None:
        await self._conn.execute(
            "UPDATE units SET name_uz = ?, name_ru = ?, name_en = ? WHERE id = ?",
            (name_uz, name_ru, name_en, unit_id),
        )

    async def set_coordinates(self, unit_id: int, coordinates: Coordinates | None) -> None:
        """Where the unit is (None: unknown); both parts are written together."""
        await self._conn.execute(
            "UPDATE units SET latitude = ?, longitude = ? WHERE id = ?",
            (*coordinates_params(coordinates), unit_id),
        )

    async def set_active(self, unit_id: int, active: bool) -> bool:
        """False when the unit already was in that state (a repeated tap changes nothing)."""
        changed = await execute_counting(
            self._conn,
            "UPDATE units SET active = ? WHERE id = ? AND active <> ?",
            (int(active), unit_id, int(active)),
        )
        return changed == 1
