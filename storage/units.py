"""Units (mobile teams and border liaison offices)."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.clock import to_db, utc_now
from storage.columns import Field, Table, column
from storage.models import Coordinates, Unit, UnitKind
from storage.sql import execute_counting, fetch_all, fetch_one


def coordinates_from(latitude: float | None, longitude: float | None) -> Coordinates | None:
    """The pair as stored, or None unless both parts are (they are written together)."""
    if latitude is None or longitude is None:
        return None
    return Coordinates(float(latitude), float(longitude))


def coordinates_params(coordinates: Coordinates | None) -> tuple[float | None, float | None]:
    if coordinates is None:
        return None, None
    return coordinates.latitude, coordinates.longitude


def _coordinates_of(pair: tuple[float | None, float | None]) -> Coordinates | None:
    return coordinates_from(*pair)


#: A place in two columns (a unit's, a crossing point's): both parts stored, or neither.
COORDINATES = Field("coordinates", ("latitude", "longitude"), _coordinates_of, coordinates_params)

#: ``units``, in the order of :class:`Unit`'s fields.
UNITS: Table[Unit] = Table(
    "units",
    Unit,
    [
        column("id", int),
        column("code", str),
        column("kind", UnitKind),
        column("name_uz", str),
        column("name_ru", str),
        column("name_en", str),
        column("active", bool),
        COORDINATES,
    ],
)


class UnitRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def get(self, unit_id: int) -> Unit | None:
        row = await fetch_one(self._conn, UNITS.select("id = ?"), (unit_id,))
        return UNITS.read(row) if row else None

    async def get_by_code(self, code: str) -> Unit | None:
        row = await fetch_one(self._conn, UNITS.select("code = ?"), (code,))
        return UNITS.read(row) if row else None

    async def list(self, *, active_only: bool = False) -> list[Unit]:
        query = f"SELECT {UNITS.columns} FROM units"
        if active_only:
            query += " WHERE active = 1"
        query += " ORDER BY kind, code"
        rows = await fetch_all(self._conn, query)
        return [UNITS.read(row) for row in rows]

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
            f" latitude, longitude) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING {UNITS.columns}",
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
        return UNITS.read(row)

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
