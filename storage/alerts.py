"""Urgent alerts: the alert of a report, its rounds of deliveries, the copies sent, the
coordinators' questions with the officers' answers, and the typed step somebody has pending.

The decisions that must happen once however many taps, retries or replicas race for them are
conditional writes here: creating the alert (``report_id`` is unique), the first
acknowledgement, beginning a new round, the first answer to a question. The rows' dataclasses
and their tables' mappings: storage/alert_tables.py (also imported from here).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from storage.alert_tables import (
    ALERTS,
    DELIVERIES,
    GET_PENDING,
    MESSAGES,
    PENDING,
    QUESTIONS,
    Alert,
    AlertDelivery,
    AlertMessage,
    AlertQuestion,
    DeliveryStatus,
    PendingKind,
    PendingReply,
    Recipient,
    get_pending_sync,
)
from storage.clock import to_db
from storage.sql import execute_counting, fetch_all, fetch_one

__all__ = [
    "Alert",
    "AlertDelivery",
    "AlertMessage",
    "AlertQuestion",
    "AlertRepository",
    "DeliveryStatus",
    "PendingKind",
    "PendingReply",
    "Recipient",
    "get_pending_sync",
]

# The SELECT lists of the joins, the columns of alerts as ``a.…`` and of deliveries as ``d.…``.
_ALERT_OF_A = ALERTS.prefixed("a")
_DELIVERY_OF_D = DELIVERIES.prefixed("d")


class AlertRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    # --- alerts ----------------------------------------------------------------------------

    async def create(self, report_id: int, reason: str, *, now: datetime) -> Alert | None:
        """The report's alert, new; None when the report already has one (never two)."""
        stamp = to_db(now)
        row = await fetch_one(
            self._conn,
            "INSERT INTO alerts (report_id, reason, created_at, repeats, last_sent_at)"
            " VALUES (?, ?, ?, 0, ?) ON CONFLICT (report_id) DO NOTHING"
            f" RETURNING {ALERTS.columns}",
            (report_id, reason, stamp, stamp),
        )
        return ALERTS.read(row) if row else None

    async def get(self, alert_id: int) -> Alert | None:
        row = await fetch_one(self._conn, ALERTS.select("id = ?"), (alert_id,))
        return ALERTS.read(row) if row else None

    async def get_by_report(self, report_id: int) -> Alert | None:
        row = await fetch_one(self._conn, ALERTS.select("report_id = ?"), (report_id,))
        return ALERTS.read(row) if row else None

    async def acknowledge(self, alert_id: int, user_id: int, *, now: datetime) -> bool:
        """Record the acknowledgement; False when somebody acknowledged it first."""
        changed = await execute_counting(
            self._conn,
            "UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ?"
            " WHERE id = ? AND acknowledged_at IS NULL",
            (user_id, to_db(now), alert_id),
        )
        return changed > 0

    async def unacknowledged(self, *, max_repeats: int) -> list[Alert]:
        """Alerts of reports still standing that nobody acknowledged and that may go out again."""
        rows = await fetch_all(
            self._conn,
            f"SELECT {_ALERT_OF_A} FROM alerts a JOIN reports r ON r.id = a.report_id"
            " WHERE a.acknowledged_at IS NULL AND a.repeats < ? AND r.status = 'submitted'"
            " ORDER BY a.id",
            (max_repeats,),
        )
        return [ALERTS.read(row) for row in rows]

    async def begin_round(self, alert_id: int, *, seen_repeats: int, now: datetime) -> int | None:
        """Claim the next round of a still unacknowledged alert; its number, or None when
        another pass claimed it first (``repeats`` is no longer ``seen_repeats``)."""
        changed = await execute_counting(
            self._conn,
            "UPDATE alerts SET repeats = repeats + 1, last_sent_at = ?"
            " WHERE id = ? AND repeats = ? AND acknowledged_at IS NULL",
            (to_db(now), alert_id, seen_repeats),
        )
        claimed = changed > 0
        return seen_repeats + 1 if claimed else None

    # --- deliveries ------------------------------------------------------------------------

    async def add_deliveries(
        self, alert_id: int, round_no: int, recipients: Sequence[Recipient]
    ) -> None:
        """Queue ``round_no`` for each recipient; what an earlier round still owes is dropped
        (nobody needs the same alert twice in a row)."""
        await self._conn.execute(
            "UPDATE alert_deliveries SET status = 'superseded'"
            " WHERE alert_id = ? AND round_no < ? AND status = 'pending'",
            (alert_id, round_no),
        )
        await self._conn.executemany(
            "INSERT INTO alert_deliveries (alert_id, round_no, chat_id, user_id, status, attempts)"
            " VALUES (?, ?, ?, ?, 'pending', 0)"
            " ON CONFLICT (alert_id, round_no, chat_id) DO NOTHING",
            [(alert_id, round_no, r.chat_id, r.user_id) for r in recipients],
        )

    async def pending_deliveries(
        self, alert_ids: Sequence[int] | None = None
    ) -> list[AlertDelivery]:
        """Deliveries still owed, of unacknowledged alerts of reports still standing."""
        where = ""
        params: tuple[int, ...] = ()
        if alert_ids is not None:
            if not alert_ids:
                return []
            where = f" AND d.alert_id IN ({', '.join('?' * len(alert_ids))})"
            params = tuple(alert_ids)
        rows = await fetch_all(
            self._conn,
            f"SELECT {_DELIVERY_OF_D} FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id"
            " JOIN reports r ON r.id = a.report_id"
            " WHERE d.status = 'pending' AND a.acknowledged_at IS NULL"
            f" AND r.status = 'submitted'{where}"
            " ORDER BY d.alert_id, d.round_no, CASE WHEN d.user_id IS NULL THEN 1 ELSE 0 END,"
            " d.chat_id",
            params,
        )
        return [DELIVERIES.read(row) for row in rows]

    async def deliveries(self, alert_id: int) -> list[AlertDelivery]:
        rows = await fetch_all(
            self._conn,
            f"SELECT {DELIVERIES.columns} FROM alert_deliveries WHERE alert_id = ?"
            " ORDER BY round_no, chat_id",
            (alert_id,),
        )
        return [DELIVERIES.read(row) for row in rows]

    async def claim_delivery(
        self, alert_id: int, round_no: int, chat_id: int, *, now: datetime, until: datetime
    ) -> bool:
        """Take a pending delivery for sending until ``until``; False when it is no longer
        pending or another sender holds it (a crashed sender's claim lapses)."""
        changed = await execute_counting(
            self._conn,
            "UPDATE alert_deliveries SET lease_until = ?"
            " WHERE alert_id = ? AND round_no = ? AND chat_id = ? AND status = 'pending'"
            " AND (lease_until IS NULL OR lease_until <= ?)",
            (to_db(until), alert_id, round_no, chat_id, to_db(now)),
        )
        return changed > 0

    async def finish_delivery(
        self, alert_id: int, round_no: int, chat_id: int, status: DeliveryStatus
    ) -> None:
        await self._conn.execute(
            "UPDATE alert_deliveries SET status = ?, attempts = attempts + 1"
            " WHERE alert_id = ? AND round_no = ? AND chat_id = ?",
            (status.value, alert_id, round_no, chat_id),
        )

    async def delivery_attempted(self, alert_id: int, round_no: int, chat_id: int) -> None:
        """A try that may succeed later: the delivery stays pending, free for the next pass."""
        await self._conn.execute(
            "UPDATE alert_deliveries SET attempts = attempts + 1, lease_until = NULL"
            " WHERE alert_id = ? AND round_no = ? AND chat_id = ?",
            (alert_id, round_no, chat_id),
        )

    # --- copies ------------------------------------------------------------------------------

    async def add_message(self, alert_id: int, chat_id: int, message_id: int) -> None:
        await self._conn.execute(
            "INSERT INTO alert_messages (alert_id, chat_id, message_id) VALUES (?, ?, ?)"
            " ON CONFLICT (alert_id, chat_id, message_id) DO NOTHING",
            (alert_id, chat_id, message_id),
        )

    async def messages(self, alert_id: int) -> list[AlertMessage]:
        rows = await fetch_all(
            self._conn,
            MESSAGES.select("alert_id = ? ORDER BY chat_id, message_id"),
            (alert_id,),
        )
        return [MESSAGES.read(row) for row in rows]

    # --- questions and answers ----------------------------------------------------------------

    async def add_question(
        self, alert_id: int, coordinator_id: int, question: str, *, now: datetime
    ) -> AlertQuestion:
        row = await fetch_one(
            self._conn,
            "INSERT INTO alert_questions (alert_id, coordinator_id, question, asked_at)"
            f" VALUES (?, ?, ?, ?) RETURNING {QUESTIONS.columns}",
            (alert_id, coordinator_id, question, to_db(now)),
        )
        assert row is not None
        return QUESTIONS.read(row)

    async def get_question(self, question_id: int) -> AlertQuestion | None:
        row = await fetch_one(
            self._conn,
            f"SELECT {QUESTIONS.columns} FROM alert_questions WHERE id = ?",
            (question_id,),
        )
        return QUESTIONS.read(row) if row else None

    async def questions(self, alert_id: int) -> list[AlertQuestion]:
        rows = await fetch_all(
            self._conn,
            f"SELECT {QUESTIONS.columns} FROM alert_questions WHERE alert_id = ? ORDER BY id",
            (alert_id,),
        )
        return [QUESTIONS.read(row) for row in rows]

    async def answer_question(self, question_id: int, answer: str, *, now: datetime) -> bool:
        """Record the answer; False when the question was answered already (the first wins)."""
        changed = await execute_counting(
            self._conn,
            "UPDATE alert_questions SET answer = ?, answered_at = ?"
            " WHERE id = ? AND answer IS NULL",
            (answer, to_db(now), question_id),
        )
        return changed > 0

    # --- the pending typed step ---------------------------------------------------------------

    async def set_pending(
        self,
        user_id: int,
        kind: PendingKind,
        *,
        alert_id: int,
        question_id: int | None = None,
        now: datetime,
    ) -> None:
        """What the person types next is this question or answer (replacing an earlier one)."""
        await self._conn.execute(
            "INSERT INTO pending_replies (user_id, kind, alert_id, question_id, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET kind = excluded.kind,"
            " alert_id = excluded.alert_id, question_id = excluded.question_id,"
            " created_at = excluded.created_at",
            (user_id, kind.value, alert_id, question_id, to_db(now)),
        )

    async def get_pending(self, user_id: int) -> PendingReply | None:
        row = await fetch_one(self._conn, GET_PENDING, (user_id,))
        return PENDING.read(row) if row is not None else None

    async def clear_pending(self, user_id: int) -> bool:
        changed = await execute_counting(
            self._conn, "DELETE FROM pending_replies WHERE user_id = ?", (user_id,)
        )
        return changed > 0
