"""How a form looks in Telegram: question texts, keyboards, the summary, the problems.

Every word comes from the catalogs; every value an officer typed is escaped for HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.digest.labels import quantity_text
from bot.forms.engine import (
    SUMMARY,
    Ask,
    AskMore,
    ConfirmCancel,
    Draft,
    ShowSummary,
    View,
    askable,
)
from bot.forms.keyboard import PREFIX, FormKeyboard, button
from bot.forms.model import Field, Form, Kind
from bot.forms.parsing import Problem
from bot.forms.record_view import route_gap_line
from bot.i18n import Translator
from bot.urgent import Reason

__all__ = ["PREFIX", "FormKeyboard", "button"]


def rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


# -- values ---------------------------------------------------------------------------------
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


# -- questions ------------------------------------------------------------------------------
def render(
    form: Form, draft: Draft, view: View, tr: Translator, *, urgency: Reason | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """The screen for ``view``; ``urgency``: why the summary's answers would be urgent."""
    if isinstance(view, ConfirmCancel):
        return _confirm_cancel(draft, tr)
    if isinstance(view, ShowSummary):
        return summary(form, draft, view, tr, urgency=urgency)
    if isinstance(view, AskMore):
        return _ask_more(draft, view, tr)
    return _ask(form, draft, view, tr)


def _nav(
    draft: Draft, key: str, tr: Translator, *, back: bool = True
) -> list[InlineKeyboardButton]:
    _ = tr.gettext
    nav = [button("✖ " + _("Cancel"), draft, key, "cancel")]
    if back:
        nav.insert(0, button("◀ " + _("Back"), draft, key, "back"))
    return nav


