"""``/routes [days]``: the period's most frequent routes and concealment methods as text.

The counting and who may see it are bot/trafficking.py's; here only the words.
"""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import CommandHandler

from bot import trafficking
from bot.authority import Refused
from bot.context import BotContext, FieldReportApplication
from bot.digest.labels import equivalent_text
from bot.forms.definitions import CONCEALMENT, ROUTE_OPTIONS
from bot.handlers.refusals import actor_id, tell_refused
from bot.i18n import Translator
from bot.trafficking import DEFAULT_DAYS, MAX_DAYS, RouteSummary, Tally
from storage.clock import utc_now

_COUNTRIES = {option.key: option for option in ROUTE_OPTIONS}
_CONCEALMENT = {option.key: option for option in CONCEALMENT}


async def routes_command(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    tr = context.tr
    args = context.args or []
    days: int | None = DEFAULT_DAYS
    if len(args) > 1:
        days = None
    elif args:
        text = args[0]
        days = int(text) if len(text) <= 3 and text.isascii() and text.isdigit() else None
    if days is None or not 1 <= days <= MAX_DAYS:
        await chat.send_message(
            tr.gettext(
                "Usage: /routes or /routes DAYS (from 1 to {longest}), for example /routes 90."
            ).format(longest=MAX_DAYS)
        )
        return
    today = utc_now().astimezone(context.settings.timezone).date()
    async with context.db.transaction() as repos:  # a refusal is audited
        summary = await trafficking.route_summary(repos, actor_id(update), days, today)
    if isinstance(summary, Refused):
        await tell_refused(update, context, summary)
        return
    await chat.send_message(summary_text(summary, days, tr))
    actor = actor_id(update)
    if actor is not None:
        async with context.db.transaction() as repos:  # only what reached the coordinator
            await trafficking.record_reading(repos, actor, summary)


def summary_text(summary: RouteSummary, days: int, tr: Translator) -> str:
    """The message: the period, the routes, the concealment methods (HTML)."""
    _ = tr.gettext
    period = {
        "first": escape(tr.format_date(summary.first)),
        "last": escape(tr.format_date(summary.last)),
    }
    if summary.first == summary.last:  # "/routes 1": one day, not a range from it to itself
        # Translators: the title of /routes for one day; {day} e.g. "06.12.2026".
        title = _("Routes and concealment on {day}").format(day=period["first"])
    else:
        title = tr.ngettext(
            "Routes and concealment of the last {days} day ({first} – {last})",
            "Routes and concealment of the last {days} days ({first} – {last})",
            days,
        ).format(days=tr.format_number(days), **period)
    lines = [f"<b>{title}</b>", ""]
    if not summary.seizures:
        lines.append(_("No seizures were filed in this period."))
        return "\n".join(lines)
    lines.append(
        tr.ngettext("{count} seizure filed.", "{count} seizures filed.", summary.seizures).format(
            count=tr.format_number(summary.seizures)
        )
    )
    heading = _("Most frequent routes (departure → destination):")
    lines += ["", f"<b>{escape(heading)}</b>"]
    if summary.routes:
        lines += [
            _tally_line(n, _route_name(tally, tr), tally, tr)
            for n, tally in enumerate(summary.routes, 1)
        ]
    else:
        lines.append(_("No seizure of the period gave its route."))
    if summary.without_route and summary.routes:
        lines.append(
            tr.ngettext(
                "Without a route: {count} seizure.",
                "Without a route: {count} seizures.",
                summary.without_route,
            ).format(count=tr.format_number(summary.without_route))
        )
    heading = _("Concealment methods:")
    lines += ["", f"<b>{escape(heading)}</b>"]
    if summary.concealments:
        lines += [
            _tally_line(n, _concealment_name(tally, tr), tally, tr)
            for n, tally in enumerate(summary.concealments, 1)
        ]
    else:
        lines.append(_("No seizure of the period said how it was concealed."))
    if summary.without_concealment and summary.concealments:
        lines.append(
            tr.ngettext(
                "Concealment not given: {count} seizure.",
                "Concealment not given: {count} seizures.",
                summary.without_concealment,
            ).format(count=tr.format_number(summary.without_concealment))
        )
    if summary.without_factor:
        lines += [
            "",
            _(
                "Litres, tablets and pieces of a drug without a factor are in no kilogram "
                "equivalent."
            ),
        ]
    return "\n".join(lines)


def _tally_line(position: int, name: str, tally: Tally, tr: Translator) -> str:
    # Translators: one line of /routes, e.g. "1. Afghanistan → Russia: 3 seizures,
    # ≈ 12.5 kg equivalent"; {equivalent} is "≈ 12.5 kg equivalent".
    return tr.ngettext(
        "{position}. {name}: {count} seizure, {equivalent}",
        "{position}. {name}: {count} seizures, {equivalent}",
        tally.seizures,
    ).format(
        position=position,
        name=escape(name),
        count=tr.format_number(tally.seizures),
        equivalent=escape(equivalent_text(tally.kg_equivalent, tr)),
    )


def _route_name(tally: Tally, tr: Translator) -> str:
    departure, destination = (_country(key, tr) for key in tally.key)
    return f"{departure} → {destination}"


def _country(key: str, tr: Translator) -> str:
    option = _COUNTRIES.get(key)
    return tr.label(option) if option else key


def _concealment_name(tally: Tally, tr: Translator) -> str:
    option = _CONCEALMENT.get(tally.key[0])
    return tr.label(option) if option else tally.key[0]


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("routes", routes_command))
