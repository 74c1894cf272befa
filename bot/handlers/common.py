"""Small Telegram chores shared by every feature."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from html import unescape

from telegram import Bot, CallbackQuery, Chat, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError

from bot.context import BotContext

log = logging.getLogger(__name__)

NOT_MODIFIED = "message is not modified"
MESSAGE_LIMIT = 4096
_TAG = re.compile(r"<[^>]*>")


def split_lines(lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into messages under Telegram's limit, breaking only between lines.

    A single line longer than the limit is cut (it never happens with our own texts, but a
    message that Telegram refuses would lose everything).
    """
    chunks: list[str] = []
    current = ""
    for line in lines:
        if _utf16_units(line) > limit:
            line = line.encode("utf-16-le")[: 2 * limit].decode("utf-16-le", errors="ignore")
        candidate = f"{current}\n{line}" if current else line
        if _utf16_units(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def _utf16_units(text: str) -> int:
    """Telegram's measure of a text: UTF-16 code units (an emoji or 𐀀 counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def visible_length(html_text: str) -> int:
    """How long Telegram counts an HTML text: its UTF-16 code units once tags and entities are
    read (a character outside the Basic Multilingual Plane, an emoji or 𐀀, counts twice)."""
    return _utf16_units(unescape(_TAG.sub("", html_text)))


def split_html(html_text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """An HTML text (tags never span lines) in messages under Telegram's limit, broken between
    lines and measured as Telegram measures them, so no escape or tag is ever cut."""
    parts: list[str] = []
    current: list[str] = []
    length = 0
    for line in html_text.split("\n"):
        size = visible_length(line)
        if current and length + 1 + size > limit:
            parts.append("\n".join(current))
            current, length = [], 0
        length += size + (1 if current else 0)
        current.append(line)
    parts.append("\n".join(current))
    return parts


async def send_long(chat: Chat, lines: Sequence[str]) -> None:
    for chunk in split_lines(lines):
        await chat.send_message(chunk)


def _buttons(markup: InlineKeyboardMarkup | None) -> object:
    return markup.inline_keyboard if markup is not None and markup.inline_keyboard else ()


def same_keyboard(message: Message, reply_markup: InlineKeyboardMarkup | None) -> bool:
    """Whether ``message`` already carries exactly these buttons (or none, for None)."""
    return _buttons(message.reply_markup) == _buttons(reply_markup)


def already_shows(
    message: object, html_text: str, reply_markup: InlineKeyboardMarkup | None
) -> bool:
    """Whether ``message`` (as the update brought it) already reads ``html_text`` with these
    buttons: Telegram refuses such an edit ("message is not modified"), so it is not made."""
    if not isinstance(message, Message) or message.text is None:
        return False  # inaccessible or not a text message: only Telegram knows
    plain = unescape(_TAG.sub("", html_text)).strip()
    return message.text.strip() == plain and same_keyboard(message, reply_markup)


async def edit_or_ignore_unchanged(
    query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit the tapped message, unless it already shows this (a repeated tap)."""
    if already_shows(query.message, text, reply_markup):
        return
    try:
        await query.edit_message_text(text, reply_markup=reply_markup)
    except BadRequest as exc:
        if NOT_MODIFIED not in str(exc).lower():
            raise


async def set_keyboard(query: CallbackQuery, reply_markup: InlineKeyboardMarkup | None) -> None:
    """Change only the tapped message's buttons, unless it carries exactly these already."""
    message = query.message
    if isinstance(message, Message) and same_keyboard(message, reply_markup):
        return
    await query.edit_message_reply_markup(reply_markup)


async def retire_message(bot: Bot, chat_id: int, message_id: int, text: str | None) -> None:
    """Best effort: an earlier message loses its buttons (and reads ``text``, if given), so only
    the current question carries any. A failure is logged and changes nothing else: the answer
    is stored already, and old buttons answer "no longer active" when tapped."""
    try:
        if text is None:
            await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)
        else:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
    except TelegramError as error:
        log.warning("could not take the buttons off message %s: %s", message_id, error)


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
