"""Crossing points of the border liaison offices: listed, added, removed (kept as inactive)."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.clock import from_db, to_db, utc_now
from storage.columns import Table, column
from storage.models import Coordinates, CrossingPoint
from storage.sql import execute_counting, fetch_all, fetch_one
from storage.units import COORDINATES, coordinates_params

#: ``crossing_points``, in the order of :class:`CrossingPoint`'s fields.
POINTS: Table[CrossingPoint] = Table(
    "crossing_points",
    CrossingPoint,
    [
        column("id", int),
        column("unit_id", int),
        column("name", str),
        column("active", bool),
        column("created_at", from_db),
        COORDINATES,
    ],
)


class CrossingPointRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def list_for_unit(self, unit_id: int, active_only: bool = True) -> list[CrossingPoint]:
        """The unit's points by name; removed ones too when ``active_only`` is false."""
        query = f"SELECT {POINTS.columns} FROM crossing_points WHERE unit_id = ?"
        if active_only:
            query += " AND active = 1"
        query += " ORDER BY name, id"
        rows = await fetch_all(self._conn, query, (unit_id,))
        return [POINTS.read(row) for row in rows]

    async def get(self, point_id: int) -> CrossingPoint | None:
        row = await fetch_one(self._conn, POINTS.select("id = ?"), (point_id,))
        return POINTS.read(row) if row else None

    async def add(
        self,
        unit_id: int,
        name: str,
        *,
        coordinates: Coordinates | None = None,
        now: datetime | None = None,
    ) -> CrossingPoint | None:
        """Add ``name`` to the unit, or bring back a removed point of exactly that name (with
        the ``coordinates`` given now, when given; a point brought back keeps its old ones
        otherwise).

        None when the unit already has an active point of that name: the unique key, not a
        read before the write, decides, so two admins adding the same name get one point.
        """
        latitude, longitude = coordinates_params(coordinates)
        row = await fetch_one(
            self._conn,
            "INSERT INTO crossing_points (unit_id, name, active, created_at, latitude, longitude)"
            " VALUES (?, ?, 1, ?, ?, ?)"
            " ON CONFLICT (unit_id, name) DO UPDATE SET active = 1,"
            " latitude = COALESCE(excluded.latitude, crossing_points.latitude),"
            " longitude = COALESCE(excluded.longitude, crossing_points.longitude)"
            " WHERE crossing_points.active = 0"
            f" RETURNING {POINTS.columns}",
            (unit_id, name, to_db(now or utc_now()), latitude, longitude),
        )
        return POINTS.read(row) if row else None

    async def deactivate(self, point_id: int) -> bool:
        """Take a point off the choices (reports naming it keep it); False if already off."""
        changed = await execute_counting(
            self._conn,
            "UPDATE crossing_points SET active = 0 WHERE id = ? AND active = 1",
            (point_id,),
        )
        return changed == 1
