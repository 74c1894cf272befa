"""/users and /user: admins list people, open a card, change a role, move, block and unblock.

Only admins get here (the gate). Every change is asked for twice (a choice, then "Yes") and is
decided in the transaction that makes it: the actor and the person are read again there, the
active admins counted there, and the rules of bot/administration.py applied — so a card shown
an hour ago acts on the database as it is now, and nothing can lock every admin out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from html import escape

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import administration, callbacks, people
from bot.administration import Refusal
from bot.authority import Refused
from bot.context import BotContext, FieldReportApplication
from bot.handlers.admin_units import drop_question
from bot.handlers.common import edit_or_ignore_unchanged, edit_then_answer, stale_button
from bot.handlers.language import ENDONYMS
from bot.handlers.refusals import actor_id, tell_refused
from bot.i18n import Translator, resolve_language
from bot.menus import menu_for, role_name
from storage import Repositories, Role, Unit, User

log = logging.getLogger(__name__)

PREFIX = "usr"
PAGE_SIZE = 8
UNITS_PER_ROW = 2
NO_UNIT = "none"
NOTHING = "-"
ALL = "all"


@dataclass(frozen=True)
class View:
    """The list a card was opened from, carried in every button so "Back" returns there."""

    role: Role | None = None
    unit_id: int | None = None
    page: int = 0

    def token(self) -> str:
        role = self.role.value if self.role else ALL
        unit = str(self.unit_id) if self.unit_id is not None else ALL
        return f"{role}.{unit}.{self.page}"

    @classmethod
    def parse(cls, token: str) -> View:
        pieces = token.split(".")
        if len(pieces) != 3 or not pieces[2].isdigit() or len(pieces[2]) > 6:
            raise callbacks.CallbackDataError(token)
        role_text, unit_text, page_text = pieces
        if role_text != ALL and role_text not in {role.value for role in Role}:
            raise callbacks.CallbackDataError(token)
        if unit_text != ALL and not (unit_text.isdigit() and len(unit_text) <= 12):
            raise callbacks.CallbackDataError(token)
        return cls(
            role=None if role_text == ALL else Role(role_text),
            unit_id=None if unit_text == ALL else int(unit_text),
            page=int(page_text),
        )


def _data(action: str, target: int | str = NOTHING, arg: int | str = NOTHING, *, view: View) -> str:
    return callbacks.pack(PREFIX, action, target, arg, view.token())


def display_name(person: User) -> str:
    """What admins call somebody: their Telegram name, else @username, else the id."""
    if person.display_name.strip():
        return person.display_name.strip()
    if person.username:
        return "@" + person.username
    return str(person.telegram_id)


def _unit_text(unit: Unit | None, tr: Translator) -> str:
    """A unit as the card shows it (escaped HTML): name, code, and whether it is deactivated."""
    if unit is None:
        return escape(tr.pgettext("unit", "none"))
    text = f"{escape(unit.name(tr.language))} ({escape(unit.code)})"
    if not unit.active:
        text += " — " + escape(tr.pgettext("unit", "deactivated"))
    return text


# --- the list -----------------------------------------------------------------------------


async def users_command(update: Update, context: BotContext) -> None:
    assert update.effective_chat is not None
    listed = await _list(context, View(), actor_id(update))
    if isinstance(listed, Refused):
        await tell_refused(update, context, listed)
        return
    text, markup = listed
    await update.effective_chat.send_message(text, reply_markup=markup)


async def _list(
    context: BotContext, view: View, actor: int | None
) -> tuple[str, InlineKeyboardMarkup] | Refused:
    tr = context.tr
    _ = tr.gettext
    async with context.db.transaction() as repos:
        found = await people.list_page(
            repos,
            actor,
            role=view.role,
            unit_id=view.unit_id,
            page=view.page,
            page_size=PAGE_SIZE,
        )
    if isinstance(found, Refused):
        return found
    total, pages, persons, units = found.total, found.pages, found.people, found.units
    view = View(view.role, view.unit_id, found.page)
    filtered_unit = units.get(view.unit_id) if view.unit_id is not None else None
    lines = [
        tr.ngettext("{count} registered user.", "{count} registered users.", total).format(
            count=total
        ),
        _("Role: {role}. Unit: {unit}.").format(
            role=role_name(view.role, tr) if view.role else tr.pgettext("filter", "all roles"),
            unit=escape(filtered_unit.name(tr.language))
            if filtered_unit
            else tr.pgettext("filter", "all units"),
        ),
    ]
    if pages > 1:
        lines.append(_("Page {page} of {pages}.").format(page=view.page + 1, pages=pages))
    lines.append(_("Tap a person to open their card.") if persons else _("Nobody matches."))
    keyboard = [
        [InlineKeyboardButton(_person_label(person, units, tr), callback_data=_card(person, view))]
        for person in persons
    ]
    keyboard.append(_role_filters(view, tr))
    keyboard.append(
        [InlineKeyboardButton("🏢 " + _("Filter by unit"), callback_data=_data("fu", view=view))]
    )
    navigation = []
    if view.page > 0:
        navigation.append(
            InlineKeyboardButton(
                "◀ " + tr.pgettext("page", "Previous"),
                callback_data=_data("ls", view=View(view.role, view.unit_id, view.page - 1)),
            )
        )
    if view.page < pages - 1:
        navigation.append(
            InlineKeyboardButton(
                tr.pgettext("page", "Next") + " ▶",
                callback_data=_data("ls", view=View(view.role, view.unit_id, view.page + 1)),
            )
        )
    if navigation:
        keyboard.append(navigation)
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


def _card(person: User, view: View) -> str:
    return _data("card", person.id, view=view)


def _person_label(person: User, units: dict[int, Unit], tr: Translator) -> str:
    unit = units.get(person.unit_id) if person.unit_id is not None else None
    label = f"{display_name(person)} · {role_name(person.role, tr)}"
    if unit is not None:
        label += " · " + unit.code
    return ("⛔ " + label) if not person.is_active else label


def _role_filters(view: View, tr: Translator) -> list[InlineKeyboardButton]:
    labels: list[tuple[Role | None, str]] = [
        (None, tr.pgettext("filter", "All")),
        (Role.OFFICER, tr.pgettext("filter", "Officers")),
        (Role.COORDINATOR, tr.pgettext("filter", "Coordinators")),
        (Role.ADMIN, tr.pgettext("filter", "Admins")),
    ]
    return [
        InlineKeyboardButton(
            ("✓ " + label) if role == view.role else label,
            callback_data=_data("ls", view=View(role, view.unit_id, 0)),
        )
        for role, label in labels
    ]


async def _unit_filter(
    context: BotContext, view: View, actor: int | None
) -> tuple[str, InlineKeyboardMarkup] | Refused:
    tr = context.tr
    async with context.db.transaction() as repos:
        units = await people.units(repos, actor)
    if isinstance(units, Refused):
        return units
    buttons = [
        InlineKeyboardButton(
            _unit_button(unit, tr), callback_data=_data("ls", view=View(view.role, unit.id, 0))
        )
        for unit in units
    ]
    keyboard = [
        [
            InlineKeyboardButton(
                tr.pgettext("filter", "All units"),
                callback_data=_data("ls", view=View(view.role, None, 0)),
            )
        ],
        *_rows(buttons),
        [_back_to_list(view, tr)],
    ]
    return tr.gettext("Show the people of which unit?"), InlineKeyboardMarkup(keyboard)


def _unit_button(unit: Unit, tr: Translator) -> str:
    name = unit.name(tr.language)
    return name if unit.active else "⏸ " + name


def _rows(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + UNITS_PER_ROW] for i in range(0, len(buttons), UNITS_PER_ROW)]


def _back_to_list(view: View, tr: Translator) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        "◀ " + tr.gettext("Back to the list"), callback_data=_data("ls", view=view)
    )


# --- one person ---------------------------------------------------------------------------


async def user_command(update: Update, context: BotContext) -> None:
    """``/user 123456789`` or ``/user @name``: that person's card."""
    chat = update.effective_chat
    assert chat is not None
    _ = context.tr.gettext
    reference = administration.parse_user_reference(" ".join(context.args or []))
    if reference is None:
        await chat.send_message(
            _(
                "To open somebody's card, send /user followed by their Telegram id or "
                "@username, for example: /user 123456789 or /user @username. "
                "Send /users to see everybody."
            )
        )
        return
    async with context.db.transaction() as repos:
        found = await people.look_up(repos, actor_id(update), reference)
        unit = await _unit_of(repos, found[0]) if isinstance(found, list) and found else None
    if isinstance(found, Refused):
        await tell_refused(update, context, found)
        return
    if len(found) > 1:
        text, markup = _matches(context, found, reference.username or "")
        await chat.send_message(text, reply_markup=markup)
        return
    person = found[0] if found else None
    if person is None:
        if reference.telegram_id is not None:
            text = _("Nobody with the Telegram id {id} is registered.").format(
                id=reference.telegram_id
            )
        else:
            text = _("Nobody with the username @{username} is registered.").format(
                username=escape(reference.username or "")
            )
        await chat.send_message(text + "\n" + _("Send /users to see everybody."))
        return
    await chat.send_message(
        card_text(context, person, unit), reply_markup=_card_keyboard(person, View(), context.tr)
    )


