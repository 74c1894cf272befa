"""One structured log line per handled update: who, what, how it ended, how long it took.

No word of a message at any level: only the user id, the kind of update (a command name from
the access table or "unknown", a button prefix from the table, "text", "photo"…), the outcome
and the milliseconds.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar

from telegram import Update

from bot import access

log = logging.getLogger("fieldreport.updates")

#: Set to "ok" when an update starts; the gate and the error handler change it.
OUTCOME: ContextVar[str] = ContextVar("update_outcome", default="ok")


def set_outcome(outcome: str) -> None:
    OUTCOME.set(outcome)


def update_kind(update: object) -> str:
    if not isinstance(update, Update):
        return type(update).__name__
    if update.callback_query is not None:
        prefix = access.callback_prefix(update.callback_query.data)
        return "button:" + (prefix if prefix in access.CALLBACKS else "unknown")
    message = update.effective_message
    if message is None:
        return "other"
    edited = "edited " if update.edited_message or update.edited_channel_post else ""
    if message.text is not None:
        command = access.command_for_log(access.command_in(message, _bot_username(update)))
        return edited + ("command:" + command if command else "text")
    for kind in ("photo", "location", "document", "sticker", "voice", "video", "contact"):
        if getattr(message, kind, None):
            return edited + kind
    return edited + "other"


def _bot_username(update: Update) -> str | None:
    try:
        return update.get_bot().username
    except RuntimeError:  # an update built without a bot (tests): no command is ours then
        return None


def log_update(update: object, outcome: str, milliseconds: float) -> None:
    """Log the update's line; built only when INFO is on (at WARNING it would be thrown away)."""
    if not log.isEnabledFor(logging.INFO):
        return
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
