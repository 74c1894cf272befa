"""Settings admins change in the chat, as key → text."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.clock import to_db, utc_now
from storage.sql import fetch_one

COORDINATION_GROUP = "coordination_group"


class SettingsRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def get(self, key: str) -> str | None:
        row = await fetch_one(self._conn, "SELECT value FROM bot_settings WHERE key = ?", (key,))
        return str(row[0]) if row else None

    async def set(
        self, key: str, value: str, *, by: int | None, now: datetime | None = None
    ) -> None:
        await self._conn.execute(
            "INSERT INTO bot_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
            " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            (key, value, to_db(now or utc_now()), by),
        )

    async def delete(self, key: str) -> bool:
        cursor = await self._conn.execute("DELETE FROM bot_settings WHERE key = ?", (key,))
        return cursor.rowcount > 0
