"""Webhook mode's record of received updates: once per update_id, unhandled in order, handled
ones kept without their content until no redelivery can come."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import once
from storage import Database

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


async def test_an_update_is_recorded_once_and_kept_without_content_once_handled(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "received.sqlite3")
    try:
        async with db.transaction() as repos:
            assert await repos.received_updates.record(12, '{"update_id": 12}', NOW)
            assert await repos.received_updates.record(10, '{"update_id": 10}', NOW)
            assert not await repos.received_updates.record(12, '{"update_id": 12, "x": 1}', NOW)
        async with db.read() as repos:
            assert await repos.received_updates.unhandled() == [
                (10, '{"update_id": 10}'),
                (12, '{"update_id": 12}'),
            ]
        async with db.transaction() as repos:
            await repos.received_updates.mark_handled([10], NOW)
            assert not await repos.received_updates.record(10, '{"update_id": 10}', NOW)
        async with db.read() as repos:
            assert await repos.received_updates.unhandled() == [(12, '{"update_id": 12}')]
            assert await repos.received_updates.was_received(10)
        payloads = await db_rows(db)
        assert payloads == [(10, None), (12, '{"update_id": 12}')]  # no content kept once handled
    finally:
        await db.close()


async def test_handled_updates_are_pruned_with_the_applied_keys_unhandled_ones_never(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "received.sqlite3")
    try:
        old = NOW - timedelta(days=3)
        async with db.transaction() as repos:
            await repos.received_updates.record(1, "{}", old)
            await repos.received_updates.record(2, "{}", old)
            await repos.received_updates.record(3, "{}", NOW)
            await repos.received_updates.mark_handled([1, 3], NOW)
        await once.forget_old(db, NOW)
        async with db.read() as repos:
            assert not await repos.received_updates.was_received(1)
            assert await repos.received_updates.was_received(2)  # never handled: still due
            assert await repos.received_updates.was_received(3)  # a repeat may still come
    finally:
        await db.close()


async def db_rows(db: Database) -> list[tuple[int, str | None]]:
    """Straight from SQLite: what the table holds, content included."""
    conn = sqlite3.connect(db.path)
    try:
        return list(conn.execute("SELECT update_id, payload FROM received_updates ORDER BY 1"))
    finally:
        conn.close()