def _ask(form: Form, draft: Draft, view: Ask, tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    _ = tr.gettext
    spec = view.field
    lines = [f"<b>{escape(_(form.title))}</b>"]
    if view.group is not None:
        count = len(draft.answers.get(view.group.key) or []) + 1
        lines.append(_("Item {number}").format(number=count))
    lines.append(escape(_(spec.question)))
    keyboard: list[list[InlineKeyboardButton]] = []
    key = spec.key
    if spec.kind is Kind.CHOICE:
        keyboard += rows([button(tr.label(o), draft, key, "opt", o.key) for o in spec.options], 2)
    elif spec.kind is Kind.MULTI:
        chosen = draft.answers.get(key) or []
        marks = [("✅ " if o.key in chosen else "▫️ ") + tr.label(o) for o in spec.options]
        keyboard += rows(
            [
                button(mark, draft, key, "opt", o.key)
                for mark, o in zip(marks, spec.options, strict=True)
            ],
            2,
        )
        keyboard.append([button("✔ " + _("Done"), draft, key, "done")])
    elif spec.kind is Kind.YES_NO:
        keyboard.append(
            [button(_("Yes"), draft, key, "opt", "yes"), button(_("No"), draft, key, "opt", "no")]
        )
    elif spec.kind is Kind.NUMBER:
        lines.append(
            _("Type a number, for example {example}.").format(
                example=tr.format_number(Decimal("1.5") if not spec.integer else 3)
            )
        )
    elif spec.kind is Kind.TEXT:
        lines.append(
            tr.ngettext(
                "Type your answer (up to {limit} character).",
                "Type your answer (up to {limit} characters).",
                spec.max_length,
            ).format(limit=spec.max_length)
        )
    elif spec.kind is Kind.DATETIME:
        if view.pending_day == "today":
            lines.append(_("Today at what time? Type it as hh:mm, for example 14:30."))
        elif view.pending_day == "yesterday":
            lines.append(_("Yesterday at what time? Type it as hh:mm, for example 14:30."))
        else:
            lines.append(_("Tap a button or type the date and time as dd.mm.yyyy hh:mm."))
            keyboard.append(
                [
                    button(_("Now"), draft, key, "dt", "now"),
                    button(_("Today at…"), draft, key, "dt", "today"),
                    button(_("Yesterday at…"), draft, key, "dt", "yesterday"),
                ]
            )
    elif spec.kind is Kind.PLACE and draft.places:
        lines.append(
            _(
                "Choose the crossing point, share your location (📎 → Location) "
                "or type the name of the place."
            )
        )
        keyboard += rows([button(name, draft, key, "opt", pid) for pid, name in draft.places], 2)
    elif spec.kind is Kind.PLACE:
        lines.append(
            _(
                "Share your location (📎 → Location) "
                "or type the name of the place or crossing point."
            )
        )
    elif spec.kind is Kind.PHOTOS:
        photos = draft.answers.get(key) or []
        if photos:
            lines.append(
                tr.ngettext(
                    "{count} photo received.", "{count} photos received.", len(photos)
                ).format(count=len(photos))
            )
            keyboard.append(
                [
                    button("✔ " + _("Done"), draft, key, "done"),
                    button(_("Remove photos"), draft, key, "clear"),
                ]
            )
    if spec.optional and not (spec.kind is Kind.PHOTOS and draft.answers.get(key)):
        keyboard.append([button("⏭ " + _("Skip"), draft, key, "skip")])
    if form.route_fields is not None and key == form.route_fields[0]:
        keyboard.append([button("⏭ " + _("Skip the whole route"), draft, key, "skip_route")])
    keyboard.append(_nav(draft, key, tr))
    return "\n".join(lines), FormKeyboard(keyboard)


def _ask_more(draft: Draft, view: AskMore, tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    _ = tr.gettext
    items = draft.answers.get(view.group.key) or []
    lines = [_("Seized items so far:")]
    lines += [f"{n}. {item_text(view.group, item, tr)}" for n, item in enumerate(items, 1)]
    if not items:
        lines = [_("No items yet.")]
    key = view.group.key
    keyboard = [[button("➕ " + _("Add another item"), draft, key, "more", "add")]]
    if items:
        keyboard.append(
            [
                button(_("Remove the last item"), draft, key, "more", "drop"),
                button("✔ " + _("Continue"), draft, key, "more", "done"),
            ]
        )
    keyboard.append(_nav(draft, key, tr))
    return "\n".join(lines), FormKeyboard(keyboard)


def _confirm_cancel(draft: Draft, tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    _ = tr.gettext
    return _("Discard this report? Everything you entered will be lost."), FormKeyboard(
        [
            [
                button(_("Yes, discard"), draft, SUMMARY, "cancel_yes"),
                button(_("No, keep it"), draft, SUMMARY, "cancel_no"),
            ]
        ]
    )


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


def summary(
    form: Form, draft: Draft, view: ShowSummary, tr: Translator, *, urgency: Reason | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    _ = tr.gettext
    if draft.amends_number:
        title = _("Amending report {number}").format(number=escape(draft.amends_number))
    else:
        title = _(form.title)
    lines = [f"<b>{escape(title)}</b>", _("Check your report before filing it."), ""]
    # Every answer whole: the officer reviews what they file (long ones split the message).
    lines += summary_lines(form, draft.answers, tr, limit=None, urgency=urgency)
    route_gap = route_gap_line(form, draft.answers, tr)
    if route_gap is not None:
        lines += ["", route_gap]
    if view.missing:
        lines += [
            "",
            _("Still to answer: {fields}.").format(
                fields=escape(", ".join(_(form.field_index[key].label) for key in view.missing))
            ),
        ]
    edit_buttons = [
        button("✏️ " + _(spec.label), draft, SUMMARY, "edit", spec.key)
        for spec in form.fields
        if askable(draft.answers, spec)
    ]
    keyboard = rows(edit_buttons, 2)
    keyboard.append(
        [
            # Translators: the button that files the report just checked (Russian «Подать»).
            button("✅ " + _("File report"), draft, SUMMARY, "submit"),
            button("✖ " + _("Cancel"), draft, SUMMARY, "cancel"),
        ]
    )
    return "\n".join(lines), FormKeyboard(keyboard)


# -- problems -------------------------------------------------------------------------------
def problem_text(problem: Problem, tr: Translator) -> str:
    _ = tr.gettext
    p = problem.params
    code = problem.code
    if code == "number.invalid":
        if p.get("integer"):
            return _("That is not a whole number. Please type digits only, for example 3.")
        return _("That is not a number. Please type it like {example}.").format(
            example=tr.format_number(Decimal("1.5"))
        )
    if code == "number.not_integer":
        return _("Please type a whole number, for example 3.")
    if code == "number.too_precise":
        return tr.ngettext(
            "Please use at most {decimals} digit after the decimal mark.",
            "Please use at most {decimals} digits after the decimal mark.",
            p["decimals"],
        ).format(decimals=p["decimals"])
    if code == "number.too_small":
        return _("The number must be at least {minimum}.").format(
            minimum=tr.format_number(p["minimum"])
        )
    if code == "number.too_large":
        return _("The number must be at most {maximum}.").format(
            maximum=tr.format_number(p["maximum"])
        )
    if code == "text.empty":
        return _("The answer is empty. Please type some text.")
    if code == "text.too_long":
        return tr.ngettext(
            "That is too long: {count} characters, the limit is {limit}. Please shorten it.",
            "That is too long: {count} characters, the limit is {limit}. Please shorten it.",
            p["count"],
        ).format(count=p["count"], limit=p["limit"])
    if code in ("datetime.invalid", "time.invalid"):
        return _(
            "I could not read that date and time. "
            "Please type it as dd.mm.yyyy hh:mm, or hh:mm for today."
        )
    if code == "datetime.future":
        return _("That moment is in the future. Please check the date and time.")
    if code == "datetime.too_old":
        return tr.ngettext(
            "That is more than {days} day ago. Reports this old are not accepted here.",
            "That is more than {days} days ago. Reports this old are not accepted here.",
            p["days"],
        ).format(days=p["days"])
    if code == "datetime.before_start":
        return _("The end cannot be before the start ({start}).").format(
            start=escape(tr.format_datetime(p["start"], "short"))
        )
    if code == "datetime.after_end":
        return _("The start cannot be after the end ({end}).").format(
            end=escape(tr.format_datetime(p["end"], "short"))
        )
    if code == "choice.use_buttons":
        return _("Please choose one of the buttons above.")
    if code == "multi.choose_one":
        return _("Please choose at least one option, then tap “Done”.")
    if code == "photos.send_photo":
        return _("Please send a photo, or tap “Done” or “Skip”.")
    if code == "photos.too_many":
        return tr.ngettext(
            "You can attach at most {limit} photo.",
            "You can attach at most {limit} photos.",
            p["limit"],
        ).format(limit=p["limit"])
    if code == "group.too_many":
        return tr.ngettext(
            "A report can hold at most {limit} item.",
            "A report can hold at most {limit} items.",
            p["limit"],
        ).format(limit=p["limit"])
    if code == "group.empty":
        return _("Please add at least one item.")
    if code == "place.invalid_location":
        return _("That location is not valid. Please share it again or type the place name.")
    if code == "summary.use_buttons":
        return _(
            "Your report is ready to check. Use the buttons under it to change an answer"
            " or file it."
        )
    if code == "summary.incomplete":
        return _("Some required answers are missing. Please fill them in first.")
    if code == "cancel.use_buttons":
        return _("Please answer with the buttons: discard the report or keep it.")
    if code == "input.unexpected_location":
        return _("A location is not an answer to this question.")
    if code == "input.unexpected_photo":
        return _("A photo is not an answer to this question.")
    if code == "input.unsupported":
        return _("I cannot use that here. Please answer the question.")
    return _("That answer cannot be used. Please try again.")
