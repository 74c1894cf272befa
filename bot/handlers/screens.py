"""Showing a screen (a question, the summary) in the chat: only the current one carries
buttons, and a screen longer than a Telegram message continues in new messages, the buttons on
the last part; the caller records that message as the one the person sees."""

from __future__ import annotations

from telegram import CallbackQuery, Chat, InlineKeyboardMarkup

from bot.handlers.common import edit_or_ignore_unchanged, split_html


async def send_screen(chat: Chat, text: str, markup: InlineKeyboardMarkup) -> int:
    """Send a screen (split if longer than a message), its buttons on the last part."""
    *parts, last = split_html(text)
    for part in parts:
        await chat.send_message(part)
    return (await chat.send_message(last, reply_markup=markup)).message_id


async def edit_screen(
    query: CallbackQuery, chat: Chat, text: str, markup: InlineKeyboardMarkup
) -> int | None:
    """Show a screen in the tapped message; a long one continues in new messages, the buttons
    on the last. The id of the message that carries them."""
    first, *rest = split_html(text)
    if not rest:
        await edit_or_ignore_unchanged(query, first, markup)
        return query.message.message_id if query.message else None
    await edit_or_ignore_unchanged(query, first)
    *middle, last = rest
    for part in middle:
        await chat.send_message(part)
    return (await chat.send_message(last, reply_markup=markup)).message_id
