"""The digest's bookkeeping: runs, which reports belong to them, deliveries, reminders sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from storage.clock import from_db, to_db
from storage.columns import Table, column
from storage.sql import fetch_all, fetch_one


@dataclass(frozen=True)
class DigestRun:
    day: date
    created_at: datetime
    stats: str | None


def _moment_if_any(value: str | None) -> datetime | None:
    """An empty ``sent_at`` reads as None, like NULL (as it always has)."""
    return from_db(value) if value else None


@dataclass(frozen=True)
class Delivery:
    day: date
    chat_id: int
    language: str
    is_group: bool
    status: str
    parts_sent: int
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    error: str | None


#: ``digest_runs``, in the order of :class:`DigestRun`'s fields.
RUNS: Table[DigestRun] = Table(
    "digest_runs",
    DigestRun,
    [column("day", date.fromisoformat), column("created_at", from_db), column("stats")],
)

#: ``digest_deliveries``, in the order of :class:`Delivery`'s fields.
DELIVERIES: Table[Delivery] = Table(
    "digest_deliveries",
    Delivery,
    [
        column("day", date.fromisoformat),
        column("chat_id", int),
        column("language", str),
        column("is_group", bool),
        column("status", str),
        column("parts_sent", int),
        column("attempts", int),
        column("next_attempt_at", from_db),
        column("sent_at", _moment_if_any),
        column("error"),
    ],
)


class DigestRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def create_run(self, day: date, *, now: datetime) -> bool:
        """Record the run of ``day``; False when it exists already (it is made once)."""
        cursor = await self._conn.execute(
            "INSERT INTO digest_runs (day, created_at) VALUES (?, ?) ON CONFLICT (day) DO NOTHING",
            (day.isoformat(), to_db(now)),
        )
        return cursor.rowcount == 1

    async def has_runs(self) -> bool:
        return await fetch_one(self._conn, "SELECT 1 FROM digest_runs LIMIT 1") is not None

    async def unassigned(self, day: date) -> int:
        """How many reports of ``day`` or earlier no digest has taken yet."""
        row = await fetch_one(
            self._conn,
            "SELECT COUNT(*) FROM reports WHERE digest_day IS NULL AND local_day <= ?",
            (day.isoformat(),),
        )
        return int(row[0]) if row else 0

    async def get_run(self, day: date) -> DigestRun | None:
        row = await fetch_one(self._conn, RUNS.select("day = ?"), (day.isoformat(),))
        return RUNS.read(row) if row is not None else None

    async def set_stats(self, day: date, stats: str) -> None:
        await self._conn.execute(
            "UPDATE digest_runs SET stats = ? WHERE day = ?", (stats, day.isoformat())
        )

    async def stats_before(self, day: date, days: int) -> list[tuple[date, str]]:
        """The stored figures of up to ``days`` runs before ``day``, oldest first."""
        rows = await fetch_all(
            self._conn,
            "SELECT day, stats FROM digest_runs WHERE day < ? AND day >= ? AND stats IS NOT NULL"
            " ORDER BY day",
            (day.isoformat(), date.fromordinal(day.toordinal() - days).isoformat()),
        )
        return [(date.fromisoformat(row[0]), str(row[1])) for row in rows]

    async def assign_reports(self, day: date) -> int:
        """Give every report of ``day`` or earlier that no digest has yet to the run of ``day``."""
        cursor = await self._conn.execute(
            "UPDATE reports SET digest_day = ? WHERE digest_day IS NULL AND local_day <= ?",
            (day.isoformat(), day.isoformat()),
        )
        return cursor.rowcount

    async def add_delivery(
        self, day: date, chat_id: int, *, language: str, is_group: bool, now: datetime
    ) -> None:
        await self._conn.execute(
            "INSERT INTO digest_deliveries (day, chat_id, language, is_group, next_attempt_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (day, chat_id) DO NOTHING",
            (day.isoformat(), chat_id, language, int(is_group), to_db(now)),
        )

    async def due_deliveries(self, now: datetime, limit: int = 500) -> list[Delivery]:
        rows = await fetch_all(
            self._conn,
            f"SELECT {DELIVERIES.columns} FROM digest_deliveries"
            " WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY day, chat_id LIMIT ?",
            (to_db(now), limit),
        )
        return [DELIVERIES.read(row) for row in rows]

    async def deliveries(self, day: date) -> list[Delivery]:
        rows = await fetch_all(
            self._conn,
            f"SELECT {DELIVERIES.columns} FROM digest_deliveries WHERE day = ? ORDER BY chat_id",
            (day.isoformat(),),
        )
        return [DELIVERIES.read(row) for row in rows]

    async def record_part(self, day: date, chat_id: int, parts_sent: int) -> None:
        await self._conn.execute(
            "UPDATE digest_deliveries SET parts_sent = ? WHERE day = ? AND chat_id = ?",
            (parts_sent, day.isoformat(), chat_id),
        )

    async def finish(
        self, day: date, chat_id: int, *, status: str, now: datetime, error: str | None = None
    ) -> None:
        await self._conn.execute(
            "UPDATE digest_deliveries SET status = ?, sent_at = ?, error = ?"
            " WHERE day = ? AND chat_id = ?",
            (status, to_db(now), error, day.isoformat(), chat_id),
        )

    async def retry_later(
        self, day: date, chat_id: int, *, error: str, next_attempt_at: datetime, give_up: bool
    ) -> None:
        await self._conn.execute(
            "UPDATE digest_deliveries SET attempts = attempts + 1, error = ?,"
            " next_attempt_at = ?, status = ? WHERE day = ? AND chat_id = ?",
            (
                error[:500],
                to_db(next_attempt_at),
                "failed" if give_up else "pending",
                day.isoformat(),
                chat_id,
            ),
        )

    async def reminded(self, day: date) -> set[int]:
        rows = await fetch_all(
            self._conn, "SELECT user_id FROM reminders WHERE day = ?", (day.isoformat(),)
        )
        return {int(row[0]) for row in rows}

    async def record_reminder(self, day: date, user_id: int, *, now: datetime) -> bool:
        cursor = await self._conn.execute(
            "INSERT INTO reminders (day, user_id, sent_at) VALUES (?, ?, ?)"
            " ON CONFLICT (day, user_id) DO NOTHING",
            (day.isoformat(), user_id, to_db(now)),
        )
        return cursor.rowcount == 1
