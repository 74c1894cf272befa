"""The summary's "File report": the filing rules store the report (bot/submission.py), the
officer gets the receipt, then the filing is announced (the urgent lane sends the alert).

A receipt always means a stored report: it is sent only after the transaction committed.
"""

from __future__ import annotations

from telegram import Update

from bot import submission
from bot.context import BotContext
from bot.forms.model import Form
from bot.forms.receipt import receipt_text
from bot.forms.state import Draft
from bot.handlers.common import set_keyboard
from bot.handlers.report.draft_view import engine_for, refusal_words
from bot.urgent import why_urgent
from storage import User
from storage.clock import utc_now


async def submit(
    update: Update, context: BotContext, account: User, form: Form, draft: Draft
) -> None:
    """Commit the report, then send the receipt, then announce it."""
    query = update.callback_query
    chat = update.effective_chat
    assert chat is not None
    _ = context.tr.gettext
    answers = engine_for(context, form).final_answers(draft)
    async with context.db.transaction() as repos:
        filed = await submission.submit_draft(
            repos, account, form, draft, answers, settings=context.settings, now=utc_now()
        )
    if not isinstance(filed, submission.Filed):
        if isinstance(filed, submission.NotAmendable):
            refused = _("This report can no longer be amended.")
        else:
            refused = refusal_words(context, filed) or _("This form is closed.")
        await chat.send_message(refused)
        if query:
            await query.answer()
        return
    if query:
        await set_keyboard(query, None)
    reason = why_urgent(filed.report, context.settings.urgent_threshold_kg)
    receipt = receipt_text(filed.report, reason, context.tr, amended=draft.amends is not None)
    try:
        await chat.send_message(receipt)
        if query:
            await query.answer()
    finally:
        # Even if the receipt could not be sent, the stored urgent report reaches coordinators.
        await context.services.filings.announce(filed)
