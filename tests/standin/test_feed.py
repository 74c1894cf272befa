"""The event feed a watcher follows, command menus resolved like Telegram, and reset."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.error import BadRequest

from bot.standin import FeedEvent, StandIn, Subscription, TgChat, TgUser
from bot.standin.feed import QUEUE_LIMIT

GROUP = TgChat(id=-100777, type="supergroup", title="Duty")


async def drain(events: Subscription) -> list[FeedEvent]:
    """Every event already published (none is waited for)."""
    found: list[FeedEvent] = []
    while (event := await events.get(timeout=0)) is not None:
        found.append(event)
    return found


async def test_sends_edits_deletes_and_answers_are_published_with_their_chat(
    tg: StandIn, bot: Bot, alice: TgUser
) -> None:
    async with tg.feed.subscribe() as events:
        await tg.send_text(alice, "/start")
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ha", callback_data="yes")]])
        sent = await bot.send_message(
            alice.id, "<b>Savol</b>", parse_mode="HTML", reply_markup=markup
        )
        query_id = await tg.tap(alice, tg.messages(alice.id)[0], "yes")
        await bot.answer_callback_query(query_id, "Qabul qilindi", show_alert=True)
        await bot.edit_message_text("Javob", alice.id, sent.message_id)
        await bot.send_photo(alice.id, b"\x89PNG\r\n\x1a\n" + b"\0" * 32, caption="chart")
        await bot.send_document(alice.id, b"PK\x03\x04xlsx", filename="day.xlsx")
        await bot.delete_message(alice.id, sent.message_id)
        seen = await drain(events)
    kinds = [(e.kind, e.chat_id, e.message_id) for e in seen]
    assert kinds == [
        ("person", alice.id, 1),
        ("sent", alice.id, 2),
        ("answered", alice.id, 2),
        ("edited", alice.id, 2),
        ("sent", alice.id, 3),
        ("sent", alice.id, 4),
        ("deleted", alice.id, 2),
    ]
    answered = seen[2].details
    assert answered["text"] == "Qabul qilindi" and answered["show_alert"] is True


async def test_a_refused_call_is_published_with_the_chat_it_concerned(
    tg: StandIn, bot: Bot, alice: TgUser
) -> None:
    tg.add_chat(alice)
    sent = await bot.send_message(alice.id, "same")
    async with tg.feed.subscribe() as events:
        with pytest.raises(BadRequest):
            await bot.edit_message_text("same", alice.id, sent.message_id)
        tg.inject_fault("403", "sendMessage")
        with pytest.raises(Exception, match="blocked"):
            await bot.send_message(alice.id, "x")
        seen = await drain(events)
    assert [(e.kind, e.chat_id) for e in seen] == [("refused", alice.id), ("refused", alice.id)]
    assert seen[0].details["method"] == "editMessageText"
    assert "not modified" in seen[0].details["description"]
    assert seen[0].details["injected"] is False
    assert seen[1].details["status"] == 403 and seen[1].details["injected"] is True


async def test_a_refused_answer_concerns_the_chat_of_the_tapped_message(
    tg: StandIn, bot: Bot, alice: TgUser
) -> None:
    tg.add_chat(alice)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ha", callback_data="yes")]])
    await bot.send_message(alice.id, "Savol", reply_markup=markup)
    query_id = await tg.tap(alice, tg.messages(alice.id)[0], "yes")
    await bot.answer_callback_query(query_id)
    async with tg.feed.subscribe() as events:
        with pytest.raises(BadRequest):
            await bot.answer_callback_query(query_id, "again")
        (event,) = await drain(events)
    assert event.kind == "refused" and event.chat_id == alice.id


async def test_menu_changes_are_published(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    tg.add_chat(alice)
    async with tg.feed.subscribe() as events:
        await bot.set_my_commands([BotCommand("start", "Start")])
        await bot.set_my_commands([BotCommand("help", "Help")], BotCommandScopeChat(alice.id))
        seen = await drain(events)
    assert [(e.kind, e.chat_id) for e in seen] == [("commands", None), ("commands", alice.id)]


async def test_a_subscriber_that_falls_behind_is_told_to_reload(tg: StandIn, alice: TgUser) -> None:
    async with tg.feed.subscribe() as events:
        for _ in range(QUEUE_LIMIT + 5):
            tg.feed.publish(FeedEvent("person", alice.id, 1))
        seen = await drain(events)
    assert len(seen) == QUEUE_LIMIT + 1
    assert seen[-1].kind == "overflow"
    assert tg.feed.subscribers == 0


async def test_private_menu_prefers_the_chat_then_private_chats_then_default_by_language(
    tg: StandIn, bot: Bot, alice: TgUser, bob: TgUser
) -> None:
    tg.add_chat(alice)
    tg.add_chat(bob)
    await bot.set_my_commands([BotCommand("start", "Start")])
    await bot.set_my_commands([BotCommand("start", "Boshlash")], language_code="uz")
    assert tg.commands_for(alice.id, alice.id, "uz") == [("start", "Boshlash")]
    assert tg.commands_for(alice.id, alice.id, "uz-Latn") == [("start", "Boshlash")]
    assert tg.commands_for(bob.id, bob.id, "ru") == [("start", "Start")]
    assert tg.commands_for(bob.id, bob.id, None) == [("start", "Start")]
    await bot.set_my_commands([BotCommand("help", "Help")], BotCommandScopeAllPrivateChats())
    assert tg.commands_for(alice.id, alice.id, "uz") == [("help", "Help")]
    await bot.set_my_commands([BotCommand("report", "Report")], BotCommandScopeChat(alice.id))
    assert tg.commands_for(alice.id, alice.id, "uz") == [("report", "Report")]
    assert tg.commands_for(bob.id, bob.id, "ru") == [("help", "Help")]
    await bot.set_my_commands(
        [BotCommand("report", "Hisobot")], BotCommandScopeChat(alice.id), language_code="uz"
    )
    assert tg.commands_for(alice.id, alice.id, "uz") == [("report", "Hisobot")]
    assert tg.commands_for(alice.id, alice.id, "en") == [("report", "Report")]


async def test_group_menu_goes_member_then_admins_then_chat_then_groups(
    tg: StandIn, bot: Bot, alice: TgUser, bob: TgUser
) -> None:
    tg.add_chat(GROUP)
    await bot.set_my_commands([BotCommand("start", "Start")])
    assert tg.commands_for(GROUP.id, alice.id, "en") == [("start", "Start")]
    await bot.set_my_commands([BotCommand("digest", "Digest")], BotCommandScopeAllGroupChats())
    await bot.set_my_commands(
        [BotCommand("admin", "Admin")], BotCommandScopeAllChatAdministrators()
    )
    assert tg.commands_for(GROUP.id, alice.id, "en") == [("digest", "Digest")]
    assert tg.commands_for(GROUP.id, alice.id, "en", is_admin=True) == [("admin", "Admin")]
    await bot.set_my_commands([BotCommand("lang", "Language")], BotCommandScopeChat(GROUP.id))
    assert tg.commands_for(GROUP.id, alice.id, "en", is_admin=True) == [("lang", "Language")]
    await bot.set_my_commands(
        [BotCommand("mine", "Mine")], BotCommandScopeChatMember(GROUP.id, alice.id)
    )
    assert tg.commands_for(GROUP.id, alice.id, "en") == [("mine", "Mine")]
    assert tg.commands_for(GROUP.id, bob.id, "en") == [("lang", "Language")]


async def test_reset_forgets_the_world_but_keeps_the_token_and_ids_moving_on(
    tg: StandIn, bot: Bot, alice: TgUser
) -> None:
    await tg.send_text(alice, "/start")
    await bot.set_my_commands([BotCommand("start", "Start")])
    await bot.send_message(alice.id, "Salom")
    before = (await bot.get_updates())[-1].update_id
    async with tg.feed.subscribe() as events:
        tg.reset()
        (event,) = await drain(events)
    assert event.kind == "reset"
    assert tg.messages(alice.id) == [] and tg.calls == [] and tg.pending_updates() == 0
    assert tg.commands_for(alice.id, alice.id, "uz") == []
    with pytest.raises(BadRequest, match="not found"):
        await bot.send_message(alice.id, "x")
    tg.after_reset.append(lambda: tg.add_chat(alice))
    tg.reset()
    await bot.send_message(alice.id, "known again after the reset")
    await tg.send_text(alice, "/start")
    updates = await bot.get_updates(offset=before + 1)
    assert [u.update_id for u in updates] == [before + 1]
    assert (await bot.get_me()).username == "fieldreport_bot"
