"""A form screen's keyboard writes its own JSON (bot/forms/render.py): exactly PTB's."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.forms.render import FormKeyboard

ROWS = [
    [
        InlineKeyboardButton("Heroin", callback_data="f:v1:abcdef0123456789:substance:opt:heroin"),
        InlineKeyboardButton("Гашиш", callback_data="f:v1:abcdef0123456789:substance:opt:hashish"),
    ],
    [InlineKeyboardButton("✖ Cancel", callback_data="f:v1:abcdef0123456789:substance:cancel:-")],
]


def test_its_json_is_ptbs() -> None:
    assert FormKeyboard(ROWS).to_dict() == InlineKeyboardMarkup(ROWS).to_dict()
    assert FormKeyboard(ROWS).to_json() == InlineKeyboardMarkup(ROWS).to_json()


def test_it_equals_the_same_buttons_either_way_round() -> None:
    ours, theirs = FormKeyboard(ROWS), InlineKeyboardMarkup(ROWS)
    assert ours == theirs
    assert theirs == ours
    assert ours != InlineKeyboardMarkup(ROWS[:1])
    assert hash(ours) == hash(theirs)


def test_a_button_with_more_than_text_and_callback_data_is_written_by_ptb() -> None:
    rows = [*ROWS, [InlineKeyboardButton("Map", url="https://example.org/map")]]
    assert FormKeyboard(rows).to_dict() == InlineKeyboardMarkup(rows).to_dict()


def test_its_json_cannot_be_changed_through_a_copy() -> None:
    keyboard = FormKeyboard(ROWS)
    keyboard.to_dict()["inline_keyboard"][0][0]["text"] = "changed"
    assert keyboard.to_dict() == InlineKeyboardMarkup(ROWS).to_dict()
