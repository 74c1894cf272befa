"""The taps on a person's card: open it, move them to another unit, block or unblock them (the
role is bot/handlers/admin/user_roles.py). Each change is asked, confirmed, applied through the
rules layer (bot/people.py), then the card is refreshed and the person told."""

from __future__ import annotations

from html import escape

from telegram import (
    Update,
)
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks, people
from bot.authority import Refused
from bot.context import BotContext, FieldReportApplication
from bot.handlers.admin.person_card import (
    PREFIX,
    View,
    button,
    choose_unit,
    confirm_keyboard,
    display_name,
    person_step,
    read_person,
    show_card,
    tell,
    translator_for,
    unit_arg,
    unit_text,
    who,
)
from bot.handlers.admin.unit_questions import drop_question
from bot.handlers.admin.user_roles import change_role, choose_role, officer_unit_chosen, role_chosen
from bot.handlers.admin.users_list import list_view, unit_filter_view, user_command, users_command
from bot.handlers.common import edit_then_answer, stale_button
from bot.handlers.refusals import actor_id, tell_refused
from storage import Role


async def users_tap(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    try:
        action, target, arg, view_token = callbacks.unpack(query.data, PREFIX, 4)
        view = View.parse(view_token)
    except callbacks.CallbackDataError:
        await stale_button(update, context)
        return
    if action in ("ls", "fu"):
        shown = await (list_view if action == "ls" else unit_filter_view)(
            context, view, actor_id(update)
        )
        if isinstance(shown, Refused):
            await tell_refused(update, context, shown)
            return
        await edit_then_answer(query, *shown)
        return
    handler = PERSON_ACTIONS.get(action)
    if handler is None or not target.isdigit() or len(target) > 12:
        await stale_button(update, context)
        return
    await handler(update, context, action, int(target), arg, view)


async def _open(
    update: Update, context: BotContext, action: str, person_id: int, arg: str, view: View
) -> None:
    query = update.callback_query
    assert query is not None
    person = await read_person(update, context, person_id)
    if person is not None:
        await show_card(query, context, person, view)


async def _choose_move(
    update: Update, context: BotContext, action: str, person_id: int, arg: str, view: View
) -> None:
    query = update.callback_query
    assert query is not None
    person = await read_person(update, context, person_id)
    if person is None:
        return
    await choose_unit(
        query,
        context,
        person,
        view,
        "mc",
        context.tr.gettext("Move {name} to which unit?"),
        allow_none=person.role is not Role.OFFICER and person.unit_id is not None,
    )


async def _move_chosen(
    update: Update, context: BotContext, action: str, person_id: int, arg: str, view: View
) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    valid, unit_id = unit_arg(arg)
    if not valid:
        await stale_button(update, context)
        return
    decision = await person_step(
        update,
        context,
        view,
        lambda repos, actor: people.decide(
            repos, actor, person_id, "move", unit_id=unit_id, unit_chosen=True
        ),
    )
    if decision is None:
        return
    text = tr.gettext("Move {name} from {old} to {new}?").format(
        name=who(decision.person),
        old=unit_text(decision.old_unit, tr),
        new=unit_text(decision.unit, tr),
    )
    await edit_then_answer(
        query,
        text,
        confirm_keyboard(
            tr,
            tr.gettext("Yes, move"),
            button("my", person_id, arg, view=view),
            decision.person,
            view,
        ),
    )


async def _move(
    update: Update, context: BotContext, action: str, person_id: int, arg: str, view: View
) -> None:
    query = update.callback_query
    assert query is not None
    valid, unit_id = unit_arg(arg)
    if not valid:
        await stale_button(update, context)
        return
    decision = await person_step(
        update,
        context,
        view,
        lambda repos, actor: people.move(repos, actor, person_id, unit_id),
    )
    if decision is None:
        return
    person = decision.person
    if person.telegram_id != decision.actor.telegram_id and person.is_active:
        their = translator_for(context, person)
        if decision.unit is not None:
            message = their.gettext("An administrator moved you to {unit}.").format(
                unit=escape(decision.unit.name(their.language))
            )
        else:
            message = their.gettext("An administrator detached you from your unit.")
        await tell(context, person, message, menu_role=person.role)
    tr = context.tr
    notice = "✅ " + tr.gettext("{name} now belongs to: {unit}.").format(
        name=escape(display_name(person)), unit=unit_text(decision.unit, tr)
    )
    await show_card(query, context, person, view, notice=notice)


async def _ask_block(
    update: Update, context: BotContext, action: str, person_id: int, arg: str, view: View
) -> None:
    """``bl``/``ub``: refused at once when the rules say no, else asked to confirm."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    blocking = action == "bl"
    decision = await person_step(
        update,
        context,
        view,
        lambda repos, actor: people.decide(
            repos, actor, person_id, "block" if blocking else "unblock"
        ),
    )
    if decision is None:
        return
    name = who(decision.person)
    if blocking:
        text = tr.gettext(
            "Block {name}? From their next message on, the bot will refuse them everything."
        ).format(name=name)
        markup = confirm_keyboard(
            tr, tr.gettext("Yes, block"), button("bly", person_id, view=view), decision.person, view
        )
    else:
        text = tr.gettext("Unblock {name}? They will be able to use the bot again.").format(
            name=name
        )
        markup = confirm_keyboard(
            tr,
            tr.gettext("Yes, unblock"),
            button("uby", person_id, view=view),
            decision.person,
            view,
        )
    await edit_then_answer(query, text, markup)


async def _set_blocked(
    update: Update, context: BotContext, action: str, person_id: int, arg: str, view: View
) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    blocking = action == "bly"
    decision = await person_step(
        update,
        context,
        view,
        lambda repos, actor: people.set_blocked(repos, actor, person_id, blocked=blocking),
    )
    if decision is None:
        return
    person = decision.person
    name = escape(display_name(person))
    if blocking:
        drop_question(context.application, person.telegram_id)
        # Nothing is said to a blocked person (the phone may be in the wrong hands); their menu
        # shrinks to the public one, and the gate refuses their next update.
        await tell(context, person, None, menu_role=None)
        notice = "⛔ " + tr.gettext("{name} is blocked.").format(name=name)
    else:
        their = translator_for(context, person)
        await tell(
            context,
            person,
            their.gettext("Your access to the bot has been restored.")
            + "\n"
            + their.gettext("Send /help to see what you can do."),
            menu_role=person.role,
        )
        notice = "✅ " + tr.gettext("{name} is unblocked.").format(name=name)
    await show_card(query, context, person, view, notice=notice)


PERSON_ACTIONS = {
    "card": _open,
    "role": choose_role,
    "rc": role_chosen,
    "ro": officer_unit_chosen,
    "ry": change_role,
    "roy": change_role,
    "mv": _choose_move,
    "mc": _move_chosen,
    "my": _move,
    "bl": _ask_block,
    "ub": _ask_block,
    "bly": _set_blocked,
    "uby": _set_blocked,
}


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("users", users_command))
    application.add_handler(CommandHandler("user", user_command))
    application.add_handler(CallbackQueryHandler(users_tap, pattern=callbacks.pattern(PREFIX)))
