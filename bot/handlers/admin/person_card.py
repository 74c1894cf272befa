"""A person as admins see them: the card, its buttons, the list's place carried in every button
(:class:`View`), a tap on them (:class:`PersonTap`), the rules' refusals in words, and telling
the person about a change; plus what a person's :class:`~bot.handlers.admin.flow.Confirmable`
needs: :func:`person_step`, :func:`confirm` and :func:`refresh_card`.

Shared by the flows of /users and /user (bot/handlers/admin/users_list.py, user_roles.py,
user_changes.py); nothing here changes anything.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
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

from bot import callbacks, people
from bot.administration import Refusal
from bot.authority import Refused
from bot.collation import units_in_order
from bot.context import BotContext
from bot.handlers.admin.flow import Asked, rules_step
from bot.handlers.common import edit_or_ignore_unchanged, edit_then_answer
from bot.handlers.language import ENDONYMS
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


@dataclass(frozen=True)
class PersonTap:
    """A tap on a person's card or one of its questions: what the button asks of whom, its
    argument (a unit id, "none", a role…) and the list the card was opened from."""

    action: str
    person_id: int
    arg: str
    view: View

    @property
    def names_unit(self) -> bool:
        """Whether the argument is a unit id or "no unit" (else the data is not ours)."""
        return unit_arg(self.arg)[0]

    @property
    def unit_id(self) -> int | None:
        return unit_arg(self.arg)[1]


def button(
    action: str, target: int | str = NOTHING, arg: int | str = NOTHING, *, view: View
) -> str:
    return callbacks.pack(PREFIX, action, target, arg, view.token())


def display_name(person: User) -> str:
    """What admins call somebody: their Telegram name, else @username, else the id."""
    if person.display_name.strip():
        return person.display_name.strip()
    if person.username:
        return "@" + person.username
    return str(person.telegram_id)


def unit_text(unit: Unit | None, tr: Translator) -> str:
    """A unit as the card shows it (escaped HTML): name, code, and whether it is deactivated."""
    if unit is None:
        return escape(tr.pgettext("unit", "none"))
    text = f"{escape(unit.name(tr.language))} ({escape(unit.code)})"
    if not unit.active:
        text += " — " + escape(tr.pgettext("unit", "deactivated"))
    return text


def card_button(person: User, view: View) -> str:
    return button("card", person.id, view=view)


def rows(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + UNITS_PER_ROW] for i in range(0, len(buttons), UNITS_PER_ROW)]


def back_to_list(view: View, tr: Translator) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        "◀ " + tr.gettext("Back to the list"), callback_data=button("ls", view=view)
    )


async def unit_of(repos: Repositories, person: User) -> Unit | None:
    return await people.unit_of(repos, person)


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
        tr.pgettext("person status", "active")
        if person.is_active
        else tr.pgettext("status", "blocked")
    )
    registered = person.created_at.astimezone(context.settings.timezone).date()
    lines = [
        f"<b>{escape(display_name(person))}</b>",
        _("Username: {username}").format(
            username=escape("@" + person.username) if person.username else "—"
        ),
        _("Telegram id: {id}").format(id=f"<code>{person.telegram_id}</code>"),
        _("Role: {role}").format(role=escape(role_name(person.role, tr))),
        _("Unit: {unit}").format(unit=unit_text(unit, tr)),
        _("Language: {language}").format(language=escape(language)),
        _("Status: {status}").format(status=("⛔ " if not person.is_active else "") + status),
        _("Registered since: {date}").format(date=escape(tr.format_date(registered))),
    ]
    return "\n".join(lines)


def card_keyboard(person: User, view: View, tr: Translator) -> InlineKeyboardMarkup:
    _ = tr.gettext
    block = (
        InlineKeyboardButton("⛔ " + _("Block"), callback_data=button("bl", person.id, view=view))
        if person.is_active
        else InlineKeyboardButton(
            "✅ " + _("Unblock"), callback_data=button("ub", person.id, view=view)
        )
    )
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "👤 " + _("Change role"), callback_data=button("role", person.id, view=view)
                ),
                InlineKeyboardButton(
                    "🏢 " + _("Move to another unit"),
                    callback_data=button("mv", person.id, view=view),
                ),
            ],
            [block],
            [back_to_list(view, tr)],
        ]
    )


def who(person: User) -> str:
    """A person in a confirmation (HTML): the name and the Telegram id, which cannot move."""
    return f"{escape(display_name(person))} (<code>{person.telegram_id}</code>)"


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


async def read_person(update: Update, context: BotContext, person_id: int) -> User | None:
    """The person for a card or a choice, read by the rules layer; None: already answered."""
    found = await rules_step(
        update, context, lambda repos, actor: people.card(repos, actor, person_id)
    )
    return found[0] if found is not None else None


async def person_step(
    update: Update,
    context: BotContext,
    tap: PersonTap,
    act: Callable[[Repositories, int | None], Awaitable[Decision | Refused | None]],
) -> Decision | None:
    """:func:`~bot.handlers.admin.flow.rules_step` for a change to a person: also answers the
    administration rules' own refusals (the last admin, yourself…) on the card."""
    decision = await rules_step(update, context, act)
    if decision is not None and decision.refusal is not None:
        query = update.callback_query
        assert query is not None
        await refuse_rule(query, context, decision, tap.view)
        return None
    return decision


