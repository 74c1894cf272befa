"""Conversion factors to kilogram equivalents (reference data, migration 0015): read all at
once when a report is filed, changed one by one by an admin."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from decimal import Decimal

import aiosqlite

from storage.clock import from_db, to_db, utc_now
from storage.columns import Table, column, optional
from storage.models import ConversionFactor
from storage.sql import fetch_all, fetch_one

#: ``conversion_factors``, in the order of :class:`ConversionFactor`'s fields.
FACTORS: Table[ConversionFactor] = Table(
    "conversion_factors",
    ConversionFactor,
    [
        column("substance", str),
        column("unit", str),
        column("kg_per_unit", optional(Decimal)),
        column("updated_at", from_db),
        column("updated_by", optional(int)),
    ],
)

#: Gives items loaded without a factor the one that applies now (kg: 1 by definition), as the
#: migration did for the reports stored before it. Items past ``?`` (an item id) only.
_FILL_ITEMS = (
    "UPDATE seizure_items SET kg_factor = CASE WHEN normalized_unit = 'kg' THEN '1' ELSE ("
    " SELECT f.kg_per_unit FROM conversion_factors f"
    " WHERE f.substance = seizure_items.substance AND f.unit = seizure_items.normalized_unit"
    ") END WHERE id > ? AND kg_factor IS NULL"
)


def last_item_id(conn: sqlite3.Connection) -> int:
    """The highest seizure item id so far (0 for none), before a bulk load adds items."""
    row = conn.execute("SELECT COALESCE(MAX(id), 0) FROM seizure_items").fetchone()
    return int(row[0])


def fill_item_factors(conn: sqlite3.Connection, after_item_id: int) -> None:
    """Bulk-loaded items (storage/bulk.py) get the factor a filed report would have."""
    conn.execute(_FILL_ITEMS, (after_item_id,))


class ConversionFactorRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def list(self) -> list[ConversionFactor]:
        """Every factor row (empty ones included) in one query."""
        rows = await fetch_all(
            self._conn, f"SELECT {FACTORS.columns} FROM conversion_factors ORDER BY substance, unit"
        )
        return [FACTORS.read(row) for row in rows]

    async def get(self, substance: str, unit: str) -> ConversionFactor | None:
        row = await fetch_one(
            self._conn,
            FACTORS.select("substance = ? AND unit = ?"),
            (substance, unit),
        )
        return FACTORS.read(row) if row else None

    async def set(
        self,
        substance: str,
        unit: str,
        kg_per_unit: Decimal | None,
        *,
        updated_by: int | None,
        now: datetime | None = None,
    ) -> ConversionFactor:
        """Store the factor (None: no factor), creating the row for a substance added since."""
        if kg_per_unit is not None and (not kg_per_unit.is_finite() or kg_per_unit <= 0):
            raise ValueError("a factor is a positive finite decimal")
        row = await fetch_one(
            self._conn,
            "INSERT INTO conversion_factors (substance, unit, kg_per_unit, updated_at, updated_by)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (substance, unit) DO UPDATE SET"
            " kg_per_unit = excluded.kg_per_unit, updated_at = excluded.updated_at,"
            f" updated_by = excluded.updated_by RETURNING {FACTORS.columns}",
            (
                substance,
                unit,
                str(kg_per_unit) if kg_per_unit is not None else None,
                to_db(now or utc_now()),
                updated_by,
            ),
        )
        assert row is not None
        return FACTORS.read(row)