async def _unit_of(repos: Repositories, person: User) -> Unit | None:
    return await people.unit_of(repos, person)


def _matches(
    context: BotContext, found: list[User], username: str
) -> tuple[str, InlineKeyboardMarkup]:
    """Several accounts carry this @username (it moved, and the old owner has not written
    since): list them all with their ids, and let the admin open the right one."""
    tr = context.tr
    text = "\n".join(
        [
            tr.ngettext(
                "{count} person is registered with the username @{username}.",
                "{count} people are registered with the username @{username}.",
                len(found),
            ).format(count=len(found), username=escape(username)),
            tr.gettext(
                "A username can move to another account, and the bot learns it only when "
                "its owner writes. Check the Telegram id before you act."
            ),
        ]
    )
    keyboard = [
        [
            InlineKeyboardButton(
                f"{display_name(person)} · {person.telegram_id}",
                callback_data=_card(person, View()),
            )
        ]
        for person in found
    ]
    return text, InlineKeyboardMarkup(keyboard)


def card_text(context: BotContext, person: User, unit: Unit | None) -> str:
    tr = context.tr
    _ = tr.gettext
    if person.language is not None:
        language = ENDONYMS.get(person.language, person.language)
    else:
        resolved = resolve_language(
            None, person.telegram_language, context.settings.default_language
        )
        language = _("{language} (not chosen; from Telegram or the default)").format(
            language=ENDONYMS[resolved]
        )
    status = (
        tr.pgettext("status", "active") if person.is_active else tr.pgettext("status", "blocked")
    )
    registered = person.created_at.astimezone(context.settings.timezone).date()
    lines = [
        f"<b>{escape(display_name(person))}</b>",
        _("Username: {username}").format(
            username=escape("@" + person.username) if person.username else "—"
        ),
        _("Telegram id: {id}").format(id=f"<code>{person.telegram_id}</code>"),
        _("Role: {role}").format(role=escape(role_name(person.role, tr))),
        _("Unit: {unit}").format(unit=_unit_text(unit, tr)),
        _("Language: {language}").format(language=escape(language)),
        _("Status: {status}").format(status=("⛔ " if not person.is_active else "") + status),
        _("Registered since: {date}").format(date=escape(tr.format_date(registered))),
    ]
    return "\n".join(lines)


