"""Applied updates: the keys of the Telegram updates whose state change is committed.

A key is claimed in the transaction that applies the update, so a rolled-back change leaves
no key behind and a committed one always has its key (see bot/once.py).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

import aiosqlite

from storage.clock import to_db
from storage.sql import execute_counting, rowcount_sync

_CLAIM = (
    "INSERT INTO applied_updates (update_key, applied_at) VALUES (?, ?)"
    " ON CONFLICT (update_key) DO NOTHING"
)


def claim_sync(conn: sqlite3.Connection, key: str, now: datetime) -> bool:
    """:meth:`AppliedUpdateRepository.claim` on the database thread (storage/hot_path.py)."""
    return rowcount_sync(conn, _CLAIM, (key, to_db(now))) > 0


class AppliedUpdateRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def claim(self, key: str, now: datetime) -> bool:
        """Record ``key`` as applied; False when it already was (a redelivered update)."""
        changed = await execute_counting(self._conn, _CLAIM, (key, to_db(now)))
        return changed > 0

    async def was_applied(self, key: str) -> bool:
        rows = await self._conn.execute_fetchall(
            "SELECT 1 FROM applied_updates WHERE update_key = ?", (key,)
        )
        return bool(list(rows))

    async def forget_before(self, moment: datetime) -> int:
        """Delete the keys applied before ``moment``; how many went."""
        changed = await execute_counting(
            self._conn, "DELETE FROM applied_updates WHERE applied_at < ?", (to_db(moment),)
        )
        return changed
