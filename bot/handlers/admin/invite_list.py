"""/invites: the open invitations, each with a revoke button that asks before it revokes
(:data:`REVOKE`); and the dispatcher of every ``inv`` button (``rv:<id>`` asks, ``rvy:<id>``
revokes, ``list``; making one is bot/handlers/admin/invite_new.py)."""

from __future__ import annotations

from datetime import datetime
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks, invitations, inviting
from bot.authority import Refused
from bot.context import BotContext, FieldReportApplication
from bot.handlers.admin import flow
from bot.handlers.admin.flow import Asked, Confirmable, RulesCall, rules_step
from bot.handlers.admin.invite_new import (
    PREFIX,
    invite_command,
    parse_unit,
    role_chosen,
    row_id,
    unit_chosen,
    unit_label,
)
from bot.handlers.common import edit_or_ignore_unchanged, stale_button
from bot.handlers.refusals import actor_id, tell_refused
from bot.i18n import Translator
from bot.invitations import InviteStatus
from bot.inviting import Revocation
from bot.menus import role_name
from storage import User
from storage.clock import utc_now

#: At most this many invitations in the /invites message (one revoke button each), and creators'
#: names cut to this length: together they keep the list well under Telegram's 4096 characters.
LIST_LIMIT = 15
NAME_CHARS = 40
_ARITY = {"role": 2, "unit": 3, "rv": 1, "rvy": 1, "list": 0}


async def invites_command(update: Update, context: BotContext) -> None:
    """The open invitations, each with a revoke button (which asks before it revokes)."""
    await flow.send(update, context, await open_list_view(context, actor_id(update), utc_now()))


def _person(user: User | None) -> str:
    """Who made an invitation, as admins recognise them; never longer than NAME_CHARS."""
    if user is None:
        return "?"
    name = user.display_name or (f"@{user.username}" if user.username else str(user.telegram_id))
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