def _card_keyboard(person: User, view: View, tr: Translator) -> InlineKeyboardMarkup:
    _ = tr.gettext
    block = (
        InlineKeyboardButton("⛔ " + _("Block"), callback_data=_data("bl", person.id, view=view))
        if person.is_active
        else InlineKeyboardButton(
            "✅ " + _("Unblock"), callback_data=_data("ub", person.id, view=view)
        )
    )
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "👤 " + _("Change role"), callback_data=_data("role", person.id, view=view)
                ),
                InlineKeyboardButton(
                    "🏢 " + _("Move to another unit"),
                    callback_data=_data("mv", person.id, view=view),
                ),
            ],
            [block],
            [_back_to_list(view, tr)],
        ]
    )


def _confirm(
    tr: Translator, yes: str, yes_data: str, person: User, view: View
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(yes, callback_data=yes_data),
                InlineKeyboardButton(tr.gettext("No"), callback_data=_card(person, view)),
            ]
        ]
    )


# --- the rules' answers -------------------------------------------------------------------


def refusal_text(refusal: Refusal, person: User, tr: Translator) -> str:
    _ = tr.gettext
    texts = {
        Refusal.NOT_ADMIN: _("This is for administrators only."),
        Refusal.UNCHANGED: _("Nothing to change: it is already so."),
        Refusal.SELF_BLOCK: _("You cannot block yourself. Ask another administrator."),
        Refusal.SELF_DEMOTE: _(
            "You cannot take away your own administrator role. Ask another administrator."
        ),
        Refusal.LAST_ADMIN: _(
            "{name} is the last active administrator. Make somebody else an administrator "
            "first, so that somebody can still manage the bot."
        ),
        Refusal.OFFICER_NEEDS_UNIT: _("An officer must belong to a unit. Choose a unit."),
        Refusal.UNIT_INACTIVE: _("That unit is deactivated. Choose an active unit."),
    }
    return texts[refusal].format(name=display_name(person))


