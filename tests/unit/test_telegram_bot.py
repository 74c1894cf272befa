import json

import pytest
from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.telegram_bot import keyboard_json, where_it_is

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
