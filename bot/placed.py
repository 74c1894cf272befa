"""The ``Message`` a send or an edit returns, built from where it is and nothing else.

The bot reads only where a message it sent or edited is (its id, date and chat). PTB's
``Message.de_json`` still walks some forty optional parts and sets every one of the message's
~120 attributes through ``TelegramObject.__setattr__`` to make that object: ~100 µs, more than
an update's whole rendering. The result is always the same object but for those three parts,
so it is copied from a blank one made once by PTB itself (so it stays exactly what PTB makes,
whatever its release), and only those three are set: ~15 µs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from telegram import Chat, Message
from telegram._utils.datetime import extract_tzinfo_from_defaults, from_timestamp
from telegram._utils.types import JSONDict
from telegram.constants import ZERO_DATE

if TYPE_CHECKING:
    from telegram import Bot

#: The parts of a placed message that differ from one to the next.
_OWN = frozenset({"message_id", "date", "chat", "_id_attrs"})
#: Chats kept for reuse (they are immutable); past this many, the cache starts again.
_CHATS_KEPT = 4096


def _slots(cls: type) -> list[str]:
    return [name for klass in cls.__mro__ for name in getattr(klass, "__slots__", ())]


class PlacedMessages:
    """Makes the ``Message`` of a send or edit from :func:`bot.telegram_bot.where_it_is`."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot
        blank = Message.de_json(
            {"message_id": 1, "date": 1, "chat": {"id": 1, "type": Chat.PRIVATE}}, bot
        )
        self._blank: list[tuple[str, Any]] = [
            (name, getattr(blank, name))
            for name in dict.fromkeys(_slots(Message))
            if name not in _OWN and hasattr(blank, name)
        ]
        self._chats: dict[tuple[int, str], Chat] = {}
        self._tzinfo = extract_tzinfo_from_defaults(bot)

    def message(self, where: JSONDict) -> Message:
        """The message PTB's ``Message.de_json(where, bot)`` would make."""
        chat = self._chat(where["chat"])
        date = where["date"]
        message = Message.__new__(Message)
        put: Callable[[object, str, object], None] = object.__setattr__
        for name, value in self._blank:
            put(message, name, value)
        put(message, "message_id", where["message_id"])
        put(message, "date", ZERO_DATE if date == 0 else from_timestamp(date, self._tzinfo))
        put(message, "chat", chat)
        put(message, "_id_attrs", (where["message_id"], chat))
        return message

    def _chat(self, data: JSONDict) -> Chat:
        key = (data["id"], data["type"])
        chat = self._chats.get(key)
        if chat is None:
            if len(self._chats) >= _CHATS_KEPT:
                self._chats.clear()
            chat = self._chats[key] = Chat.de_json(dict(data), self._bot)
        return chat