def confirm(text: str, yes: str, yes_data: str, tap: PersonTap) -> Asked:
    """A question about a person: Yes, or No back to their card."""
    return Asked(text, yes, yes_data, button("card", tap.person_id, view=tap.view))


async def refresh_card(
    update: Update, context: BotContext, tap: PersonTap, decision: Decision, notice: str
) -> None:
    """The person's card as it is now, under what just happened."""
    query = update.callback_query
    assert query is not None
    await show_card(query, context, decision.person, tap.view, notice=notice)


async def show_card(
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
        unit = await unit_of(repos, fresh)
    text = card_text(context, fresh, unit)
    if notice:
        text = notice + "\n\n" + text
    await edit_or_ignore_unchanged(query, text, card_keyboard(fresh, view, context.tr))
    if alert:
        await query.answer(alert, show_alert=True)
    else:
        await query.answer()


async def refuse_rule(
    query: CallbackQuery, context: BotContext, decision: Decision, view: View
) -> None:
    assert decision.refusal is not None
    text = refusal_text(decision.refusal, decision.person, context.tr)
    if decision.refusal is Refusal.NOT_ADMIN:
        await query.answer(text, show_alert=True)
        return
    await show_card(query, context, decision.person, view, notice="⚠️ " + escape(text), alert=text)


def unit_arg(arg: str) -> tuple[bool, int | None]:
    """(valid, unit id or None for "no unit") from a button's argument."""
    if arg == NO_UNIT:
        return True, None
    if arg.isdigit() and len(arg) <= 12:
        return True, int(arg)
    return False, None


async def choose_unit(
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
            unit.name(tr.language), callback_data=button(action, person.id, unit.id, view=view)
        )
        for unit in units_in_order(units, tr.language)
        if unit.id != person.unit_id
    ]
    keyboard = rows(buttons)
    if allow_none:
        keyboard.append(
            [
                InlineKeyboardButton(
                    tr.gettext("No unit"),
                    callback_data=button(action, person.id, NO_UNIT, view=view),
                )
            ]
        )
    keyboard.append(
        [InlineKeyboardButton("◀ " + tr.gettext("Back"), callback_data=card_button(person, view))]
    )
    await edit_then_answer(query, question.format(name=who(person)), InlineKeyboardMarkup(keyboard))


def translator_for(context: BotContext, person: User) -> Translator:
    return context.services.catalogs.translator(
        resolve_language(
            person.language, person.telegram_language, context.settings.default_language
        )
    )


async def tell(
    context: BotContext, person: User, text: str | None, *, menu_role: Role | None
) -> None:
    """Set the person's own command menu (``menu_role`` None: the public one) and tell them.

    The change is already committed: if they blocked the bot or never opened it, that is
    logged and the admin still gets their answer.
    """
    tr = translator_for(context, person)
    try:
        await context.bot.set_my_commands(
            [BotCommand(item.command, item.describe(tr)) for item in menu_for(menu_role)],
            scope=BotCommandScopeChat(person.telegram_id),
        )
        if text is not None:
            await context.bot.send_message(person.telegram_id, text)
    except TelegramError as exc:
        log.warning("could not update user %s about an admin change: %s", person.telegram_id, exc)
