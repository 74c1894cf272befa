"""``/start <token>``: a newcomer opens an invitation link (admins make them with /invite, see
bot/handlers/admin/invite_new.py).

The gate lets exactly that through with ``context.account`` None: a valid invitation registers
them and is marked used in the same transaction; anything else — an unknown, used, revoked or
expired link, or one whose unit was deactivated since — registers nobody and is audited with the
reason, never with the token. The rules themselves live in bot/invitations.py and
bot/inviting.py.
"""

from __future__ import annotations

import logging
from datetime import datetime
from html import escape

from telegram import Update
from telegram import User as TelegramUser
from telegram.error import TelegramError
from telegram.ext import CommandHandler

from bot import access, invitations, inviting, role_texts
from bot.context import BotContext, FieldReportApplication
from bot.handlers.language import choose_language
from bot.handlers.start import set_chat_menu
from bot.i18n import resolve_language
from bot.invitations import Refusal
from bot.menus import role_name
from storage import Invite, Repositories, Role, Unit, User
from storage.clock import utc_now

log = logging.getLogger(__name__)


class _Taken(Exception):
    """Somebody else used the invitation between our read and our update: undo the registration."""


def _payload(update: Update, context: BotContext) -> str:
    message = update.effective_message
    parsed = access.command_in(message, context.bot.username)
    return parsed[1] if parsed else ""


def _signed_in_as(context: BotContext, name: str, role: Role, unit: Unit | None) -> str:
    unit_name = unit.name(context.tr.language) if unit is not None else None
    return role_texts.signed_in(context.tr, role, escape(name), unit_name)


async def start_with_invitation(update: Update, context: BotContext) -> None:
    """``/start <payload>``: register a stranger with a valid invitation, refuse anything else."""
    person = update.effective_user
    chat = update.effective_chat
    assert person is not None and chat is not None
    if context.account is not None:
        await _already_registered(update, context, context.account)
        return
    payload = _payload(update, context)
    now = utc_now()
    existing: User | None = None
    invite: Invite | None = None
    refusal: Refusal | None = None
    user: User | None = None
    unit: Unit | None = None
    creator: User | None = None
    try:
        async with context.db.transaction() as repos:
            # Registered since the gate looked (a repeated update): that account stays as it is.
            existing = await repos.users.get_by_telegram_id(person.id)
            if existing is None:
                if invitations.looks_like_token(payload):
                    invite = await repos.invites.get_by_token_hash(invitations.hash_token(payload))
                if invite is not None and invite.unit_id is not None:
                    unit = await repos.units.get(invite.unit_id)
                creator = await repos.users.get(invite.created_by) if invite else None
                refusal = inviting.acceptance_refusal(
                    payload, invite, unit, now
                ) or inviting.creator_refusal(invite, creator)
                if refusal is None and invite is not None:
                    user = await _register(repos, person, invite, unit, now)
                    creator = await inviting.creator_to_tell(repos, invite, user)
    except _Taken:
        refusal = Refusal.USED
    if existing is not None:
        await _already_registered(update, context, existing)
    elif refusal is not None or user is None:
        await _refuse(update, context, refusal or Refusal.UNKNOWN, invite)
    else:
        context.account = user
        await set_chat_menu(context, chat.id, user)
        greeting = _signed_in_as(context, person.full_name, user.role, unit)
        greeting += "\n\n" + context.tr.gettext(
            "Your invitation is accepted and your account is ready. "
            "Choose the language I should use with you; /language changes it any time."
        )
        await chat.send_message(greeting)
        await choose_language(update, context)
        if creator is not None:
            await _tell_creator(context, creator, user, unit)


