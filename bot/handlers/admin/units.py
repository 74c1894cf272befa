"""/units: admins list the units, open one, add one, rename it, deactivate or reactivate it
(:data:`DEACTIVATE`, :data:`REACTIVATE`), and the dispatcher of every ``unt`` button (the typed
questions are bot/handlers/admin/unit_questions.py and unit_answers.py, crossing points
bot/handlers/admin/crossing_points.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks, organisation
from bot.context import BotContext, FieldReportApplication
from bot.handlers.admin import flow
from bot.handlers.admin.crossing_points import REMOVE_POINT, points, start_point
from bot.handlers.admin.flow import Asked, Confirmable, rules_step, show
from bot.handlers.admin.typed import stop_tapped, take_tapped_answer
from bot.handlers.admin.unit_answers import add_crossing_point, answer
from bot.handlers.admin.unit_questions import (
    NAME_STEPS,
    PLACE_STEP,
    Question,
    open_question,
    show_question,
)
from bot.handlers.admin.unit_views import (
    PREFIX,
    UnitTap,
    button,
    card_view,
    list_view,
    unit_title,
)
from bot.handlers.common import edit_then_answer, stale_button
from bot.handlers.refusals import actor_id
from bot.i18n import Translator
from bot.organisation import Done, Outcome
from storage import UnitKind


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
        await show(update, context, await list_view(context, int(first), actor_id(update)))
    elif action == "new":
        await _choose_kind(query, context)
    elif action == "kind" and first in {kind.value for kind in UnitKind}:
        question: Question = {"flow": "add", "kind": first, "step": "code", "names": {}}
        await show_question(query, context, question, None)
    elif action == "stop":
        await stop_tapped(update, context)
    elif action == "cpr":
        await REMOVE_POINT.ask(update, context, first)
    elif action == "cpry":
        await REMOVE_POINT.confirmed(update, context, first)
    elif first.isdigit() and len(first) <= 12 and action in UNIT_ACTIONS:
        unit_id = int(first)
        view = await rules_step(
            update, context, lambda repos, actor: organisation.unit_view(repos, actor, unit_id)
        )
        if view is None:
            return
        await UNIT_ACTIONS[action](update, context, UnitTap(action, view.unit, second))
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


async def _open(update: Update, context: BotContext, tap: UnitTap) -> None:
    await show(update, context, await card_view(context, tap.unit.id, actor_id(update)))


async def _start_rename(update: Update, context: BotContext, tap: UnitTap) -> None:
    query = update.callback_query
    assert query is not None
    question: Question = {"flow": "rename", "unit": tap.unit.id, "step": NAME_STEPS[0], "names": {}}
    await show_question(query, context, question, tap.unit)


async def _keep_name(update: Update, context: BotContext, tap: UnitTap) -> None:
    """ "Keep" on a rename question: the current name is the answer."""
    step = tap.second
    question = open_question(context)
    if (
        question is None
        or question.get("flow") != "rename"
        or question.get("unit") != tap.unit.id
        or question.get("step") != step
        or step not in NAME_STEPS
    ):
        await stale_button(update, context)
        return
    await take_tapped_answer(update, context, question, tap.unit.name(step), answer)


async def _skip_place(update: Update, context: BotContext, tap: UnitTap) -> None:
    """ "Skip" on a crossing point's coordinates: the point is added without them."""
    question = open_question(context)
    if (
        question is None
        or question.get("flow") != "cp"
        or question.get("unit") != tap.unit.id
        or question.get("step") != PLACE_STEP
    ):
        await stale_button(update, context)
        return
    await take_tapped_answer(update, context, question, None, add_crossing_point)


async def _refresh_unit(
    update: Update, context: BotContext, tap: UnitTap, done: Done, notice: str
) -> None:
    await show(update, context, await card_view(context, tap.unit.id, actor_id(update)), notice)


def _switch_notice(tr: Translator, tap: UnitTap, done: Done, text: str) -> str:
    if done.outcome is not Outcome.DONE:
        return tr.gettext("Nothing to change: it is already so.")
    return text.format(unit=escape(unit_title(tap.unit, tr)))


def _title(tr: Translator, tap: UnitTap) -> str:
    return escape(unit_title(tap.unit, tr))


#: ``off`` asks, ``offy`` deactivates (the dispatcher read the unit through the rules).
DEACTIVATE: Confirmable[UnitTap, UnitTap, Done] = Confirmable(
    asked=lambda tr, tap, _found: Asked(
        tr.gettext(
            "Deactivate {unit}? Its officers will no longer be able to file reports. "
            "Its reports are kept."
        ).format(unit=_title(tr, tap)),
        tr.gettext("Yes, deactivate"),
        button("offy", tap.unit.id),
        button("card", tap.unit.id),
    ),
    change=lambda repos, actor, tap: organisation.switch_unit(
        repos, actor, tap.unit.id, active=False
    ),
    notice=lambda tr, tap, done: _switch_notice(
        tr, tap, done, "⏸ " + tr.gettext("{unit} is deactivated.")
    ),
    refresh=_refresh_unit,
)

#: ``on`` asks, ``ony`` reactivates.
REACTIVATE: Confirmable[UnitTap, UnitTap, Done] = Confirmable(
    asked=lambda tr, tap, _found: Asked(
        tr.gettext("Reactivate {unit}? Its officers will be able to file reports again.").format(
            unit=_title(tr, tap)
        ),
        tr.gettext("Yes, reactivate"),
        button("ony", tap.unit.id),
        button("card", tap.unit.id),
    ),
    change=lambda repos, actor, tap: organisation.switch_unit(
        repos, actor, tap.unit.id, active=True
    ),
    notice=lambda tr, tap, done: _switch_notice(
        tr, tap, done, "▶ " + tr.gettext("{unit} is active again.")
    ),
    refresh=_refresh_unit,
)


UnitAction = Callable[[Update, BotContext, UnitTap], Awaitable[None]]

#: What each button about a unit does (the dispatcher has read the unit through the rules).
UNIT_ACTIONS: dict[str, UnitAction] = {
    "card": _open,
    "ren": _start_rename,
    "keep": _keep_name,
    "off": DEACTIVATE.ask,
    "offy": DEACTIVATE.confirmed,
    "on": REACTIVATE.ask,
    "ony": REACTIVATE.confirmed,
    "cps": points,
    "cpa": start_point,
    "cpk": _skip_place,
}


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("units", units_command))
    application.add_handler(CallbackQueryHandler(units_tap, pattern=callbacks.pattern(PREFIX)))
