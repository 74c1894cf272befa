"""/invite, /invites and ``/start <token>``: admins invite people by deep link, newcomers use it.

/invite asks for a role, then a unit, then shows the link; /invites lists the open invitations
with a revoke button each. A stranger who opens a link arrives here as ``/start <token>`` (the
gate lets exactly that through with ``context.account`` None): a valid invitation registers
them and is marked used in the same transaction; anything else registers nobody and is audited
with the reason, never with the token. The rules themselves live in bot/invitations.py.

Callback data (bot/callbacks.py, prefix ``inv``):
  ``role:<key>:<role>``, ``unit:<key>:<role>:<unit id|none>`` — creating; ``<key>`` ties the
  buttons of one /invite message to the one invitation they may make;
  ``rv:<id>`` (asks), ``rvy:<id>`` (revokes), ``list`` — managing.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram import User as TelegramUser
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import access, callbacks, invitations
from bot.context import BotContext, FieldReportApplication
from bot.handlers.common import edit_or_ignore_unchanged, edit_then_answer, stale_button
from bot.handlers.language import choose_language
from bot.handlers.start import set_chat_menu
from bot.invitations import InviteStatus, Refusal, TargetProblem
from bot.menus import role_name
from storage import Invite, Repositories, Role, Unit, User
from storage.clock import to_db, utc_now

PREFIX = "inv"
NO_UNIT = "none"
#: At most this many invitations in the /invites message (one revoke button each), and creators'
#: names cut to this length: together they keep the list well under Telegram's 4096 characters.
LIST_LIMIT = 15
NAME_CHARS = 40
_ARITY = {"role": 2, "unit": 3, "rv": 1, "rvy": 1, "list": 0}


class _Taken(Exception):
    """Somebody else used the invitation between our read and our update: undo the registration."""


# --- /invite: role, unit, link ---------------------------------------------------------------


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


def _unit_label(context: BotContext, unit: Unit | None) -> str:
    # Translators: a button and a value: the invited person will belong to no unit.
    return unit.name(context.tr.language) if unit else context.tr.pgettext("unit", "No unit")


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
        for unit in sorted(units, key=lambda unit: unit.name(language))
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if not invitations.unit_required(role):
        rows.append(
            [
                InlineKeyboardButton(
                    _unit_label(context, None),
                    callback_data=callbacks.pack(PREFIX, "unit", key, role, NO_UNIT),
                )
            ]
        )
    return text + "\n" + _("Choose their unit:"), InlineKeyboardMarkup(rows)


async def _role_chosen(query: CallbackQuery, context: BotContext, key: str, role: Role) -> None:
    async with context.db.read() as repos:
        made = await repos.invites.get_by_request_key(key)
        units = await repos.units.list(active_only=True)
    if made is not None:
        await query.answer(_already_made(context), show_alert=True)
        return
    text, markup = _unit_step(context, key, role, units)
    await edit_then_answer(query, text, markup)


def _already_made(context: BotContext) -> str:
    return context.tr.gettext(
        "This invitation is already created; its link is in this message. Nothing was changed."
    )


def _row_id(text: str) -> int | None:
    """A database id from callback data; None for anything else (forged data can be huge)."""
    return int(text) if text.isdigit() and len(text) <= 12 else None


def _parse_unit(text: str) -> int | bool | None:
    """The unit id, None for "no unit", or False when the data is not ours."""
    if text == NO_UNIT:
        return None
    unit_id = _row_id(text)
    return False if unit_id is None else unit_id


async def _unit_chosen(
    update: Update, context: BotContext, key: str, role: Role, unit_id: int | None
) -> None:
    """Step 2: make the invitation, unless these buttons already made one or the unit is gone."""
    query = update.callback_query
    admin = context.account
    assert query is not None and admin is not None
    _ = context.tr.gettext
    now = utc_now()
    token = invitations.new_token()
    expires_at = invitations.expiry(now, context.settings.invite_ttl)
    async with context.db.transaction() as repos:
        made = await repos.invites.get_by_request_key(key)
        unit = await repos.units.get(unit_id) if unit_id is not None else None
        problem = invitations.target_problem(role, unit_id, unit)
        if made is None and problem is None:
            invite = await repos.invites.create(
                token_hash=invitations.hash_token(token),
                role=role,
                unit_id=unit.id if unit else None,
                created_by=admin.id,
                expires_at=expires_at,
                request_key=key,
                now=now,
            )
            await repos.audit.add(
                "invite.created",
                actor_telegram_id=admin.telegram_id,
                target=str(invite.id),
                details={
                    "role": role.value,
                    "unit": unit.code if unit else None,
                    "expires_at": to_db(expires_at),
                },
            )
        units = await repos.units.list(active_only=True)
    if made is not None:
        await query.answer(_already_made(context), show_alert=True)
    elif problem is TargetProblem.UNIT_REQUIRED:
        await query.answer(_("An officer must belong to a unit. Choose one."), show_alert=True)
    elif problem is TargetProblem.UNIT_UNAVAILABLE:
        text, markup = _unit_step(context, key, role, units)
        await edit_or_ignore_unchanged(query, text, markup)  # the list as it is now
        await query.answer(
            _("That unit does not exist or is no longer active. Choose another one."),
            show_alert=True,
        )
    else:
        await edit_then_answer(query, _link_text(context, role, unit, expires_at, token))


def _link_text(
    context: BotContext, role: Role, unit: Unit | None, expires_at: datetime, token: str
) -> str:
    _ = context.tr.gettext
    link = invitations.deep_link(context.bot.username, token)
    return "\n".join(
        [
            "<b>" + _("Invitation created") + "</b>",
            _("Role: {role}").format(role=role_name(role, context.tr)),
            _("Unit: {unit}").format(unit=escape(_unit_label(context, unit))),
            _("Valid until: {moment}").format(
                moment=escape(context.tr.format_datetime(expires_at, "short"))
            ),
            "",
            _("It works only once. Send this link to the person you are inviting:"),
            escape(link),
        ]
    )


# --- /invites: the open invitations, revoking -------------------------------------------------


async def invites_command(update: Update, context: BotContext) -> None:
    """The open invitations, each with a revoke button (which asks before it revokes)."""
    assert update.effective_chat is not None
    text, markup = await _open_list(context, utc_now())
    await update.effective_chat.send_message(text, reply_markup=markup)


def _person(user: User | None) -> str:
    """Who made an invitation, as admins recognise them; never longer than NAME_CHARS."""
    if user is None:
        return "?"
    name = user.display_name or (f"@{user.username}" if user.username else str(user.telegram_id))
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


async def _open_list(context: BotContext, now: datetime) -> tuple[str, InlineKeyboardMarkup | None]:
    _ = context.tr.gettext
    async with context.db.read() as repos:
        total = await repos.invites.count_open(now=now)
        invites = await repos.invites.list_open(now=now, limit=LIST_LIMIT)
        units = {unit.id: unit for unit in await repos.units.list()}
        creators = {
            user_id: await repos.users.get(user_id)
            for user_id in {invite.created_by for invite in invites}
        }
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
        unit_name = escape(_unit_label(context, unit))
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


async def _refresh_with_alert(query: CallbackQuery, context: BotContext, alert: str) -> None:
    """Show the list as it is now, then say why nothing happened."""
    text, markup = await _open_list(context, utc_now())
    await edit_or_ignore_unchanged(query, text, markup)
    await query.answer(alert, show_alert=True)


async def _ask_revoke(query: CallbackQuery, context: BotContext, invite_id: int) -> None:
    _ = context.tr.gettext
    now = utc_now()
    async with context.db.read() as repos:
        invite = await repos.invites.get(invite_id)
        unit = await repos.units.get(invite.unit_id) if invite and invite.unit_id else None
    if invite is None:
        await _refresh_with_alert(query, context, _("This invitation does not exist."))
        return
    status = invitations.status_of(invite, now)
    if status is not InviteStatus.OPEN:
        await _refresh_with_alert(query, context, _not_open(context, status))
        return
    # Translators: {role} is e.g. "officer", {unit} a unit's name or "No unit".
    text = _("Revoke the invitation for {role} · {unit}, valid until {moment}?").format(
        role=role_name(invite.role, context.tr),
        unit=escape(_unit_label(context, unit)),
        moment=escape(context.tr.format_datetime(invite.expires_at, "short")),
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Yes, revoke"), callback_data=callbacks.pack(PREFIX, "rvy", invite.id)
                ),
                InlineKeyboardButton(_("No"), callback_data=callbacks.pack(PREFIX, "list")),
            ]
        ]
    )
    await edit_then_answer(query, text, markup)


async def _revoke(query: CallbackQuery, context: BotContext, invite_id: int) -> None:
    admin = context.account
    assert admin is not None
    _ = context.tr.gettext
    now = utc_now()
    async with context.db.transaction() as repos:
        invite = await repos.invites.get(invite_id)
        revoked = invite is not None and await repos.invites.revoke(
            invite_id, revoked_by=admin.id, now=now
        )
        if revoked:
            await repos.audit.add(
                "invite.revoked", actor_telegram_id=admin.telegram_id, target=str(invite_id)
            )
        unit = await repos.units.get(invite.unit_id) if invite and invite.unit_id else None
    if invite is None:
        await _refresh_with_alert(query, context, _("This invitation does not exist."))
        return
    if not revoked:
        await _refresh_with_alert(
            query, context, _not_open(context, invitations.status_of(invite, now))
        )
        return
    done = _("The invitation for {role} · {unit} is revoked.").format(
        role=role_name(invite.role, context.tr), unit=escape(_unit_label(context, unit))
    )
    text, markup = await _open_list(context, now)
    await edit_then_answer(query, done + "\n\n" + text, markup)


# --- the buttons ------------------------------------------------------------------------------


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
        unit_id = _parse_unit(parts[2]) if action == "unit" else None
        if role is None or unit_id is False:
            await stale_button(update, context)
        elif action == "role":
            await _role_chosen(query, context, parts[0], role)
        else:
            assert not isinstance(unit_id, bool)
            await _unit_chosen(update, context, parts[0], role, unit_id)
    elif action == "list":
        text, markup = await _open_list(context, utc_now())
        await edit_then_answer(query, text, markup)
    elif (invite_id := _row_id(parts[0])) is None:
        await stale_button(update, context)
    elif action == "rv":
        await _ask_revoke(query, context, invite_id)
    else:
        await _revoke(query, context, invite_id)


# --- /start <token> ---------------------------------------------------------------------------


def _payload(update: Update, context: BotContext) -> str:
    message = update.effective_message
    parsed = access.command_in(message, context.bot.username)
    return parsed[1] if parsed else ""


def _signed_in_as(context: BotContext, name: str, role: Role, unit: Unit | None) -> str:
    _ = context.tr.gettext
    if unit is None:
        return _("Hello, {name}! You are signed in as {role}.").format(
            name=escape(name), role=role_name(role, context.tr)
        )
    return _("Hello, {name}! You are signed in as {role}, {unit}.").format(
        name=escape(name),
        role=role_name(role, context.tr),
        unit=escape(unit.name(context.tr.language)),
    )


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
    try:
        async with context.db.transaction() as repos:
            # Registered since the gate looked (a repeated update): that account stays as it is.
            existing = await repos.users.get_by_telegram_id(person.id)
            if existing is None:
                if invitations.looks_like_token(payload):
                    invite = await repos.invites.get_by_token_hash(invitations.hash_token(payload))
                refusal = invitations.refusal_for(payload, invite, now)
                if refusal is None and invite is not None:
                    unit = await repos.units.get(invite.unit_id) if invite.unit_id else None
                    user = await _register(repos, person, invite, unit, now)
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
    role = role_name(account.role, context.tr)
    if unit is None:
        text = _("You are already registered as {role}, so you need no invitation.").format(
            role=role
        )
    else:
        text = _("You are already registered as {role}, {unit}, so you need no invitation.").format(
            role=role, unit=escape(unit.name(context.tr.language))
        )
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
    application.add_handler(CommandHandler("invite", invite_command))
    application.add_handler(CommandHandler("invites", invites_command))
    application.add_handler(CallbackQueryHandler(invite_tap, pattern=callbacks.pattern(PREFIX)))
