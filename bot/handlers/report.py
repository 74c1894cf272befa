"""/report: choose a form, answer its questions, check the summary, submit, get a receipt.

The draft lives in the database and is written after every answer, in the same transaction
that reads it; that is the conversation's state, so it survives a restart (even a crash) and
continues where it was. PTB's ConversationHandler keeps its state in memory between persistence
flushes, which is why the form engine does not use it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from html import escape

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks, filing, locating, once, own_reports
from bot.context import BotContext, FieldReportApplication
from bot.equivalents import Factors, from_kept
from bot.forms.definitions import FORMS
from bot.forms.engine import (
    SUMMARY,
    Ask,
    Clock,
    Draft,
    Event,
    FormEngine,
    Located,
    Outcome,
    Photo,
    ShowSummary,
    Tapped,
    Typed,
    Unsupported,
    View,
)
from bot.forms.model import Form
from bot.forms.receipt import receipt_text
from bot.forms.render import PREFIX as FORM_PREFIX
from bot.forms.render import answered_text, problem_text, render
from bot.handlers import urgent
from bot.handlers.common import (
    answer_if_still_open,
    edit_then_answer,
    retire_message,
    set_keyboard,
    stale_button,
)
from bot.handlers.fallback import unknown_message
from bot.handlers.screens import edit_screen, send_screen
from bot.i18n import resolve_language
from bot.urgent import Reason, why_urgent
from storage import Repositories, User, hot_path
from storage.clock import utc_now
from storage.drafts import new_draft_id
from storage.models import Report, StoredDraft

log = logging.getLogger(__name__)

PREFIX = "rep"


def engine_for(context: BotContext, form: Form) -> FormEngine:
    settings = context.settings
    clock = Clock(now=utc_now(), timezone=settings.timezone, max_age=settings.report_max_age)
    return FormEngine(form, clock, context.tr.language)


async def _refusal(context: BotContext, repos: Repositories, account: User) -> str | None:
    # The account as it is now, in the caller's transaction: the gate's copy may be stale.
    current = await repos.users.get_by_telegram_id(account.telegram_id)
    unit = await repos.units.get(current.unit_id) if current and current.unit_id else None
    refusal = filing.may_file(current, unit) if current else filing.Refusal.NOT_OFFICER
    _ = context.tr.gettext
    if refusal is filing.Refusal.NOT_OFFICER:
        return _("Reports are filed by officers. Coordinators receive them in the digest.")
    if refusal is filing.Refusal.NO_UNIT:
        return _(
            "You are not attached to a unit, so you cannot file reports. Ask an administrator."
        )
    if refusal is filing.Refusal.UNIT_INACTIVE:
        return _("Your unit is deactivated, so reports cannot be filed for it.")
    return None


def form_choice_keyboard(context: BotContext) -> InlineKeyboardMarkup:
    _ = context.tr.gettext
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_(form.title), callback_data=callbacks.pack(PREFIX, "new", key))]
            for key, form in FORMS.items()
        ]
    )


def resume_keyboard(context: BotContext) -> InlineKeyboardMarkup:
    _ = context.tr.gettext
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "▶ " + _("Continue"), callback_data=callbacks.pack(PREFIX, "resume")
                )
            ],
            [
                InlineKeyboardButton(
                    "🗑 " + _("Discard it"), callback_data=callbacks.pack(PREFIX, "discard")
                )
            ],
        ]
    )


def _render(
    context: BotContext, form: Form, draft: Draft, view: View
) -> tuple[str, InlineKeyboardMarkup]:
    """A screen of the form; the summary says "urgent" as coordinators will be told (only
    the summary shows it: a question's screen does not work it out)."""
    urgency = urgency_of(context, form, draft) if isinstance(view, ShowSummary) else None
    return render(form, draft, view, context.tr, urgency=urgency)


def urgency_of(context: BotContext, form: Form, draft: Draft) -> Reason | None:
    """As filing will decide it: an amendment keeps the factors its report was filed with."""
    factors = context.services.factors
    if draft.amends is not None:
        factors = factors.keeping(from_kept(draft.kept_factors))
    return filing.urgency(form, draft.answers, context.settings.urgent_threshold_kg, factors)


def _expired(context: BotContext, stored: StoredDraft) -> bool:
    return utc_now() - stored.updated_at > context.settings.draft_ttl


async def report_command(update: Update, context: BotContext) -> None:
    account = context.account
    assert account is not None
    assert update.effective_chat is not None
    _ = context.tr.gettext
    async with context.db.read() as repos:
        refusal = await _refusal(context, repos, account)
        stored = await repos.drafts.get(account.id)
    if refusal:
        await update.effective_chat.send_message(refusal)
        return
    if stored is not None and not _expired(context, stored):
        form = FORMS[stored.form]
        offer = await update.effective_chat.send_message(
            _("You have an unfinished report: {form}. Continue it or discard it?").format(
                form=escape(_(form.title))
            ),
            reply_markup=resume_keyboard(context),
        )
        await _hand_buttons_to(context, account, stored, offer.message_id)
        return
    await update.effective_chat.send_message(
        _("Which report do you want to file?"), reply_markup=form_choice_keyboard(context)
    )


async def report_menu_tap(update: Update, context: BotContext) -> None:
    """Buttons of the form chooser and of the resume question (``rep:v1:…``)."""
    query = update.callback_query
    account = context.account
    assert query is not None
    assert account is not None
    data = query.data or ""
    try:
        if data.count(":") == 3:
            action, form_key = callbacks.unpack(data, PREFIX, 2)
        else:
            (action,) = callbacks.unpack(data, PREFIX, 1)
            form_key = ""
    except callbacks.CallbackDataError:
        await stale_button(update, context)
        return
    _ = context.tr.gettext
    if action == "new" and form_key in FORMS:
        form = FORMS[form_key]
        async with context.db.transaction() as repos:
            repeat = not await once.first_time(repos, update, utc_now())
            refusal = await _refusal(context, repos, account)
            existing = await repos.drafts.get(account.id)
            if repeat and existing is not None:
                # The same tap again (redelivered after a crash): show the draft it started.
                refusal = None
            elif refusal is None and (existing is None or _expired(context, existing)):
                points = await repos.crossing_points.list_for_unit(account.unit_id or 0)
                places = [[str(point.id), point.name] for point in points]
                outcome = engine_for(context, form).start(new_draft_id(), places)
                await _save(repos, account, outcome.draft)
        if refusal:
            await query.answer(refusal, show_alert=True)
            return
        if repeat and existing is not None:
            await show_draft(query, context, account, existing)
            return
        if existing is not None and not _expired(context, existing):
            await query.answer(
                _("Finish or discard your unfinished report first."), show_alert=True
            )
            return
        text, markup = _render(context, form, outcome.draft, outcome.view)
        await edit_then_answer(query, text, markup)
        await mark_shown(context, account, outcome.draft, None, _tapped_id(query))
        return
    if action == "menu":
        await edit_then_answer(
            query, _("Which report do you want to file?"), form_choice_keyboard(context)
        )
        return
    if action in ("resume", "discard"):
        async with context.db.transaction() as repos:
            stored = await repos.drafts.get(account.id)
            if stored is not None and action == "discard":
                await repos.drafts.delete(account.id)
        if stored is None:
            await query.answer(_("This form is closed."), show_alert=True)
            return
        if action == "discard":
            await edit_then_answer(query, _("The unfinished report was discarded."))
            return
        await show_draft(query, context, account, stored)
        return
    await stale_button(update, context)


async def show_draft(
    query: CallbackQuery, context: BotContext, account: User, stored: StoredDraft
) -> None:
    """Edit the tapped message into the draft's current question (or summary)."""
    draft = Draft.from_json(stored.data)
    form = FORMS[draft.form]
    text, markup = _render(context, form, draft, engine_for(context, form).view(draft))
    await edit_then_answer(query, text, markup)
    tapped = _tapped_id(query)
    if not await _hand_buttons_to(context, account, stored, tapped):
        await mark_shown(context, account, draft, stored.shown_step, tapped)


async def _hand_buttons_to(
    context: BotContext, account: User, stored: StoredDraft, message_id: int | None
) -> bool:
    """The draft's current step, seen already, is now offered in ``message_id``: the message
    that showed it loses its buttons and the draft records the new one. False when there was
    nothing to hand over (the step never reached the screen, or it is that message already)."""
    step = Draft.from_json(stored.data).step
    shown = stored.shown_message_id
    if message_id is None or shown is None or shown == message_id or stored.shown_step != step:
        return False
    await retire_message(context.bot, account.telegram_id, shown, None)
    async with context.db.transaction() as repos:
        await repos.drafts.move_shown(account.id, stored.draft_id, step, message_id)
    return True


async def show_summary(
    query: CallbackQuery, context: BotContext, account: User, draft: Draft
) -> None:
    """Edit the tapped message into a new draft's summary (an amendment starts there)."""
    form = FORMS[draft.form]
    text, markup = _render(context, form, draft, ShowSummary())
    chat = query.message.chat if query.message else None
    assert chat is not None
    shown = await edit_screen(query, chat, text, markup)
    await answer_if_still_open(query)
    await mark_shown(context, account, draft, None, shown)


def _tapped_id(query: CallbackQuery) -> int | None:
    return query.message.message_id if query.message else None


async def mark_shown(
    context: BotContext,
    account: User,
    draft: Draft,
    shown_step: int | None,
    message_id: int | None = None,
    *,
    moved_to: int | None = None,
) -> None:
    """Record that the person now sees ``draft`` as it is (called after a successful send),
    so that their next typed text answers this question; nothing to write if it was known.
    ``moved_to``: the step they saw already is offered again in this new message."""
    if shown_step == draft.step and moved_to is None:
        return
    await context.db.run_transaction(
        hot_path.mark_shown,
        account.id,
        draft.draft_id,
        draft.step,
        message_id,
        moved_to=moved_to,
    )


async def _save(repos: Repositories, account: User, draft: Draft) -> None:
    await repos.drafts.save(
        account.id, draft_id=draft.draft_id, form=draft.form, data=draft.to_json(), now=utc_now()
    )


async def form_tap(update: Update, context: BotContext) -> None:
    """A button of a question or of the summary (``f:v1:<draft>:<field>:<action>:<arg>``)."""
    query = update.callback_query
    account = context.account
    assert query is not None
    assert account is not None
    try:
        draft_id, field_key, action, arg = callbacks.unpack(query.data, FORM_PREFIX, 4)
    except callbacks.CallbackDataError:
        await stale_button(update, context)
        return
    await _step(update, context, account, Tapped(field_key, action, arg), draft_id=draft_id)


async def form_message(update: Update, context: BotContext) -> None:
    """Anything typed or sent while no other handler wanted it: an answer, if a form is open."""
    message = update.effective_message
    account = context.account
    assert message is not None
    assert account is not None
    event: Event
    if message.location is not None:
        event = Located(message.location.latitude, message.location.longitude)
    elif message.photo:
        largest = message.photo[-1]
        event = Photo(largest.file_id, largest.file_unique_id)
    elif message.text is not None:
        event = Typed(message.text)
    else:
        event = Unsupported(_kind_of(message))
    handled = await _step(update, context, account, event, draft_id=None)
    if not handled:
        await unknown_message(update, context)


def _kind_of(message: Message) -> str:
    for kind in ("sticker", "document", "voice", "video", "audio", "animation", "contact"):
        if getattr(message, kind, None):
            return kind
    return "other"


async def cancel_command(update: Update, context: BotContext) -> None:
    account = context.account
    assert account is not None
    handled = await _step(update, context, account, Tapped(SUMMARY, "cancel"), draft_id=None)
    if not handled and update.effective_chat:
        await update.effective_chat.send_message(context.tr.gettext("There is nothing to cancel."))


@dataclass
class _Applied:
    """An event applied to the officer's draft: what the rest of :func:`_step` shows."""

    outcome: Outcome | None = None  # None: there was no open draft for it
    form: Form | None = None
    before: View | None = None
    shown_step: int | None = None
    shown_message: int | None = None
    expired_form: str | None = None  # the form of a draft discarded as expired
    submitted: Report | None = None  # the report a tap on a closed form's draft became


async def _apply_as_read(
    update: Update, context: BotContext, account: User, event: Event, draft_id: str | None
) -> _Applied | None:
    """The event applied to the draft the gate read, in one hop to the database; None when
    that cannot be done (no draft read, none open, expired, another one), or the draft moved
    since (then nothing was written and :func:`_apply` starts again from the database)."""
    taken = context.take_draft()
    if taken is None:
        return None
    (stored,) = taken
    if stored is None or _expired(context, stored):
        return None
    if draft_id is not None and stored.draft_id != draft_id:
        return None
    draft = Draft.from_json(stored.data)
    form = FORMS[draft.form]
    engine = engine_for(context, form)
    before = engine.view(draft)
    message = update.message
    seen = once.typed_at_current_step(stored, draft.step, message.message_id if message else None)
    outcome = engine.handle(draft, event, seen=seen)
    result = await context.db.run_transaction(
        hot_path.apply_step,
        stored,
        update_key=once.update_key(update),
        now=utc_now(),
        save=outcome.draft.to_json() if outcome.changed and not outcome.cancelled else None,
        delete=outcome.cancelled,
    )
    if result is hot_path.StepResult.MOVED:
        return None
    if result is hot_path.StepResult.REPEAT:
        # Applied before a crash and redelivered: show where the draft is, change nothing.
        outcome = Outcome(draft, engine.view(draft))
    return _Applied(outcome, form, before, stored.shown_step, stored.shown_message_id)


async def _apply(
    update: Update, context: BotContext, account: User, event: Event, draft_id: str | None
) -> _Applied:
    """The event applied to the officer's draft as the database has it now."""
    applied = _Applied()
    async with context.db.transaction() as repos:
        stored = await repos.drafts.get(account.id)
        if stored is not None and _expired(context, stored):
            await repos.drafts.delete(account.id)
            applied.expired_form = stored.form
            stored = None
        if stored is None or (draft_id is not None and stored.draft_id != draft_id):
            if draft_id:
                applied.submitted = await repos.reports.get_by_idempotency_key(draft_id)
            return applied
        draft = Draft.from_json(stored.data)
        form = FORMS[draft.form]
        engine = engine_for(context, form)
        applied.form = form
        applied.shown_step = stored.shown_step
        applied.shown_message = stored.shown_message_id
        applied.before = engine.view(draft)
        if await once.first_time(repos, update, utc_now()):
            message = update.message
            seen = once.typed_at_current_step(
                stored, draft.step, message.message_id if message else None
            )
            outcome = engine.handle(draft, event, seen=seen)
        else:
            # Applied before a crash and redelivered: show where the draft is, change nothing.
            outcome = Outcome(draft, engine.view(draft))
        if outcome.cancelled:
            await repos.drafts.delete(account.id)
        elif outcome.changed:
            await _save(repos, account, outcome.draft)
        applied.outcome = outcome
    return applied


async def _step(
    update: Update, context: BotContext, account: User, event: Event, *, draft_id: str | None
) -> bool:
    """Apply one event to the officer's draft; False when there is no open draft for it."""
    query = update.callback_query
    _ = context.tr.gettext
    applied = await _apply_as_read(update, context, account, event, draft_id)
    if applied is None:
        applied = await _apply(update, context, account, event, draft_id)
    outcome, form, before = applied.outcome, applied.form, applied.before
    shown_step, shown_message = applied.shown_step, applied.shown_message
    if applied.expired_form is not None and update.effective_chat:
        await update.effective_chat.send_message(_expired_notice(context, applied.expired_form))
    if outcome is None:
        if query is None:
            return False
        submitted = applied.submitted
        if submitted is not None and submitted.author_id == account.id:
            await query.answer(
                _("This report was already filed as {number}.").format(number=submitted.number),
                show_alert=True,
            )
        else:
            await query.answer(_("This form is closed."), show_alert=True)
        return True
    assert form is not None
    sent = await _show(update, context, account, form, outcome, shown_message)
    moved_on = outcome.cancelled or outcome.submit or sent is not None
    if query is None and moved_on and shown_message is not None and shown_message != sent:
        # A new message carries the buttons now (or none does): the earlier question loses
        # them, and reads its answer when this event answered it.
        record = None
        if outcome.changed and isinstance(before, Ask) and not isinstance(event, Tapped):
            record = answered_text(form, before, outcome.draft, context.tr)
        await retire_message(context.bot, account.telegram_id, shown_message, record)
    if not (outcome.cancelled or outcome.submit or (query and outcome.problem)):
        # Reached only when showing it worked: the person now sees this step.
        moved_to = None
        if sent not in (None, shown_message) and shown_step == outcome.draft.step:
            # The same step, shown again in a new message (a long summary continued below, or
            # the question again after text it could not take): that message has the buttons
            # now, and the earlier one, which just lost them, must not be retired twice.
            moved_to = sent
        await mark_shown(context, account, outcome.draft, shown_step, sent, moved_to=moved_to)
    return True


def _expired_notice(context: BotContext, form_key: str) -> str:
    _ = context.tr.gettext
    hours = int(context.settings.draft_ttl.total_seconds() // 3600)
    return context.tr.ngettext(
        "Your unfinished report ({form}) was discarded after {hours} hour without changes.",
        "Your unfinished report ({form}) was discarded after {hours} hours without changes.",
        hours,
    ).format(form=escape(_(FORMS[form_key].title)), hours=hours)


async def _show(
    update: Update,
    context: BotContext,
    account: User,
    form: Form,
    outcome: Outcome,
    shown_message: int | None,
) -> int | None:
    """Show the outcome; the id of the message that carries the current screen's buttons
    (None when nothing new carries them: a problem, a refusal, the end of the form)."""
    query = update.callback_query
    chat = update.effective_chat
    assert chat is not None
    _ = context.tr.gettext
    tapped = query.message.message_id if query and query.message else None
    if outcome.stale:
        if query:
            if shown_message is not None and tapped != shown_message:
                # An older message: it loses its buttons; the current question is elsewhere.
                await set_keyboard(query, None)
            else:
                # Show where the draft really is on the tapped message: after a failed edit
                # the screen may still show an old question (skipped if nothing changes).
                text, markup = _render(context, form, outcome.draft, outcome.view)
                shown = await edit_screen(query, chat, text, markup)
                await query.answer(_("This button is no longer active."))
                return shown
            await query.answer(_("This button is no longer active."))
        return None
    if outcome.cancelled:
        if query:
            await edit_then_answer(query, _("The report was discarded."))
        else:
            await chat.send_message(_("The report was discarded."))
        return None
    if outcome.submit:
        await submit(update, context, account, form, outcome.draft)
        return None
    text, markup = _render(context, form, outcome.draft, outcome.view)
    if outcome.unseen:
        # The question never reached the person (its send failed): the text they typed was
        # meant for the previous one, which is answered already. Show this one instead.
        notice = _("Your previous answer was saved. Please answer the next question:")
        return await send_screen(chat, notice + "\n\n" + text, markup)
    if query is not None:
        if outcome.problem is not None:
            await query.answer(problem_text(outcome.problem, context.tr), show_alert=True)
            return None
        if outcome.refresh:
            await set_keyboard(query, markup)
            await query.answer()
            return tapped
        shown = await edit_screen(query, chat, text, markup)
        await answer_if_still_open(query)
        return shown
    if outcome.problem is not None:
        # The question with its buttons stays right above the officer's message.
        await chat.send_message("⚠️ " + problem_text(outcome.problem, context.tr))
        return None
    if not outcome.changed and shown_message is not None:
        return None  # nothing changed (the same photo again): the question is on screen
    return await send_screen(chat, text, markup)


async def submit(
    update: Update, context: BotContext, account: User, form: Form, draft: Draft
) -> None:
    """Commit the report, then send the receipt: a receipt always means a stored report."""
    query = update.callback_query
    chat = update.effective_chat
    assert chat is not None
    _ = context.tr.gettext
    now = utc_now()
    engine = engine_for(context, form)
    answers = engine.final_answers(draft)
    refused: str | None = None
    report: Report | None = None
    alert_id: int | None = None
    async with context.db.transaction() as repos:
        report = await repos.reports.get_by_idempotency_key(draft.draft_id)
        if report is None and draft.amends is not None:
            report = await _amend(context, repos, account, form, draft, answers)
            if report is None:
                refused = _("This report can no longer be amended.")
                await repos.drafts.delete_if(account.id, draft.draft_id)
            else:
                # An amendment that makes the report urgent (marked, or a seizure now over
                # the threshold) alerts like a new report; a report alerted before is not
                # alerted again (one alert per report).
                alert_id = await urgent.create_alert(
                    repos, report, context.settings.urgent_threshold_kg, now
                )
        elif report is None:
            refused = await _refusal(context, repos, account)
            if refused is None:
                # Filed for the unit _refusal just checked (now), not the gate's snapshot's.
                current = await repos.users.get_by_telegram_id(account.telegram_id)
                assert current is not None and current.unit_id is not None
                report = await repos.reports.create(
                    filing.new_report(
                        form,
                        answers,
                        draft_id=draft.draft_id,
                        author=current,
                        unit_id=current.unit_id,
                        now=now,
                        timezone=context.settings.timezone,
                        # Read in this transaction: what the report is filed with is stored.
                        factors=Factors.from_rows(await repos.factors.list()),
                        placement=await locating.placement(repos, form, answers, current.unit_id),
                    )
                )
                await repos.audit.add(
                    "report.submitted",
                    actor_telegram_id=account.telegram_id,
                    target=report.number,
                )
                alert_id = await urgent.create_alert(
                    repos, report, context.settings.urgent_threshold_kg, now
                )
        if report is not None:
            await repos.drafts.delete_if(account.id, draft.draft_id)
    if refused or report is None:
        await chat.send_message(refused or _("This form is closed."))
        if query:
            await query.answer()
        return
    if query:
        await set_keyboard(query, None)
    reason = why_urgent(report, context.settings.urgent_threshold_kg)
    receipt = receipt_text(report, reason, context.tr, amended=draft.amends is not None)
    try:
        await chat.send_message(receipt)
        if query:
            await query.answer()
    finally:
        # Even if the receipt could not be sent, the stored urgent report reaches coordinators.
        await urgent.report_submitted(context, alert_id)


async def _amend(
    context: BotContext,
    repos: Repositories,
    account: User,
    form: Form,
    draft: Draft,
    answers: dict[str, object],
) -> Report | None:
    assert draft.amends is not None
    if await repos.reports.get_version_by_idempotency_key(draft.draft_id) is not None:
        return await repos.reports.get(draft.amends)
    # The author and their role as they are now (rules layer): only their own, in the window.
    found = await own_reports.amendable(
        repos,
        account.telegram_id,
        draft.amends,
        now=utc_now(),
        window=context.settings.amend_window,
    )
    if not isinstance(found, own_reports.Own):
        return None
    current = found.report
    # Amending keeps the factors the report was filed with (its kilogram equivalents stay).
    factors = Factors.from_rows(await repos.factors.list()).keeping(current.items)
    placed = await locating.placement(repos, form, dict(answers), current.unit_id)
    report = await repos.reports.amend(
        current.id,
        filing.report_changes(form, dict(answers), factors, placed),
        amended_by=account.id,
        idempotency_key=draft.draft_id,
        now=utc_now(),
    )
    await repos.audit.add(
        "report.amended", actor_telegram_id=account.telegram_id, target=report.number
    )
    return report


async def expire_drafts(context: BotContext) -> None:
    """Job: discard drafts untouched for ``DRAFT_TTL_HOURS`` and tell their authors."""
    cutoff = utc_now() - context.settings.draft_ttl
    async with context.db.transaction() as repos:
        expired = await repos.drafts.older_than(cutoff)
        notices = []
        for stored in expired:
            if await repos.drafts.delete_if(stored.user_id, stored.draft_id):
                user = await repos.users.get(stored.user_id)
                if user is not None and user.is_active:
                    notices.append((user, stored.form))
    for user, form_key in notices:
        context.tr = context.services.catalogs.translator(
            resolve_language(
                user.language, user.telegram_language, context.settings.default_language
            )
        )
        try:
            await context.bot.send_message(user.telegram_id, _expired_notice(context, form_key))
        except Exception:  # one unreachable officer must not stop the others' notices
            log.exception("could not tell user %s that their draft expired", user.telegram_id)


async def forget_applied_updates(context: BotContext) -> None:
    """Job: keep the record of applied updates only as long as a redelivery can come."""
    await once.forget_old(context.db, utc_now())


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
