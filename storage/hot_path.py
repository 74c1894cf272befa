"""The short reads and transactions every update makes, each one plain function.

:meth:`Database.run_read` and :meth:`Database.run_transaction` run each of them on aiosqlite's
thread in one hop, where the repositories' async methods cost one hop per statement (storage/db.py
says why that matters). They compose the ``*_sync`` functions of the repositories' modules, which
share their SQL with the async methods: no statement is written twice.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from enum import Enum
from typing import Any, NamedTuple

from storage.alert_tables import PendingReply, get_pending_sync
from storage.applied_updates import claim_sync
from storage.drafts import (
    delete_sync,
    get_sync,
    mark_shown_sync,
    move_shown_sync,
    save_sync,
    unchanged_sync,
)
from storage.models import StoredDraft, User
from storage.users import get_by_telegram_id_sync


class PersonState(NamedTuple):
    """What the gate reads of the person behind an update, in one hop."""

    #: The registered person (None: a stranger).
    user: User | None
    #: The report they are filling in, if any.
    draft: StoredDraft | None
    #: The urgent-lane question or answer their next typed text is, if any.
    pending: PendingReply | None


def person_state(conn: sqlite3.Connection, telegram_id: int) -> PersonState:
    """The registered person behind ``telegram_id``, their draft and pending reply (the
    gate's read: every form step and typed message needs them next)."""
    user = get_by_telegram_id_sync(conn, telegram_id)
    if user is None:
        return PersonState(None, None, None)
    return PersonState(user, get_sync(conn, user.id), get_pending_sync(conn, user.id))


class StepResult(Enum):
    """What :func:`apply_step` did."""

    #: The update was claimed and the draft written as asked.
    APPLIED = "applied"
    #: The update was applied before (redelivered after a crash): nothing written.
    REPEAT = "repeat"
    #: The draft is no longer the one the step was computed from: nothing written.
    MOVED = "moved"


def apply_step(
    conn: sqlite3.Connection,
    read: StoredDraft,
    *,
    update_key: str | None,
    now: datetime,
    save: dict[str, Any] | None = None,
    delete: bool = False,
) -> StepResult:
    """One step of a form, computed from ``read``: claim the update (bot/once.py), then save
    ``save`` as the draft's data or ``delete`` the draft (or neither).

    Written only if the draft is still exactly ``read`` and the update is new; otherwise
    nothing is written and the result says why, for the caller to start again from the
    database (MOVED) or show the draft as it is (REPEAT).
    """
    if not unchanged_sync(conn, read):
        return StepResult.MOVED
    if update_key is not None and not claim_sync(conn, update_key, now):
        return StepResult.REPEAT
    if delete:
        delete_sync(conn, read.user_id)
    elif save is not None:
        save_sync(conn, read.user_id, draft_id=read.draft_id, form=read.form, data=save, now=now)
    return StepResult.APPLIED


def mark_shown(
    conn: sqlite3.Connection,
    user_id: int,
    draft_id: str,
    step: int,
    message_id: int | None,
    *,
    moved_to: int | None = None,
) -> None:
    """The person saw ``step`` of the draft (see DraftRepository.mark_shown); ``moved_to``:
    and that same step is now offered in this newer message (DraftRepository.move_shown)."""
    mark_shown_sync(conn, user_id, draft_id, step, message_id)
    if moved_to is not None:
        move_shown_sync(conn, user_id, draft_id, step, moved_to)
