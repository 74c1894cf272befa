import asyncio
import json
from typing import Any

import pytest
from telegram import (
    BotCommandScopeChat,
    CopyTextButton,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from telegram.error import TimedOut
from telegram.request import BaseRequest

from bot.telegram_bot import FieldReportBot, keyboard_json, where_it_is

B = InlineKeyboardButton


@pytest.mark.parametrize(
    "markup",
    [
        InlineKeyboardMarkup(
            [[B("Ha", callback_data="r:7:yes"), B("Yo‘q", callback_data="r:7:no")]]
        ),
        InlineKeyboardMarkup([[B("Сайт", url="https://example.org/a?b=1")], []]),
        InlineKeyboardMarkup([[B("Copy", copy_text=CopyTextButton("INV-42"))]]),
        InlineKeyboardMarkup([[B("x", callback_data="y", api_kwargs={"style": "danger"})]]),
        InlineKeyboardMarkup([], api_kwargs={"future": True}),
    ],
)
def test_a_keyboard_is_sent_as_ptb_would_encode_it(markup: InlineKeyboardMarkup) -> None:
    assert json.loads(keyboard_json(markup)) == markup.to_dict()


def test_a_sent_message_keeps_where_it_is_and_nothing_of_what_it_says() -> None:
    sent = {
        "message_id": 81,
        "date": 1_765_000_000,
        "chat": {"id": 7001, "type": "private", "first_name": "Dilnoza"},
        "from": {"id": 1, "is_bot": True, "first_name": "FieldReport"},
        "text": "Qayerda?",
        "reply_markup": {"inline_keyboard": [[{"text": "Ha", "callback_data": "r:7:yes"}]]},
    }
    message = Message.de_json(where_it_is(sent), None)
    assert (message.message_id, message.chat_id, message.chat.type) == (81, 7001, "private")
    assert message.date.timestamp() == 1_765_000_000
    assert message.text is None and message.reply_markup is None


class _HeldRequest(BaseRequest):
    """Each Bot API call waits until the test lets it end: as Telegram's answer, or a timeout."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, asyncio.Future[bool]]] = []
        self.arrived = asyncio.Condition()

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        outcome: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        async with self.arrived:
            self.calls.append((url.rsplit("/", 1)[-1], outcome))
            self.arrived.notify_all()
        if not await outcome:
            raise TimedOut
        return 200, b'{"ok": true, "result": true}'


async def _called(request: _HeldRequest, count: int) -> None:
    """Wait (at most a second) until the bot made ``count`` calls."""
    async with asyncio.timeout(1.0), request.arrived:
        await request.arrived.wait_for(lambda: len(request.calls) >= count)


ADMIN_MENU = [("help", "Help"), ("units", "Units")]
OFFICER_MENU = [("help", "Help")]


async def test_a_menu_set_while_another_call_for_that_chat_timed_out_is_sent_again() -> None:
    """A demoted admin's /start set the admin menu as the demotion set the officer menu; the
    first timed out (Telegram may still have taken it, after the second): what the chat shows
    is unknown, so the next officer menu is sent, not skipped as already set."""
    request = _HeldRequest()
    bot = FieldReportBot("123:abc", request=request)
    chat = BotCommandScopeChat(7001)
    stale = asyncio.create_task(bot.set_my_commands(ADMIN_MENU, scope=chat))
    await _called(request, 1)
    demotion = asyncio.create_task(bot.set_my_commands(OFFICER_MENU, scope=chat))
    await _called(request, 2)
    request.calls[1][1].set_result(True)
    await demotion
    request.calls[0][1].set_result(False)
    with pytest.raises(TimedOut):
        await stale

    again = asyncio.create_task(bot.set_my_commands(OFFICER_MENU, scope=chat))
    await _called(request, 3)
    request.calls[2][1].set_result(True)
    assert await again
    assert [method for method, _ in request.calls] == ["setMyCommands"] * 3


async def test_two_menus_set_at_once_in_one_chat_leave_neither_remembered() -> None:
    """Telegram may take two calls in either order: whichever answered last says nothing of
    which menu the chat shows, so the next /start sets it again."""
    request = _HeldRequest()
    bot = FieldReportBot("123:abc", request=request)
    chat = BotCommandScopeChat(7001)
    first = asyncio.create_task(bot.set_my_commands(ADMIN_MENU, scope=chat))
    await _called(request, 1)
    second = asyncio.create_task(bot.set_my_commands(OFFICER_MENU, scope=chat))
    await _called(request, 2)
    request.calls[0][1].set_result(True)
    request.calls[1][1].set_result(True)
    await asyncio.gather(first, second)

    again = asyncio.create_task(bot.set_my_commands(OFFICER_MENU, scope=chat))
    await _called(request, 3)
    request.calls[2][1].set_result(True)
    assert await again
    # Alone, a call is remembered: the same menu once more costs nothing.
    assert await bot.set_my_commands(OFFICER_MENU, scope=chat)
    assert len(request.calls) == 3


@pytest.mark.parametrize("tz", [None, "Asia/Tashkent"])
def test_a_placed_message_is_the_one_ptb_would_parse(tz: str | None) -> None:
    from zoneinfo import ZoneInfo

    from telegram.ext import Defaults, ExtBot

    from bot.placed import PlacedMessages

    bot = ExtBot("1:x", defaults=Defaults(tzinfo=ZoneInfo(tz)) if tz else None)
    placed = PlacedMessages(bot)
    for where in (
        {"message_id": 81, "date": 1_765_000_000, "chat": {"id": 7001, "type": "private"}},
        {"message_id": 82, "date": 1_765_000_009, "chat": {"id": -100, "type": "supergroup"}},
        {"message_id": 83, "date": 1_765_000_011, "chat": {"id": 7001, "type": "private"}},
    ):
        made, parsed = placed.message(where), Message.de_json(where, bot)
        assert made == parsed and made.to_dict() == parsed.to_dict()
        assert made.date == parsed.date and made.date.tzinfo == parsed.date.tzinfo
        assert made.get_bot() is bot and made.chat.get_bot() is bot
        for klass in type(parsed).__mro__:
            for name in set(getattr(klass, "__slots__", ())) - {"_bot"}:  # compared above
                assert getattr(made, name, None) == getattr(parsed, name, None), name
        with pytest.raises(AttributeError):
            made.text = "frozen, as PTB's"  # type: ignore[misc]


def test_defaults_are_inserted_as_ptb_inserts_them() -> None:
    from datetime import UTC, datetime

    from telegram import LinkPreviewOptions, ReplyParameters
    from telegram._utils.defaultvalue import DEFAULT_NONE
    from telegram.constants import ParseMode
    from telegram.ext import Defaults, ExtBot

    from bot.telegram_bot import FieldReportBot

    defaults = Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(True))

    def call() -> dict[str, object]:
        return {
            "chat_id": 7001,
            "text": "<b>Qayerda?</b>",
            "parse_mode": DEFAULT_NONE,
            "entities": None,
            "link_preview_options": DEFAULT_NONE,
            "reply_parameters": ReplyParameters(5),
            "until_date": datetime(2026, 1, 2, tzinfo=UTC),
            "protect_content": DEFAULT_NONE,
            "reply_markup": '{"inline_keyboard": []}',
        }

    ours, theirs = call(), call()
    FieldReportBot("1:x", defaults=defaults)._insert_defaults(ours)
    ExtBot("1:x", defaults=defaults)._insert_defaults(theirs)
    sent = {key: value for key, value in ours.items() if value is not None}  # as Bot._post does
    assert sent == {key: value for key, value in theirs.items() if value is not None}
    assert list(sent) == [key for key, value in theirs.items() if value is not None]
