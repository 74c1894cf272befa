"""The form's steps: each typed answer, photo, location or button of a question or of the
summary (``f:v1:…``), and /cancel, applied to the officer's draft by the form engine, then shown.

The draft lives in the database and is written after every answer, in the same transaction
that reads it; that is the conversation's state, so it survives a restart (even a crash) and
continues where it was. PTB's ConversationHandler keeps its state in memory between persistence
flushes, which is why the form engine does not use it. The summary's "File report" hands over
to submit.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Message, Update

from bot import callbacks, once
from bot.context import BotContext
from bot.forms.definitions import FORMS
from bot.forms.keyboard import PREFIX as FORM_PREFIX
from bot.forms.model import Form
from bot.forms.problems import problem_text
from bot.forms.readback import answered_text
from bot.forms.state import (
    SUMMARY,
    Ask,
    Draft,
    Event,
    Located,
    Outcome,
    Photo,
    Tapped,
    Typed,
    Unsupported,
    View,
)
from bot.handlers.common import (
    answer_if_still_open,
    edit_then_answer,
    retire_message,
    set_keyboard,
    stale_button,
)
from bot.handlers.fallback import unknown_message
from bot.handlers.report.draft_view import (
    engine_for,
    expired,
    expired_notice,
    mark_shown,
    render_step,
    save_draft,
)
from bot.handlers.report.submit import submit
from bot.handlers.screens import edit_screen, send_screen
from storage import User, hot_path
from storage.clock import utc_now
from storage.models import Report


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
    if stored is None or expired(context, stored):
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
        if stored is not None and expired(context, stored):
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
            await save_draft(repos, account, outcome.draft)
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
        await update.effective_chat.send_message(expired_notice(context, applied.expired_form))
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
                text, markup = render_step(context, form, outcome.draft, outcome.view)
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
    text, markup = render_step(context, form, outcome.draft, outcome.view)
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
