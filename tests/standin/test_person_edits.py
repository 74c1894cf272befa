"""A person's forged entities and edited messages, and the 400/403 faults, as PTB sees them."""

from __future__ import annotations

import pytest
from telegram import Bot, MessageEntity
from telegram.error import BadRequest, Forbidden

from bot.standin import StandIn, TgUser


async def test_send_message_keeps_the_entities_it_is_given(
    tg: StandIn, bot: Bot, alice: TgUser
) -> None:
    forged = [{"type": "bot_command", "offset": 0, "length": 9}]
    await tg.send_message(alice, {"text": "/settingsx 07:00", "entities": forged})
    await tg.send_message(alice, {"text": "/audit"})  # no entity at all
    first, second = await bot.get_updates()
    assert first.message is not None and second.message is not None
    assert first.message.entities == (MessageEntity("bot_command", 0, 9),)
    assert second.message.text == "/audit" and second.message.entities == ()


async def test_an_edit_keeps_the_message_id_and_marks_a_new_command(
    tg: StandIn, bot: Bot, alice: TgUser
) -> None:
    sent = await tg.send_text(alice, "40")
    edited = await tg.edit_message(alice, sent, {"text": "/export 2026-01-01"})
    assert edited["edited_message"]["message_id"] == sent["message"]["message_id"]
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [sent["update_id"], edited["update_id"]]
    message = updates[1].edited_message
    assert message is not None and updates[1].message is None
    assert message.text == "/export 2026-01-01" and message.edit_date is not None
    assert message.entities == (MessageEntity("bot_command", 0, 7),)
    again = await tg.edit_message(alice, edited, {"text": "45"})
    assert again["edited_message"]["text"] == "45"
    assert "entities" not in again["edited_message"]


@pytest.mark.parametrize(("kind", "error"), [("400", BadRequest), ("403", Forbidden)])
async def test_400_and_403_reach_ptb_as_telegrams_refusals(
    tg: StandIn, bot: Bot, alice: TgUser, kind: str, error: type[Exception]
) -> None:
    tg.add_chat(alice)
    tg.inject_fault(kind, method="sendMessage")  # type: ignore[arg-type]
    with pytest.raises(error):
        await bot.send_message(alice.id, "no")
    assert tg.messages(alice.id) == []
    await bot.send_message(alice.id, "yes")
    assert [m.text for m in tg.messages(alice.id)] == ["yes"]
