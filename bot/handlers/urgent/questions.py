""" "Ask for details" and "Reply": the coordinator's question about an alert and the officer's
answer are each one typed message. A tap here asks for it (a prompt with a Cancel button); the
message itself is typed.py's. Giving up (the Cancel button, /cancel) is here too.

Which one somebody owes lives in the database (``pending_replies``), so it survives a restart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import Forbidden

from bot import alerting, callbacks, urgent
from bot.authority import Denial, Refused
from bot.context import BotContext
from bot.handlers.common import edit_then_answer, retire_message, stale_button
from bot.handlers.refusals import actor_id, tell_refused
from bot.handlers.urgent.alert_view import ANSWER_PREFIX, PREFIX, load_view
from bot.i18n import Translator
from storage import Report, User
from storage.alerts import PendingKind, PendingReply
from storage.clock import utc_now

#: user_data key: the message asking for a typed question or answer (its Cancel button goes
#: once the text was sent or given up).
PROMPT_KEY = "typed_prompt"
#: The coordinator's question the officer tapped "Reply" under: (question id, message id), so
#: its button goes once the answer was sent.
QUESTION_SHOWN_KEY = "question_shown"

#: A PTB callback: what /cancel or a typed message goes to when nothing is pending here.
Handler = Callable[[Update, BotContext], Awaitable[None]]


def _limit_text(tr: Translator) -> str:
    return tr.ngettext(
        "One message of up to {limit} character.",
        "One message of up to {limit} characters.",
        urgent.MAX_TEXT,
    ).format(limit=tr.format_number(urgent.MAX_TEXT))


def withdrawn_text(tr: Translator, report: Report) -> str:
    return tr.gettext("Report {number} was withdrawn by its author.").format(
        number=escape(report.number)
    )


async def ask(update: Update, context: BotContext, account: User, alert_id: int) -> None:
    """ "Ask for details": the coordinator's next typed message is the question."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    async with context.db.transaction() as repos:
        begun = await alerting.begin_question(repos, actor_id(update), alert_id, now=utc_now())
        view = await load_view(repos, alert_id) if isinstance(begun, alerting.Begun) else None
    if isinstance(begun, Refused):
        await tell_refused(update, context, begun)
        return
    if begun is None or view is None:
        await stale_button(update, context)
        return
    account = begun.actor
    if begun.withdrawn:
        await query.answer(withdrawn_text(tr, view.report), show_alert=True)
        return
    prompt = "\n".join(
        [
            tr.gettext(
                "Type your question about report {number}. It goes to the officer who filed it."
            ).format(number=f"<b>{escape(view.report.number)}</b>"),
            _limit_text(tr),
            tr.gettext("To give up, tap Cancel or send /cancel."),
        ]
    )
    stop = callbacks.pack(PREFIX, "stop", alert_id)
    if not await _prompt(context, account, prompt, stop):
        await query.answer(_cannot_write_text(tr), show_alert=True)
        return
    await query.answer()


async def reply(update: Update, context: BotContext, account: User, question_id: int) -> None:
    """ "Reply": the officer's next typed message is the answer."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    async with context.db.transaction() as repos:
        begun = await alerting.begin_answer(repos, actor_id(update), question_id, now=utc_now())
        question = await repos.alerts.get_question(question_id)
        view = await load_view(repos, question.alert_id) if question else None
    if isinstance(begun, Refused) and begun.denial is Denial.NOT_OWNER:
        await query.answer(
            tr.gettext("This question was sent to another officer."), show_alert=True
        )
        return
    if isinstance(begun, Refused):
        await tell_refused(update, context, begun)
        return
    if begun is None or view is None:
        await stale_button(update, context)
        return
    if begun.answered:
        # A button left from before (its removal failed) goes now; a message that shows no
        # buttons any more is not edited (Telegram refuses an edit to the same content).
        tapped = query.message
        if isinstance(tapped, Message) and tapped.reply_markup is not None:
            await retire_message(context.bot, tapped.chat.id, tapped.message_id, None)
        await query.answer(tr.gettext("You have already answered this question."), show_alert=True)
        return
    account = begun.actor
    prompt = "\n".join(
        [
            tr.gettext(
                "Type your answer to the question about report {number}. "
                "It goes to the coordinator who asked."
            ).format(number=f"<b>{escape(view.report.number)}</b>"),
            _limit_text(tr),
            tr.gettext("To give up, tap Cancel or send /cancel."),
        ]
    )
    if not await _prompt(
        context, account, prompt, callbacks.pack(ANSWER_PREFIX, "stop", question_id)
    ):
        await query.answer(_cannot_write_text(tr), show_alert=True)
        return
    if context.user_data is not None and query.message is not None:
        context.user_data[QUESTION_SHOWN_KEY] = (question_id, query.message.message_id)
    await query.answer()


def _cannot_write_text(tr: Translator) -> str:
    return tr.gettext(
        "I cannot write to you in private. Open a chat with me, press Start, "
        "then tap the button again."
    )


async def _prompt(context: BotContext, account: User, text: str, stop_data: str) -> bool:
    """Ask for the typed message in the person's private chat (a tap may come from a group)."""
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton("✖ " + context.tr.gettext("Cancel"), callback_data=stop_data)]]
    )
    try:
        sent = await context.bot.send_message(account.telegram_id, text, reply_markup=markup)
    except Forbidden:
        async with context.db.transaction() as repos:
            await repos.alerts.clear_pending(account.id)
        return False
    await retire_prompt(context, account.telegram_id)  # an earlier prompt, now replaced
    if context.user_data is not None:
        context.user_data[PROMPT_KEY] = sent.message_id
    return True


