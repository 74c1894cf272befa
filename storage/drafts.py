"""Drafts: the one report each user is filling in, kept across restarts until submitted.

``data`` is JSON opaque to storage (Decimals are written as strings, see
:func:`storage.report_tables.to_json`). ``draft_id`` is minted when the draft starts
(:func:`new_draft_id`) and becomes the submitted report's idempotency key.
"""

from __future__ import annotations

import secrets
import sqlite3
from datetime import datetime
from typing import Any

import aiosqlite

from storage.clock import from_db, to_db
from storage.columns import Table, column, optional
from storage.models import StoredDraft
from storage.report_tables import from_json, to_json
from storage.sql import execute_counting, fetch_all, fetch_one, fetch_one_sync, rowcount_sync

#: ``drafts``, in the order of :class:`StoredDraft`'s fields.
DRAFTS: Table[StoredDraft] = Table(
    "drafts",
    StoredDraft,
    [
        column("user_id", int),
        column("draft_id", str),
        column("form", str),
        column("data", from_json),
        column("created_at", from_db),
        column("updated_at", from_db),
        column("shown_step", optional(int)),
        column("shown_message_id", optional(int)),
    ],
)
#: ``shown_step`` of a draft nothing of which was shown yet.
NOTHING_SHOWN = -1

# Each statement once: the repository's methods and the ``*_sync`` functions (run on the
# database thread by storage/hot_path.py) share it.
_GET = DRAFTS.select("user_id = ?")
#: What tells whether a draft is still as it was read (every change moves one of them).
_VERSION = "SELECT draft_id, updated_at, shown_step, shown_message_id FROM drafts WHERE user_id = ?"
# In ON CONFLICT … DO UPDATE, ``drafts.*`` is the row before the update (as in PostgreSQL), so
# the CASE compares the stored draft_id with the incoming one.
_SAVE = (
    "INSERT INTO drafts"
    " (user_id, draft_id, form, data, created_at, updated_at, shown_step)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (user_id) DO UPDATE SET"
    " created_at = CASE WHEN drafts.draft_id = excluded.draft_id"
    " THEN drafts.created_at ELSE excluded.created_at END,"
    " shown_step = CASE WHEN drafts.draft_id = excluded.draft_id"
    " THEN drafts.shown_step ELSE excluded.shown_step END,"
    " shown_message_id = CASE WHEN drafts.draft_id = excluded.draft_id"
    " THEN drafts.shown_message_id ELSE NULL END,"
    " draft_id = excluded.draft_id, form = excluded.form, data = excluded.data,"
    " updated_at = excluded.updated_at"
)
_MARK_SHOWN = (
    "UPDATE drafts SET shown_step = ?, shown_message_id = ?"
    " WHERE user_id = ? AND draft_id = ? AND (shown_step IS NULL OR shown_step < ?)"
)
_MOVE_SHOWN = (
    "UPDATE drafts SET shown_message_id = ? WHERE user_id = ? AND draft_id = ? AND shown_step = ?"
)
_DELETE = "DELETE FROM drafts WHERE user_id = ?"


def new_draft_id() -> str:
    """A fresh draft id: 16 hex characters."""
    return secrets.token_hex(8)


def _save_params(
    user_id: int, draft_id: str, form: str, data: dict[str, Any], now: datetime
) -> tuple[object, ...]:
    stamp = to_db(now)
    return (user_id, draft_id, form, to_json(data), stamp, stamp, NOTHING_SHOWN)


def get_sync(conn: sqlite3.Connection, user_id: int) -> StoredDraft | None:
    """:meth:`DraftRepository.get` on the database thread (storage/hot_path.py)."""
    row = fetch_one_sync(conn, _GET, (user_id,))
    return DRAFTS.read(row) if row else None


def unchanged_sync(conn: sqlite3.Connection, read: StoredDraft) -> bool:
    """Whether ``read``'s user still has that draft exactly as it was read (nothing saved,
    shown, deleted or replaced since)."""
    row = fetch_one_sync(conn, _VERSION, (read.user_id,))
    return (
        row is not None
        and row[0] == read.draft_id
        and from_db(row[1]) == read.updated_at
        and row[2] == read.shown_step
        and row[3] == read.shown_message_id
    )


