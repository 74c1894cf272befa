"""The taps on a person's card: open it, move them to another unit, block or unblock them (the
role is bot/handlers/admin/user_roles.py), and the dispatcher of every ``usr`` button.

Each change is a :class:`~bot.handlers.admin.flow.Confirmable` (:data:`MOVE`, :data:`BLOCK`,
:data:`UNBLOCK`): asked, confirmed, applied through the rules layer (bot/people.py), then the
card is refreshed and the person told."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks, people
from bot.context import BotContext, FieldReportApplication
from bot.handlers.admin import flow
from bot.handlers.admin.flow import Confirmable
from bot.handlers.admin.person_card import (
    PREFIX,
    Decision,
    PersonTap,
    View,
    button,
    choose_unit,
    confirm,
    display_name,
    person_step,
    read_person,
    refresh_card,
    show_card,
    tell,
    translator_for,
    unit_text,
    who,
)
from bot.handlers.admin.unit_questions import drop_question
from bot.handlers.admin.user_roles import OFFICER, ROLE, choose_role
from bot.handlers.admin.users_list import list_view, unit_filter_view, user_command, users_command
from bot.handlers.common import stale_button
from bot.handlers.refusals import actor_id
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
        view_of = list_view if action == "ls" else unit_filter_view
        await flow.show(update, context, await view_of(context, view, actor_id(update)))
        return
    handler = PERSON_ACTIONS.get(action)
    if handler is None or not target.isdigit() or len(target) > 12:
        await stale_button(update, context)
        return
    await handler(update, context, PersonTap(action, int(target), arg, view))


async def _open(update: Update, context: BotContext, tap: PersonTap) -> None:
    query = update.callback_query
    assert query is not None
    person = await read_person(update, context, tap.person_id)
    if person is not None:
        await show_card(query, context, person, tap.view)


async def _choose_move(update: Update, context: BotContext, tap: PersonTap) -> None:
    query = update.callback_query
    assert query is not None
    person = await read_person(update, context, tap.person_id)
    if person is None:
        return
    await choose_unit(
        query,
        context,
        person,
        tap.view,
        "mc",
        context.tr.gettext("Move {name} to which unit?"),
        allow_none=person.role is not Role.OFFICER and person.unit_id is not None,
    )


async def _tell_moved(context: BotContext, tap: PersonTap, decision: Decision) -> None:
    person = decision.person
    if person.telegram_id == decision.actor.telegram_id or not person.is_active:
        return
    their = translator_for(context, person)
    if decision.unit is not None:
        message = their.gettext("An administrator moved you to {unit}.").format(
            unit=escape(decision.unit.name(their.language))
        )
    else:
        message = their.gettext("An administrator detached you from your unit.")
    await tell(context, person, message, menu_role=person.role)


MOVE: Confirmable[PersonTap, Decision, Decision] = Confirmable(
    valid=lambda tap: tap.names_unit,
    check=lambda repos, actor, tap: people.decide(
        repos, actor, tap.person_id, "move", unit_id=tap.unit_id, unit_chosen=True
    ),
    ask_step=person_step,
    asked=lambda tr, tap, found: confirm(
        tr.gettext("Move {name} from {old} to {new}?").format(
            name=who(found.person),
            old=unit_text(found.old_unit, tr),
            new=unit_text(found.unit, tr),
        ),
        tr.gettext("Yes, move"),
        button("my", tap.person_id, tap.arg, view=tap.view),
        tap,
    ),
    change=lambda repos, actor, tap: people.move(repos, actor, tap.person_id, tap.unit_id),
    step=person_step,
    tell=_tell_moved,
    notice=lambda tr, tap, done: (
        "✅ "
        + tr.gettext("{name} now belongs to: {unit}.").format(
            name=escape(display_name(done.person)), unit=unit_text(done.unit, tr)
        )
    ),
    refresh=refresh_card,
)


async def _tell_blocked(context: BotContext, tap: PersonTap, decision: Decision) -> None:
    drop_question(context.application, decision.person.telegram_id)
    # Nothing is said to a blocked person (the phone may be in the wrong hands); their menu
    # shrinks to the public one, and the gate refuses their next update.
    await tell(context, decision.person, None, menu_role=None)


async def _tell_unblocked(context: BotContext, tap: PersonTap, decision: Decision) -> None:
    their = translator_for(context, decision.person)
    await tell(
        context,
        decision.person,
        their.gettext("Your access to the bot has been restored.")
        + "\n"
        + their.gettext("Send /help to see what you can do."),
        menu_role=decision.person.role,
    )


BLOCK: Confirmable[PersonTap, Decision, Decision] = Confirmable(
    check=lambda repos, actor, tap: people.decide(repos, actor, tap.person_id, "block"),
    ask_step=person_step,
    asked=lambda tr, tap, found: confirm(
        tr.gettext(
            "Block {name}? From their next message on, the bot will refuse them everything."
        ).format(name=who(found.person)),
        tr.gettext("Yes, block"),
        button("bly", tap.person_id, view=tap.view),
        tap,
    ),
    change=lambda repos, actor, tap: people.set_blocked(repos, actor, tap.person_id, blocked=True),
    step=person_step,
    tell=_tell_blocked,
    notice=lambda tr, tap, done: (
        "⛔ " + tr.gettext("{name} is blocked.").format(name=escape(display_name(done.person)))
    ),
    refresh=refresh_card,
)

UNBLOCK: Confirmable[PersonTap, Decision, Decision] = Confirmable(
    check=lambda repos, actor, tap: people.decide(repos, actor, tap.person_id, "unblock"),
    ask_step=person_step,
    asked=lambda tr, tap, found: confirm(
        tr.gettext("Unblock {name}? They will be able to use the bot again.").format(
            name=who(found.person)
        ),
        tr.gettext("Yes, unblock"),
        button("uby", tap.person_id, view=tap.view),
        tap,
    ),
    change=lambda repos, actor, tap: people.set_blocked(repos, actor, tap.person_id, blocked=False),
    step=person_step,
    tell=_tell_unblocked,
    notice=lambda tr, tap, done: (
        "✅ " + tr.gettext("{name} is unblocked.").format(name=escape(display_name(done.person)))
    ),
    refresh=refresh_card,
)


PersonAction = Callable[[Update, BotContext, PersonTap], Awaitable[None]]

#: What each button of a card does: show something, or ask / apply a change.
PERSON_ACTIONS: dict[str, PersonAction] = {
    "card": _open,
    "role": choose_role,
    "rc": ROLE.ask,
    "ry": ROLE.confirmed,
    "ro": OFFICER.ask,
    "roy": OFFICER.confirmed,
    "mv": _choose_move,
    "mc": MOVE.ask,
    "my": MOVE.confirmed,
    "bl": BLOCK.ask,
    "bly": BLOCK.confirmed,
    "ub": UNBLOCK.ask,
    "uby": UNBLOCK.confirmed,
}


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("users", users_command))
    application.add_handler(CommandHandler("user", user_command))
    application.add_handler(CallbackQueryHandler(users_tap, pattern=callbacks.pattern(PREFIX)))
