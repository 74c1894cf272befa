"""A border liaison office's crossing points: list them, add one (a typed question), remove one
after a confirmation (:data:`REMOVE_POINT`) — each through the rules layer
(bot/organisation.py)."""

from __future__ import annotations

from html import escape

from telegram import Update

from bot import administration, organisation
from bot.context import BotContext
from bot.handlers.admin.flow import Asked, Confirmable, RulesCall, rules_step, show
from bot.handlers.admin.unit_questions import Question, show_question
from bot.handlers.admin.unit_views import UnitTap, button, points_view, unit_title
from bot.handlers.common import stale_button
from bot.handlers.refusals import actor_id
from bot.i18n import Translator
from bot.organisation import Done, Outcome


async def points(update: Update, context: BotContext, tap: UnitTap) -> None:
    if not administration.may_have_crossing_points(tap.unit):
        await stale_button(update, context)
        return
    await show(update, context, await points_view(context, tap.unit.id, actor_id(update)))


async def start_point(update: Update, context: BotContext, tap: UnitTap) -> None:
    query = update.callback_query
    assert query is not None
    if not administration.may_have_crossing_points(tap.unit):
        await stale_button(update, context)
        return
    question: Question = {"flow": "cp", "unit": tap.unit.id}
    await show_question(query, context, question, tap.unit)


async def _point_step(
    update: Update, context: BotContext, point_id: str, act: RulesCall[Done]
) -> Done | None:
    """:func:`~bot.handlers.admin.flow.rules_step`; a point or unit gone is a stale tap."""
    done = await rules_step(update, context, act)
    if done is not None and (done.point is None or done.unit is None):
        await stale_button(update, context)
        return None
    return done


def _removal_question(tr: Translator, done: Done) -> Asked | None:
    """Asked only about a point still there (a repeated tap on a removed one is stale)."""
    point, unit = done.point, done.unit
    if done.outcome is not Outcome.DONE or point is None or unit is None:
        return None
    text = tr.gettext(
        "Remove the crossing point {name} from {unit}? Reports that name it keep it."
    ).format(name=escape(point.name), unit=escape(unit_title(unit, tr)))
    return Asked(text, tr.gettext("Yes, remove"), button("cpry", point.id), button("cps", unit.id))


def _removal_notice(tr: Translator, point_id: str, done: Done) -> str:
    if done.outcome is not Outcome.DONE or done.point is None:
        return tr.gettext("Nothing to change: it is already so.")
    return "✖ " + tr.gettext("Crossing point {name} removed.").format(name=escape(done.point.name))


async def _refresh_points(
    update: Update, context: BotContext, point_id: str, done: Done, notice: str
) -> None:
    assert done.unit is not None
    await show(update, context, await points_view(context, done.unit.id, actor_id(update)), notice)


#: ``cpr:<point id>`` asks, ``cpry:<point id>`` removes (the point is kept as inactive).
REMOVE_POINT: Confirmable[str, Done, Done] = Confirmable(
    valid=lambda point_id: point_id.isdigit() and len(point_id) <= 12,
    check=lambda repos, actor, point_id: organisation.crossing_point(
        repos, actor, int(point_id), remove=False
    ),
    ask_step=_point_step,
    asked=lambda tr, point_id, done: _removal_question(tr, done),
    change=lambda repos, actor, point_id: organisation.crossing_point(
        repos, actor, int(point_id), remove=True
    ),
    step=_point_step,
    notice=lambda tr, point_id, done: _removal_notice(tr, point_id, done),
    refresh=_refresh_points,
)