def save_sync(
    conn: sqlite3.Connection,
    user_id: int,
    *,
    draft_id: str,
    form: str,
    data: dict[str, Any],
    now: datetime,
) -> None:
    """:meth:`DraftRepository.save` on the database thread (storage/hot_path.py)."""
    conn.execute(_SAVE, _save_params(user_id, draft_id, form, data, now))


def mark_shown_sync(
    conn: sqlite3.Connection, user_id: int, draft_id: str, step: int, message_id: int | None
) -> None:
    """:meth:`DraftRepository.mark_shown` on the database thread (storage/hot_path.py)."""
    conn.execute(_MARK_SHOWN, (step, message_id, user_id, draft_id, step))


def move_shown_sync(
    conn: sqlite3.Connection, user_id: int, draft_id: str, step: int, message_id: int | None
) -> None:
    """:meth:`DraftRepository.move_shown` on the database thread (storage/hot_path.py)."""
    conn.execute(_MOVE_SHOWN, (message_id, user_id, draft_id, step))


def delete_sync(conn: sqlite3.Connection, user_id: int) -> None:
    """:meth:`DraftRepository.delete` on the database thread (storage/hot_path.py)."""
    rowcount_sync(conn, _DELETE, (user_id,))


class DraftRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def get(self, user_id: int) -> StoredDraft | None:
        row = await fetch_one(self._conn, _GET, (user_id,))
        return DRAFTS.read(row) if row else None

    async def get_by_draft_id(self, draft_id: str) -> StoredDraft | None:
        row = await fetch_one(self._conn, DRAFTS.select("draft_id = ?"), (draft_id,))
        return DRAFTS.read(row) if row else None

    async def save(
        self, user_id: int, *, draft_id: str, form: str, data: dict[str, Any], now: datetime
    ) -> None:
        """Insert or replace the user's draft.

        Saving the same ``draft_id`` again keeps its ``created_at`` and what was shown; a
        different one replaces the old draft outright (a new start, nothing of it shown yet).
        A ``draft_id`` held by another user's draft raises :class:`sqlite3.IntegrityError`.
        """
        await self._conn.execute(_SAVE, _save_params(user_id, draft_id, form, data, now))

    async def mark_shown(
        self, user_id: int, draft_id: str, step: int, message_id: int | None
    ) -> None:
        """The person saw ``step`` of the draft, in message ``message_id`` if it was a new one
        (never moves back to an older step)."""
        await self._conn.execute(_MARK_SHOWN, (step, message_id, user_id, draft_id, step))

    async def move_shown(
        self, user_id: int, draft_id: str, step: int, message_id: int | None
    ) -> None:
        """The step the person saw is shown again in message ``message_id`` (a resumed draft):
        later typed text answers it only if typed after that message."""
        await self._conn.execute(_MOVE_SHOWN, (message_id, user_id, draft_id, step))

    async def delete(self, user_id: int) -> None:
        await self._conn.execute(_DELETE, (user_id,))

    async def delete_if(self, user_id: int, draft_id: str) -> bool:
        """Delete the user's draft only if it is still ``draft_id``; True if deleted."""
        changed = await execute_counting(
            self._conn, "DELETE FROM drafts WHERE user_id = ? AND draft_id = ?", (user_id, draft_id)
        )
        return changed > 0

    async def older_than(self, moment: datetime, limit: int = 500) -> list[StoredDraft]:
        """Drafts last saved before ``moment``, oldest first (for expiry sweeps)."""
        rows = await fetch_all(
            self._conn,
            f"SELECT {DRAFTS.columns} FROM drafts WHERE updated_at < ?"
            " ORDER BY updated_at, user_id LIMIT ?",
            (to_db(moment), limit),
        )
        return [DRAFTS.read(row) for row in rows]