Decision = people.Decision

#: Refusals that, when making somebody an officer, just mean "ask which unit".
_UNIT_TO_CHOOSE = frozenset({Refusal.OFFICER_NEEDS_UNIT, Refusal.UNIT_INACTIVE})


async def _show_card(
    query: CallbackQuery,
    context: BotContext,
    person: User,
    view: View,
    *,
    notice: str | None = None,
    alert: str | None = None,
) -> None:
    """The card, with a line on top saying what just happened; answered last."""
    async with context.db.read() as repos:
        fresh = await repos.users.get(person.id) or person
        unit = await _unit_of(repos, fresh)
    text = card_text(context, fresh, unit)
    if notice:
        text = notice + "\n\n" + text
    await edit_or_ignore_unchanged(query, text, _card_keyboard(fresh, view, context.tr))
    if alert:
        await query.answer(alert, show_alert=True)
    else:
        await query.answer()


async def _refuse(
    query: CallbackQuery, context: BotContext, decision: Decision, view: View
) -> None:
    assert decision.refusal is not None
    text = refusal_text(decision.refusal, decision.person, context.tr)
    if decision.refusal is Refusal.NOT_ADMIN:
        await query.answer(text, show_alert=True)
        return
    await _show_card(query, context, decision.person, view, notice="⚠️ " + escape(text), alert=text)


# --- telling the person -------------------------------------------------------------------


def _translator_for(context: BotContext, person: User) -> Translator:
    return context.services.catalogs.translator(
        resolve_language(
            person.language, person.telegram_language, context.settings.default_language
        )
    )


async def _tell(
    context: BotContext, person: User, text: str | None, *, menu_role: Role | None
) -> None:
    """Set the person's own command menu (``menu_role`` None: the public one) and tell them.

    The change is already committed: if they blocked the bot or never opened it, that is
    logged and the admin still gets their answer.
    """
    tr = _translator_for(context, person)
    try:
        await context.bot.set_my_commands(
            [BotCommand(item.command, item.describe(tr)) for item in menu_for(menu_role)],
            scope=BotCommandScopeChat(person.telegram_id),
        )
        if text is not None:
            await context.bot.send_message(person.telegram_id, text)
    except TelegramError as exc:
        log.warning("could not update user %s about an admin change: %s", person.telegram_id, exc)


# --- the taps -----------------------------------------------------------------------------


