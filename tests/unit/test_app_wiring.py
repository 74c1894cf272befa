"""How build_application wires the handlers: what the features behind the gate can see."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram import Message, MessageEntity, Update, User

from bot import access
from bot.app import build_application
from bot.config import Secret, Settings
from bot.context import FieldReportApplication
from bot.handlers.gate import GATE_GROUP

TOKEN = "123456:WIRING-token"


def _application(tmp_path: Path) -> FieldReportApplication:
    """The real wiring; the bot's own account filled in as getMe would (no Bot API here)."""
    app = build_application(
        Settings(bot_token=Secret(TOKEN), database_path=tmp_path / "bot.sqlite3")
    )
    app.bot._bot_user = User(id=123456, is_bot=True, first_name="FR", username="fieldreport_bot")
    return app


def _message_update(text: str, *, edited: bool, update_id: int) -> Update:
    """A private message carrying ``text`` with Telegram's bot_command entity."""
    data = {
        "message_id": 7,
        "date": 1_700_000_000,
        "chat": {"id": 42, "type": "private"},
        "from": {"id": 42, "is_bot": False, "first_name": "Olim"},
        "text": text,
        "entities": [
            {"type": MessageEntity.BOT_COMMAND, "offset": 0, "length": len(text.split()[0])}
        ],
    }
    if edited:
        data["edit_date"] = 1_700_000_060
    key = "edited_message" if edited else "message"
    return Update.de_json({"update_id": update_id, key: data}, None)


@pytest.mark.parametrize("command", sorted(access.COMMANDS))
def test_no_feature_takes_an_edited_command(command: str, tmp_path: Path) -> None:
    """Editing an old "/export …" must never run it again, even if the gate let it through."""
    app = _application(tmp_path)
    text = f"/{command} 01.12.2026"
    fresh = _message_update(text, edited=False, update_id=1)
    edited = _message_update(text, edited=True, update_id=2)
    assert isinstance(fresh.message, Message)
    for message in (fresh.message, edited.edited_message):
        assert message is not None
        message.set_bot(app.bot)
    features = [
        handler
        for group, handlers in app.handlers.items()
        if group != GATE_GROUP
        for handler in handlers
    ]
    assert any(handler.check_update(fresh) for handler in features), command
    taken = [type(handler).__name__ for handler in features if handler.check_update(edited)]
    assert taken == [], f"/{command} edited reaches {taken}"


def test_no_feature_takes_an_edited_answer(tmp_path: Path) -> None:
    app = _application(tmp_path)
    edited = Update.de_json(
        {
            "update_id": 3,
            "edited_message": {
                "message_id": 8,
                "date": 1_700_000_000,
                "edit_date": 1_700_000_060,
                "chat": {"id": 42, "type": "private"},
                "from": {"id": 42, "is_bot": False, "first_name": "Olim"},
                "text": "45",
            },
        },
        app.bot,
    )
    taken = [
        type(handler).__name__
        for group, handlers in app.handlers.items()
        if group != GATE_GROUP
        for handler in handlers
        if handler.check_update(edited)
    ]
    assert taken == []
