"""A real PTB Application polls the stand-in end to end: commands, buttons, shutdown."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.standin import StandIn, TgChat, TgUser

from .conftest import TOKEN, plain_http


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        f"echo: {' '.join(context.args or [])}",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Again", callback_data="again")]]),
    )


async def again(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Done")
    await query.edit_message_text("tapped")


@pytest.fixture
async def app(tg: StandIn) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .request(plain_http())
        .get_updates_request(plain_http())
        .build()
    )
    application.add_handler(CommandHandler("echo", echo))
    application.add_handler(CallbackQueryHandler(again, pattern="^again$"))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(timeout=1)
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


async def test_application_end_to_end(
    tg: StandIn,
    app: Application,  # type: ignore[type-arg]
    alice: TgUser,
) -> None:
    await tg.send_text(alice, "/echo salom dunyo")
    reply = await tg.next_message(alice.id)
    assert reply.text == "echo: salom dunyo"

    query_id = await tg.tap_text(alice, reply, "Again")
    assert (await tg.wait_callback_answer(query_id))["text"] == "Done"
    await tg.wait_until(lambda: reply.text == "tapped", description="message edited")
    assert reply.buttons == [] and reply.edits == 1

    group = TgChat(id=-100123, type="supergroup", title="OCT")
    await tg.send_text(alice, "/echo@fieldreport_bot guruh", chat=group)
    assert (await tg.next_message(group.id)).text == "echo: guruh"
    await tg.send_text(alice, "/echo@other_bot not for us", chat=group)
    await tg.wait_idle()
    assert tg.messages(group.id)[-1].text == "echo: guruh"
    assert tg.pending_updates() == 0
