"""How a form looks in Telegram: each question's text and keyboard, the summary, the question
"discard this report?".

Every word comes from the catalogs; every value an officer typed is escaped for HTML (the
answers read back through bot/forms/readback.py; problems' words are bot/forms/problems.py's).
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.forms.keyboard import FormKeyboard, button
from bot.forms.model import Form, Kind
from bot.forms.readback import item_text, summary_lines
from bot.forms.record_view import route_gap_line
from bot.forms.state import (
    SUMMARY,
    Ask,
    AskMore,
    ConfirmCancel,
    Draft,
    ShowSummary,
    View,
    askable,
)
from bot.i18n import Translator
from bot.urgent import Reason


def rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


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
