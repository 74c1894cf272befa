"""What an urgent alert says and how it reads in each recipient's language: its text (the report,
why it is urgent, who acknowledged it), its buttons, and how people are named to each other.

Read by every flow of the urgent lane (sending, acknowledging, questions and answers); it only
renders, never sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks, urgent
from bot.context import Services
from bot.coordination import group_language
from bot.digest.labels import weighing_text
from bot.forms.definitions import FORMS
from bot.forms.model import Kind
from bot.forms.readback import item_text, value_text
from bot.i18n import Translator, resolve_language
from storage import Report, Repositories, Unit, User
from storage.alerts import Alert
from storage.bot_settings import CoordinationGroup

#: The alert's buttons (coordinators) and the question's "Reply" (officers): buttons.py.
PREFIX = "alr"
ANSWER_PREFIX = "ans"
#: Text fields shown in full in an alert (an incident says what happened only there).
DETAIL_FIELDS = ("category", "descr")
DETAIL_LIMIT = 300


@dataclass(frozen=True)
class AlertView:
    """Everything an alert's text is made of, read in one transaction."""

    alert: Alert
    report: Report
    unit: Unit | None
    acknowledger: User | None


async def load_view(repos: Repositories, alert_id: int) -> AlertView | None:
    alert = await repos.alerts.get(alert_id)
    if alert is None:
        return None
    report = await repos.reports.get(alert.report_id)
    if report is None:  # pragma: no cover - a foreign key keeps it
        return None
    unit = await repos.units.get(report.unit_id)
    acknowledger = (
        await repos.users.get(alert.acknowledged_by) if alert.acknowledged_by is not None else None
    )
    return AlertView(alert, report, unit, acknowledger)


def person_name(user: User | None) -> str:
    """How a person is named to others (not escaped)."""
    if user is None:
        return "—"
    if user.display_name:
        return user.display_name
    return f"@{user.username}" if user.username else str(user.telegram_id)


def label(translated: str) -> str:
    """A bold ``Label:`` before a value, as the report summary shows it."""
    return f"<b>{escape(translated)}:</b>"


def _place(report: Report, tr: Translator) -> str | None:
    if report.place_text:
        return escape(report.place_text)
    if report.latitude is not None and report.longitude is not None:
        return tr.gettext("location {latitude}, {longitude}").format(
            latitude=f"{report.latitude:.5f}", longitude=f"{report.longitude:.5f}"
        )
    return None


def alert_text(
    view: AlertView,
    tr: Translator,
    threshold_kg: Decimal,
    *,
    reminder_minutes: int | None = None,
) -> str:
    """The alert in ``tr``'s language; everything an officer typed is escaped."""
    _ = tr.gettext
    report = view.report
    form = FORMS.get(report.form)
    heading = _("Urgent report {number}").format(number=report.number)
    lines = [f"🚨 <b>{escape(heading)}</b>"]
    title = _(form.title) if form else report.form
    unit = view.unit.name(tr.language) if view.unit else "—"
    lines.append(f"{escape(title)} · {escape(unit)}")
    if report.occurred_at is not None:
        when = tr.format_datetime(report.occurred_at, "short")
        lines.append(label(_("When")) + " " + escape(when))
    place = _place(report, tr)
    if place:
        lines.append(label(_("Place")) + " " + place)
    group = form.field(form.items_field) if form and form.items_field else None
    if group is not None and report.items:
        lines.append(label(_(group.label)))
        for item in report.items:
            entered = {
                "substance": item.substance,
                "qty": str(item.quantity),
                "measure": item.measure,
            }
            lines.append(f"  • {item_text(group, entered, tr)}")
    if report.persons_detained is not None:
        count = tr.format_number(report.persons_detained)
        lines.append(label(_("Persons detained")) + " " + count)
    for key in DETAIL_FIELDS:
        spec = form.field(key) if form else None
        if spec is not None and spec.kind in (Kind.CHOICE, Kind.TEXT) and report.answers.get(key):
            value = value_text(spec, report.answers[key], tr, limit=DETAIL_LIMIT)
            lines.append(label(_(spec.label)) + " " + value)
    why = _why_urgent(urgent.Reason(view.alert.reason), tr, threshold_kg)
    lines.append(label(_("Why urgent")) + " " + escape(why))
    large = urgent.large_by(report.items, threshold_kg)
    if large is not None:  # which kilograms: weighed, or a kilogram equivalent
        lines.append(
            label(_("Large seizure")) + " " + escape(weighing_text(large, threshold_kg, tr))
        )
    if reminder_minutes is not None and not view.alert.acknowledged:
        lines.append(
            "\n🔁 "
            + tr.ngettext(
                "Reminder: nobody has acknowledged this alert for {minutes} minute.",
                "Reminder: nobody has acknowledged this alert for {minutes} minutes.",
                reminder_minutes,
            ).format(minutes=reminder_minutes)
        )
    if view.alert.acknowledged_at is not None:
        lines.append("\n✅ " + acknowledged_text(view, tr))
    return "\n".join(lines)


def _why_urgent(reason: urgent.Reason, tr: Translator, threshold_kg: Decimal) -> str:
    """A whole sentence for each combination of reasons, never fragments joined in code."""
    _ = tr.gettext
    threshold = tr.format_number(threshold_kg)
    if reason.marked and reason.large:
        # Translators: why an alert is urgent; {threshold} is a number of kilograms, e.g. "1".
        return _(
            "marked urgent by the officer; large seizure: {threshold} kg or more of one substance"
        ).format(threshold=threshold)
    if reason.large:
        # Translators: why an alert is urgent; {threshold} is a number of kilograms, e.g. "1".
        return _("large seizure: {threshold} kg or more of one substance").format(
            threshold=threshold
        )
    return _("marked urgent by the officer")


def acknowledged_text(view: AlertView, tr: Translator) -> str:
    assert view.alert.acknowledged_at is not None
    return tr.gettext("Acknowledged by {name} at {time}.").format(
        name=escape(person_name(view.acknowledger)),
        time=escape(tr.format_datetime(view.alert.acknowledged_at, "short")),
    )


def alert_keyboard(tr: Translator, alert_id: int, *, acknowledged: bool) -> InlineKeyboardMarkup:
    """Acknowledge and Ask for details; once acknowledged, only Ask for details."""
    ask = InlineKeyboardButton(
        "❓ " + tr.pgettext("button", "Ask for details"),
        callback_data=callbacks.pack(PREFIX, "ask", alert_id),
    )
    if acknowledged:
        return InlineKeyboardMarkup([[ask]])
    ack = InlineKeyboardButton(
        # Translators: the coordinator confirms they RECEIVED the alert; it is not an approval
        # (Uzbek "Qabul qildim", Russian "Подтвердить получение").
        "✅ " + tr.pgettext("button", "Acknowledge"),
        callback_data=callbacks.pack(PREFIX, "ack", alert_id),
    )
    return InlineKeyboardMarkup([[ack, ask]])


def translator_for(
    services: Services, user: User | None, group: CoordinationGroup | None = None
) -> Translator:
    """The person's language; a group (no person) reads its own, else the default language."""
    default = services.settings.default_language
    if user is None:
        return services.catalogs.translator(group_language(group, default) if group else default)
    return services.catalogs.translator(
        resolve_language(user.language, user.telegram_language, default)
    )
