"""A person's own menu is set when it changes, not again for every /start
(bot/telegram_bot.py): what they see stays the same, one Bot API call fewer."""

from __future__ import annotations

from typing import Any

from bot.standin import StandIn
from tests.e2e.conftest import ADMIN, RunBot

ADMIN_CHAT = {"type": "chat", "chat_id": ADMIN.id}


def chat_menu_calls(tg: StandIn) -> list[dict[str, Any]]:
    return [c for c in tg.calls_to("setMyCommands") if c.get("scope") == ADMIN_CHAT]


async def start(tg: StandIn) -> str:
    await tg.send_text(ADMIN, "/start")
    reply = await tg.next_message(ADMIN.id)
    await tg.wait_idle()
    return reply.text or ""


async def test_a_repeated_start_leaves_an_unchanged_menu_alone_and_a_new_language_sets_it(
    tg: StandIn, run_bot: RunBot
) -> None:
    async with run_bot():
        assert "администратор" in await start(tg)
        menu = dict(tg.commands(scope=ADMIN_CHAT))
        assert menu["help"] and len(chat_menu_calls(tg)) == 1
        assert "администратор" in await start(tg)
        assert len(chat_menu_calls(tg)) == 1
        assert dict(tg.commands(scope=ADMIN_CHAT)) == menu

        await tg.send_text(ADMIN, "/language")
        chooser = await tg.next_message(ADMIN.id)
        await tg.wait_callback_answer(
            await tg.tap(ADMIN, chooser, chooser.callback_data_for("English"))
        )
        await tg.wait_until(lambda: len(chat_menu_calls(tg)) == 2, description="a new menu")
        assert dict(tg.commands(scope=ADMIN_CHAT))["help"] == "What this bot can do for you"
    async with run_bot():  # a restart forgets what it set: the first /start sets it again
        await start(tg)
        assert len(chat_menu_calls(tg)) == 3


async def test_a_menu_telegram_did_not_take_is_set_by_the_next_start(
    tg: StandIn, run_bot: RunBot
) -> None:
    async with run_bot():
        tg.inject_fault("500", method="setMyCommands")
        await tg.send_text(ADMIN, "/start")
        await tg.next_message(ADMIN.id)
        await tg.wait_idle()
        assert tg.commands(scope=ADMIN_CHAT) == []
        await start(tg)
        assert dict(tg.commands(scope=ADMIN_CHAT))["help"]
        assert len(chat_menu_calls(tg)) == 2
