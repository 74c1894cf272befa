"""/factors: admins set how many kilograms a litre, a tablet or a piece of a substance counts
for (bot/conversion.py), so seizures in every measure add up to kilogram equivalents.

A tap on a substance shows its three factors; a tap on one opens a typed question
(bot/handlers/admin/typed.py): the admin types the weight (kg per litre, mg per tablet,
g per piece), checked as typed and again by the rules layer, which saves and audits it. A button
removes a factor ("no factor"). Reports filed earlier keep the factor they were filed with.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks, conversion
from bot.authority import Refused
from bot.context import BotContext, FieldReportApplication
from bot.digest.labels import factor_text, substance_label
from bot.equivalents import (
    CONVERTIBLE_UNITS,
    TYPED_DECIMALS,
    BadFactor,
    FactorProblem,
    load_factors,
    parse_factor,
)
from bot.handlers.admin import flow
from bot.handlers.admin.typed import TypedFlow, open_typed, save_typed, stop_tapped
from bot.handlers.admin.unit_questions import Question, open_question
from bot.handlers.common import stale_button
from bot.handlers.refusals import actor_id
from bot.i18n import Translator
from storage import ConversionFactor

PREFIX = "kgf"
FLOW = "factor"
NOTHING = "-"


def button(action: str, substance: str = NOTHING, unit: str = NOTHING) -> str:
    return callbacks.pack(PREFIX, action, substance, unit)


def factor_label(kg_per_unit: Decimal | None, unit: str, tr: Translator) -> str:
    """A factor that says its unit when there is none: ``1 kg/L``, ``tablets: no factor``."""
    if kg_per_unit is not None:
        return factor_text(kg_per_unit, unit, tr)
    missing = {
        "l": tr.gettext("litres: no factor"),
        "tablets": tr.gettext("tablets: no factor"),
        "pieces": tr.gettext("pieces: no factor"),
    }
    return missing[unit]


def problem_text(tr: Translator, problem: FactorProblem) -> str:
    """What is wrong with a typed factor, in the admin's language."""
    _ = tr.gettext
    texts = {
        FactorProblem.EMPTY: _("That was empty."),
        FactorProblem.NOT_A_NUMBER: _("Please type one number, for example 100 or 0.95."),
        FactorProblem.NOT_POSITIVE: _("A weight is more than zero."),
        FactorProblem.TOO_LARGE: _("That is too heavy for one unit: please check the number."),
        FactorProblem.TOO_PRECISE: tr.ngettext(
            "At most {count} digit after the decimal point, please.",
            "At most {count} digits after the decimal point, please.",
            TYPED_DECIMALS,
        ).format(count=tr.format_number(TYPED_DECIMALS)),
    }
    return texts[problem]


