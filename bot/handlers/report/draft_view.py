"""The officer's draft on screen, shared by every step of /report (and by /myreports, which
starts an amendment): which engine walks it, how its current step is rendered, and the record
of which message shows it (so a typed answer is taken only for the question on screen).
"""

from __future__ import annotations

from html import escape

from telegram import CallbackQuery, InlineKeyboardMarkup

from bot import filing, submission
from bot.context import BotContext
from bot.equivalents import from_kept
from bot.forms.definitions import FORMS
from bot.forms.engine import FormEngine
from bot.forms.model import Form
from bot.forms.render import render
from bot.forms.state import Clock, Draft, ShowSummary, View
from bot.handlers.common import answer_if_still_open, edit_then_answer, retire_message
from bot.handlers.screens import edit_screen
from bot.urgent import Reason
from storage import Repositories, User, hot_path
from storage.clock import utc_now
from storage.models import StoredDraft


def engine_for(context: BotContext, form: Form) -> FormEngine:
    settings = context.settings
    clock = Clock(now=utc_now(), timezone=settings.timezone, max_age=settings.report_max_age)
    return FormEngine(form, clock, context.tr.language)


async def refusal_text(context: BotContext, repos: Repositories, account: User) -> str | None:
    """Why this person may not file now, in their words (None: they may)."""
    refusal = await submission.refusal(repos, account.telegram_id)
    return refusal_words(context, refusal)


def refusal_words(context: BotContext, refusal: filing.Refusal | None) -> str | None:
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


def render_step(
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


def expired(context: BotContext, stored: StoredDraft) -> bool:
    return utc_now() - stored.updated_at > context.settings.draft_ttl


def expired_notice(context: BotContext, form_key: str) -> str:
    _ = context.tr.gettext
    hours = int(context.settings.draft_ttl.total_seconds() // 3600)
    return context.tr.ngettext(
        "Your unfinished report ({form}) was discarded after {hours} hour without changes.",
        "Your unfinished report ({form}) was discarded after {hours} hours without changes.",
        hours,
    ).format(form=escape(_(FORMS[form_key].title)), hours=hours)


async def show_draft(
    query: CallbackQuery, context: BotContext, account: User, stored: StoredDraft
) -> None:
    """Edit the tapped message into the draft's current question (or summary)."""
    draft = Draft.from_json(stored.data)
    form = FORMS[draft.form]
    text, markup = render_step(context, form, draft, engine_for(context, form).view(draft))
    await edit_then_answer(query, text, markup)
    tapped = tapped_id(query)
    if not await hand_buttons_to(context, account, stored, tapped):
        await mark_shown(context, account, draft, stored.shown_step, tapped)


async def hand_buttons_to(
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
    text, markup = render_step(context, form, draft, ShowSummary())
    chat = query.message.chat if query.message else None
    assert chat is not None
    shown = await edit_screen(query, chat, text, markup)
    await answer_if_still_open(query)
    await mark_shown(context, account, draft, None, shown)


def tapped_id(query: CallbackQuery) -> int | None:
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


async def save_draft(repos: Repositories, account: User, draft: Draft) -> None:
    await repos.drafts.save(
        account.id, draft_id=draft.draft_id, form=draft.form, data=draft.to_json(), now=utc_now()
    )
