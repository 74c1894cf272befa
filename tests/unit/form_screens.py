"""Reading what a form shows an officer: its buttons and their data, the text as it reads without
HTML, and the tags it uses."""

from __future__ import annotations

import html
import re
from typing import Any

from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.forms.definitions import SEIZURE

TELEGRAM_TEXT_LIMIT = 4096
ALLOWED_TAGS = {"b"}


def buttons(markup: InlineKeyboardMarkup) -> list[Any]:
    return [button for row in markup.inline_keyboard for button in row]


def datas(markup: InlineKeyboardMarkup) -> list[tuple[str, ...]]:
    return [callbacks.unpack(button.callback_data, "f", 4)[1:] for button in buttons(markup)]


def visible(text: str) -> str:
    """What the officer reads: the HTML tags gone and the entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def tags(text: str) -> set[str]:
    return set(re.findall(r"</?([A-Za-z][A-Za-z0-9]*)", text))


# -- values -------------------------------------------------------------------------------------

F = SEIZURE.field_index
