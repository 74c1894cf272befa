"""Changing somebody's role from their card: choose the role (and, for an officer, the unit),
confirm, apply through the rules layer (bot/people.py), refresh the card, tell the person.

Two :class:`~bot.handlers.admin.flow.Confirmable` changes: :data:`ROLE` (``rc`` asks, ``ry``
applies; the unit stays) and :data:`OFFICER` (``ro`` asks, ``roy`` applies: an officer of the
chosen unit, asked when the new officer has no active unit).
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import people, role_texts
from bot.administration import Refusal
from bot.context import BotContext
from bot.handlers.admin.flow import Confirmable, RulesCall, rules_step
from bot.handlers.admin.person_card import (
    Decision,
    PersonTap,
    button,
    card_button,
    choose_unit,
    confirm,
    display_name,
    person_step,
    read_person,
    refresh_card,
    refuse_rule,
    tell,
    translator_for,
    unit_text,
    who,
)
from bot.handlers.admin.unit_questions import drop_question
from bot.handlers.common import edit_then_answer
from bot.i18n import Translator
from bot.menus import role_name
from storage import Role

#: Refusals that, when making somebody an officer, just mean "ask which unit".
_UNIT_TO_CHOOSE = frozenset({Refusal.OFFICER_NEEDS_UNIT, Refusal.UNIT_INACTIVE})


async def choose_role(update: Update, context: BotContext, tap: PersonTap) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    person = await read_person(update, context, tap.person_id)
    if person is None:
        return
    keyboard = [
        [
            InlineKeyboardButton(
                role_name(role, tr),
                callback_data=button("rc", person.id, role.value, view=tap.view),
            )
        ]
        for role in Role
        if role is not person.role
    ]
    keyboard.append(
        [
            InlineKeyboardButton(
                "◀ " + tr.gettext("Back"), callback_data=card_button(person, tap.view)
            )
        ]
    )
    text = role_texts.current_role(tr, person.role, who(person))
    await edit_then_answer(query, text, InlineKeyboardMarkup(keyboard))


def _new_role(tap: PersonTap) -> Role | None:
    """The role a tap asks for: its argument, or an officer when a unit was chosen."""
    if tap.action in ("ro", "roy"):
        return Role.OFFICER
    return Role(tap.arg) if tap.arg in {role.value for role in Role} else None


async def _role_or_unit_step(
    update: Update, context: BotContext, tap: PersonTap, act: RulesCall[Decision]
) -> Decision | None:
    """The check of a chosen role: a new officer without an active unit is asked for one."""
    query = update.callback_query
    assert query is not None
    found = await rules_step(update, context, act)
    if found is None:
        return None
    if found.refusal in _UNIT_TO_CHOOSE:
        await choose_unit(
            query,
            context,
            found.person,
            tap.view,
            "ro",
            context.tr.gettext(
                "An officer must belong to a unit. Which unit will {name} serve in?"
            ),
            allow_none=False,
        )
        return None
    if found.refusal is not None:
        await refuse_rule(query, context, found, tap.view)
        return None
    return found


def _chosen_role(tap: PersonTap) -> Role:
    """The role of a tap that :func:`_new_role` found valid."""
    role = _new_role(tap)
    assert role is not None
    return role


def _role_question(tr: Translator, tap: PersonTap, found: Decision) -> str:
    role = _chosen_role(tap)
    return tr.gettext("Change the role of {name} from {old} to {new}?").format(
        name=who(found.person),
        old=escape(role_name(found.person.role, tr)),
        new=escape(role_name(role, tr)),
    )


def _officer_question(tr: Translator, tap: PersonTap, found: Decision) -> str:
    assert found.unit is not None
    return tr.gettext("Make {name} an officer of {unit}?").format(
        name=who(found.person), unit=unit_text(found.unit, tr)
    )


async def _tell_role(context: BotContext, tap: PersonTap, decision: Decision) -> None:
    role = _chosen_role(tap)
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


def _role_notice(tr: Translator, tap: PersonTap, decision: Decision) -> str:
    name = escape(display_name(decision.person))
    return "✅ " + role_texts.role_changed(tr, _chosen_role(tap), name)


ROLE: Confirmable[PersonTap, Decision, Decision] = Confirmable(
    valid=lambda tap: _new_role(tap) is not None,
    check=lambda repos, actor, tap: people.decide(
        repos,
        actor,
        tap.person_id,
        "role",
        role=_chosen_role(tap),
        quiet=_UNIT_TO_CHOOSE | {Refusal.UNCHANGED},
    ),
    ask_step=_role_or_unit_step,
    asked=lambda tr, tap, found: confirm(
        _role_question(tr, tap, found),
        tr.gettext("Yes, change"),
        button("ry", tap.person_id, tap.arg, view=tap.view),
        tap,
    ),
    change=lambda repos, actor, tap: people.change_role(
        repos, actor, tap.person_id, _chosen_role(tap), unit_id=None, unit_chosen=False
    ),
    step=person_step,
    tell=_tell_role,
    notice=_role_notice,
    refresh=refresh_card,
)

OFFICER: Confirmable[PersonTap, Decision, Decision] = Confirmable(
    valid=lambda tap: tap.names_unit and tap.unit_id is not None,
    check=lambda repos, actor, tap: people.decide(
        repos,
        actor,
        tap.person_id,
        "role",
        role=Role.OFFICER,
        unit_id=tap.unit_id,
        unit_chosen=True,
    ),
    ask_step=person_step,
    asked=lambda tr, tap, found: confirm(
        _officer_question(tr, tap, found),
        tr.gettext("Yes, change"),
        button("roy", tap.person_id, str(tap.unit_id), view=tap.view),
        tap,
    ),
    change=lambda repos, actor, tap: people.change_role(
        repos, actor, tap.person_id, Role.OFFICER, unit_id=tap.unit_id, unit_chosen=True
    ),
    step=person_step,
    tell=_tell_role,
    notice=_role_notice,
    refresh=refresh_card,
)
