"""The typed question or answer: a private message from somebody who owes one is stored and
delivered (the coordinator's question to the officer, the officer's answer to the
coordinator); everything else goes on to the report form.

A PTB filter is synchronous and cannot look in the database to decline the update itself, so
:func:`typed_step` takes every private message and hands what is not its own to the handler
bot/app.py gives it (the report form's).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot import alerting, callbacks, once, urgent
from bot.authority import COORDINATION, denial_of
from bot.context import BotContext
from bot.handlers.refusals import actor_id
from bot.handlers.urgent.alert_view import (
    ANSWER_PREFIX,
    label,
    load_view,
    person_name,
    translator_for,
)
from bot.handlers.urgent.questions import (
    Handler,
    retire_prompt,
    retire_reply_button,
    withdrawn_text,
)
from bot.i18n import Translator
from storage import Report, ReportStatus, Repositories, User
from storage.alerts import AlertQuestion, PendingKind, PendingReply
from storage.clock import utc_now

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Asked:
    question: AlertQuestion
    report: Report
    coordinator: User
    officer: User | None


@dataclass(frozen=True)
class _Answered:
    question: AlertQuestion
    answer: str
    report: Report
    officer: User
    coordinator: User | None


@dataclass(frozen=True)
class _Refused:
    text: str


async def typed_step(update: Update, context: BotContext, otherwise: Handler) -> None:
    """A private message: the pending question or answer if there is one, else ``otherwise``'s
    (the report form's, as bot/app.py wires it)."""
    account = context.account
    message = update.effective_message
    assert account is not None
    assert message is not None
    now = utc_now()
    outcome: _Asked | _Answered | _Refused | None = None
    taken = context.take_pending()  # the gate read it with the person
    if taken is not None:
        (pending,) = taken
    else:
        async with context.db.read() as repos:
            pending = await repos.alerts.get_pending(account.id)
    if pending is not None:  # the common case: nothing pending, nothing to write
        async with context.db.transaction() as repos:
            pending = await repos.alerts.get_pending(account.id)
            sender = (
                await alerting.typed_sender(repos, actor_id(update), pending)
                if pending is not None
                else None
            )
            # Refused (the role changed since the tap; audited) or stale: the typing belongs
            # to the report form, as if nothing were pending.
            if pending is not None and (
                not isinstance(sender, User) or await _void(context, repos, sender, pending, now)
            ):
                await repos.alerts.clear_pending(account.id)
                pending = None
            if pending is not None:
                assert isinstance(sender, User)
                # Claimed with the question or answer it stores: redelivered after a crash,
                # the same message finds it applied (the report form then ignores it too).
                if not await once.first_time(repos, update, now):
                    return
                outcome = await _take(context, repos, sender, pending, message, now)
    if pending is None:
        await otherwise(update, context)
        return
    assert outcome is not None
    if isinstance(outcome, _Refused):
        await message.chat.send_message(outcome.text)
    elif isinstance(outcome, _Asked):
        await _deliver_question(context, outcome)
        await retire_prompt(context, account.telegram_id)
    else:
        await _deliver_answer(context, outcome)
        await retire_prompt(context, account.telegram_id)
        await retire_reply_button(context, account.telegram_id, outcome.question.id)


async def _void(
    context: BotContext, repos: Repositories, account: User, pending: PendingReply, now: datetime
) -> bool:
    """The pending step went stale (the rules layer already checked the role)."""
    draft = await repos.drafts.get(account.id)
    return urgent.pending_is_stale(
        pending_since=pending.created_at,
        draft_touched_at=draft.updated_at if draft else None,
        now=now,
        ttl=context.settings.draft_ttl,
    )


async def _take(
    context: BotContext,
    repos: Repositories,
    account: User,
    pending: PendingReply,
    message: Message,
    now: datetime,
) -> _Asked | _Answered | _Refused:
    """Store the typed question or answer (inside the caller's transaction), or say why not."""
    tr = context.tr
    try:
        text = urgent.clean_text(message.text)
    except urgent.BadText as bad:
        return _Refused(_problem_text(tr, bad.problem, pending.kind))
    view = await load_view(repos, pending.alert_id)
    assert view is not None
    if pending.kind is PendingKind.QUESTION:
        await repos.alerts.clear_pending(account.id)
        if view.report.status is ReportStatus.WITHDRAWN:
            return _Refused(withdrawn_text(tr, view.report))
        question = await repos.alerts.add_question(view.alert.id, account.id, text, now=now)
        await repos.audit.add(
            "alert.question", actor_telegram_id=account.telegram_id, target=view.report.number
        )
        officer = await repos.users.get(view.report.author_id)
        return _Asked(question, view.report, account, officer)
    assert pending.question_id is not None
    await repos.alerts.clear_pending(account.id)
    asked = await repos.alerts.get_question(pending.question_id)
    assert asked is not None
    if not await repos.alerts.answer_question(asked.id, text, now=now):
        return _Refused(tr.gettext("You have already answered this question."))
    await repos.audit.add(
        "alert.answer", actor_telegram_id=account.telegram_id, target=view.report.number
    )
    coordinator = await repos.users.get(asked.coordinator_id)
    return _Answered(asked, text, view.report, account, coordinator)


def _problem_text(tr: Translator, problem: urgent.TextProblem, kind: PendingKind) -> str:
    if problem is urgent.TextProblem.TOO_LONG:
        return tr.ngettext(
            "That is too long: please keep it within {limit} character and send it again.",
            "That is too long: please keep it within {limit} characters and send it again.",
            urgent.MAX_TEXT,
        ).format(limit=tr.format_number(urgent.MAX_TEXT))
    if kind is PendingKind.QUESTION:
        return tr.gettext("Please type your question as a text message.")
    return tr.gettext("Please type your answer as a text message.")


async def _deliver_question(context: BotContext, asked: _Asked) -> None:
    tr = context.tr
    number = f"<b>{escape(asked.report.number)}</b>"
    delivered = False
    officer = asked.officer
    if officer is not None and officer.is_active:
        their = translator_for(context.services, officer)
        text = "\n\n".join(
            [
                "❓ "
                + their.gettext("Question from {name} about your report {number}:").format(
                    name=escape(person_name(asked.coordinator)), number=number
                ),
                escape(asked.question.question),
            ]
        )
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        "↩️ " + their.pgettext("button", "Reply"),
                        callback_data=callbacks.pack(ANSWER_PREFIX, "reply", asked.question.id),
                    )
                ]
            ]
        )
        try:
            await context.bot.send_message(officer.telegram_id, text, reply_markup=markup)
            delivered = True
        except TelegramError as error:
            log.warning("question %s not delivered: %s", asked.question.id, error)
    if delivered:
        confirmation = tr.gettext(
            "Your question was sent to the officer who filed report {number}."
        ).format(number=number)
    else:
        confirmation = tr.gettext(
            "Your question about report {number} is saved, but I could not deliver it to the "
            "officer. Please reach them another way."
        ).format(number=number)
    await context.bot.send_message(asked.coordinator.telegram_id, confirmation)


async def _deliver_answer(context: BotContext, answered: _Answered) -> None:
    tr = context.tr
    delivered = False
    coordinator = answered.coordinator
    # The coordinator as they are now: one blocked or demoted since asking gets no answer.
    if denial_of(coordinator, COORDINATION) is None:
        assert coordinator is not None
        their = translator_for(context.services, coordinator)
        text = "\n".join(
            [
                "💬 "
                + their.gettext("{name} answered your question about report {number}.").format(
                    name=escape(person_name(answered.officer)),
                    number=f"<b>{escape(answered.report.number)}</b>",
                ),
                "",
                label(their.gettext("Question")) + " " + escape(answered.question.question),
                label(their.gettext("Answer")) + " " + escape(answered.answer),
            ]
        )
        try:
            await context.bot.send_message(coordinator.telegram_id, text)
            delivered = True
        except TelegramError as error:
            log.warning("answer to question %s not delivered: %s", answered.question.id, error)
    if delivered:
        confirmation = tr.gettext("Your answer was sent to {name}.").format(
            name=escape(person_name(coordinator))
        )
    else:
        confirmation = tr.gettext(
            "Your answer is saved, but I could not deliver it to the coordinator."
        )
    await context.bot.send_message(answered.officer.telegram_id, confirmation)
