"""The urgent lane: an urgent report goes to the coordinators at once; they acknowledge it or ask
the officer for details; an alert nobody acknowledges goes out again.

* :func:`report_submitted` is called by the report flow right after the receipt of a new report.
  The alert row is created once (its report is a unique key) together with one delivery row per
  recipient, then the deliveries are sent. A delivery that hit a passing Telegram error stays
  pending and the re-alert job sends it on its next pass; one to somebody who blocked the bot is
  recorded and skipped.
* :func:`realert_due` (the ``urgent-realert`` job, every minute) begins a new round for each
  alert that fell due and sends whatever is still owed. Time is passed in, so tests move it.
* ``alr:v1:ack|ask|stop:<alert id>`` (coordinators and admins) and
  ``ans:v1:reply|stop:<question id>`` (officers and admins) are the buttons.
* A question or an answer is one typed message; /cancel (:func:`register_cancel`) or the
  prompt's Cancel button gives it up. Which one somebody owes lives in the database
  (``pending_replies``); :func:`typed_step` serves the person who has one pending and hands
  everything else to the report form (``report.form_message``), because a PTB filter is
  synchronous and cannot look in the database to decline the update itself.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from html import escape

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import alerting, callbacks, once, urgent
from bot.authority import COORDINATION, Denial, Refused, denial_of
from bot.context import BotContext, FieldReportApplication, Services
from bot.coordination import group_language
from bot.digest.labels import weighing_text
from bot.forms.definitions import FORMS
from bot.forms.model import Kind
from bot.forms.render import item_text, value_text
from bot.handlers import report as report_handler
from bot.handlers.common import (
    NOT_MODIFIED,
    already_shows,
    edit_then_answer,
    retire_message,
    stale_button,
)
from bot.handlers.refusals import actor_id, tell_refused
from bot.i18n import Translator, resolve_language
from storage import Report, ReportStatus, Repositories, Role, Unit, User
from storage.alerts import (
    Alert,
    AlertDelivery,
    AlertMessage,
    AlertQuestion,
    DeliveryStatus,
    PendingKind,
    PendingReply,
    Recipient,
)
from storage.bot_settings import CoordinationGroup
from storage.clock import utc_now

log = logging.getLogger(__name__)

PREFIX = "alr"
ANSWER_PREFIX = "ans"
#: user_data key: the message asking for a typed question or answer (its Cancel button goes
#: once the text was sent or given up).
PROMPT_KEY = "typed_prompt"
#: The coordinator's question the officer tapped "Reply" under: (question id, message id), so
#: its button goes once the answer was sent.
QUESTION_SHOWN_KEY = "question_shown"
REALERT_JOB = "urgent-realert"
REALERT_INTERVAL_SECONDS = 60
#: Passing errors (flood control, network) to one chat before its delivery is given up.
MAX_DELIVERY_ATTEMPTS = 5
#: How long a sender holds a delivery it is sending (after a crash, the next pass takes it).
DELIVERY_LEASE = timedelta(minutes=2)
#: Text fields shown in full in an alert (an incident says what happened only there).
DETAIL_FIELDS = ("category", "descr")
DETAIL_LIMIT = 300


# --- what an alert says ---------------------------------------------------------------------


@dataclass(frozen=True)
class AlertView:
    """Everything an alert's text is made of, read in one transaction."""

    alert: Alert
    report: Report
    unit: Unit | None
    acknowledger: User | None


async def load_view(repos: Repositories, alert_id: int) -> AlertView | None:
    alert = await repos.alerts.get(alert_id)
    if alert is None:
        return None
    report = await repos.reports.get(alert.report_id)
    if report is None:  # pragma: no cover - a foreign key keeps it
        return None
    unit = await repos.units.get(report.unit_id)
    acknowledger = (
        await repos.users.get(alert.acknowledged_by) if alert.acknowledged_by is not None else None
    )
    return AlertView(alert, report, unit, acknowledger)


