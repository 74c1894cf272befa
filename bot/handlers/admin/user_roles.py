"""Changing somebody's role from their card: choose the role (and, for an officer, the unit),
confirm, apply through the rules layer (bot/people.py), refresh the card, tell the person."""

from __future__ import annotations

from html import escape

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)

from bot import people, role_texts
from bot.administration import Refusal
from bot.context import BotContext
from bot.handlers.admin.flow import rules_step
from bot.handlers.admin.person_card import (
    View,
    button,
    card_button,
    choose_unit,
    confirm_keyboard,
    display_name,
    person_step,
    read_person,
    refuse_rule,
    show_card,
    tell,
    translator_for,
    unit_arg,
    unit_text,
    who,
)
from bot.handlers.admin.unit_questions import drop_question
from bot.handlers.common import edit_then_answer, stale_button
from bot.menus import role_name
from storage import Role

#: Refusals that, when making somebody an officer, just mean "ask which unit".
_UNIT_TO_CHOOSE = frozenset({Refusal.OFFICER_NEEDS_UNIT, Refusal.UNIT_INACTIVE})


async def choose_role(
    update: Update, context: BotContext, action: str, person_id: int, arg: str, view: View
) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    person = await read_person(update, context, person_id)
    if person is None:
        return
    keyboard = [
        [
            InlineKeyboardButton(
                role_name(role, tr), callback_data=button("rc", person.id, role.value, view=view)
            )
        ]
        for role in Role
        if role is not person.role
    ]
    keyboard.append(
        [InlineKeyboardButton("◀ " + tr.gettext("Back"), callback_data=card_button(person, view))]
    )
    text = role_texts.current_role(tr, person.role, who(person))
    await edit_then_answer(query, text, InlineKeyboardMarkup(keyboard))


def _role_of(arg: str) -> Role | None:
    return Role(arg) if arg in {role.value for role in Role} else None


async def role_chosen(
    update: Update, context: BotContext, action: str, person_id: int, arg: str, view: View
) -> None:
    """A role was chosen: confirm it, or first ask for a unit (an officer needs an active one)."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    role = _role_of(arg)
    if role is None:
        await stale_button(update, context)
        return
    found = await rules_step(
        update,
        context,
        lambda repos, actor: people.decide(
            repos, actor, person_id, "role", role=role, quiet=_UNIT_TO_CHOOSE | {Refusal.UNCHANGED}
        ),
    )
    if found is None:
        return
    if found.refusal in _UNIT_TO_CHOOSE:
        await choose_unit(
            query,
            context,
            found.person,
            view,
            "ro",
            tr.gettext("An officer must belong to a unit. Which unit will {name} serve in?"),
            allow_none=False,
        )
        return
    if found.refusal is not None:
        await refuse_rule(query, context, found, view)
        return
    person = found.person
    text = tr.gettext("Change the role of {name} from {old} to {new}?").format(
        name=who(person),
        old=escape(role_name(person.role, tr)),
        new=escape(role_name(role, tr)),
    )
    await edit_then_answer(
        query,
        text,
        confirm_keyboard(
            tr,
            tr.gettext("Yes, change"),
            button("ry", person.id, role.value, view=view),
            person,
            view,
        ),
    )


async def officer_unit_chosen(
    update: Update, context: BotContext, action: str, person_id: int, arg: str, view: View
) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    valid, unit_id = unit_arg(arg)
    if not valid or unit_id is None:
        await stale_button(update, context)
        return
    decision = await person_step(
        update,
        context,
        view,
        lambda repos, actor: people.decide(
            repos, actor, person_id, "role", role=Role.OFFICER, unit_id=unit_id, unit_chosen=True
        ),
    )
    if decision is None:
        return
    assert decision.unit is not None
    text = tr.gettext("Make {name} an officer of {unit}?").format(
        name=who(decision.person), unit=unit_text(decision.unit, tr)
    )
    await edit_then_answer(
        query,
        text,
        confirm_keyboard(
            tr,
            tr.gettext("Yes, change"),
            button("roy", person_id, unit_id, view=view),
            decision.person,
            view,
        ),
    )


async def change_role(
    update: Update, context: BotContext, action: str, person_id: int, arg: str, view: View
) -> None:
    """``ry``: the confirmed role (the unit stays); ``roy``: officer of the chosen unit."""
    query = update.callback_query
    assert query is not None
    officer_with_unit = action == "roy"
    if officer_with_unit:
        valid, unit_id = unit_arg(arg)
        role: Role | None = Role.OFFICER if valid and unit_id is not None else None
    else:
        role, unit_id = _role_of(arg), None
    if role is None:
        await stale_button(update, context)
        return
    decision = await person_step(
        update,
        context,
        view,
        lambda repos, actor: people.change_role(
            repos, actor, person_id, role, unit_id=unit_id, unit_chosen=officer_with_unit
        ),
    )
    if decision is None:
        return
    person = decision.person
    drop_question(context.application, person.telegram_id)
    their = translator_for(context, person)
    message = role_texts.your_role_changed(their, role)
    if decision.unit is not None and decision.unit.id != person.unit_id:
        message += "\n" + their.gettext("Your unit: {unit}.").format(
            unit=escape(decision.unit.name(their.language))
        )
    message += "\n" + their.gettext("Send /help to see what you can do.")
    await tell(
        context,
        person,
        None if person.telegram_id == decision.actor.telegram_id else message,
        menu_role=role if person.is_active else None,
    )
    tr = context.tr
    notice = "✅ " + role_texts.role_changed(tr, role, escape(display_name(person)))
    await show_card(query, context, person, view, notice=notice)
