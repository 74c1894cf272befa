"""What admins see of units: the list, a unit's card, its crossing points — each read through
the rules layer (bot/organisation.py), so a refused reader sees nothing."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import administration, callbacks, organisation
from bot.authority import Refused
from bot.collation import units_in_order
from bot.context import BotContext
from bot.i18n import Translator
from storage import CrossingPoint, Unit, UnitKind

PREFIX = "unt"
PAGE_SIZE = 15
NOTHING = "-"


@dataclass(frozen=True)
class UnitTap:
    """A tap about a unit the dispatcher read through the rules layer: the action, the unit,
    and the button's second part (a rename's language…)."""

    action: str
    unit: Unit
    second: str


def button(action: str, first: int | str = NOTHING, second: int | str = NOTHING) -> str:
    return callbacks.pack(PREFIX, action, first, second)


def unit_title(unit: Unit, tr: Translator) -> str:
    """``BLO-TER · Termez`` (plain text; escape it for HTML)."""
    return f"{unit.code} · {unit.name(tr.language)}"


def kind_name(kind: UnitKind, tr: Translator) -> str:
    if kind is UnitKind.BLO:
        return tr.pgettext("unit kind", "border liaison office")
    return tr.pgettext("unit kind", "mobile team")


def point_line(point: CrossingPoint, tr: Translator) -> str:
    """A crossing point (HTML) with its coordinates as map applications show them, or a note
    that it has none (the map and the records then use its unit's place)."""
    name = escape(point.name)
    if point.coordinates is None:
        return tr.gettext("{name} (no coordinates)").format(name=name)
    where = point.coordinates
    return f"{name} 📍 {where.latitude:.4f}, {where.longitude:.4f}"


async def list_view(
    context: BotContext, page: int, actor: int | None
) -> tuple[str, InlineKeyboardMarkup] | Refused:
    tr = context.tr
    _ = tr.gettext
    async with context.db.transaction() as repos:
        units = await organisation.all_units(repos, actor)
    if isinstance(units, Refused):
        return units
    units = sorted(units_in_order(units, tr.language), key=lambda unit: unit.kind.value)
    pages = max(1, -(-len(units) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    teams = sum(unit.kind is UnitKind.IMT for unit in units)
    offices = len(units) - teams
    lines = [
        "{teams}, {offices}.".format(
            teams=tr.ngettext("{count} mobile team", "{count} mobile teams", teams).format(
                count=teams
            ),
            offices=tr.ngettext(
                "{count} border liaison office", "{count} border liaison offices", offices
            ).format(count=offices),
        ),
        _("Tap a unit to see or change it. ⏸ marks a deactivated unit."),
    ]
    if pages > 1:
        lines.append(_("Page {page} of {pages}.").format(page=page + 1, pages=pages))
    shown = units[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    keyboard = [
        [
            InlineKeyboardButton(
                ("" if unit.active else "⏸ ") + unit_title(unit, tr),
                callback_data=button("card", unit.id),
            )
        ]
        for unit in shown
    ]
    navigation = []
    if page > 0:
        navigation.append(
            InlineKeyboardButton(
                "◀ " + tr.pgettext("page", "Previous"), callback_data=button("ls", page - 1)
            )
        )
    if page < pages - 1:
        navigation.append(
            InlineKeyboardButton(
                tr.pgettext("page", "Next") + " ▶", callback_data=button("ls", page + 1)
            )
        )
    if navigation:
        keyboard.append(navigation)
    keyboard.append([InlineKeyboardButton("➕ " + _("Add a unit"), callback_data=button("new"))])
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


async def card_view(
    context: BotContext, unit_id: int, actor: int | None
) -> tuple[str, InlineKeyboardMarkup | None] | Refused:
    tr = context.tr
    _ = tr.gettext
    async with context.db.transaction() as repos:
        view = await organisation.unit_view(repos, actor, unit_id)
    if isinstance(view, Refused):
        return view
    if view is None:
        return _("Stopped. Nothing was changed."), None
    unit, officers, points = view.unit, view.officers, view.points
    status = (
        tr.pgettext("unit status", "active")
        if unit.active
        else tr.pgettext("status", "deactivated")
    )
    lines = [
        f"<b>{escape(unit.code)}</b> · {escape(kind_name(unit.kind, tr))}",
        _("In Uzbek: {name}").format(name=escape(unit.name_uz)),
        _("In Russian: {name}").format(name=escape(unit.name_ru)),
        _("In English: {name}").format(name=escape(unit.name_en)),
        _("Status: {status}").format(status=("⏸ " if not unit.active else "") + status),
        _("Officers: {count}").format(count=officers),
    ]
    if administration.may_have_crossing_points(unit):
        lines.append(
            _("Crossing points: {points}").format(points=escape(", ".join(p.name for p in points)))
            if points
            else _("Crossing points: none yet.")
        )
    switch = (
        InlineKeyboardButton("⏸ " + _("Deactivate"), callback_data=button("off", unit.id))
        if unit.active
        else InlineKeyboardButton("▶ " + _("Reactivate"), callback_data=button("on", unit.id))
    )
    keyboard = [
        [InlineKeyboardButton("✏️ " + _("Rename"), callback_data=button("ren", unit.id)), switch]
    ]
    if administration.may_have_crossing_points(unit):
        keyboard.append(
            [
                InlineKeyboardButton(
                    "🛂 " + _("Crossing points"), callback_data=button("cps", unit.id)
                )
            ]
        )
    keyboard.append(
        [InlineKeyboardButton("◀ " + _("Back to the units"), callback_data=button("ls", 0))]
    )
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


async def points_view(
    context: BotContext, unit_id: int, actor: int | None
) -> tuple[str, InlineKeyboardMarkup | None] | Refused:
    tr = context.tr
    _ = tr.gettext
    async with context.db.transaction() as repos:
        view = await organisation.unit_view(repos, actor, unit_id)
    if isinstance(view, Refused):
        return view
    if view is None:
        return _("Stopped. Nothing was changed."), None
    unit, points = view.unit, view.points
    lines = [f"<b>{escape(unit_title(unit, tr))}</b>"]
    if points:
        lines.append(_("Crossing points (tap one to remove it):"))
        lines += ["• " + point_line(point, tr) for point in points]
    else:
        lines.append(_("No crossing points yet."))
    keyboard = [
        [InlineKeyboardButton("✖ " + point.name, callback_data=button("cpr", point.id))]
        for point in points
    ]
    keyboard.append(
        [
            InlineKeyboardButton(
                "➕ " + _("Add a crossing point"), callback_data=button("cpa", unit.id)
            )
        ]
    )
    keyboard.append(
        [InlineKeyboardButton("◀ " + _("Back to the unit"), callback_data=button("card", unit.id))]
    )
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)
