"""Rows behind :class:`storage.persistence.SqlitePersistence`: PTB's state as JSON text."""

from __future__ import annotations

import aiosqlite

from storage.sql import fetch_all, fetch_one


class PersistenceRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def load_all(self, kind: str) -> dict[str, str]:
        rows = await fetch_all(
            self._conn, "SELECT key, data FROM ptb_state WHERE kind = ?", (kind,)
        )
        return {str(row[0]): str(row[1]) for row in rows}

    async def load(self, kind: str, key: str) -> str | None:
        row = await fetch_one(
            self._conn, "SELECT data FROM ptb_state WHERE kind = ? AND key = ?", (kind, key)
        )
        return str(row[0]) if row else None

    async def save(self, kind: str, key: str, data: str) -> None:
        await self._conn.execute(
            "INSERT INTO ptb_state (kind, key, data) VALUES (?, ?, ?)"
            " ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data",
            (kind, key, data),
        )

    async def delete(self, kind: str, key: str) -> None:
        await self._conn.execute("DELETE FROM ptb_state WHERE kind = ? AND key = ?", (kind, key))

    async def load_conversations(self, name: str) -> dict[str, str]:
        rows = await fetch_all(
            self._conn, "SELECT key, state FROM ptb_conversations WHERE name = ?", (name,)
        )
        return {str(row[0]): str(row[1]) for row in rows}

    async def save_conversation(self, name: str, key: str, state: str | None) -> None:
        if state is None:
            await self._conn.execute(
                "DELETE FROM ptb_conversations WHERE name = ? AND key = ?", (name, key)
            )
            return
        await self._conn.execute(
            "INSERT INTO ptb_conversations (name, key, state) VALUES (?, ?, ?)"
            " ON CONFLICT (name, key) DO UPDATE SET state = excluded.state",
            (name, key, state),
        )
