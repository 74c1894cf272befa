"""Received updates (webhook mode): what Telegram posted, kept until it is handled.

Telegram forgets an update once the webhook answered 200, so the update is recorded before
that answer and applied from the record (see bot/webhook.py).
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.clock import to_db


class ReceivedUpdateRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def record(self, update_id: int, payload: str, now: datetime) -> bool:
        """Keep an update as posted; False when its ``update_id`` was recorded already (a
        repeat Telegram sent because our 200 never reached it)."""
        # One hop to the database thread: RETURNING says whether the row went in.
        rows = await self._conn.execute_fetchall(
            "INSERT INTO received_updates (update_id, payload, received_at) VALUES (?, ?, ?)"
            " ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
            (update_id, payload, to_db(now)),
        )
        return bool(list(rows))

    async def was_received(self, update_id: int) -> bool:
        rows = await self._conn.execute_fetchall(
            "SELECT 1 FROM received_updates WHERE update_id = ?", (update_id,)
        )
        return bool(list(rows))

    async def unhandled(self) -> list[tuple[int, str]]:
        """(update_id, payload) of every update recorded and not handled, oldest first."""
        return [(update_id, payload) for update_id, payload, _ in await self.unhandled_at_start()]

    async def unhandled_at_start(self) -> list[tuple[int, str, int]]:
        """(update_id, payload, starts that applied it before) of every unhandled update."""
        rows = await self._conn.execute_fetchall(
            "SELECT update_id, payload, start_replays FROM received_updates"
            " WHERE handled_at IS NULL ORDER BY update_id",
        )
        return [(int(row[0]), str(row[1]), int(row[2])) for row in rows]

    async def count_start_replay(self, update_ids: list[int]) -> None:
        """These updates are applied once more at this start (committed before they run)."""
        await self._conn.executemany(
            "UPDATE received_updates SET start_replays = start_replays + 1 WHERE update_id = ?",
            [(update_id,) for update_id in update_ids],
        )

    async def mark_handled(self, update_ids: list[int], now: datetime) -> None:
        """The updates' processing ended: keep their ids (to know a repeat), not their content."""
        await self._conn.executemany(
            "UPDATE received_updates SET handled_at = ?, payload = NULL WHERE update_id = ?",
            [(to_db(now), update_id) for update_id in update_ids],
        )

    async def forget_handled_before(self, moment: datetime) -> int:
        """Delete the handled updates received before ``moment``; how many went."""
        async with self._conn.execute(
            "DELETE FROM received_updates WHERE handled_at IS NOT NULL AND received_at < ?",
            (to_db(moment),),
        ) as cursor:
            return cursor.rowcount
