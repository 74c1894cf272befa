"""One structured log line per handled update: who, what, how it ended, how long it took.

No report content at INFO: only the user id, the kind of update (a command name, a button
prefix, "text", "photo"…), the outcome and the milliseconds.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar

from telegram import Update

log = logging.getLogger("fieldreport.updates")

#: Set to "ok" when an update starts; the gate and the error handler change it.
OUTCOME: ContextVar[str] = ContextVar("update_outcome", default="ok")


def set_outcome(outcome: str) -> None:
    OUTCOME.set(outcome)


def update_kind(update: object) -> str:
    if not isinstance(update, Update):
        return type(update).__name__
    if update.callback_query is not None:
        return "button:" + (update.callback_query.data or "").split(":", 1)[0][:16]
    message = update.effective_message
    if message is None:
        return "other"
    if message.text is not None:
        words = message.text[1:].split() if message.text.startswith("/") else []
        if words:
            return "command:" + words[0].split("@")[0][:32].lower()
        return "text"
    for kind in ("photo", "location", "document", "sticker", "voice", "video", "contact"):
        if getattr(message, kind, None):
            return kind
    return "other"


def log_update(update: object, outcome: str, milliseconds: float) -> None:
    user = (
        update.effective_user.id if isinstance(update, Update) and update.effective_user else None
    )
    log.info(
        "%s",
        json.dumps(
            {
                "user": user,
                "kind": update_kind(update),
                "outcome": outcome,
                "ms": round(milliseconds, 1),
            }
        ),
    )
