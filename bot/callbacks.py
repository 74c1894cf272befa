"""Callback data: ``<prefix>:v1:<part>:<part>…``, built and parsed only here.

The prefix routes the tap to its feature, the version lets a later release tell its buttons
from old ones still sitting in chats, and the 64-byte limit of Telegram is checked on building.
"""

from __future__ import annotations

import re

VERSION = "v1"
MAX_BYTES = 64
_PART = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")


class CallbackDataError(ValueError):
    """Callback data that this release did not make (forged, truncated or from an old release)."""


def pack(prefix: str, *parts: str | int) -> str:
    texts = [str(part) for part in parts]
    for text in (prefix, *texts):
        if not _PART.fullmatch(text):
            raise ValueError(f"callback part {text!r} is not a short identifier")
    data = ":".join((prefix, VERSION, *texts))
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data {data!r} exceeds {MAX_BYTES} bytes")
    return data


def unpack(data: str | None, prefix: str, arity: int) -> tuple[str, ...]:
    """The parts after the prefix and version, or :class:`CallbackDataError`."""
    if not data or len(data.encode()) > MAX_BYTES:
        raise CallbackDataError(data)
    pieces = data.split(":")
    if len(pieces) != arity + 2 or pieces[0] != prefix or pieces[1] != VERSION:
        raise CallbackDataError(data)
    parts = tuple(pieces[2:])
    if not all(_PART.fullmatch(part) for part in parts):
        raise CallbackDataError(data)
    return parts


def pattern(prefix: str) -> str:
    """The regex a ``CallbackQueryHandler`` matches for a prefix (any version: old ones too)."""
    return rf"^{re.escape(prefix)}:"
