"""Sending, editing and deleting through a real PTB Bot, and every refusal Telegram makes."""

from __future__ import annotations

import json

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from bot.standin import StandIn, StandInTimeout, TgChat, TgUser


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


async def test_send_message_returns_a_valid_message(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    await tg.send_text(alice, "/start")
    sent = await bot.send_message(alice.id, "<b>Salom</b>, &lt;dunyo&gt;", parse_mode="HTML")
    assert sent.text == "Salom, <dunyo>"
    assert sent.chat.id == alice.id and sent.chat.first_name == "Alisher"
    assert sent.from_user is not None and sent.from_user.is_bot
    assert sent.from_user.id == 123456 and sent.from_user.username == "fieldreport_bot"
    assert sent.text_html == "<b>Salom</b>, &lt;dunyo&gt;"

    seen = await tg.next_message(alice.id)
    assert seen.message_id == sent.message_id == 2  # the user's /start was message 1
    assert seen.text == "Salom, <dunyo>"
    assert seen.html == "<b>Salom</b>, &lt;dunyo&gt;"
    assert seen.parse_mode == "HTML"


async def test_message_ids_grow_per_chat(tg: StandIn, bot: Bot, alice: TgUser, bob: TgUser) -> None:
    tg.add_chat(alice)
    tg.add_chat(bob)
    ids = [(await bot.send_message(chat, "x")).message_id for chat in (1001, 1001, 1002, 1001)]
    assert ids == [1, 2, 1, 3]


async def test_next_message_is_a_cursor_and_explains_timeouts(
    tg: StandIn, bot: Bot, alice: TgUser
) -> None:
    tg.add_chat(alice)
    await bot.send_message(alice.id, "one")
    await bot.send_message(alice.id, "two")
    assert (await tg.next_message(alice.id)).text == "one"
    assert (await tg.next_message(alice.id)).text == "two"
    with pytest.raises(StandInTimeout) as caught:
        await tg.next_message(alice.id, timeout=0.05)
    assert "2 bot message(s), 2 already returned" in str(caught.value)
    assert "'two'" in str(caught.value)
    assert [m.text for m in tg.messages(alice.id)] == ["one", "two"]


async def test_buttons_and_taps(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    tg.add_chat(alice)
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Ha", callback_data="rep:v1:yes"),
                InlineKeyboardButton("Yo'q", callback_data="rep:v1:no"),
            ],
            [InlineKeyboardButton("Sayt", url="https://example.org")],
        ]
    )
    await bot.send_message(alice.id, "Tasdiqlaysizmi?", reply_markup=markup)
    msg = await tg.next_message(alice.id)
    assert msg.buttons == [
        [("Ha", "rep:v1:yes"), ("Yo'q", "rep:v1:no")],
        [("Sayt", "https://example.org")],
    ]
    assert msg.button_texts == ["Ha", "Yo'q", "Sayt"]
    assert msg.callback_data_for("Yo'q") == "rep:v1:no"
    with pytest.raises(AssertionError, match="no callback button 'Maybe'"):
        msg.callback_data_for("Maybe")

    query_id = await tg.tap(alice, msg, "rep:v1:yes")
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert query is not None and query.id == query_id and query.data == "rep:v1:yes"
    assert query.message is not None and query.message.message_id == msg.message_id
    assert query.from_user.id == alice.id

    with pytest.raises(AssertionError, match="no button with callback_data 'rep:v1:typo'"):
        await tg.tap(alice, msg, "rep:v1:typo")
    forged = await tg.tap(alice, msg, "rep:v1:typo", forge=True)
    assert forged != query_id
    assert await tg.tap_text(alice, msg, "Yo'q")
    with pytest.raises(AssertionError, match="has no data"):
        await tg.tap_text(alice, msg, "Sayt")


async def test_answer_callback_query_once(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    tg.add_chat(alice)
    await bot.send_message(alice.id, "?", reply_markup=keyboard([("OK", "ok")]))
    query_id = await tg.tap(alice, await tg.next_message(alice.id), "ok")
    assert tg.callback_answer(query_id) is None
    assert await bot.answer_callback_query(query_id, text="Saqlandi", show_alert=True)
    assert await tg.wait_callback_answer(query_id) == {
        "text": "Saqlandi",
        "show_alert": True,
        "url": None,
        "cache_time": 0,
    }
    expired = "Query is too old and response timeout expired or query id is invalid"
    with pytest.raises(BadRequest, match=expired):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=expired):
        await bot.answer_callback_query("nonsense")


