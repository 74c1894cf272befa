"""Names of agencies and substances (reference data): read all at once, corrected one by one."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.clock import from_db, to_db, utc_now
from storage.columns import Table, column, optional
from storage.models import ReferenceKind, ReferenceName
from storage.sql import fetch_all, fetch_one

#: ``reference_names``, in the order of :class:`ReferenceName`'s fields.
NAMES: Table[ReferenceName] = Table(
    "reference_names",
    ReferenceName,
    [
        column("kind", ReferenceKind),
        column("key", str),
        column("name_uz", str),
        column("name_ru", str),
        column("name_en", str),
        column("updated_at", from_db),
        column("updated_by", optional(int)),
    ],
)


class ReferenceNameRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def list(self) -> list[ReferenceName]:
        """Every name in one query: the bot keeps them in memory (bot/reference.py)."""
        rows = await fetch_all(
            self._conn, f"SELECT {NAMES.columns} FROM reference_names ORDER BY kind, key"
        )
        return [NAMES.read(row) for row in rows]

    async def get(self, kind: ReferenceKind, key: str) -> ReferenceName | None:
        row = await fetch_one(
            self._conn,
            NAMES.select("kind = ? AND key = ?"),
            (kind.value, key),
        )
        return NAMES.read(row) if row else None

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
            f" RETURNING {NAMES.columns}",
            (name_uz, name_ru, name_en, to_db(now or utc_now()), updated_by, kind.value, key),
        )
        return NAMES.read(row) if row else None
