"""Settings admins change in the chat, as key → text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.clock import to_db, utc_now
from storage.sql import fetch_one

COORDINATION_GROUP = "coordination_group"


@dataclass(frozen=True)
class CoordinationGroup:
    """The one group chat that receives the digest and urgent alerts, and the language it
    reads (None: bound before groups had a language; the bot's default is used)."""

    chat_id: int
    title: str
    language: str | None = None


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

    async def coordination_group(self) -> CoordinationGroup | None:
        """The bound group; None when there is none (or the stored value is unreadable)."""
        text = await self.get(COORDINATION_GROUP)
        if not text:
            return None
        try:
            data = json.loads(text)
            language = data.get("language")
            return CoordinationGroup(
                chat_id=int(data["chat_id"]),
                title=str(data.get("title") or ""),
                language=language if isinstance(language, str) else None,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    async def set_coordination_group(
        self, group: CoordinationGroup, *, by: int | None, now: datetime | None = None
    ) -> None:
        value = {"chat_id": group.chat_id, "title": group.title, "language": group.language}
        await self.set(COORDINATION_GROUP, json.dumps(value, ensure_ascii=False), by=by, now=now)

    async def delete(self, key: str) -> bool:
        cursor = await self._conn.execute("DELETE FROM bot_settings WHERE key = ?", (key,))
        return cursor.rowcount > 0
