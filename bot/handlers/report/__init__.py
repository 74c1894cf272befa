"""/report: choose a form, answer its questions, check the summary, file it, get a receipt.

The rooms, by flow: start_form.py (/report, choosing a form, continuing or discarding a draft),
answers.py (each answer and button of a question or the summary, /cancel), submit.py (filing
and the receipt), draft_view.py (the draft on screen, shared by all of them and by
/myreports), draft_jobs.py (expiring drafts). No module here imports the urgent lane: a filed
report is announced through bot/submission.py, and the urgent lane's typed messages and /cancel
fall through to :func:`form_message` and :func:`cancel_command` as bot/app.py wires them.
"""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks
from bot.context import FieldReportApplication
from bot.forms.keyboard import PREFIX as FORM_PREFIX
from bot.handlers.report.answers import cancel_command, form_message, form_tap
from bot.handlers.report.draft_jobs import expire_drafts, forget_applied_updates
from bot.handlers.report.start_form import PREFIX, report_command, report_menu_tap

__all__ = ["cancel_command", "form_message", "register", "register_answers"]


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("report", report_command))
    application.add_handler(CommandHandler("cancel", cancel_command))
    application.add_handler(
        CallbackQueryHandler(report_menu_tap, pattern=callbacks.pattern(PREFIX))
    )
    application.add_handler(CallbackQueryHandler(form_tap, pattern=callbacks.pattern(FORM_PREFIX)))


def register_answers(application: FieldReportApplication) -> None:
    """Typed answers, photos and locations: registered after every other message handler."""
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL, form_message
        )
    )
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            expire_drafts, interval=600, first=60, name="expire-drafts"
        )
        application.job_queue.run_repeating(
            forget_applied_updates, interval=3600, first=300, name="forget-applied-updates"
        )