def person_name(user: User | None) -> str:
    """How a person is named to others (not escaped)."""
    if user is None:
        return "—"
    if user.display_name:
        return user.display_name
    return f"@{user.username}" if user.username else str(user.telegram_id)


def _label(translated: str) -> str:
    """A bold ``Label:`` before a value, as the report summary shows it."""
    return f"<b>{escape(translated)}:</b>"


def _place(report: Report, tr: Translator) -> str | None:
    if report.place_text:
        return escape(report.place_text)
    if report.latitude is not None and report.longitude is not None:
        return tr.gettext("location {latitude}, {longitude}").format(
            latitude=f"{report.latitude:.5f}", longitude=f"{report.longitude:.5f}"
        )
    return None


def alert_text(
    view: AlertView,
    tr: Translator,
    threshold_kg: Decimal,
    *,
    reminder_minutes: int | None = None,
) -> str:
    """The alert in ``tr``'s language; everything an officer typed is escaped."""
    _ = tr.gettext
    report = view.report
    form = FORMS.get(report.form)
    heading = _("Urgent report {number}").format(number=report.number)
    lines = [f"🚨 <b>{escape(heading)}</b>"]
    title = _(form.title) if form else report.form
    unit = view.unit.name(tr.language) if view.unit else "—"
    lines.append(f"{escape(title)} · {escape(unit)}")
    if report.occurred_at is not None:
        when = tr.format_datetime(report.occurred_at, "short")
        lines.append(_label(_("When")) + " " + escape(when))
    place = _place(report, tr)
    if place:
        lines.append(_label(_("Place")) + " " + place)
    group = form.field(form.items_field) if form and form.items_field else None
    if group is not None and report.items:
        lines.append(_label(_(group.label)))
        for item in report.items:
            entered = {
                "substance": item.substance,
                "qty": str(item.quantity),
                "measure": item.measure,
            }
            lines.append(f"  • {item_text(group, entered, tr)}")
    if report.persons_detained is not None:
        count = tr.format_number(report.persons_detained)
        lines.append(_label(_("Persons detained")) + " " + count)
    for key in DETAIL_FIELDS:
        spec = form.field(key) if form else None
        if spec is not None and spec.kind in (Kind.CHOICE, Kind.TEXT) and report.answers.get(key):
            value = value_text(spec, report.answers[key], tr, limit=DETAIL_LIMIT)
            lines.append(_label(_(spec.label)) + " " + value)
    why = _why_urgent(urgent.Reason(view.alert.reason), tr, threshold_kg)
    lines.append(_label(_("Why urgent")) + " " + escape(why))
    large = urgent.large_by(report.items, threshold_kg)
    if large is not None:  # which kilograms: weighed, or a kilogram equivalent
        lines.append(
            _label(_("Large seizure")) + " " + escape(weighing_text(large, threshold_kg, tr))
        )
    if reminder_minutes is not None and not view.alert.acknowledged:
        lines.append(
            "\n🔁 "
            + tr.ngettext(
                "Reminder: nobody has acknowledged this alert for {minutes} minute.",
                "Reminder: nobody has acknowledged this alert for {minutes} minutes.",
                reminder_minutes,
            ).format(minutes=reminder_minutes)
        )
    if view.alert.acknowledged_at is not None:
        lines.append("\n✅ " + acknowledged_text(view, tr))
    return "\n".join(lines)


def _why_urgent(reason: urgent.Reason, tr: Translator, threshold_kg: Decimal) -> str:
    """A whole sentence for each combination of reasons, never fragments joined in code."""
    _ = tr.gettext
    threshold = tr.format_number(threshold_kg)
    if reason.marked and reason.large:
        # Translators: why an alert is urgent; {threshold} is a number of kilograms, e.g. "1".
        return _(
            "marked urgent by the officer; large seizure: {threshold} kg or more of one substance"
        ).format(threshold=threshold)
    if reason.large:
        # Translators: why an alert is urgent; {threshold} is a number of kilograms, e.g. "1".
        return _("large seizure: {threshold} kg or more of one substance").format(
            threshold=threshold
        )
    return _("marked urgent by the officer")


