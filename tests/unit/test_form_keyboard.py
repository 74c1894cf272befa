"""A form screen's keyboard writes its own JSON (bot/forms/keyboard.py): exactly PTB's."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.forms.keyboard import FormKeyboard

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


def test_a_form_button_is_the_one_ptb_would_make() -> None:
    from bot.forms.keyboard import plain_button

    data = "f:v1:abcdef0123456789:substance:opt:heroin"
    made, theirs = plain_button("Героин", data), InlineKeyboardButton("Героин", callback_data=data)
    assert made == theirs and theirs == made and hash(made) == hash(theirs)
    assert made.to_dict() == theirs.to_dict()
    for klass in InlineKeyboardButton.__mro__:
        for name in getattr(klass, "__slots__", ()):
            assert getattr(made, name, None) == getattr(theirs, name, None), name
    assert made != InlineKeyboardButton("Героин", callback_data=data + "x")
    assert FormKeyboard([[made]]).json_text() == InlineKeyboardMarkup([[theirs]]).to_json()