def prompt(context: BotContext, question: Question) -> tuple[str, InlineKeyboardMarkup]:
    """The question's text (HTML) and buttons: Remove the factor (when there is one), Stop."""
    tr = context.tr
    _ = tr.gettext
    substance, unit = str(question["substance"]), str(question["unit"])
    current = Decimal(question["current"]) if question.get("current") else None
    now = {
        # Translators: {substance} e.g. "Heroin"; {factor} e.g. "1 kg/L" or "no factor".
        "l": _("Kilogram equivalent of one litre of {substance}: now {factor}."),
        # Translators: {substance} e.g. "Methamphetamine"; {factor} e.g. "100 mg per tablet".
        "tablets": _("Kilogram equivalent of one tablet of {substance}: now {factor}."),
        # Translators: {substance} e.g. "Hashish"; {factor} e.g. "250 g per piece".
        "pieces": _("Kilogram equivalent of one piece of {substance}: now {factor}."),
    }[unit]
    lines = [
        now.format(
            substance=escape(substance_label(substance, tr)),
            factor=escape(factor_text(current, unit, tr)),
        ),
        {
            "l": _("Type how many kilograms one litre counts for, for example 1 or 0.95."),
            "tablets": _("Type how many milligrams one tablet weighs, for example 100."),
            "pieces": _("Type how many grams one piece weighs, for example 250."),
        }[unit],
        _("Reports filed from now on use the new factor; earlier reports keep theirs."),
        _("Send /cancel to stop."),
    ]
    rows = []
    if current is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    "🗑 " + _("Remove the factor"), callback_data=button("rm", substance, unit)
                )
            ]
        )
    rows.append([InlineKeyboardButton("✖ " + _("Stop"), callback_data=button("stop"))])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def _list_view(
    context: BotContext, actor: int | None
) -> tuple[str, InlineKeyboardMarkup] | Refused:
    async with context.db.transaction() as repos:
        table = await conversion.factors_list(repos, actor)
    if isinstance(table, Refused):
        return table
    tr = context.tr
    lines = [
        escape(
            tr.gettext(
                "Kilogram equivalents: how many kilograms a litre, a tablet or a piece of each "
                "substance counts for. Grams and kilograms count as weighed. Tap a substance "
                "to change its factors."
            )
        ),
        "",
    ]
    for substance in conversion.SUBSTANCE_KEYS:
        parts = [
            factor_label(row.kg_per_unit if row else None, unit, tr)
            for unit in CONVERTIBLE_UNITS
            for row in [table[substance, unit]]
        ]
        lines.append(
            f"• <b>{escape(substance_label(substance, tr))}</b>: " + escape("; ".join(parts))
        )
    buttons = [
        InlineKeyboardButton(substance_label(substance, tr), callback_data=button("s", substance))
        for substance in conversion.SUBSTANCE_KEYS
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def _substance_view(
    context: BotContext, actor: int | None, substance: str
) -> tuple[str, InlineKeyboardMarkup] | Refused | None:
    async with context.db.transaction() as repos:
        table = await conversion.factors_list(repos, actor)
    if isinstance(table, Refused):
        return table
    if substance not in conversion.SUBSTANCE_KEYS:
        return None
    tr = context.tr
    rows = [
        [
            InlineKeyboardButton(
                factor_label(row.kg_per_unit if row else None, unit, tr),
                callback_data=button("ed", substance, unit),
            )
        ]
        for unit in CONVERTIBLE_UNITS
        for row in [table[substance, unit]]
    ]
    rows.append([InlineKeyboardButton("« " + tr.gettext("Back"), callback_data=button("ls"))])
    text = tr.gettext("{substance}: tap a factor to change it.").format(
        substance=escape(substance_label(substance, tr))
    )
    return text, InlineKeyboardMarkup(rows)


async def factors_command(update: Update, context: BotContext) -> None:
    await flow.send(update, context, await _list_view(context, actor_id(update)))


async def factors_tap(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    try:
        action, substance, unit = callbacks.unpack(query.data, PREFIX, 3)
    except callbacks.CallbackDataError:
        await stale_button(update, context)
        return
    if action == "stop":
        await stop_tapped(update, context)
    elif action == "ls":
        await flow.show(update, context, await _list_view(context, actor_id(update)))
    elif action == "s":
        shown = await _substance_view(context, actor_id(update), substance)
        if shown is None:
            await stale_button(update, context)
            return
        await flow.show(update, context, shown)
    elif action == "ed":
        await open_typed(
            update,
            context,
            lambda repos, actor: conversion.factor_view(repos, actor, substance, unit),
            lambda found: {
                "flow": FLOW,
                "substance": substance,
                "unit": unit,
                "current": str(found[2]) if found[2] is not None else None,
            },
            prompt,
        )
    elif action == "rm":
        question_now = open_question(context)
        if (
            question_now is None
            or question_now.get("flow") != FLOW
            or (question_now.get("substance"), question_now.get("unit")) != (substance, unit)
        ):
            await stale_button(update, context)
            return
        await _save(context, update, question_now, None)
        await query.answer()
    else:
        await stale_button(update, context)


async def answer(context: BotContext, update: Update, question: Question, text: str) -> None:
    """The typed factor: checked here for a quick answer, and again by the rules layer."""
    try:
        parse_factor(text, str(question["unit"]))
    except BadFactor as exc:
        await TYPED.ask_again(context, update, question, problem_text(context.tr, exc.problem))
        return
    await _save(context, update, question, text)


#: How the open question's handler asks again and hands on an answer.
TYPED = TypedFlow(prompt=prompt, answer=answer)


async def _save(context: BotContext, update: Update, question: Question, typed: str | None) -> None:
    substance, unit = str(question["substance"]), str(question["unit"])

    async def saved(done: ConversionFactor) -> None:
        # The form's summary reads them from memory; filing reads them again in its transaction.
        context.services.factors = await load_factors(context.db)
        tr = context.tr
        notice = "✅ " + tr.gettext(
            # Translators: {substance} e.g. "Heroin"; {factor} e.g. "1 kg/L", "100 mg per tablet"
            # or "no factor".
            "Saved: {substance}, {factor}. Reports filed from now on use it; earlier reports "
            "keep theirs."
        ).format(
            substance=escape(substance_label(substance, tr)),
            factor=escape(factor_text(done.kg_per_unit, unit, tr)),
        )
        await flow.send(update, context, await _list_view(context, actor_id(update)), notice)

    try:
        await save_typed(
            update,
            context,
            lambda repos, actor: conversion.set_factor(repos, actor, substance, unit, typed),
            saved,
        )
    except BadFactor as exc:  # pragma: no cover - checked by answer() just before
        await TYPED.ask_again(context, update, question, problem_text(context.tr, exc.problem))


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("factors", factors_command))
    application.add_handler(CallbackQueryHandler(factors_tap, pattern=callbacks.pattern(PREFIX)))
