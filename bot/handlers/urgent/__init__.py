"""The urgent lane: an urgent report goes to the coordinators at once; they acknowledge it or ask
the officer for details; an alert nobody acknowledges goes out again.

The rooms, by flow: alert_view.py (what an alert says, its buttons), alert_send.py (sending
alerts when a report is filed, and again when nobody acknowledges them), buttons.py (which
button goes to which flow), acknowledge.py, questions.py (asking, replying, giving up) and
typed.py (the typed question or answer). Nothing here imports the report form: it hears of a
filed report from bot/submission.py, and hands /cancel and typed messages that are not its
own to the handlers bot/app.py gives :func:`register_cancel` and :func:`register`.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks
from bot.context import BotContext, FieldReportApplication
from bot.handlers.urgent.alert_send import REALERT_INTERVAL_SECONDS, REALERT_JOB, realert_job
from bot.handlers.urgent.alert_view import ANSWER_PREFIX, PREFIX
from bot.handlers.urgent.buttons import alert_tap, answer_tap
from bot.handlers.urgent.questions import Handler, cancel_command
from bot.handlers.urgent.typed import typed_step


def register_cancel(application: FieldReportApplication, *, otherwise: Handler) -> None:
    """Must come before ``report.register``: in group 0 the first /cancel handler wins, and a
    pending question or answer is given up before ``otherwise`` (the report form's /cancel)."""

    async def cancel(update: Update, context: BotContext) -> None:
        await cancel_command(update, context, otherwise)

    application.add_handler(CommandHandler("cancel", cancel))


def register(application: FieldReportApplication, *, otherwise: Handler) -> None:
    """Registered before the report's catch-all message handler: a private message is the
    pending question or answer, else ``otherwise``'s (the report form's answers): a PTB filter
    cannot look in the database, so this handler takes every private message (typed.py)."""
    application.add_handler(CallbackQueryHandler(alert_tap, pattern=callbacks.pattern(PREFIX)))
    application.add_handler(
        CallbackQueryHandler(answer_tap, pattern=callbacks.pattern(ANSWER_PREFIX))
    )

    async def typed(update: Update, context: BotContext) -> None:
        await typed_step(update, context, otherwise)

    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL, typed
        )
    )
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            realert_job,
            interval=REALERT_INTERVAL_SECONDS,
            first=REALERT_INTERVAL_SECONDS,
            name=REALERT_JOB,
        )