async def retire_prompt(context: BotContext, chat_id: int, tapped: int | None = None) -> None:
    """The prompt's Cancel button goes once the question or answer was sent or given up
    (best effort; a tap on it later says there is nothing to cancel). ``tapped``: the prompt
    was edited by that tap already."""
    if context.user_data is None:
        return
    shown = context.user_data.pop(PROMPT_KEY, None)
    if isinstance(shown, int) and shown != tapped:
        await retire_message(context.bot, chat_id, shown, None)


async def retire_reply_button(context: BotContext, chat_id: int, question_id: int) -> None:
    """The question's "Reply" button goes once it was answered (best effort, one edit: the key
    is taken, so a second answer never edits the message to the same content; a later tap on a
    button that stayed says the question is answered already)."""
    if context.user_data is None:
        return
    shown = context.user_data.get(QUESTION_SHOWN_KEY)
    if not isinstance(shown, tuple) or shown[0] != question_id:
        return
    del context.user_data[QUESTION_SHOWN_KEY]
    await retire_message(context.bot, chat_id, shown[1], None)


def _matches(pending: PendingReply | None, kind: PendingKind, target: int) -> bool:
    if pending is None or pending.kind is not kind:
        return False
    return (pending.alert_id if kind is PendingKind.QUESTION else pending.question_id) == target


async def stop(
    update: Update, context: BotContext, account: User, kind: PendingKind, target: int
) -> None:
    """The prompt's Cancel button: give up the question or answer it asked for."""
    query = update.callback_query
    assert query is not None
    async with context.db.transaction() as repos:
        pending = await repos.alerts.get_pending(account.id)
        cleared = _matches(pending, kind, target) and await repos.alerts.clear_pending(account.id)
    if cleared:
        await edit_then_answer(query, given_up_text(context.tr, kind))
        tapped = query.message.message_id if query.message else None
        await retire_prompt(context, account.telegram_id, tapped)
    else:
        await query.answer(context.tr.gettext("There is nothing to cancel."))


def given_up_text(tr: Translator, kind: PendingKind) -> str:
    if kind is PendingKind.QUESTION:
        return tr.gettext("Your question was not sent.")
    return tr.gettext("Your answer was not sent.")


async def cancel_command(update: Update, context: BotContext, otherwise: Handler) -> None:
    """/cancel: give up the pending question or answer first, else ``otherwise`` (the report
    form's /cancel, as bot/app.py wires it)."""
    if not await cancel_pending(update, context):
        await otherwise(update, context)


async def cancel_pending(update: Update, context: BotContext) -> bool:
    """For /cancel: give up the pending question or answer; False when there is none."""
    account = context.account
    if account is None:
        return False
    async with context.db.transaction() as repos:
        pending = await repos.alerts.get_pending(account.id)
        cleared = pending is not None and await repos.alerts.clear_pending(account.id)
    if not cleared or pending is None:
        return False
    if update.effective_chat is not None:
        await update.effective_chat.send_message(given_up_text(context.tr, pending.kind))
    await retire_prompt(context, account.telegram_id)
    return True
