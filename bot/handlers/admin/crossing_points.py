"""A border liaison office's crossing points: list them, add one (a typed question), remove one
after a confirmation — each through the rules layer (bot/organisation.py)."""

from __future__ import annotations

from html import escape

from telegram import Update

from bot import administration, organisation
from bot.context import BotContext
from bot.handlers.admin.flow import rules_step, show, yes_no
from bot.handlers.admin.unit_questions import Question, show_question
from bot.handlers.admin.unit_views import button, points_view, unit_title
from bot.handlers.common import edit_then_answer, stale_button
from bot.handlers.refusals import actor_id
from bot.organisation import Outcome
from storage import Unit


async def points(update: Update, context: BotContext, action: str, unit: Unit, second: str) -> None:
    query = update.callback_query
    assert query is not None
    if not administration.may_have_crossing_points(unit):
        await stale_button(update, context)
        return
    await show(update, context, await points_view(context, unit.id, actor_id(update)))


async def start_point(
    update: Update, context: BotContext, action: str, unit: Unit, second: str
) -> None:
    query = update.callback_query
    assert query is not None
    if not administration.may_have_crossing_points(unit):
        await stale_button(update, context)
        return
    question: Question = {"flow": "cp", "unit": unit.id}
    await show_question(query, context, question, unit)


async def remove_point(update: Update, context: BotContext, action: str, point_id: str) -> None:
    """``cpr``: confirm removing a crossing point; ``cpry``: remove it (kept as inactive)."""
    query = update.callback_query
    assert query is not None
    _ = context.tr.gettext
    if not point_id.isdigit() or len(point_id) > 12:
        await stale_button(update, context)
        return
    done = await rules_step(
        update,
        context,
        lambda repos, actor: organisation.crossing_point(
            repos, actor, int(point_id), remove=action == "cpry"
        ),
    )
    if done is None:
        return
    point, unit = done.point, done.unit
    if point is None or unit is None:
        await stale_button(update, context)
        return
    name = escape(point.name)
    if action == "cpr":
        if done.outcome is not Outcome.DONE:
            await stale_button(update, context)
            return
        text = _(
            "Remove the crossing point {name} from {unit}? Reports that name it keep it."
        ).format(name=name, unit=escape(unit_title(unit, context.tr)))
        markup = yes_no(_("Yes, remove"), button("cpry", point.id), _("No"), button("cps", unit.id))
        await edit_then_answer(query, text, markup)
        return
    notice = (
        "✖ " + _("Crossing point {name} removed.").format(name=name)
        if done.outcome is Outcome.DONE
        else _("Nothing to change: it is already so.")
    )
    await show(update, context, await points_view(context, unit.id, actor_id(update)), notice)
