"""Small Telegram chores shared by every feature."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import CallbackQuery, Chat, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.context import BotContext

NOT_MODIFIED = "message is not modified"
MESSAGE_LIMIT = 4096


def split_lines(lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into messages under Telegram's limit, breaking only between lines.

    A single line longer than the limit is cut (it never happens with our own texts, but a
    message that Telegram refuses would lose everything).
    """
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = line[:limit]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


async def send_long(chat: Chat, lines: Sequence[str]) -> None:
    for chunk in split_lines(lines):
        await chat.send_message(chunk)


async def edit_or_ignore_unchanged(
    query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit the tapped message; a repeated tap that would change nothing is not an error."""
    try:
        await query.edit_message_text(text, reply_markup=reply_markup)
    except BadRequest as exc:
        if NOT_MODIFIED not in str(exc).lower():
            raise


async def edit_then_answer(
    query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit, then answer: once the spinner stops, the message already shows the result.
    (A redelivered tap may have been answered by the process that crashed: that is fine.)"""
    await edit_or_ignore_unchanged(query, text, reply_markup)
    await answer_if_still_open(query)


async def answer_if_still_open(query: CallbackQuery) -> None:
    """Answer a tap that may have been answered already: a redelivered update carries the
    query the crashed process answered, and Telegram refuses a second answer (the bot takes
    that refusal in its stride: bot/telegram_bot.py)."""
    await query.answer()


async def stale_button(update: Update, context: BotContext) -> None:
    """A tap on a button we no longer serve (old, forged, finished): say so, change nothing."""
    if update.callback_query:
        await update.callback_query.answer(
            context.tr.gettext("This button no longer works. Please start again."),
            show_alert=True,
        )