def acknowledged_text(view: AlertView, tr: Translator) -> str:
    assert view.alert.acknowledged_at is not None
    return tr.gettext("Acknowledged by {name} at {time}.").format(
        name=escape(person_name(view.acknowledger)),
        time=escape(tr.format_datetime(view.alert.acknowledged_at, "short")),
    )


def alert_keyboard(tr: Translator, alert_id: int, *, acknowledged: bool) -> InlineKeyboardMarkup:
    """Acknowledge and Ask for details; once acknowledged, only Ask for details."""
    ask = InlineKeyboardButton(
        "❓ " + tr.pgettext("button", "Ask for details"),
        callback_data=callbacks.pack(PREFIX, "ask", alert_id),
    )
    if acknowledged:
        return InlineKeyboardMarkup([[ask]])
    ack = InlineKeyboardButton(
        # Translators: the coordinator confirms they RECEIVED the alert; it is not an approval
        # (Uzbek "Qabul qildim", Russian "Подтвердить получение").
        "✅ " + tr.pgettext("button", "Acknowledge"),
        callback_data=callbacks.pack(PREFIX, "ack", alert_id),
    )
    return InlineKeyboardMarkup([[ack, ask]])


def _translator(
    services: Services, user: User | None, group: CoordinationGroup | None = None
) -> Translator:
    """The person's language; a group (no person) reads its own, else the default language."""
    default = services.settings.default_language
    if user is None:
        return services.catalogs.translator(group_language(group, default) if group else default)
    return services.catalogs.translator(
        resolve_language(user.language, user.telegram_language, default)
    )


# --- sending alerts -------------------------------------------------------------------------


async def recipients(repos: Repositories) -> list[Recipient]:
    """Every active coordinator, then the bound coordination group if there is one."""
    found = [
        Recipient(chat_id=user.telegram_id, user_id=user.id)
        for user in await repos.users.active_by_role(Role.COORDINATOR)
    ]
    group = await repos.settings.coordination_group()
    if group is not None:
        found.append(Recipient(chat_id=group.chat_id, user_id=None))
    return found


async def report_submitted(context: BotContext, alert_id: int | None) -> None:
    """After the receipt: send the alert created with the report (the job retries what fails)."""
    if alert_id is not None:
        await deliver_pending(context.services, context.bot, utc_now(), alert_ids=[alert_id])


async def create_alert(
    repos: Repositories, report: Report, threshold_kg: Decimal, now: datetime
) -> int | None:
    """In the report's own transaction: an urgent report is never stored without its alert."""
    reason = urgent.why_urgent(report, threshold_kg)
    if reason is None:
        return None
    alert = await repos.alerts.create(report.id, reason.value, now=now)
    if alert is None:
        return None
    await repos.alerts.add_deliveries(alert.id, 0, await recipients(repos))
    await repos.audit.add(
        "alert.created",
        actor_telegram_id=None,
        target=report.number,
        details={"reason": reason.value},
    )
    log.info("urgent alert %s for report %s (%s)", alert.id, report.number, reason.value)
    return alert.id


async def alert_if_urgent(services: Services, bot: Bot, report: Report, now: datetime) -> bool:
    """Create the report's alert (once, however often this runs) and send it; True if created."""
    async with services.db.transaction() as repos:
        alert_id = await create_alert(repos, report, services.settings.urgent_threshold_kg, now)
    if alert_id is None:
        return False
    await deliver_pending(services, bot, now, alert_ids=[alert_id])
    return True


