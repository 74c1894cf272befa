"""/invite: the admin chooses a role, then a unit, and gets the deep link; the invitation is
made through the rules layer (bot/inviting.py), once per /invite message.

Callback data (prefix ``inv``): ``role:<key>:<role>``, ``unit:<key>:<role>:<unit id|none>``;
``<key>`` ties the buttons of one /invite message to the one invitation they may make.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import callbacks, invitations, inviting
from bot.collation import units_in_order
from bot.context import BotContext
from bot.handlers.admin.flow import rules_step
from bot.handlers.common import edit_or_ignore_unchanged, edit_then_answer
from bot.i18n import Translator
from bot.invitations import TargetProblem
from bot.menus import role_name
from storage import Role, Unit
from storage.clock import utc_now

PREFIX = "inv"
NO_UNIT = "none"


async def invite_command(update: Update, context: BotContext) -> None:
    """Step 1: the role. The request key in the buttons makes the final tap count once."""
    assert update.effective_chat is not None
    key = invitations.new_request_key()
    await update.effective_chat.send_message(
        context.tr.gettext("Whom are you inviting? Choose their role:"),
        reply_markup=_role_keyboard(context, key),
    )


def _role_keyboard(context: BotContext, key: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    role_name(role, context.tr).capitalize(),
                    callback_data=callbacks.pack(PREFIX, "role", key, role.value),
                )
                for role in Role
            ]
        ]
    )


def unit_label(tr: Translator, unit: Unit | None) -> str:
    # Translators: a button and a value: the invited person will belong to no unit.
    return unit.name(tr.language) if unit else tr.pgettext("unit", "No unit")


def _unit_step(
    context: BotContext, key: str, role: Role, units: list[Unit]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The question for the unit and its buttons: the active units, and "No unit" if allowed."""
    _ = context.tr.gettext
    language = context.tr.language
    text = _("Role: {role}").format(role=role_name(role, context.tr))
    if not units and invitations.unit_required(role):
        return text + "\n\n" + _("There are no active units. Add one with /units first."), None
    buttons = [
        InlineKeyboardButton(
            unit.name(language), callback_data=callbacks.pack(PREFIX, "unit", key, role, unit.id)
        )
        for unit in units_in_order(units, language)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if not invitations.unit_required(role):
        rows.append(
            [
                InlineKeyboardButton(
                    unit_label(context.tr, None),
                    callback_data=callbacks.pack(PREFIX, "unit", key, role, NO_UNIT),
                )
            ]
        )
    return text + "\n" + _("Choose their unit:"), InlineKeyboardMarkup(rows)


async def role_chosen(update: Update, context: BotContext, key: str, role: Role) -> None:
    query = update.callback_query
    assert query is not None
    found = await rules_step(
        update, context, lambda repos, actor: inviting.choices(repos, actor, key)
    )
    if found is None:
        return
    made, units = found
    if made is not None:
        await query.answer(_already_made(context), show_alert=True)
        return
    text, markup = _unit_step(context, key, role, units)
    await edit_then_answer(query, text, markup)


def _already_made(context: BotContext) -> str:
    return context.tr.gettext(
        "This invitation is already created; its link is in this message. Nothing was changed."
    )


def row_id(text: str) -> int | None:
    """A database id from callback data; None for anything else (forged data can be huge)."""
    return int(text) if text.isdigit() and len(text) <= 12 else None


def parse_unit(text: str) -> int | bool | None:
    """The unit id, None for "no unit", or False when the data is not ours."""
    if text == NO_UNIT:
        return None
    unit_id = row_id(text)
    return False if unit_id is None else unit_id


async def unit_chosen(
    update: Update, context: BotContext, key: str, role: Role, unit_id: int | None
) -> None:
    """Step 2: make the invitation, unless these buttons already made one or the unit is gone."""
    query = update.callback_query
    assert query is not None
    _ = context.tr.gettext
    now = utc_now()
    token = invitations.new_token()
    expires_at = invitations.expiry(now, context.settings.invite_ttl)
    made = await rules_step(
        update,
        context,
        lambda repos, actor: inviting.create(
            repos,
            actor,
            key=key,
            role=role,
            unit_id=unit_id,
            token=token,
            expires_at=expires_at,
            now=now,
        ),
    )
    if made is None:
        return
    if made.already_made:
        await query.answer(_already_made(context), show_alert=True)
    elif made.problem is TargetProblem.UNIT_REQUIRED:
        await query.answer(_("An officer must belong to a unit. Choose one."), show_alert=True)
    elif made.problem is TargetProblem.UNIT_UNAVAILABLE:
        text, markup = _unit_step(context, key, role, made.units)
        await edit_or_ignore_unchanged(query, text, markup)  # the list as it is now
        await query.answer(
            _("That unit does not exist or is no longer active. Choose another one."),
            show_alert=True,
        )
    else:
        await edit_then_answer(query, _link_text(context, role, made.unit, expires_at, token))


def _link_text(
    context: BotContext, role: Role, unit: Unit | None, expires_at: datetime, token: str
) -> str:
    _ = context.tr.gettext
    link = invitations.deep_link(context.bot.username, token)
    return "\n".join(
        [
            "<b>" + _("Invitation created") + "</b>",
            _("Role: {role}").format(role=role_name(role, context.tr)),
            _("Unit: {unit}").format(unit=escape(unit_label(context.tr, unit))),
            _("Valid until: {moment}").format(
                moment=escape(context.tr.format_datetime(expires_at, "short"))
            ),
            "",
            _("It works only once. Send this link to the person you are inviting:"),
            escape(link),
        ]
    )
