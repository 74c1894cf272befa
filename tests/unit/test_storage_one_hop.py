"""One hop per short transaction (storage/db.py, storage/hot_path.py).

``Database.run_transaction`` relies on aiosqlite's private ``Connection._execute``: these tests
pin what it must do, so an aiosqlite release that changes it fails here.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from storage import Database, Role, StoredDraft, cipher, hot_path
from storage.alerts import PendingKind
from storage.hot_path import StepResult
from tests.unit.seizure_rows import _report

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM applied_updates").fetchone()[0])


def _claim_two(conn: sqlite3.Connection, first: str, second: str) -> str:
    conn.execute("INSERT INTO applied_updates (update_key, applied_at) VALUES (?, ?)", (first, "x"))
    conn.execute(
        "INSERT INTO applied_updates (update_key, applied_at) VALUES (?, ?)", (second, "x")
    )
    return threading.current_thread().name


async def _others_see(path: Path) -> int:
    """How many applied updates a second connection sees (what was committed)."""
    async with cipher.connect(path, cipher.key_for(path)) as other:
        rows = list(await other.execute_fetchall("SELECT COUNT(*) FROM applied_updates"))
    return int(rows[0][0])


async def test_a_transaction_runs_on_aiosqlites_thread_in_one_hop(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    hops: list[Any] = []
    execute = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(fn)
        return await execute(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    thread = await db.run_transaction(_claim_two, "m:1:1", "m:1:2")
    assert len(hops) == 1
    assert thread != threading.current_thread().name  # not the event loop's thread
    assert await db.run_read(_count) == 2


async def test_a_counted_write_is_one_hop(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    hops: list[Any] = []
    execute = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(fn)
        return await execute(self, fn, *args, **kwargs)

    async with db.transaction() as repos:
        await repos.applied_updates.claim("m:1:1", NOW)
        await repos.applied_updates.claim("m:1:2", NOW)
        monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
        assert await repos.applied_updates.claim("m:1:2", NOW) is False
        assert await repos.applied_updates.forget_before(NOW + timedelta(seconds=1)) == 2
    assert len(hops) == 3  # the repeated claim, the deletion, the commit


async def test_a_transaction_is_committed(db: Database) -> None:
    await db.run_transaction(_claim_two, "m:1:1", "m:1:2")
    assert await _others_see(db.path) == 2


async def test_a_transaction_that_raises_is_rolled_back(db: Database) -> None:
    with pytest.raises(cipher.IntegrityError):
        await db.run_transaction(_claim_two, "m:1:1", "m:1:1")  # the second insert fails
    assert await db.run_read(_count) == 0
    assert await _others_see(db.path) == 0
    await db.run_transaction(_claim_two, "m:1:1", "m:1:2")  # the connection is usable again
    assert await _others_see(db.path) == 2


async def test_a_transaction_waits_for_the_open_one(db: Database) -> None:
    ran = threading.Event()

    def mark(conn: sqlite3.Connection) -> None:
        ran.set()

    async with db.transaction() as repos:
        await repos.applied_updates.claim("m:1:1", NOW)
        waiting = asyncio.create_task(db.run_transaction(mark))
        await asyncio.sleep(0)  # let it start: it must queue on the lock, not run
        assert not waiting.done()
        assert not ran.is_set()
    await waiting
    assert ran.is_set()


async def _officer_with_draft(db: Database) -> StoredDraft:
    async with db.transaction() as repos:
        user = await repos.users.create(telegram_id=77, role=Role.OFFICER, now=NOW)
        await repos.drafts.save(user.id, draft_id="d1", form="seizure", data={"step": 1}, now=NOW)
        stored = await repos.drafts.get(user.id)
    assert stored is not None
    return stored


async def test_the_gate_reads_the_person_their_draft_and_pending_reply_in_one_go(
    db: Database,
) -> None:
    assert await db.run_read(hot_path.person_state, 77) == (None, None, None)
    stored = await _officer_with_draft(db)
    user, draft, pending = await db.run_read(hot_path.person_state, 77)
    assert user is not None and user.telegram_id == 77
    assert (draft, pending) == (stored, None)
    async with db.transaction() as repos:
        report_id, _ = await _report(repos)
        alert = await repos.alerts.create(report_id, "marked", now=NOW)
        assert alert is not None
        await repos.alerts.set_pending(
            stored.user_id, PendingKind.QUESTION, alert_id=alert.id, now=NOW
        )
        expected = await repos.alerts.get_pending(stored.user_id)
    state = await db.run_read(hot_path.person_state, 77)
    assert state.pending == expected is not None


async def test_a_step_claims_the_update_and_saves_the_draft(db: Database) -> None:
    stored = await _officer_with_draft(db)
    later = NOW + timedelta(minutes=1)
    result = await db.run_transaction(
        hot_path.apply_step, stored, update_key="m:77:5", now=later, save={"step": 2}
    )
    assert result is StepResult.APPLIED
    async with db.read() as repos:
        saved = await repos.drafts.get(stored.user_id)
        assert await repos.applied_updates.was_applied("m:77:5")
    assert saved is not None
    assert (saved.data, saved.updated_at, saved.created_at) == ({"step": 2}, later, NOW)


async def test_a_repeated_update_writes_nothing(db: Database) -> None:
    stored = await _officer_with_draft(db)
    async with db.transaction() as repos:
        await repos.applied_updates.claim("m:77:5", NOW)
    result = await db.run_transaction(
        hot_path.apply_step, stored, update_key="m:77:5", now=NOW, delete=True
    )
    assert result is StepResult.REPEAT
    async with db.read() as repos:
        assert await repos.drafts.get(stored.user_id) == stored


@pytest.mark.parametrize("change", ["shown", "saved", "deleted", "replaced"])
async def test_a_draft_that_moved_since_it_was_read_is_not_written(
    db: Database, change: str
) -> None:
    stored = await _officer_with_draft(db)
    async with db.transaction() as repos:
        if change == "shown":
            await repos.drafts.mark_shown(stored.user_id, "d1", 3, 12)
        elif change == "saved":
            await repos.drafts.save(
                stored.user_id,
                draft_id="d1",
                form="seizure",
                data={"step": 1},
                now=NOW + timedelta(seconds=1),
            )
        elif change == "deleted":
            await repos.drafts.delete(stored.user_id)
        else:
            await repos.drafts.save(
                stored.user_id, draft_id="d2", form="seizure", data={"step": 1}, now=NOW
            )
        before = await repos.drafts.get(stored.user_id)
    result = await db.run_transaction(
        hot_path.apply_step, stored, update_key="m:77:5", now=NOW, save={"step": 9}
    )
    assert result is StepResult.MOVED
    async with db.read() as repos:
        assert await repos.drafts.get(stored.user_id) == before
        assert not await repos.applied_updates.was_applied("m:77:5")


async def test_mark_shown_and_move_in_one_transaction(db: Database) -> None:
    stored = await _officer_with_draft(db)
    await db.run_transaction(hot_path.mark_shown, stored.user_id, "d1", 2, 40)
    await db.run_transaction(hot_path.mark_shown, stored.user_id, "d1", 2, 41, moved_to=44)
    async with db.read() as repos:
        shown = await repos.drafts.get(stored.user_id)
    assert shown is not None
    assert (shown.shown_step, shown.shown_message_id) == (2, 44)
