"""The steps every admin change shares: ask the rules layer in one transaction and answer a
refusal or a vanished target; show the result in the tapped message; a Yes/No keyboard.

A flow reads: ``found = await rules_step(update, context, act)`` — ``act`` is one rules-layer
call (bot/people.py, bot/organisation.py, bot/inviting.py…) given the repositories and the
actor's Telegram id — then, if ``found`` is not None, the flow renders its confirmation or its
result with :func:`show`, and tells the people concerned.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.authority import Refused
from bot.context import BotContext
from bot.handlers.common import edit_then_answer, stale_button
from bot.handlers.refusals import actor_id, tell_refused
from storage import Repositories

T = TypeVar("T")

Shown = tuple[str, InlineKeyboardMarkup | None]


async def rules_step(
    update: Update,
    context: BotContext,
    act: Callable[[Repositories, int | None], Awaitable[T | Refused | None]],
) -> T | None:
    """Run ``act`` in one transaction; None when the update was answered here: refused by the
    rules layer (the refusal is audited and committed), or its target is gone (a stale tap)."""
    async with context.db.transaction() as repos:
        found = await act(repos, actor_id(update))
    if isinstance(found, Refused):
        await tell_refused(update, context, found)
        return None
    if found is None:
        await stale_button(update, context)
        return None
    return found


async def show(
    update: Update, context: BotContext, shown: Shown | Refused, notice: str | None = None
) -> None:
    """Show a card or a list in the tapped message (under ``notice``), or the refusal."""
    query = update.callback_query
    assert query is not None
    if isinstance(shown, Refused):
        await tell_refused(update, context, shown)
        return
    text, markup = shown
    await edit_then_answer(query, notice + "\n\n" + text if notice else text, markup)


async def send(
    update: Update, context: BotContext, shown: Shown | Refused, notice: str | None = None
) -> None:
    """Send a card or a list as a new message (under ``notice``), or the refusal: what a
    command or a typed answer shows, where :func:`show` edits the tapped message."""
    chat = update.effective_chat
    assert chat is not None
    if isinstance(shown, Refused):
        await tell_refused(update, context, shown)
        return
    text, markup = shown
    await chat.send_message(notice + "\n\n" + text if notice else text, reply_markup=markup)


def yes_no(yes: str, yes_data: str, no: str, no_data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(yes, callback_data=yes_data),
                InlineKeyboardButton(no, callback_data=no_data),
            ]
        ]
    )
