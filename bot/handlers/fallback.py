"""What the bot says when nothing else understood the update."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import BotContext, FieldReportApplication
from bot.handlers.common import stale_button


async def unknown_message(update: Update, context: BotContext) -> None:
    if update.effective_chat:
        await update.effective_chat.send_message(
            context.tr.gettext("I did not understand that. Send /help to see what you can do.")
        )


def register(application: FieldReportApplication) -> None:
    """Must be registered last: within a group PTB gives the update to the first match only."""
    application.add_handler(CallbackQueryHandler(stale_button))
    # New messages only: an edit is the gate's to answer (bot/handlers/gate.py), never a
    # second chance to say "I did not understand".
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL,
            unknown_message,
        )
    )
