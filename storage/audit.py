"""The audit log: who did what, when, to whom. Append-only."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite

from storage.clock import from_db, to_db, utc_now
from storage.models import AuditEntry
from storage.sql import fetch_all


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
        rows = await fetch_all(
            self._conn,
            "SELECT id, at, actor_telegram_id, action, target, details FROM audit_log"
            " ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [
            AuditEntry(
                id=int(row[0]),
                at=from_db(row[1]),
                actor_telegram_id=row[2],
                action=str(row[3]),
                target=row[4],
                details=row[5],
            )
            for row in rows
        ]
