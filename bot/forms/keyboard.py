"""The buttons of a form's screens, made and encoded for a fraction of PTB's generic cost.

A form screen has up to sixteen buttons, and PTB's ``InlineKeyboardButton(...)`` sets its
fourteen attributes one by one through ``TelegramObject.__setattr__`` (~10 µs a button, most
of a screen's rendering). A form's button carries only a text and callback data, and is
otherwise always the same object, so it is copied from a blank one PTB made once (so it stays
exactly what PTB makes, whatever its release) with those two set: ~2 µs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.forms.state import Draft

PREFIX = "f"


def _slots(cls: type) -> list[str]:
    return list(dict.fromkeys(n for klass in cls.__mro__ for n in getattr(klass, "__slots__", ())))


_TEXT, _DATA = "\x00text", "\x00data"
_BLANK = InlineKeyboardButton(_TEXT, callback_data=_DATA)
#: Every attribute of the blank button but its own three, with its value.
_BLANK_STATE = tuple(
    (name, getattr(_BLANK, name))
    for name in _slots(InlineKeyboardButton)
    if name not in ("text", "callback_data", "_id_attrs") and hasattr(_BLANK, name)
)
#: Where the text and the callback data sit among the attributes a button is compared by.
_ID_TEXT, _ID_DATA = _BLANK._id_attrs.index(_TEXT), _BLANK._id_attrs.index(_DATA)
_ID_BLANK = list(_BLANK._id_attrs)


def plain_button(text: str, callback_data: str) -> InlineKeyboardButton:
    """``InlineKeyboardButton(text, callback_data=callback_data)``, the same in every way."""
    made = InlineKeyboardButton.__new__(InlineKeyboardButton)
    put: Callable[[object, str, object], None] = object.__setattr__
    for name, value in _BLANK_STATE:
        put(made, name, value)
    put(made, "text", text)
    put(made, "callback_data", callback_data)
    compared = _ID_BLANK.copy()
    compared[_ID_TEXT], compared[_ID_DATA] = text, callback_data
    put(made, "_id_attrs", tuple(compared))
    return made


def button(
    text: str, draft: Draft, field_key: str, action: str, arg: str = "-"
) -> InlineKeyboardButton:
    return plain_button(text, callbacks.pack(PREFIX, draft.draft_id, field_key, action, arg))


#: Whatever a button can carry besides its text and callback data (as this PTB release has it).
_EXTRAS = tuple(
    name for name in InlineKeyboardButton.__slots__ if name not in ("text", "callback_data")
)
_extras_of = attrgetter(*_EXTRAS)
_NO_EXTRAS = (None,) * len(_EXTRAS)


def _plain(item: InlineKeyboardButton) -> bool:
    """A button of text and callback data only, like :func:`button`'s."""
    return (
        isinstance(item.callback_data, str)
        and not item.api_kwargs
        and _extras_of(item) == _NO_EXTRAS
    )


class FormKeyboard(InlineKeyboardMarkup):
    """The buttons of a form's screen, whose JSON is written out once, when it is built.

    Every form step sends one, and PTB's generic ``to_dict`` walks every attribute of every
    button (~7 µs a button, 14 buttons for the substances). A form's buttons carry only a
    text and callback data (:func:`button`), so their JSON is just that; anything else falls
    back to PTB's. Equal to an ``InlineKeyboardMarkup`` with the same buttons, either way round.
    """

    __slots__ = ("_json",)

    def __init__(self, inline_keyboard: list[list[InlineKeyboardButton]]) -> None:
        super().__init__(inline_keyboard)
        rows: list[list[dict[str, object]]] | None = []
        for row in self.inline_keyboard:
            if rows is None:
                break
            out: list[dict[str, object]] = []
            for item in row:
                if not _plain(item):
                    rows = None
                    break
                out.append({"callback_data": item.callback_data, "text": item.text})
            else:
                rows.append(out)
        with self._unfrozen():
            self._json = rows

    def json_text(self) -> str | None:
        """The JSON Telegram gets for this keyboard (None: PTB's ``to_dict`` must write it)."""
        if self._json is None or self.api_kwargs:
            return None
        return json.dumps({"inline_keyboard": self._json})

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        if self._json is None or not recursive or self.api_kwargs:
            return super().to_dict(recursive)
        return {"inline_keyboard": [[dict(item) for item in row] for row in self._json]}

    def __eq__(self, other: object) -> bool:
        if isinstance(other, InlineKeyboardMarkup):
            return self.inline_keyboard == other.inline_keyboard
        return NotImplemented

    def __hash__(self) -> int:
        return hash((InlineKeyboardMarkup, self._id_attrs))
