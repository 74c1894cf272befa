"""/units: admins list the units, open one, add one, rename it, deactivate or reactivate it
(the typed questions are bot/handlers/admin/unit_questions.py, crossing points
bot/handlers/admin/crossing_points.py)."""

from __future__ import annotations

from html import escape

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
)

from bot import callbacks, organisation
from bot.authority import Refused
from bot.context import BotContext, FieldReportApplication
from bot.handlers.admin import flow
from bot.handlers.admin.crossing_points import points, remove_point, start_point
from bot.handlers.admin.flow import rules_step, show, yes_no
from bot.handlers.admin.unit_answers import add_crossing_point, answer
from bot.handlers.admin.unit_questions import (
    NAME_STEPS,
    PLACE_STEP,
    Question,
    forget_prompt,
    open_question,
    show_question,
    stop_asking,
)
from bot.handlers.admin.unit_views import PREFIX, button, card_view, list_view, unit_title
from bot.handlers.common import edit_then_answer, set_keyboard, stale_button
from bot.handlers.refusals import actor_id, tell_refused
from bot.organisation import Outcome
from storage import Unit, UnitKind


async def units_command(update: Update, context: BotContext) -> None:
    await flow.send(update, context, await list_view(context, 0, actor_id(update)))


async def units_tap(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    try:
        action, first, second = callbacks.unpack(query.data, PREFIX, 3)
    except callbacks.CallbackDataError:
        await stale_button(update, context)
        return
    if action == "ls" and first.isdigit() and len(first) <= 6:
        shown = await list_view(context, int(first), actor_id(update))
        if isinstance(shown, Refused):
            await tell_refused(update, context, shown)
        else:
            await edit_then_answer(query, *shown)
    elif action == "new":
        await _choose_kind(query, context)
    elif action == "kind" and first in {kind.value for kind in UnitKind}:
        question: Question = {"flow": "add", "kind": first, "step": "code", "names": {}}
        await show_question(query, context, question, None)
    elif action == "stop":
        await _stop_tapped(update, context)
    elif action == "cpr" or action == "cpry":
        await remove_point(update, context, action, first)
    elif first.isdigit() and len(first) <= 12 and action in UNIT_ACTIONS:
        unit_id = int(first)
        view = await rules_step(
            update, context, lambda repos, actor: organisation.unit_view(repos, actor, unit_id)
        )
        if view is None:
            return
        await UNIT_ACTIONS[action](update, context, action, view.unit, second)
    else:
        await stale_button(update, context)


async def _choose_kind(query: CallbackQuery, context: BotContext) -> None:
    _ = context.tr.gettext
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    # Translators: a button. IMT = Interagency Mobile Team; never the Latin "IMT"
                    # in Uzbek or Russian (Russian: межведомственная мобильная группа, ММГ).
                    _("Mobile team (IMT)"),
                    callback_data=button("kind", UnitKind.IMT.value),
                )
            ],
            [
                InlineKeyboardButton(
                    # Translators: a button. BLO = Border Liaison Office; never the Latin "BLO"
                    # in Uzbek or Russian (Russian: пограничный офис связи, ПОС).
                    _("Border liaison office (BLO)"),
                    callback_data=button("kind", UnitKind.BLO.value),
                )
            ],
            [InlineKeyboardButton("◀ " + _("Back to the units"), callback_data=button("ls", 0))],
        ]
    )
    await edit_then_answer(query, _("What kind of unit?"), keyboard)


async def _stop_tapped(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    if open_question(context) is None:
        await stale_button(update, context)
        return
    stop_asking(context)
    await edit_then_answer(query, context.tr.gettext("Stopped. Nothing was changed."))


async def _open(update: Update, context: BotContext, action: str, unit: Unit, second: str) -> None:
    await show(update, context, await card_view(context, unit.id, actor_id(update)))


async def _start_rename(
    update: Update, context: BotContext, action: str, unit: Unit, second: str
) -> None:
    query = update.callback_query
    assert query is not None
    question: Question = {"flow": "rename", "unit": unit.id, "step": NAME_STEPS[0], "names": {}}
    await show_question(query, context, question, unit)


async def _keep_name(
    update: Update, context: BotContext, action: str, unit: Unit, step: str
) -> None:
    """ "Keep" on a rename question: the current name is the answer."""
    query = update.callback_query
    assert query is not None
    question = open_question(context)
    if (
        question is None
        or question.get("flow") != "rename"
        or question.get("unit") != unit.id
        or question.get("step") != step
        or step not in NAME_STEPS
    ):
        await stale_button(update, context)
        return
    await set_keyboard(query, None)
    forget_prompt(context, query.message.message_id if query.message else None)
    await answer(context, update, question, unit.name(step))
    await query.answer()


async def _skip_place(
    update: Update, context: BotContext, action: str, unit: Unit, second: str
) -> None:
    """ "Skip" on a crossing point's coordinates: the point is added without them."""
    query = update.callback_query
    assert query is not None
    question = open_question(context)
    if (
        question is None
        or question.get("flow") != "cp"
        or question.get("unit") != unit.id
        or question.get("step") != PLACE_STEP
    ):
        await stale_button(update, context)
        return
    await set_keyboard(query, None)
    forget_prompt(context, query.message.message_id if query.message else None)
    await add_crossing_point(context, update, question, None)
    await query.answer()


async def _ask_switch(
    update: Update, context: BotContext, action: str, unit: Unit, second: str
) -> None:
    """``off``/``on``: ask to confirm deactivating or reactivating the unit."""
    query = update.callback_query
    assert query is not None
    _ = context.tr.gettext
    title = escape(unit_title(unit, context.tr))
    if action == "off":
        text = _(
            "Deactivate {unit}? Its officers will no longer be able to file reports. "
            "Its reports are kept."
        ).format(unit=title)
        markup = yes_no(
            _("Yes, deactivate"), button("offy", unit.id), _("No"), button("card", unit.id)
        )
    else:
        text = _("Reactivate {unit}? Its officers will be able to file reports again.").format(
            unit=title
        )
        markup = yes_no(
            _("Yes, reactivate"), button("ony", unit.id), _("No"), button("card", unit.id)
        )
    await edit_then_answer(query, text, markup)


async def _switch(
    update: Update, context: BotContext, action: str, unit: Unit, second: str
) -> None:
    _ = context.tr.gettext
    active = action == "ony"
    done = await rules_step(
        update,
        context,
        lambda repos, actor: organisation.switch_unit(repos, actor, unit.id, active=active),
    )
    if done is None:
        return
    title = escape(unit_title(unit, context.tr))
    if done.outcome is not Outcome.DONE:
        notice = _("Nothing to change: it is already so.")
    elif active:
        notice = "▶ " + _("{unit} is active again.").format(unit=title)
    else:
        notice = "⏸ " + _("{unit} is deactivated.").format(unit=title)
    await show(update, context, await card_view(context, unit.id, actor_id(update)), notice)


UNIT_ACTIONS = {
    "card": _open,
    "ren": _start_rename,
    "keep": _keep_name,
    "off": _ask_switch,
    "on": _ask_switch,
    "offy": _switch,
    "ony": _switch,
    "cps": points,
    "cpa": start_point,
    "cpk": _skip_place,
}


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("units", units_command))
    application.add_handler(CallbackQueryHandler(units_tap, pattern=callbacks.pattern(PREFIX)))
