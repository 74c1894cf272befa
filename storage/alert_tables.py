"""Urgent alerts' rows as the rest of the code sees them, and each table's mapping to them
(storage/columns.py): an alert, its deliveries and copies, the coordinators' questions, the typed
step somebody has pending. The decisions made on them are storage/alerts.py's.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from storage.clock import from_db
from storage.columns import Table, column, moment_or_none, optional
from storage.sql import fetch_one_sync


@dataclass(frozen=True)
class Alert:
    """``acknowledged_by`` is a ``users.id``; ``repeats`` counts rounds after the first."""

    id: int
    report_id: int
    reason: str
    created_at: datetime
    acknowledged_by: int | None
    acknowledged_at: datetime | None
    repeats: int
    last_sent_at: datetime | None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


@dataclass(frozen=True)
class Recipient:
    """A chat an alert goes to: a coordinator's private chat (``user_id``) or the group."""

    chat_id: int
    user_id: int | None


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class AlertDelivery:
    alert_id: int
    round_no: int
    chat_id: int
    user_id: int | None
    status: DeliveryStatus
    attempts: int


@dataclass(frozen=True)
class AlertMessage:
    alert_id: int
    chat_id: int
    message_id: int


@dataclass(frozen=True)
class AlertQuestion:
    """``coordinator_id`` is the ``users.id`` of who asked; the answer goes back to them."""

    id: int
    alert_id: int
    coordinator_id: int
    question: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None


class PendingKind(StrEnum):
    QUESTION = "question"
    ANSWER = "answer"


@dataclass(frozen=True)
class PendingReply:
    user_id: int
    kind: PendingKind
    alert_id: int
    question_id: int | None
    created_at: datetime


#: ``alerts``, in the order of :class:`Alert`'s fields.
ALERTS: Table[Alert] = Table(
    "alerts",
    Alert,
    [
        column("id", int),
        column("report_id", int),
        column("reason", str),
        column("created_at", from_db),
        column("acknowledged_by", optional(int)),
        column("acknowledged_at", moment_or_none),
        column("repeats", int),
        column("last_sent_at", moment_or_none),
    ],
)

#: ``alert_deliveries`` (its ``lease_until`` is only ever compared, never read).
DELIVERIES: Table[AlertDelivery] = Table(
    "alert_deliveries",
    AlertDelivery,
    [
        column("alert_id", int),
        column("round_no", int),
        column("chat_id", int),
        column("user_id", optional(int)),
        column("status", DeliveryStatus),
        column("attempts", int),
    ],
)

MESSAGES: Table[AlertMessage] = Table(
    "alert_messages",
    AlertMessage,
    [column("alert_id", int), column("chat_id", int), column("message_id", int)],
)

QUESTIONS: Table[AlertQuestion] = Table(
    "alert_questions",
    AlertQuestion,
    [
        column("id", int),
        column("alert_id", int),
        column("coordinator_id", int),
        column("question", str),
        column("asked_at", from_db),
        column("answer"),
        column("answered_at", moment_or_none),
    ],
)

PENDING: Table[PendingReply] = Table(
    "pending_replies",
    PendingReply,
    [
        column("user_id", int),
        column("kind", PendingKind),
        column("alert_id", int),
        column("question_id", optional(int)),
        column("created_at", from_db),
    ],
)
GET_PENDING = PENDING.select("user_id = ?")


def get_pending_sync(conn: sqlite3.Connection, user_id: int) -> PendingReply | None:
    """:meth:`AlertRepository.get_pending` on the database thread (storage/hot_path.py)."""
    row = fetch_one_sync(conn, GET_PENDING, (user_id,))
    return PENDING.read(row) if row is not None else None