async def _tell_creator(
    context: BotContext, creator: User, newcomer: User, unit: Unit | None
) -> None:
    """Tell the admin who made the invitation who used it; best effort: the registration is
    done whatever happens to this message."""
    tr = context.services.catalogs.translator(
        resolve_language(
            creator.language, creator.telegram_language, context.settings.default_language
        )
    )
    lines = [
        tr.gettext("Your invitation was used."),
        tr.gettext("Person: {person}").format(
            person=escape(
                tr.gettext("{name} (id {id})").format(
                    name=newcomer.display_name.strip() or "—", id=newcomer.telegram_id
                )
            )
        ),
        tr.gettext("Role: {role}").format(role=role_name(newcomer.role, tr)),
        tr.gettext("Unit: {unit}").format(
            unit=escape(unit.name(tr.language)) if unit else tr.gettext("No unit")
        ),
    ]
    try:
        await context.bot.send_message(creator.telegram_id, "\n".join(lines))
    except TelegramError as error:
        log.warning("could not tell admin %s that an invitation was used: %s", creator.id, error)


async def _register(
    repos: Repositories, person: TelegramUser, invite: Invite, unit: Unit | None, now: datetime
) -> User:
    """Create the account and mark the invitation used, both or neither (the caller's tx)."""
    created = await repos.users.create(
        telegram_id=person.id,
        role=invite.role,
        display_name=person.full_name,
        username=person.username,
        unit_id=invite.unit_id,
        now=now,
    )
    await repos.users.update_profile(
        person.id,
        display_name=person.full_name,
        username=person.username,
        telegram_language=person.language_code,
        now=now,
    )
    # The read above said "open"; this conditional update is what decides, even under a race.
    if not await repos.invites.claim(invite.id, used_by=created.id, now=now):
        raise _Taken
    await repos.audit.add(
        "invite.used",
        actor_telegram_id=person.id,
        target=str(invite.id),
        details={"role": invite.role.value, "unit": unit.code if unit else None},
    )
    return await repos.users.get(created.id) or created


async def _already_registered(update: Update, context: BotContext, account: User) -> None:
    """A registered person opened an invitation: keep their account, leave the invitation."""
    assert update.effective_chat is not None
    _ = context.tr.gettext
    async with context.db.read() as repos:
        unit = await repos.units.get(account.unit_id) if account.unit_id else None
    unit_name = unit.name(context.tr.language) if unit is not None else None
    text = role_texts.already_registered(context.tr, account.role, unit_name)
    await update.effective_chat.send_message(
        text + "\n\n" + _("Send /help to see what you can do.")
    )


async def _refuse(
    update: Update, context: BotContext, refusal: Refusal, invite: Invite | None
) -> None:
    """Say why nobody was registered, and audit it: the reason, never the token."""
    assert update.effective_chat is not None and update.effective_user is not None
    _ = context.tr.gettext
    if refusal is Refusal.EXPIRED:
        text = _(
            "This invitation has expired. Please ask your programme administrator for a new one."
        )
    elif refusal is Refusal.USED:
        text = _(
            "This invitation has already been used: each one works only once. "
            "Please ask your programme administrator for your own."
        )
    elif refusal is Refusal.UNIT_INACTIVE:
        text = _(
            "The unit this invitation was made for has been deactivated, so it cannot be "
            "used. Please ask your programme administrator for a new one."
        )
    elif refusal is Refusal.REVOKED:
        text = _(
            "This invitation was withdrawn by an administrator. "
            "Please ask your programme administrator for a new one."
        )
    else:
        text = _(
            "This invitation link is not valid. Check that you opened the whole link, "
            "or ask your programme administrator for a new one."
        )
    async with context.db.transaction() as repos:
        await repos.audit.add(
            "invite.refused",
            actor_telegram_id=update.effective_user.id,
            target=str(invite.id) if invite else None,
            details={"reason": refusal.value},
        )
    await update.effective_chat.send_message(text)


def register(application: FieldReportApplication) -> None:
    """Before start.py: ``/start <payload>`` is an invitation; a bare /start is theirs."""
    application.add_handler(CommandHandler("start", start_with_invitation, has_args=True))
