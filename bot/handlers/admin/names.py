"""/names: admins correct the names of agencies, substances and countries (reference data,
bot/reference.py) without a release — agencies were renamed in recent years, and the programme
tells which names are current.

A tap on a name opens a typed question (bot/handlers/admin/typed.py, the same mechanism as a
unit's rename): the name in Uzbek (Latin), Russian and English in turn, each checked as it is
typed and again by the rules layer, which saves the three at once and audits old and new.
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import administration, callbacks, reference
from bot.administration import InvalidText
from bot.authority import Refused
from bot.context import BotContext, FieldReportApplication
from bot.forms.definitions import AGENCIES, COUNTRIES, NATIONALITIES, SUBSTANCES
from bot.handlers.admin import flow
from bot.handlers.admin.typed import (
    TypedFlow,
    open_typed,
    save_typed,
    stop_tapped,
    take_tapped_answer,
)
from bot.handlers.admin.unit_questions import (
    NAME_STEPS,
    Question,
    ask,
    name_given,
    open_question,
    problem_text,
)
from bot.handlers.common import stale_button
from bot.handlers.refusals import actor_id
from bot.translit import latin_to_cyrillic
from storage import ReferenceKind, ReferenceName

PREFIX = "ref"
FLOW = "refname"
NOTHING = "-"
#: The lists in the order the forms show them (the table's own order is alphabetical by key).
ORDER = {
    (kind, option.key): position
    for position, (kind, option) in enumerate(
        [(ReferenceKind.AGENCY, o) for o in AGENCIES]
        + [(ReferenceKind.SUBSTANCE, o) for o in SUBSTANCES]
        + [(ReferenceKind.COUNTRY, o) for o in NATIONALITIES]
        + [(ReferenceKind.COUNTRY, o) for o in COUNTRIES if o not in NATIONALITIES]
    )
}
#: How the list tells the three kinds apart.
MARKS = {ReferenceKind.AGENCY: "🏛 ", ReferenceKind.SUBSTANCE: "💊 ", ReferenceKind.COUNTRY: "🌍 "}


def button(action: str, kind: str = NOTHING, key: str = NOTHING, step: str = NOTHING) -> str:
    return callbacks.pack(PREFIX, action, kind, key, step)


def current_name(question: Question, language: str) -> str:
    """The name being corrected, as stored when the question was opened, in ``language``."""
    current = question["current"]
    if language == "uz_Cyrl":
        return latin_to_cyrillic(current["uz"])
    return str(current.get(language, current["en"]))


def prompt(context: BotContext, question: Question) -> tuple[str, InlineKeyboardMarkup]:
    """The question's text (HTML) and buttons: Keep the current name, or Stop."""
    tr = context.tr
    _ = tr.gettext
    step = question["step"]
    lines = [
        # Translators: {name} is an agency, a substance or a country, e.g. "State Customs
        # Committee".
        _("Correcting the name “{name}”.").format(name=escape(current_name(question, tr.language)))
    ]
    lines.append(
        {
            "uz": _("Type its name in Uzbek (Latin script)."),
            "ru": _("Type its name in Russian."),
            "en": _("Type its name in English."),
        }[step]
    )
    lines.append(_("Send /cancel to stop."))
    keep = tr.gettext("Keep: {name}").format(name=question["current"][step])
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    keep, callback_data=button("keep", question["kind"], question["key"], step)
                )
            ],
            [InlineKeyboardButton("✖ " + _("Stop"), callback_data=button("stop"))],
        ]
    )
    return "\n".join(lines), markup


async def _list_view(
    context: BotContext, actor: int | None
) -> tuple[str, InlineKeyboardMarkup] | Refused:
    async with context.db.transaction() as repos:
        names = await reference.names_list(repos, actor)
    if isinstance(names, Refused):
        return names
    tr = context.tr
    ordered = sorted(names, key=lambda name: ORDER.get((name.kind, name.key), len(ORDER)))
    buttons = [
        InlineKeyboardButton(
            MARKS[name.kind] + name.name(tr.language),
            callback_data=button("ed", name.kind.value, name.key),
        )
        for name in ordered
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    text = tr.gettext(
        "Agencies (🏛), substances (💊) and countries (🌍) as reports, digests and spreadsheets "
        "name them. Tap one to correct its name."
    )
    return text, InlineKeyboardMarkup(rows)


async def names_command(update: Update, context: BotContext) -> None:
    await flow.send(update, context, await _list_view(context, actor_id(update)))


async def names_tap(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    try:
        action, kind, key, step = callbacks.unpack(query.data, PREFIX, 4)
    except callbacks.CallbackDataError:
        await stale_button(update, context)
        return
    if action == "stop":
        await stop_tapped(update, context)
        return
    if kind not in {k.value for k in ReferenceKind}:
        await stale_button(update, context)
        return
    if action == "ed":
        await open_typed(
            update,
            context,
            lambda repos, actor: reference.name_view(repos, actor, ReferenceKind(kind), key),
            lambda found: {
                "flow": FLOW,
                "kind": kind,
                "key": key,
                "step": NAME_STEPS[0],
                "names": {},
                "current": found.names(),
            },
            prompt,
        )
    elif action == "keep":
        question_now = open_question(context)
        if (
            question_now is None
            or question_now.get("flow") != FLOW
            or (question_now.get("kind"), question_now.get("key"), question_now.get("step"))
            != (kind, key, step)
        ):
            await stale_button(update, context)
            return
        await take_tapped_answer(
            update, context, question_now, question_now["current"][step], answer
        )
    else:
        await stale_button(update, context)


async def answer(context: BotContext, update: Update, question: Question, text: str) -> None:
    """One typed (or kept) name: ask for the next language, or save the three."""
    tr = context.tr
    try:
        value = administration.clean_name(text)
    except InvalidText as exc:
        await TYPED.ask_again(context, update, question, problem_text(tr, exc.problem))
        return
    step = question["step"]
    kind, key = ReferenceKind(question["kind"]), str(question["key"])
    async with context.db.read() as repos:
        taken = await reference.taken_elsewhere(repos, kind, key, step, value)
    if taken:
        problem = tr.gettext("Another entry of this list is already named {name}.").format(
            name=value
        )
        await TYPED.ask_again(context, update, question, problem)
        return
    names, following = name_given(question, value)
    if following is not None:
        ask(context, following)
        await TYPED.ask_again(context, update, following, None)
        return

    async def saved(done: ReferenceName) -> None:
        # Every screen, digest and spreadsheet from now on shows the new name (one read).
        await reference.load_names(context.db, context.services.catalogs)
        notice = "✅ " + tr.gettext(
            # Translators: {name} is the corrected name of an agency, a substance or a country.
            "Saved. Reports, digests and spreadsheets now show “{name}”."
        ).format(name=escape(done.name(tr.language)))
        await flow.send(update, context, await _list_view(context, actor_id(update)), notice)

    await save_typed(
        update,
        context,
        lambda repos, actor: reference.rename(repos, actor, kind, key, names),
        saved,
    )


#: How the open question's handler asks again and hands on an answer.
TYPED = TypedFlow(prompt=prompt, answer=answer)


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("names", names_command))
    application.add_handler(CallbackQueryHandler(names_tap, pattern=callbacks.pattern(PREFIX)))