def _who(person: User) -> str:
    """A person in a confirmation (HTML): the name and the Telegram id, which cannot move."""
    return f"{escape(display_name(person))} (<code>{person.telegram_id}</code>)"


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
        shown = await (_list if action == "ls" else _unit_filter)(context, view, actor_id(update))
        if isinstance(shown, Refused):
            await tell_refused(update, context, shown)
            return
        await edit_then_answer(query, *shown)
        return
    handler = _PERSON_ACTIONS.get(action)
    if handler is None or not target.isdigit() or len(target) > 12:
        await stale_button(update, context)
        return
    await handler(update, context, action, int(target), arg, view)


async def _read_person(update: Update, context: BotContext, person_id: int) -> User | None:
    """The person for a card or a choice, read by the rules layer; None: already answered."""
    async with context.db.transaction() as repos:
        found = await people.card(repos, actor_id(update), person_id)
    if isinstance(found, Refused):
        await tell_refused(update, context, found)
        return None
    if found is None:
        await stale_button(update, context)
        return None
    return found[0]


async def _settled(
    update: Update, context: BotContext, decision: Decision | Refused | None, view: View
) -> Decision | None:
    """The decision to go on with; None when the tap was answered (refused, stale, a rule)."""
    query = update.callback_query
    assert query is not None
    if isinstance(decision, Refused):
        await tell_refused(update, context, decision)
        return None
    if decision is None:
        await stale_button(update, context)
        return None
    if decision.refusal is not None:
        await _refuse(query, context, decision, view)
        return None
    return decision


async def _open(
    update: Update, context: BotContext, action: str, person_id: int, arg: str, view: View
) -> None:
    query = update.callback_query
    assert query is not None
    person = await _read_person(update, context, person_id)
    if person is not None:
        await _show_card(query, context, person, view)


async def _choose_role(
    update: Update, context: BotContext, action: str, person_id: int, arg: str, view: View
) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    person = await _read_person(update, context, person_id)
    if person is None:
        return
    keyboard = [
        [
            InlineKeyboardButton(
                role_name(role, tr), callback_data=_data("rc", person.id, role.value, view=view)
            )
        ]
        for role in Role
        if role is not person.role
    ]
    keyboard.append(
        [InlineKeyboardButton("◀ " + tr.gettext("Back"), callback_data=_card(person, view))]
    )
    text = tr.gettext("{name} is now {role}. Choose the new role:").format(
        name=_who(person), role=escape(role_name(person.role, tr))
    )
    await edit_then_answer(query, text, InlineKeyboardMarkup(keyboard))


def _role_of(arg: str) -> Role | None:
    return Role(arg) if arg in {role.value for role in Role} else None


