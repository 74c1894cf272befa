"""/users and /user: the list of people with its role and unit filters, and looking somebody up
by Telegram id or @username (a username that moved between accounts lists them all)."""

from __future__ import annotations

from html import escape

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)

from bot import administration, people
from bot.authority import Refused
from bot.collation import units_in_order
from bot.context import BotContext
from bot.handlers.admin import flow
from bot.handlers.admin.person_card import (
    PAGE_SIZE,
    View,
    back_to_list,
    button,
    card_button,
    card_keyboard,
    card_text,
    display_name,
    rows,
    unit_of,
)
from bot.handlers.refusals import actor_id, tell_refused
from bot.i18n import Translator
from bot.menus import role_name
from storage import Role, Unit, User


async def users_command(update: Update, context: BotContext) -> None:
    await flow.send(update, context, await list_view(context, View(), actor_id(update)))


async def list_view(
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
        [
            InlineKeyboardButton(
                _person_label(person, units, tr), callback_data=card_button(person, view)
            )
        ]
        for person in persons
    ]
    keyboard.append(_role_filters(view, tr))
    keyboard.append(
        [InlineKeyboardButton("🏢 " + _("Filter by unit"), callback_data=button("fu", view=view))]
    )
    navigation = []
    if view.page > 0:
        navigation.append(
            InlineKeyboardButton(
                "◀ " + tr.pgettext("page", "Previous"),
                callback_data=button("ls", view=View(view.role, view.unit_id, view.page - 1)),
            )
        )
    if view.page < pages - 1:
        navigation.append(
            InlineKeyboardButton(
                tr.pgettext("page", "Next") + " ▶",
                callback_data=button("ls", view=View(view.role, view.unit_id, view.page + 1)),
            )
        )
    if navigation:
        keyboard.append(navigation)
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


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
            callback_data=button("ls", view=View(role, view.unit_id, 0)),
        )
        for role, label in labels
    ]


async def unit_filter_view(
    context: BotContext, view: View, actor: int | None
) -> tuple[str, InlineKeyboardMarkup] | Refused:
    tr = context.tr
    async with context.db.transaction() as repos:
        units = await people.units(repos, actor)
    if isinstance(units, Refused):
        return units
    buttons = [
        InlineKeyboardButton(
            _unit_button(unit, tr), callback_data=button("ls", view=View(view.role, unit.id, 0))
        )
        for unit in units_in_order(units, tr.language)
    ]
    keyboard = [
        [
            InlineKeyboardButton(
                tr.pgettext("filter", "All units"),
                callback_data=button("ls", view=View(view.role, None, 0)),
            )
        ],
        *rows(buttons),
        [back_to_list(view, tr)],
    ]
    return tr.gettext("Show the people of which unit?"), InlineKeyboardMarkup(keyboard)


def _unit_button(unit: Unit, tr: Translator) -> str:
    name = unit.name(tr.language)
    return name if unit.active else "⏸ " + name


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
        unit = await unit_of(repos, found[0]) if isinstance(found, list) and found else None
    if isinstance(found, Refused):
        await tell_refused(update, context, found)
        return
    if len(found) > 1:
        text, markup = matches_view(context, found, reference.username or "")
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
        card_text(context, person, unit), reply_markup=card_keyboard(person, View(), context.tr)
    )


def matches_view(
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
                callback_data=card_button(person, View()),
            )
        ]
        for person in found
    ]
    return text, InlineKeyboardMarkup(keyboard)
