"""Answers read back as text (HTML-escaped): one value, one seizure item, a question once
answered, the summary's lines, "urgent" as coordinators see it.

Below every screen that shows a report's answers: the form's summary (bot/forms/render.py),
the receipt, /myreports, the urgent alert and the spreadsheet all write answers this way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from html import escape
from typing import Any

from bot.digest.labels import quantity_text
from bot.forms.model import Field, Form, Kind
from bot.forms.state import Ask, Draft, askable
from bot.i18n import Translator
from bot.urgent import Reason


def value_text(spec: Field, value: Any, tr: Translator, *, limit: int | None = None) -> str:
    """An answer as the officer reads it back, HTML-escaped."""
    _ = tr.gettext
    if value is None or value == [] or value == "":
        return "—"
    if spec.kind is Kind.CHOICE:
        option = spec.option(str(value))
        return escape(tr.label(option)) if option else "—"
    if spec.kind is Kind.MULTI:
        labels = [tr.label(o) for o in spec.options if o.key in value]
        return escape(", ".join(labels)) or "—"
    if spec.kind is Kind.YES_NO:
        return _("Yes") if value else _("No")
    if spec.kind is Kind.NUMBER:
        return tr.format_number(Decimal(value))
    if spec.kind is Kind.TEXT:
        text = str(value)
        if limit is not None and len(text) > limit:
            text = text[:limit] + "…"
        return escape(text)
    if spec.kind is Kind.DATETIME:
        return escape(tr.format_datetime(datetime.fromisoformat(value), "short"))
    if spec.kind is Kind.PLACE:
        if value.get("type") == "location":
            return _("location {latitude}, {longitude}").format(
                latitude=f"{value['lat']:.5f}", longitude=f"{value['lon']:.5f}"
            )
        return escape(str(value.get("text", "")))
    if spec.kind is Kind.PHOTOS:
        count = len(value)
        return tr.ngettext("{count} photo", "{count} photos", count).format(count=count)
    if spec.kind is Kind.GROUP:
        return "\n".join(f"  • {item_text(spec, item, tr)}" for item in value)
    return escape(str(value))  # pragma: no cover


def item_text(group: Field, item: dict[str, Any], tr: Translator) -> str:
    """One seizure item: ``Heroin — 1,5 kg``, ``Tramadol — 1 tablet`` (HTML-escaped).

    The quantity and its measure are one phrase (``quantity_text``), so "tablets" agrees with
    the number in every language, the same way the digest and the spreadsheet write it.
    """
    substance, quantity, measure = (group.subfields[i] for i in range(3))
    amount = item.get(quantity.key)
    unit = item.get(measure.key)
    if amount is None or amount == "" or not unit:
        shown = value_text(quantity, amount, tr)  # an item still being entered
    else:
        shown = escape(quantity_text(Decimal(str(amount)), str(unit), tr))
    return tr.gettext("{substance} — {quantity}").format(
        substance=value_text(substance, item.get(substance.key), tr), quantity=shown
    )


def answered_text(form: Form, view: Ask, after: Draft, tr: Translator) -> str:
    """A question once answered by typing: ``Quantity: 1,5 ✓``, without buttons."""
    spec = view.field
    if view.group is None:
        value = after.answers.get(spec.key)
    elif spec.key in after.item:
        value = after.item[spec.key]
    else:  # the answer completed the item: it is the group's last one now
        items = after.answers.get(view.group.key) or [{}]
        value = items[-1].get(spec.key)
    label = escape(tr.gettext(spec.label))
    return f"<b>{escape(tr.gettext(form.title))}</b>\n{label}: {value_text(spec, value, tr)} ✓"


def urgency_text(reason: Reason | None, tr: Translator) -> str:
    """Urgent or not as coordinators see it: a large seizure is urgent even if not marked so."""
    _ = tr.gettext
    if reason is None:
        return _("No")
    if reason.large:
        return _("Yes — large seizure")
    return _("Yes")


def summary_lines(
    form: Form,
    answers: dict[str, Any],
    tr: Translator,
    *,
    limit: int | None,
    urgency: Reason | None = None,
    omit: tuple[str, ...] = (),
    removed: Mapping[str, str] | None = None,
) -> list[str]:
    """The answers, one line each; the urgent answer says ``urgency`` when it is urgent;
    ``omit``: questions not asked of this report (a route before routes were asked);
    ``removed``: answers deleted after the retention period, each with what to show instead."""
    lines = []
    for spec in form.fields:
        if not askable(answers, spec) or spec.key in omit:
            continue
        if removed and spec.key in removed:
            value = escape(removed[spec.key])
        elif spec.key == form.urgent_field and urgency is not None:
            value = urgency_text(urgency, tr)
        else:
            value = value_text(spec, answers.get(spec.key), tr, limit=limit)
        separator = "\n" if spec.kind is Kind.GROUP and answers.get(spec.key) else " "
        lines.append(f"<b>{escape(tr.gettext(spec.label))}:</b>{separator}{value}")
    return lines
