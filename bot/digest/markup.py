"""The pieces of Telegram HTML the digest's text is made of: escaped text, bold and italic
lines, list bullets, and counts formatted for the reader.

Below both :mod:`bot.digest.text` and :mod:`bot.digest.text_attention`, so that every line of
the digest escapes its names and values the same way.
"""

from __future__ import annotations

import html

from bot.i18n import Translator

__all__ = ["BULLET", "bold", "count_line", "escape", "italic"]

BULLET = "•"


def escape(text: str) -> str:
    """Text made safe for Telegram's HTML: ``&``, ``<`` and ``>`` (no attributes are written)."""
    return html.escape(text, quote=False)


def bold(text: str) -> str:
    return f"<b>{escape(text)}</b>"


def italic(text: str) -> str:
    return f"<i>{escape(text)}</i>"


def count_line(message: str, n: int, tr: Translator) -> str:
    """An ``ngettext`` message with its count formatted for the reader (``1 234``), escaped."""
    return escape(message.format(count=tr.format_number(n)))