async def _role_chosen(
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
    async with context.db.transaction() as repos:
        found = await people.decide(
            repos,
            actor_id(update),
            person_id,
            "role",
            role=role,
            quiet=_UNIT_TO_CHOOSE | {Refusal.UNCHANGED},
        )
    if isinstance(found, Decision) and found.refusal in _UNIT_TO_CHOOSE:
        await _choose_unit(
            query,
            context,
            found.person,
            view,
            "ro",
            tr.gettext("An officer must belong to a unit. Which unit will {name} serve in?"),
            allow_none=False,
        )
        return
    decision = await _settled(update, context, found, view)
    if decision is None:
        return
    person = decision.person
    text = tr.gettext("Change the role of {name} from {old} to {new}?").format(
        name=_who(person),
        old=escape(role_name(person.role, tr)),
        new=escape(role_name(role, tr)),
    )
    await edit_then_answer(
        query,
        text,
        _confirm(
            tr,
            tr.gettext("Yes, change"),
            _data("ry", person.id, role.value, view=view),
            person,
            view,
        ),
    )


async def _choose_unit(
    query: CallbackQuery,
    context: BotContext,
    person: User,
    view: View,
    action: str,
    question: str,
    *,
    allow_none: bool,
) -> None:
    """Active units as buttons (``action`` gets the unit id), optionally "no unit"."""
    tr = context.tr
    async with context.db.read() as repos:
        units = await repos.units.list(active_only=True)
    buttons = [
        InlineKeyboardButton(
            unit.name(tr.language), callback_data=_data(action, person.id, unit.id, view=view)
        )
        for unit in units
        if unit.id != person.unit_id
    ]
    keyboard = _rows(buttons)
    if allow_none:
        keyboard.append(
            [
                InlineKeyboardButton(
                    tr.gettext("No unit"),
                    callback_data=_data(action, person.id, NO_UNIT, view=view),
                )
            ]
        )
    keyboard.append(
        [InlineKeyboardButton("◀ " + tr.gettext("Back"), callback_data=_card(person, view))]
    )
    await edit_then_answer(
        query, question.format(name=_who(person)), InlineKeyboardMarkup(keyboard)
    )


def _unit_arg(arg: str) -> tuple[bool, int | None]:
    """(valid, unit id or None for "no unit") from a button's argument."""
    if arg == NO_UNIT:
        return True, None
    if arg.isdigit() and len(arg) <= 12:
        return True, int(arg)
    return False, None


async def _officer_unit_chosen(
    update: Update, context: BotContext, action: str, person_id: int, arg: str, view: View
) -> None:
    query = update.callback_query
    assert query is not None
    tr = context.tr
    valid, unit_id = _unit_arg(arg)
    if not valid or unit_id is None:
        await stale_button(update, context)
        return
    async with context.db.transaction() as repos:
        found = await people.decide(
            repos,
            actor_id(update),
            person_id,
            "role",
            role=Role.OFFICER,
            unit_id=unit_id,
            unit_chosen=True,
        )
    decision = await _settled(update, context, found, view)
    if decision is None:
        return
    assert decision.unit is not None
    text = tr.gettext("Make {name} an officer of {unit}?").format(
        name=_who(decision.person), unit=_unit_text(decision.unit, tr)
    )
    await edit_then_answer(
        query,
        text,
        _confirm(
            tr,
            tr.gettext("Yes, change"),
            _data("roy", person_id, unit_id, view=view),
            decision.person,
            view,
        ),
    )


async def _change_role(
    update: Update, context: BotContext, action: str, person_id: int, arg: str, view: View
) -> None:
    """``ry``: the confirmed role (the unit stays); ``roy``: officer of the chosen unit."""
    query = update.callback_query
    assert query is not None
    officer_with_unit = action == "roy"
    if officer_with_unit:
        valid, unit_id = _unit_arg(arg)
        role: Role | None = Role.OFFICER if valid and unit_id is not None else None
    else:
        role, unit_id = _role_of(arg), None
    if role is None:
        await stale_button(update, context)
        return
    async with context.db.transaction() as repos:
        found = await people.change_role(
            repos,
            actor_id(update),
            person_id,
            role,
            unit_id=unit_id,
            unit_chosen=officer_with_unit,
        )
    decision = await _settled(update, context, found, view)
    if decision is None:
        return
    person = decision.person
    drop_question(context.application, person.telegram_id)
    their = _translator_for(context, person)
    message = their.gettext("An administrator changed your role: you are now {role}.").format(
        role=escape(role_name(role, their))
    )
    if decision.unit is not None and decision.unit.id != person.unit_id:
        message += "\n" + their.gettext("Your unit: {unit}.").format(
            unit=escape(decision.unit.name(their.language))
        )
    message += "\n" + their.gettext("Send /help to see what you can do.")
    await _tell(
        context,
        person,
        None if person.telegram_id == decision.actor.telegram_id else message,
        menu_role=role if person.is_active else None,
    )
    tr = context.tr
    notice = "✅ " + tr.gettext("The role of {name} is now {role}.").format(
        name=escape(display_name(person)), role=escape(role_name(role, tr))
    )
    await _show_card(query, context, person, view, notice=notice)


async def _choose_move(
    update: Update, context: BotContext, action: str, person_id: int, arg: str, view: View
) -> None:
    query = update.callback_query
    assert query is not None
    person = await _read_person(update, context, person_id)
    if person is None:
        return
    await _choose_unit(
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
    valid, unit_id = _unit_arg(arg)
    if not valid:
        await stale_button(update, context)
        return
    async with context.db.transaction() as repos:
        found = await people.decide(
            repos, actor_id(update), person_id, "move", unit_id=unit_id, unit_chosen=True
        )
    decision = await _settled(update, context, found, view)
    if decision is None:
        return
    text = tr.gettext("Move {name} from {old} to {new}?").format(
        name=_who(decision.person),
        old=_unit_text(decision.old_unit, tr),
        new=_unit_text(decision.unit, tr),
    )
    await edit_then_answer(
        query,
        text,
        _confirm(
            tr,
            tr.gettext("Yes, move"),
            _data("my", person_id, arg, view=view),
            decision.person,
            view,
        ),
    )


async def _move(
    update: Update, context: BotContext, action: str, person_id: int, arg: str, view: View
) -> None:
    query = update.callback_query
    assert query is not None
    valid, unit_id = _unit_arg(arg)
    if not valid:
        await stale_button(update, context)
        return
    async with context.db.transaction() as repos:
        found = await people.move(repos, actor_id(update), person_id, unit_id)
    decision = await _settled(update, context, found, view)
    if decision is None:
        return
    person = decision.person
    if person.telegram_id != decision.actor.telegram_id and person.is_active:
        their = _translator_for(context, person)
        if decision.unit is not None:
            message = their.gettext("An administrator moved you to {unit}.").format(
                unit=escape(decision.unit.name(their.language))
            )
        else:
            message = their.gettext("An administrator detached you from your unit.")
        await _tell(context, person, message, menu_role=person.role)
    tr = context.tr
    notice = "✅ " + tr.gettext("{name} now belongs to: {unit}.").format(
        name=escape(display_name(person)), unit=_unit_text(decision.unit, tr)
    )
    await _show_card(query, context, person, view, notice=notice)


async def _ask_block(
    update: Update, context: BotContext, action: str, person_id: int, arg: str, view: View
) -> None:
    """``bl``/``ub``: refused at once when the rules say no, else asked to confirm."""
    query = update.callback_query
    assert query is not None
    tr = context.tr
    blocking = action == "bl"
    async with context.db.transaction() as repos:
        found = await people.decide(
            repos, actor_id(update), person_id, "block" if blocking else "unblock"
        )
    decision = await _settled(update, context, found, view)
    if decision is None:
        return
    name = _who(decision.person)
    if blocking:
        text = tr.gettext(
            "Block {name}? From their next message on, the bot will refuse them everything."
        ).format(name=name)
        markup = _confirm(
            tr, tr.gettext("Yes, block"), _data("bly", person_id, view=view), decision.person, view
        )
    else:
        text = tr.gettext("Unblock {name}? They will be able to use the bot again.").format(
            name=name
        )
        markup = _confirm(
            tr,
            tr.gettext("Yes, unblock"),
            _data("uby", person_id, view=view),
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
    async with context.db.transaction() as repos:
        found = await people.set_blocked(repos, actor_id(update), person_id, blocked=blocking)
    decision = await _settled(update, context, found, view)
    if decision is None:
        return
    person = decision.person
    name = escape(display_name(person))
    if blocking:
        drop_question(context.application, person.telegram_id)
        # Nothing is said to a blocked person (the phone may be in the wrong hands); their menu
        # shrinks to the public one, and the gate refuses their next update.
        await _tell(context, person, None, menu_role=None)
        notice = "⛔ " + tr.gettext("{name} is blocked.").format(name=name)
    else:
        their = _translator_for(context, person)
        await _tell(
            context,
            person,
            their.gettext("Your access to the bot has been restored.")
            + "\n"
            + their.gettext("Send /help to see what you can do."),
            menu_role=person.role,
        )
        notice = "✅ " + tr.gettext("{name} is unblocked.").format(name=name)
    await _show_card(query, context, person, view, notice=notice)


_PERSON_ACTIONS = {
    "card": _open,
    "role": _choose_role,
    "rc": _role_chosen,
    "ro": _officer_unit_chosen,
    "ry": _change_role,
    "roy": _change_role,
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
