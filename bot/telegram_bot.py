"""The bot object the application talks to Telegram through: PTB's ExtBot, two rules added.

A tap's answer only stops the spinner on the person's button. Telegram refuses it when the tap
was answered already (an update redelivered after a crash) or is too old (a slow network): that
must never turn the rest of the handler into an apology, nor stop it half-way.

A message the bot sends or edits comes back from Telegram whole (its text, entities, keyboard,
sender, chat), and PTB would parse all of it into objects on every call: a fifth of the cost of
an update. The bot reads only where the message is (``message_id`` and the chat, to edit or
retire it later: shown questions, alert copies, prompts), so only that is kept, and the
``Message`` returned is copied from a blank one (bot/placed.py) instead of parsed by PTB.

The keyboard sent with a message is encoded by hand: PTB's generic ``to_dict`` walks every
slot of every button, five times the cost of the JSON it makes.

A person's own command menu is set again by every /start (and a language or role change);
Telegram keeps it, so a menu this process already set for that chat, word for word, is not
sent again: a repeated /start makes one Bot API call instead of two. A call that failed is not
remembered, nor one that overlapped another for the same chat (Telegram may take them in either
order: a demotion and the demoted admin's own /start), so the next /start repairs the menu; a
restart forgets them all.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.forms.keyboard import FormKeyboard
from bot.placed import PlacedMessages

log = logging.getLogger(__name__)

#: Telegram's words for a callback query that can no longer be answered.
QUERY_ANSWERED = "query is too old"

#: Bot API methods whose result is the Message sent or edited, of which the bot reads only
#: where it is. Any other method's result is parsed whole, as PTB does.
MESSAGE_RESULTS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
    }
)


#: Where the message of the send or edit under way in this task was placed: set by
#: :meth:`FieldReportBot._send_message` for its :meth:`FieldReportBot._do_post` to fill.
_PLACED: ContextVar[list[JSONDict] | None] = ContextVar("fieldreport_placed", default=None)


def where_it_is(message: JSONDict) -> JSONDict:
    """The part of a sent or edited message the bot reads: its id, date and chat."""
    chat = message["chat"]
    return {
        "message_id": message["message_id"],
        "date": message["date"],
        "chat": {"id": chat["id"], "type": chat["type"]},
    }


#: What a button of the bot's carries; a button with anything else set is encoded by PTB.
_PLAIN_BUTTON = ("text", "callback_data", "url")
_OTHER_BUTTON_FIELDS = tuple(
    name for name in InlineKeyboardButton.__slots__ if name not in _PLAIN_BUTTON
)


def keyboard_json(markup: InlineKeyboardMarkup) -> str:
    """The JSON of ``markup`` as PTB would send it (``to_dict`` then ``json.dumps``)."""
    if isinstance(markup, FormKeyboard) and (written := markup.json_text()) is not None:
        return written
    if markup.api_kwargs:
        return json.dumps(markup.to_dict())
    return json.dumps(
        {"inline_keyboard": [[_button(b) for b in row] for row in markup.inline_keyboard]}
    )


def _button(button: InlineKeyboardButton) -> JSONDict:
    if button.api_kwargs or any(getattr(button, n) is not None for n in _OTHER_BUTTON_FIELDS):
        return button.to_dict()
    plain: JSONDict = {"text": button.text}
    if button.callback_data is not None:
        plain["callback_data"] = button.callback_data
    if button.url is not None:
        plain["url"] = button.url
    return plain


#: Values PTB's ``_insert_defaults`` never changes (exactly these types, not subclasses).
_AS_THEY_ARE = frozenset({str, int, float, bool})


#: A chat's menu as set: (command, description) pairs in order.
Menu = tuple[tuple[str, str], ...]


def _menu(commands: Sequence[BotCommand | tuple[str, str]]) -> Menu:
    return tuple(
        (c.command, c.description) if isinstance(c, BotCommand) else (c[0], c[1]) for c in commands
    )


def _chat_of(scope: BotCommandScope | None, language_code: str | None) -> int | None:
    """The chat of a per-chat menu in no particular language (the only ones remembered)."""
    if isinstance(scope, BotCommandScopeChat) and language_code is None:
        chat = scope.chat_id
        return chat if isinstance(chat, int) else None
    return None


class FieldReportBot(ExtBot[Any]):
    __slots__ = ("_chat_menus", "_menu_calls", "_placed")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with self._unfrozen():
            #: The menu this process last set in each chat (see the module docstring).
            self._chat_menus: dict[int, Menu] = {}
            #: Per chat with menu calls under way: [calls under way, whether two overlapped].
            self._menu_calls: dict[int, list[int]] = {}
            self._placed: PlacedMessages | None = None

    async def _send_message(self, endpoint: str, data: JSONDict, *args: Any, **kwargs: Any) -> Any:
        """PTB's send or edit, whose message result is made by :class:`PlacedMessages`
        instead of ``Message.de_json`` (PTB gets ``True`` for it, as for an inline edit)."""
        placed: list[JSONDict] = []
        token = _PLACED.set(placed)
        try:
            result = await super()._send_message(endpoint, data, *args, **kwargs)
        finally:
            _PLACED.reset(token)
        if result is True and placed:
            if self._placed is None:
                with self._unfrozen():
                    self._placed = PlacedMessages(self)
            return self._placed.message(placed[-1])
        return result

    async def set_my_commands(
        self,
        commands: Sequence[BotCommand | tuple[str, str]],
        scope: BotCommandScope | None = None,
        language_code: str | None = None,
        **kwargs: Any,
    ) -> bool:
        """Set a menu, unless it is a chat's menu this process already set exactly so."""
        chat = _chat_of(scope, language_code)
        menu = _menu(commands)
        if chat is None:
            return await super().set_my_commands(commands, scope, language_code, **kwargs)
        if self._chat_menus.get(chat) == menu:
            return True
        self._menu_call_began(chat)
        try:
            done = await super().set_my_commands(commands, scope, language_code, **kwargs)
        finally:
            alone = self._menu_call_ended(chat)
        if done and alone:
            self._chat_menus[chat] = menu
        return done

    def _menu_call_began(self, chat: int) -> None:
        """The chat's menu is unknown until Telegram says it took a call."""
        self._chat_menus.pop(chat, None)
        calls = self._menu_calls.setdefault(chat, [0, 0])
        calls[0] += 1
        calls[1] |= calls[0] > 1

    def _menu_call_ended(self, chat: int) -> bool:
        """Whether that call was the chat's only one while it lasted. Telegram may take
        overlapping calls in either order, and one that failed (a timeout) may still be taken:
        after either, which menu the chat shows is unknown, so none is remembered."""
        calls = self._menu_calls[chat]
        calls[0] -= 1
        if not calls[0]:
            del self._menu_calls[chat]
        if calls[1]:
            self._chat_menus.pop(chat, None)
        return not calls[1]

    async def delete_my_commands(
        self,
        scope: BotCommandScope | None = None,
        language_code: str | None = None,
        **kwargs: Any,
    ) -> bool:
        chat = _chat_of(scope, language_code)
        if chat is None:
            return await super().delete_my_commands(scope, language_code, **kwargs)
        self._menu_call_began(chat)
        try:
            return await super().delete_my_commands(scope, language_code, **kwargs)
        finally:
            self._menu_call_ended(chat)

    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        """Answer a tap; one Telegram no longer takes an answer for is not an error."""
        try:
            return await super().answer_callback_query(*args, **kwargs)
        except BadRequest as exc:
            if QUERY_ANSWERED not in exc.message.lower():
                raise
            log.info("a tap was already answered or is too old to answer")
            return False

    def _insert_defaults(self, data: dict[str, object]) -> None:
        """PTB's, given only the values it may change: a call's twenty-odd parameters are
        mostly None (dropped before sending anyway) or plain text and numbers, which PTB's
        walk of isinstance checks (seven of them, some against ABCs) leaves as they are."""
        kept = {key: value for key, value in data.items() if value is not None}
        others = {key: value for key, value in kept.items() if type(value) not in _AS_THEY_ARE}
        super()._insert_defaults(others)
        data.clear()
        data.update(kept)
        data.update(others)

    async def _do_post(
        self,
        endpoint: str,
        data: JSONDict,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> bool | JSONDict | list[JSONDict]:
        """PTB's request (defaults, rate limiter and all), its keyboard encoded by
        :func:`keyboard_json` and its message result cut to :func:`where_it_is` before PTB
        turns it into a ``Message``."""
        markup = data.get("reply_markup")
        if isinstance(markup, InlineKeyboardMarkup):
            # PTB sends a string parameter as it is: the JSON made here.
            data["reply_markup"] = keyboard_json(markup)
        result = await super()._do_post(
            endpoint,
            data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if endpoint in MESSAGE_RESULTS and isinstance(result, dict):
            placed = _PLACED.get()
            if placed is not None:
                placed.append(where_it_is(result))
                return True
            return where_it_is(result)
        return result
