"""/report and its first buttons (``rep:v1:…``): choose a form, or continue or discard the
unfinished draft. A new draft is started here; its questions are answers.py's.
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import callbacks, once
from bot.context import BotContext
from bot.forms.definitions import FORMS
from bot.handlers.common import edit_then_answer, stale_button
from bot.handlers.report.draft_view import (
    engine_for,
    expired,
    hand_buttons_to,
    mark_shown,
    refusal_text,
    render_step,
    save_draft,
    show_draft,
    tapped_id,
)
from storage.clock import utc_now
from storage.drafts import new_draft_id

PREFIX = "rep"


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


async def report_command(update: Update, context: BotContext) -> None:
    account = context.account
    assert account is not None
    assert update.effective_chat is not None
    _ = context.tr.gettext
    async with context.db.read() as repos:
        refusal = await refusal_text(context, repos, account)
        stored = await repos.drafts.get(account.id)
    if refusal:
        await update.effective_chat.send_message(refusal)
        return
    if stored is not None and not expired(context, stored):
        form = FORMS[stored.form]
        offer = await update.effective_chat.send_message(
            _("You have an unfinished report: {form}. Continue it or discard it?").format(
                form=escape(_(form.title))
            ),
            reply_markup=resume_keyboard(context),
        )
        await hand_buttons_to(context, account, stored, offer.message_id)
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
            refusal = await refusal_text(context, repos, account)
            existing = await repos.drafts.get(account.id)
            if repeat and existing is not None:
                # The same tap again (redelivered after a crash): show the draft it started.
                refusal = None
            elif refusal is None and (existing is None or expired(context, existing)):
                points = await repos.crossing_points.list_for_unit(account.unit_id or 0)
                places = [[str(point.id), point.name] for point in points]
                outcome = engine_for(context, form).start(new_draft_id(), places)
                await save_draft(repos, account, outcome.draft)
        if refusal:
            await query.answer(refusal, show_alert=True)
            return
        if repeat and existing is not None:
            await show_draft(query, context, account, existing)
            return
        if existing is not None and not expired(context, existing):
            await query.answer(
                _("Finish or discard your unfinished report first."), show_alert=True
            )
            return
        text, markup = render_step(context, form, outcome.draft, outcome.view)
        await edit_then_answer(query, text, markup)
        await mark_shown(context, account, outcome.draft, None, tapped_id(query))
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