async def realert_due(services: Services, bot: Bot, now: datetime) -> int:
    """Begin a new round of every unacknowledged alert that fell due, then send everything
    still owed (earlier passes' passing failures included); returns how many copies went out."""
    settings = services.settings
    async with services.db.transaction() as repos:
        for alert in await repos.alerts.unacknowledged(max_repeats=settings.alert_max_repeats):
            due = urgent.realert_is_due(
                created_at=alert.created_at,
                last_sent_at=alert.last_sent_at,
                repeats=alert.repeats,
                now=now,
                repeat_every=settings.alert_repeat,
                max_repeats=settings.alert_max_repeats,
            )
            if not due:
                continue
            round_no = await repos.alerts.begin_round(alert.id, seen_repeats=alert.repeats, now=now)
            if round_no is not None:
                await repos.alerts.add_deliveries(alert.id, round_no, await recipients(repos))
                log.info("urgent alert %s not acknowledged: round %s", alert.id, round_no)
    return await deliver_pending(services, bot, now)


async def deliver_pending(
    services: Services, bot: Bot, now: datetime, *, alert_ids: list[int] | None = None
) -> int:
    """Send the deliveries still owed, to every chat at once; one chat's failure or delay never
    holds up the others (each copy is retried on its own: a 429 by the rate limiter, anything
    else by the next pass)."""
    async with services.db.read() as repos:
        due = await repos.alerts.pending_deliveries(alert_ids)
        views: dict[int, AlertView] = {}
        people: dict[int, User | None] = {}
        group = await repos.settings.coordination_group()
        for delivery in due:
            if delivery.alert_id not in views:
                view = await load_view(repos, delivery.alert_id)
                assert view is not None
                views[delivery.alert_id] = view
            if delivery.user_id is not None and delivery.user_id not in people:
                people[delivery.user_id] = await repos.users.get(delivery.user_id)
        bound = group.chat_id if group is not None else None

    async def send(delivery: AlertDelivery) -> bool:
        person = people.get(delivery.user_id) if delivery.user_id is not None else None
        # Who may still receive it (a copy retried after a failure comes later): an active
        # coordinator (or admin) as they are now, or the group bound now.
        entitled = (
            denial_of(person, COORDINATION) is None
            if delivery.user_id is not None
            else delivery.chat_id == bound
        )
        if not entitled:
            await _finish(services, delivery, DeliveryStatus.FAILED)
            return False
        return await _send_copy(
            services, bot, delivery, views[delivery.alert_id], person, now, group=group
        )

    # All at once: a chat that hangs or is paused by Telegram delays nobody else's copy.
    results = await asyncio.gather(*(send(delivery) for delivery in due), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        raise failures[0]
    return sum(1 for r in results if r is True)


async def _send_copy(
    services: Services,
    bot: Bot,
    delivery: AlertDelivery,
    view: AlertView,
    person: User | None,
    now: datetime,
    *,
    group: CoordinationGroup | None = None,
) -> bool:
    async with services.db.transaction() as repos:
        claimed = await repos.alerts.claim_delivery(
            delivery.alert_id,
            delivery.round_no,
            delivery.chat_id,
            now=now,
            until=now + DELIVERY_LEASE,
        )
    if not claimed:  # another pass (or the submit that created it) is sending this one
        return False
    tr = _translator(services, person, group)
    minutes = urgent.minutes_since(view.alert.created_at, now) if delivery.round_no else None
    text = alert_text(view, tr, services.settings.urgent_threshold_kg, reminder_minutes=minutes)
    try:
        message = await bot.send_message(
            delivery.chat_id,
            text,
            reply_markup=alert_keyboard(tr, view.alert.id, acknowledged=False),
        )
    except Forbidden as error:
        log.info("alert %s: chat %s blocked the bot (%s)", view.alert.id, delivery.chat_id, error)
        await _finish(services, delivery, DeliveryStatus.BLOCKED)
        return False
    except BadRequest as error:  # before NetworkError, its base class: this one will not pass
        log.warning("alert %s to chat %s refused: %s", view.alert.id, delivery.chat_id, error)
        await _finish(services, delivery, DeliveryStatus.FAILED)
        return False
    except (RetryAfter, NetworkError) as error:
        give_up = delivery.attempts + 1 >= MAX_DELIVERY_ATTEMPTS
        log.warning(
            "alert %s to chat %s failed (%s); %s",
            view.alert.id,
            delivery.chat_id,
            error,
            "giving up" if give_up else "left for the next pass",
        )
        if give_up:
            await _finish(services, delivery, DeliveryStatus.FAILED)
        else:
            async with services.db.transaction() as repos:
                await repos.alerts.delivery_attempted(
                    delivery.alert_id, delivery.round_no, delivery.chat_id
                )
        return False
    except TelegramError as error:
        log.warning("alert %s to chat %s failed: %s", view.alert.id, delivery.chat_id, error)
        await _finish(services, delivery, DeliveryStatus.FAILED)
        return False
    async with services.db.transaction() as repos:
        await repos.alerts.add_message(view.alert.id, message.chat_id, message.message_id)
        await repos.alerts.finish_delivery(
            delivery.alert_id, delivery.round_no, delivery.chat_id, DeliveryStatus.SENT
        )
        fresh = await load_view(repos, view.alert.id)
    if fresh is not None and fresh.alert.acknowledged:
        # Acknowledged while this copy was on its way: the acknowledgement edited the others.
        await _show_acknowledged(
            services,
            bot,
            fresh,
            AlertMessage(view.alert.id, message.chat_id, message.message_id),
            person,
            group,
        )
    return True


async def _finish(services: Services, delivery: AlertDelivery, status: DeliveryStatus) -> None:
    async with services.db.transaction() as repos:
        await repos.alerts.finish_delivery(
            delivery.alert_id, delivery.round_no, delivery.chat_id, status
        )


async def _show_acknowledged(
    services: Services,
    bot: Bot,
    view: AlertView,
    copy: AlertMessage,
    reader: User | None,
    group: CoordinationGroup | None = None,
    shown: object = None,
) -> bool:
    """Edit one copy to its acknowledged form; False when Telegram would not (it is logged).
    ``shown``: the copy as a tap brought it, not edited when it reads so already."""
    tr = _translator(services, reader, group)
    text = alert_text(view, tr, services.settings.urgent_threshold_kg)
    markup = alert_keyboard(tr, view.alert.id, acknowledged=True)
    if already_shows(shown, text, markup):
        return True
    try:
        await bot.edit_message_text(
            text, chat_id=copy.chat_id, message_id=copy.message_id, reply_markup=markup
        )
    except BadRequest as error:
        if NOT_MODIFIED in str(error).lower():
            return True
        log.warning("alert %s: could not edit copy in %s: %s", view.alert.id, copy.chat_id, error)
        return False
    except TelegramError as error:
        log.warning("alert %s: could not edit copy in %s: %s", view.alert.id, copy.chat_id, error)
        return False
    return True


async def _realert_job(context: BotContext) -> None:
    await realert_due(context.services, context.bot, utc_now())


# --- the buttons ----------------------------------------------------------------------------


def _id(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise callbacks.CallbackDataError(text)
    return int(text)


async def alert_tap(update: Update, context: BotContext) -> None:
    """``alr:v1:<action>:<alert id>``: acknowledge, ask for details, stop asking."""
    query = update.callback_query
    account = context.account
    assert query is not None
    assert account is not None
    try:
        action, raw_id = callbacks.unpack(query.data, PREFIX, 2)
        alert_id = _id(raw_id)
    except callbacks.CallbackDataError:
        await stale_button(update, context)
        return
    if action == "ack":
        await _acknowledge(update, context, account, alert_id)
    elif action == "ask":
        await _ask(update, context, account, alert_id)
    elif action == "stop":
        await _stop(update, context, account, PendingKind.QUESTION, alert_id)
    else:
        await stale_button(update, context)


async def answer_tap(update: Update, context: BotContext) -> None:
    """``ans:v1:<action>:<question id>``: reply to a coordinator's question, or stop replying."""
    query = update.callback_query
    account = context.account
    assert query is not None
    assert account is not None
    try:
        action, raw_id = callbacks.unpack(query.data, ANSWER_PREFIX, 2)
        question_id = _id(raw_id)
    except callbacks.CallbackDataError:
        await stale_button(update, context)
        return
    if action == "reply":
        await _reply(update, context, account, question_id)
    elif action == "stop":
        await _stop(update, context, account, PendingKind.ANSWER, question_id)
    else:
        await stale_button(update, context)


async def _acknowledge(update: Update, context: BotContext, account: User, alert_id: int) -> None:
    query = update.callback_query
    assert query is not None
    services = context.services
    async with context.db.transaction() as repos:
        acked = await alerting.acknowledge(repos, actor_id(update), alert_id, now=utc_now())
        first = isinstance(acked, alerting.Acknowledgement) and acked.first
        view = (
            await load_view(repos, alert_id)
            if isinstance(acked, alerting.Acknowledgement)
            else None
        )
        copies = await repos.alerts.messages(alert_id) if view else []
        readers = {c.chat_id: await repos.users.get_by_telegram_id(c.chat_id) for c in copies}
        group = await repos.settings.coordination_group()
        author = await repos.users.get(view.report.author_id) if view else None
    if isinstance(acked, Refused):
        await tell_refused(update, context, acked)
        return
    if view is None:
        await stale_button(update, context)
        return
    tapped = query.message
    where = (tapped.chat.id, tapped.message_id) if tapped is not None else None
    mine = [c for c in copies if (c.chat_id, c.message_id) == where]
    others = [c for c in copies if (c.chat_id, c.message_id) != where]
    # The tapped copy first, so the spinner stops on the result; then the other copies.
    for copy in mine:
        await _show_acknowledged(
            services, context.bot, view, copy, readers.get(copy.chat_id), group, shown=tapped
        )
    _ = context.tr.gettext
    if not first:
        await query.answer(
            _("Already acknowledged by {name} at {time}.").format(
                name=person_name(view.acknowledger),
                time=context.tr.format_datetime(view.alert.acknowledged_at or utc_now(), "short"),
            ),
            show_alert=True,
        )
        return
    await query.answer(_("Acknowledged. The officer will be told."))
    log.info("alert %s acknowledged by user %s", alert_id, account.id)
    for copy in others:
        await _show_acknowledged(
            services, context.bot, view, copy, readers.get(copy.chat_id), group
        )
    if author is not None and author.is_active:
        tr = _translator(services, author)
        assert view.alert.acknowledged_at is not None
        notice = "✅ " + tr.gettext(
            "Your report {number} was acknowledged by {name} at {time}."
        ).format(
            number=f"<b>{escape(view.report.number)}</b>",
            name=escape(person_name(view.acknowledger)),
            time=escape(tr.format_datetime(view.alert.acknowledged_at, "short")),
        )
        try:
            await context.bot.send_message(author.telegram_id, notice)
        except TelegramError as error:
            log.warning("could not tell officer %s of the acknowledgement: %s", author.id, error)


def _limit_text(tr: Translator) -> str:
    return tr.ngettext(
        "One message of up to {limit} character.",
        "One message of up to {limit} characters.",
        urgent.MAX_TEXT,
    ).format(limit=tr.format_number(urgent.MAX_TEXT))


def _withdrawn_text(tr: Translator, report: Report) -> str:
    return tr.gettext("Report {number} was withdrawn by its author.").format(
        number=escape(report.number)
    )


async def _ask(update: Update, context: BotContext, account: User, alert_id: int) -> None:
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
        await query.answer(_withdrawn_text(tr, view.report), show_alert=True)
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


async def _reply(update: Update, context: BotContext, account: User, question_id: int) -> None:
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
    await _retire_prompt(context, account.telegram_id)  # an earlier prompt, now replaced
    if context.user_data is not None:
        context.user_data[PROMPT_KEY] = sent.message_id
    return True


async def _retire_prompt(context: BotContext, chat_id: int, tapped: int | None = None) -> None:
    """The prompt's Cancel button goes once the question or answer was sent or given up
    (best effort; a tap on it later says there is nothing to cancel). ``tapped``: the prompt
    was edited by that tap already."""
    if context.user_data is None:
        return
    shown = context.user_data.pop(PROMPT_KEY, None)
    if isinstance(shown, int) and shown != tapped:
        await retire_message(context.bot, chat_id, shown, None)


async def _retire_reply_button(context: BotContext, chat_id: int, question_id: int) -> None:
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


async def _stop(
    update: Update, context: BotContext, account: User, kind: PendingKind, target: int
) -> None:
    query = update.callback_query
    assert query is not None
    async with context.db.transaction() as repos:
        pending = await repos.alerts.get_pending(account.id)
        cleared = _matches(pending, kind, target) and await repos.alerts.clear_pending(account.id)
    if cleared:
        await edit_then_answer(query, _given_up_text(context.tr, kind))
        tapped = query.message.message_id if query.message else None
        await _retire_prompt(context, account.telegram_id, tapped)
    else:
        await query.answer(context.tr.gettext("There is nothing to cancel."))


def _given_up_text(tr: Translator, kind: PendingKind) -> str:
    if kind is PendingKind.QUESTION:
        return tr.gettext("Your question was not sent.")
    return tr.gettext("Your answer was not sent.")


async def cancel_command(update: Update, context: BotContext) -> None:
    """/cancel: give up the pending question or answer first, else cancel the report form."""
    if not await cancel_pending(update, context):
        await report_handler.cancel_command(update, context)


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
        await update.effective_chat.send_message(_given_up_text(context.tr, pending.kind))
    await _retire_prompt(context, account.telegram_id)
    return True


# --- the typed question or answer -----------------------------------------------------------


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


async def typed_step(update: Update, context: BotContext) -> None:
    """A private message: the pending question or answer if there is one, else the form's."""
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
        await report_handler.form_message(update, context)
        return
    assert outcome is not None
    if isinstance(outcome, _Refused):
        await message.chat.send_message(outcome.text)
    elif isinstance(outcome, _Asked):
        await _deliver_question(context, outcome)
        await _retire_prompt(context, account.telegram_id)
    else:
        await _deliver_answer(context, outcome)
        await _retire_prompt(context, account.telegram_id)
        await _retire_reply_button(context, account.telegram_id, outcome.question.id)


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
            return _Refused(_withdrawn_text(tr, view.report))
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
        their = _translator(context.services, officer)
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
        their = _translator(context.services, coordinator)
        text = "\n".join(
            [
                "💬 "
                + their.gettext("{name} answered your question about report {number}.").format(
                    name=escape(person_name(answered.officer)),
                    number=f"<b>{escape(answered.report.number)}</b>",
                ),
                "",
                _label(their.gettext("Question")) + " " + escape(answered.question.question),
                _label(their.gettext("Answer")) + " " + escape(answered.answer),
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


def register_cancel(application: FieldReportApplication) -> None:
    """Must come before ``report.register``: in group 0 the first /cancel handler wins, and a
    pending question or answer is given up before the report form is asked to cancel."""
    application.add_handler(CommandHandler("cancel", cancel_command))


def register(application: FieldReportApplication) -> None:
    """Registered before the report's catch-all message handler: see the module docstring."""
    application.add_handler(CallbackQueryHandler(alert_tap, pattern=callbacks.pattern(PREFIX)))
    application.add_handler(
        CallbackQueryHandler(answer_tap, pattern=callbacks.pattern(ANSWER_PREFIX))
    )
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL, typed_step
        )
    )
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _realert_job,
            interval=REALERT_INTERVAL_SECONDS,
            first=REALERT_INTERVAL_SECONDS,
            name=REALERT_JOB,
        )
