"""Every update applied once, across crashes.

Telegram forgets an update only when the bot's next getUpdates confirms it, and PTB sends that
call while the update is being handled. A process that dies after committing an update's change
and before Telegram took that call gets the same update again after the restart. Each change
therefore claims the update's key in its own transaction: a repeat finds the key and changes
nothing (it may show the current state again).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram import Update

from storage import Database, Repositories, StoredDraft

#: Telegram keeps an unconfirmed update for 24 hours; twice that is beyond any redelivery.
KEEP_APPLIED = timedelta(hours=48)


def update_key(update: Update) -> str | None:
    """What identifies the person's action whatever ``update_id`` it comes under: a tap's
    callback query id, or a message's chat and id. None for other updates."""
    if update.callback_query is not None:
        return f"q:{update.callback_query.id}"
    message = update.message
    if message is not None:
        return f"m:{message.chat.id}:{message.message_id}"
    return None


async def first_time(repos: Repositories, update: Update, now: datetime) -> bool:
    """Claim ``update`` inside the transaction that applies it; False for a repeat."""
    key = update_key(update)
    if key is None:
        return True
    return await repos.applied_updates.claim(key, now)


async def already_applied(repos: Repositories, update: Update) -> bool:
    """Whether a change was committed for ``update`` (a read, claiming nothing)."""
    key = update_key(update)
    return key is not None and await repos.applied_updates.was_applied(key)


def typed_at_current_step(stored: StoredDraft, step: int, message_id: int | None) -> bool:
    """Whether text typed in message ``message_id`` was meant for the draft's current step: that
    step reached the person's screen (its send did not fail), and, when it came as a new message,
    before they typed (the message ids of a private chat grow with time). Otherwise the text was
    typed looking at an earlier question, which it answered already or will not answer now."""
    if stored.shown_step is None:
        return True  # a draft saved before what was shown was recorded
    if stored.shown_step != step:
        return False
    shown_in = stored.shown_message_id
    return shown_in is None or message_id is None or message_id > shown_in


async def forget_old(db: Database, now: datetime) -> int:
    """Prune the record: keys older than any redelivery can be (and, in webhook mode, the ids
    of handled updates, kept to recognise a repeat of the same update_id)."""
    async with db.transaction() as repos:
        await repos.received_updates.forget_handled_before(now - KEEP_APPLIED)
        return await repos.applied_updates.forget_before(now - KEEP_APPLIED)
