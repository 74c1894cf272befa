"""The audit log: who did what, when, to whom. Append-only."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite

from storage.clock import from_db, to_db, utc_now
from storage.columns import Table, column
from storage.models import AuditEntry
from storage.sql import fetch_all

#: ``audit_log``, in the order of :class:`AuditEntry`'s fields.
ENTRIES: Table[AuditEntry] = Table(
    "audit_log",
    AuditEntry,
    [
        column("id", int),
        column("at", from_db),
        column("actor_telegram_id"),
        column("action", str),
        column("target"),
        column("details"),
    ],
)
_LATEST = f"SELECT {ENTRIES.columns} FROM audit_log ORDER BY id DESC LIMIT ?"


class AuditRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def add(
        self,
        action: str,
        *,
        actor_telegram_id: int | None,
        target: str | None = None,
        details: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO audit_log (at, actor_telegram_id, action, target, details)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                to_db(now or utc_now()),
                actor_telegram_id,
                action,
                target,
                json.dumps(details, ensure_ascii=False, sort_keys=True) if details else None,
            ),
        )

    async def latest(self, limit: int = 20) -> list[AuditEntry]:
        rows = await fetch_all(self._conn, _LATEST, (limit,))
        return [ENTRIES.read(row) for row in rows]