async def open_list_view(
    context: BotContext, actor: int | None, now: datetime
) -> tuple[str, InlineKeyboardMarkup | None] | Refused:
    _ = context.tr.gettext
    async with context.db.transaction() as repos:
        found = await inviting.open_list(repos, actor, now=now, limit=LIST_LIMIT)
    if isinstance(found, Refused):
        return found
    total, invites, units, creators = found.total, found.invites, found.units, found.creators
    if total == 0:
        return _("There are no open invitations. Send /invite to create one."), None
    lines = [
        context.tr.ngettext("{count} open invitation:", "{count} open invitations:", total).format(
            count=total
        )
    ]
    buttons = []
    for number, invite in enumerate(invites, start=1):
        unit = units.get(invite.unit_id) if invite.unit_id is not None else None
        role = role_name(invite.role, context.tr)
        unit_name = escape(unit_label(context.tr, unit))
        lines += [
            "",
            f"<b>{number}.</b> {role} · {unit_name}",
            _("Created by {name}; valid until {moment}").format(
                name=escape(_person(creators.get(invite.created_by))),
                moment=escape(context.tr.format_datetime(invite.expires_at, "short")),
            ),
        ]
        buttons.append(
            InlineKeyboardButton(
                # Translators: a button; {number} is the invitation's place in the list above.
                "✖ " + _("Revoke {number}").format(number=number),
                callback_data=callbacks.pack(PREFIX, "rv", invite.id),
            )
        )
    if total > len(invites):
        lines += [
            "",
            context.tr.ngettext(
                "Only the {shown} that expires first is shown.",
                "Only the {shown} that expire first are shown.",
                len(invites),
            ).format(shown=len(invites)),
        ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _not_open(context: BotContext, status: InviteStatus) -> str:
    _ = context.tr.gettext
    if status is InviteStatus.USED:
        return _("This invitation has already been used. Nothing was changed.")
    if status is InviteStatus.REVOKED:
        return _("This invitation has already been revoked. Nothing was changed.")
    return _("This invitation has already expired. Nothing was changed.")


async def _refresh_with_alert(update: Update, context: BotContext, alert: str) -> None:
    """Show the list as it is now, then say why nothing happened."""
    query = update.callback_query
    assert query is not None
    shown = await open_list_view(context, actor_id(update), utc_now())
    if isinstance(shown, Refused):
        await tell_refused(update, context, shown)
        return
    await edit_or_ignore_unchanged(query, *shown)
    await query.answer(alert, show_alert=True)


async def _closed(
    update: Update, context: BotContext, found: Revocation, *, is_open: bool
) -> Revocation | None:
    """An invitation gone or no longer open: the list as it is now, and why nothing happened."""
    _ = context.tr.gettext
    if found.invite is None:
        await _refresh_with_alert(update, context, _("This invitation does not exist."))
        return None
    if not is_open:
        assert found.status is not None
        await _refresh_with_alert(update, context, _not_open(context, found.status))
        return None
    return found


async def _looked(
    update: Update, context: BotContext, invite_id: int, act: RulesCall[Revocation]
) -> Revocation | None:
    found = await rules_step(update, context, act)
    if found is None:
        return None
    return await _closed(update, context, found, is_open=found.status is InviteStatus.OPEN)


async def _revoked(
    update: Update, context: BotContext, invite_id: int, act: RulesCall[Revocation]
) -> Revocation | None:
    found = await rules_step(update, context, act)
    if found is None:
        return None
    return await _closed(update, context, found, is_open=found.revoked)


def _question(tr: Translator, found: Revocation) -> Asked:
    invite = found.invite
    assert invite is not None
    # Translators: {role} is e.g. "officer", {unit} a unit's name or "No unit".
    text = tr.gettext("Revoke the invitation for {role} · {unit}, valid until {moment}?").format(
        role=role_name(invite.role, tr),
        unit=escape(unit_label(tr, found.unit)),
        moment=escape(tr.format_datetime(invite.expires_at, "short")),
    )
    return Asked(
        text,
        tr.gettext("Yes, revoke"),
        callbacks.pack(PREFIX, "rvy", invite.id),
        callbacks.pack(PREFIX, "list"),
    )


def _notice(tr: Translator, found: Revocation) -> str:
    assert found.invite is not None
    return tr.gettext("The invitation for {role} · {unit} is revoked.").format(
        role=role_name(found.invite.role, tr), unit=escape(unit_label(tr, found.unit))
    )


async def _refresh_list(
    update: Update, context: BotContext, invite_id: int, found: Revocation, notice: str
) -> None:
    shown = await open_list_view(context, actor_id(update), utc_now())
    await flow.show(update, context, shown, notice)


#: ``rv:<id>`` asks, ``rvy:<id>`` revokes; an invitation used, expired or revoked meanwhile
#: shows the list as it is now.
REVOKE: Confirmable[int, Revocation, Revocation] = Confirmable(
    check=lambda repos, actor, invite_id: inviting.look(repos, actor, invite_id, now=utc_now()),
    ask_step=_looked,
    asked=lambda tr, invite_id, found: _question(tr, found),
    change=lambda repos, actor, invite_id: inviting.revoke(repos, actor, invite_id, now=utc_now()),
    step=_revoked,
    notice=lambda tr, invite_id, found: _notice(tr, found),
    refresh=_refresh_list,
)


def _parse(data: str | None) -> tuple[str, tuple[str, ...]] | None:
    """(action, its parts) for callback data this module made; None for anything else."""
    for action, arity in _ARITY.items():
        try:
            parts = callbacks.unpack(data, PREFIX, arity + 1)
        except callbacks.CallbackDataError:
            continue
        if parts[0] == action:
            return action, parts[1:]
    return None


async def invite_tap(update: Update, context: BotContext) -> None:
    """Every ``inv`` button; each path answers the query exactly once, after editing."""
    query = update.callback_query
    assert query is not None
    parsed = _parse(query.data)
    if parsed is None:
        await stale_button(update, context)
        return
    action, parts = parsed
    if action in ("role", "unit"):
        role = invitations.parse_role(parts[1])
        unit_id = parse_unit(parts[2]) if action == "unit" else None
        if role is None or unit_id is False:
            await stale_button(update, context)
        elif action == "role":
            await role_chosen(update, context, parts[0], role)
        else:
            assert not isinstance(unit_id, bool)
            await unit_chosen(update, context, parts[0], role, unit_id)
    elif action == "list":
        await flow.show(update, context, await open_list_view(context, actor_id(update), utc_now()))
    elif (invite_id := row_id(parts[0])) is None:
        await stale_button(update, context)
    elif action == "rv":
        await REVOKE.ask(update, context, invite_id)
    else:
        await REVOKE.confirmed(update, context, invite_id)


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("invite", invite_command))
    application.add_handler(CommandHandler("invites", invites_command))
    application.add_handler(CallbackQueryHandler(invite_tap, pattern=callbacks.pattern(PREFIX)))