async def test_edit_text_keyboard_and_caption(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    tg.add_chat(alice)
    sent = await bot.send_message(alice.id, "v1", reply_markup=keyboard([("A", "a")]))
    msg = await tg.next_message(alice.id)

    edited = await bot.edit_message_text(
        "<i>v2</i>",
        alice.id,
        sent.message_id,
        parse_mode="HTML",
        reply_markup=keyboard([("B", "b")]),
    )
    assert isinstance(edited, type(sent)) and edited.text == "v2"
    assert edited.edit_date is not None
    assert msg.text == "v2" and msg.html == "<i>v2</i>" and msg.edits == 1
    assert msg.button_texts == ["B"]

    # Like Telegram: editing the text without reply_markup drops the keyboard.
    await bot.edit_message_text("v3", alice.id, sent.message_id)
    assert msg.buttons == [] and msg.edits == 2

    await bot.edit_message_reply_markup(
        alice.id, sent.message_id, reply_markup=keyboard([("C", "c")])
    )
    assert msg.button_texts == ["C"] and msg.edits == 3
    with pytest.raises(BadRequest, match="There is no caption in the message to edit"):
        await bot.edit_message_caption(alice.id, sent.message_id, caption="c")
    assert tg.messages(alice.id) == [msg]
    with pytest.raises(StandInTimeout):
        await tg.next_message(alice.id, timeout=0.01)  # edits are no new messages


async def test_not_modified_edits_are_refused(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    tg.add_chat(alice)
    markup = keyboard([("A", "a")])
    sent = await bot.send_message(alice.id, "<b>x</b>", parse_mode="HTML", reply_markup=markup)
    not_modified = "Message is not modified: specified new message content and reply markup"
    with pytest.raises(BadRequest, match=not_modified):
        await bot.edit_message_text(
            "<b>x</b>", alice.id, sent.message_id, parse_mode="HTML", reply_markup=markup
        )
    with pytest.raises(BadRequest, match=not_modified):
        await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=markup)
    # Same visible text but different entities is a real change.
    await bot.edit_message_text("x", alice.id, sent.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match=not_modified):
        await bot.edit_message_text("x", alice.id, sent.message_id, reply_markup=markup)


async def test_edit_and_delete_unknown_messages(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    await tg.send_text(alice, "salom")  # message 1 is the user's
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", alice.id, 99)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", alice.id, 1)
    sent = await bot.send_message(alice.id, "temporary")
    assert await bot.delete_message(alice.id, sent.message_id)
    msg = await tg.next_message(alice.id)
    assert msg.deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alice.id, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("again", alice.id, sent.message_id)
    with pytest.raises(AssertionError, match="is gone"):
        await tg.tap(alice, msg, "anything")


async def test_text_limits(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    tg.add_chat(alice)
    with pytest.raises(BadRequest, match=r"^Message text is empty$"):
        await bot.send_message(alice.id, "")
    with pytest.raises(BadRequest, match=r"^Text must be non-empty$"):
        await bot.send_message(alice.id, "<b> </b>\n", parse_mode="HTML")
    # 4096 visible characters pass, even with markup around them; 4097 do not.
    await bot.send_message(alice.id, f"<b>{'x' * 4096}</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(alice.id, "x" * 4097)
    # UTF-16 code units: an emoji counts twice.
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(alice.id, "😀" * 2049)
    with pytest.raises(BadRequest, match=r"^Message caption is too long$"):
        await bot.send_document(alice.id, b"data", filename="a.txt", caption="c" * 1025)
    with pytest.raises(BadRequest, match=r"^Unsupported parse_mode$"):
        await bot.send_message(alice.id, "x", parse_mode="XML")


async def test_surrounding_whitespace_is_trimmed(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    tg.add_chat(alice)
    sent = await bot.send_message(alice.id, "\n  <b>salom</b>  \n", parse_mode="HTML")
    assert sent.text == "salom"
    assert sent.entities[0].offset == 0 and sent.entities[0].length == 5


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("a < b", 'unsupported start tag "" at byte offset 2'),
        ("<foo>", 'unsupported start tag "foo" at byte offset 0'),
        ("<b>open", 'can\'t find end tag corresponding to start tag "b"'),
        ("x</i>", "unexpected end tag at byte offset 1"),
        ("R&D", "character entity expected at byte offset 1"),
    ],
)
async def test_bad_html_is_refused(
    tg: StandIn, bot: Bot, alice: TgUser, source: str, detail: str
) -> None:
    tg.add_chat(alice)
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(alice.id, source, parse_mode="HTML")
    # PTB strips "Bad Request: " and capitalizes the rest of Telegram's description.
    assert caught.value.message == f"Can't parse entities: {detail}"
    assert tg.failures[-1][2].description == (
        "Bad Request: can't parse entities: " + detail[0].upper() + detail[1:]
    )


@pytest.mark.parametrize(
    ("button", "description"),
    [
        ({"text": "x", "callback_data": "d" * 65}, "BUTTON_DATA_INVALID"),
        ({"text": "x", "callback_data": "ў" * 33}, "BUTTON_DATA_INVALID"),  # 66 bytes
        (
            {"text": "x", "callback_data": ""},
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        ),
        (
            {"text": "x"},
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        ),
        ({"callback_data": "d"}, "can't parse inline keyboard button: Can't find field \"text\""),
        ({"text": "x", "callback_data": "d", "url": "https://e.org"}, "BUTTON_DATA_INVALID"),
        ({"text": "x", "url": "javascript:alert(1)"}, "BUTTON_URL_INVALID"),
    ],
)
async def test_invalid_inline_buttons(
    tg: StandIn, http: httpx.AsyncClient, alice: TgUser, button: dict[str, str], description: str
) -> None:
    tg.add_chat(alice)
    form = {
        "chat_id": "1001",
        "text": "x",
        "reply_markup": json.dumps({"inline_keyboard": [[button]]}),
    }
    response = await http.post(f"/bot{tg.token}/sendMessage", data=form)
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error_code": 400,
        "description": f"Bad Request: {description}",
    }


async def test_long_callback_data_through_ptb(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    tg.add_chat(alice)
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(alice.id, "x", reply_markup=keyboard([("A", "d" * 65)]))
    assert caught.value.message == "Button_data_invalid"  # PTB capitalizes what follows


async def test_callback_data_of_64_bytes_is_fine(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    tg.add_chat(alice)
    await bot.send_message(alice.id, "x", reply_markup=keyboard([("A", "d" * 64)]))
    assert (await tg.next_message(alice.id)).callback_data == ["d" * 64]


async def test_reply_keyboards_are_kept_for_the_test_only(
    tg: StandIn, bot: Bot, alice: TgUser
) -> None:
    tg.add_chat(alice)
    sent = await bot.send_message(
        alice.id, "Tilni tanlang", reply_markup=ReplyKeyboardMarkup([["O'zbek", "Русский"]])
    )
    assert sent.reply_markup is None  # Telegram does not echo reply keyboards
    assert (await tg.next_message(alice.id)).reply_keyboard == [["O'zbek", "Русский"]]


async def test_unknown_and_blocked_chats(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(4242, "anyone?")
    await tg.send_text(alice, "/start")
    tg.block_bot(alice.id)
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await bot.send_message(alice.id, "still there?")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(alice.id, "typing")
    updates = await bot.get_updates()
    member = updates[-1].my_chat_member
    assert member is not None and member.new_chat_member.status == "kicked"
    tg.unblock_bot(alice.id)
    await bot.send_message(alice.id, "welcome back")


async def test_group_chats(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    group = TgChat(id=-100123, type="supergroup", title="OCT")
    update = await tg.send_text(alice, "/report@fieldreport_bot now", chat=group)
    assert update["message"]["chat"] == {"id": -100123, "type": "supergroup", "title": "OCT"}
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 23}]
    sent = await bot.send_message(group.id, "Qabul qilindi")
    assert sent.chat.title == "OCT"
    assert (await bot.get_chat(group.id)).title == "OCT"
    assert tg.messages(alice.id) == []


async def test_reply_to_and_chat_actions(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    await tg.send_text(alice, "savol")
    answer = await bot.send_message(alice.id, "javob", reply_to_message_id=1)
    assert answer.reply_to_message is not None and answer.reply_to_message.text == "savol"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(alice.id, "x", reply_to_message_id=77)
    assert await bot.send_chat_action(alice.id, "typing")
    with pytest.raises(BadRequest, match=r"^Wrong parameter action in request$"):
        await bot.send_chat_action(alice.id, "dancing")


async def test_commands_per_scope_and_language(tg: StandIn, bot: Bot) -> None:
    from telegram import BotCommand, BotCommandScopeAllPrivateChats

    await bot.set_my_commands([BotCommand("start", "Boshlash"), BotCommand("report", "Hisobot")])
    await bot.set_my_commands(
        [BotCommand("start", "Начать")], scope=BotCommandScopeAllPrivateChats(), language_code="ru"
    )
    assert tg.commands() == [("start", "Boshlash"), ("report", "Hisobot")]
    assert tg.commands({"type": "all_private_chats"}, "ru") == [("start", "Начать")]
    assert tg.commands({"type": "all_private_chats"}) == []
    assert [c.command for c in await bot.get_my_commands()] == ["start", "report"]
    assert params_of(tg, "setMyCommands")["scope"] == {"type": "all_private_chats"}
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start-Now", "x")])
    assert await bot.delete_my_commands()
    assert tg.commands() == []


def params_of(tg: StandIn, method: str) -> dict[str, object]:
    return tg.calls_to(method)[-1]
