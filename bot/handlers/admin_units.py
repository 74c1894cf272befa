"""/units: admins list the units, add one, rename it, deactivate or reactivate it, and manage
the crossing points of border liaison offices.

Adding and renaming ask for typed answers: a code, then the names in Uzbek, Russian and English
one after another; a crossing point's name. The open question lives in the chat's
``chat_data`` under :data:`QUESTION_KEY` (PTB persists it in our database, so it survives a
restart), and :class:`QuestionHandler` takes the admin's next message while it is open.
``/cancel`` stops it, and so does any other command (see :func:`abandon_question`).
"""

from __future__ import annotations

import logging
from html import escape
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)
from telegram.ext._utils.types import HandlerCallback

from bot import administration, callbacks, organisation
from bot.administration import InvalidText, TextProblem
from bot.authority import Refused
from bot.context import BotContext, FieldReportApplication
from bot.handlers.common import edit_then_answer, stale_button
from bot.handlers.refusals import actor_id, tell_refused
from bot.i18n import Translator
from bot.organisation import Outcome
from storage import Role, Unit, UnitKind

log = logging.getLogger(__name__)

PREFIX = "unt"
PAGE_SIZE = 15
NOTHING = "-"
QUESTION_KEY = "admin_question"
NAME_STEPS = ("uz", "ru", "en")
#: Commands after the open question: PTB runs group 1 after the features of group 0.
ABANDON_GROUP = 1

Question = dict[str, Any]


def _data(action: str, first: int | str = NOTHING, second: int | str = NOTHING) -> str:
    return callbacks.pack(PREFIX, action, first, second)


# --- the open question --------------------------------------------------------------------


def _is_cancel(text: str) -> bool:
    head = text.split(maxsplit=1)[0] if text.strip() else ""
    return head.split("@", 1)[0].lower() == "/cancel"


class QuestionHandler(MessageHandler[BotContext, None]):
    """The admin's typed answer to an open question, and ``/cancel`` while one is open.

    PTB hands an update to the first handler of a group that matches it, and the report
    engine's ``/cancel`` and its catch-all for typed answers sit in group 0 too; so this handler
    must come first in group 0 (:func:`register_questions`, or :func:`register` moves it there).
    That is safe because it matches only a new message in a private chat whose ``chat_data``
    holds an open question — read from ``application.chat_data``, since a filter cannot see the
    context — and only a plain message or ``/cancel``: other commands go on to their handlers.
    """

    __slots__ = ("_chat_data",)

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        callback: HandlerCallback[Update, BotContext, None],
    ) -> None:
        super().__init__(filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL, callback)
        self._chat_data = application.chat_data

    def check_update(self, update: object) -> bool | dict[str, list[Any]] | None:
        if not isinstance(update, Update) or update.message is None:
            return None
        data = self._chat_data.get(update.message.chat.id)
        if not data or QUESTION_KEY not in data:
            return None
        text = update.message.text
        if text is not None and text.startswith("/") and not _is_cancel(text):
            return None
        return super().check_update(update)


def drop_question(application: Application[Any, Any, Any, Any, Any, Any], chat_id: int) -> None:
    """Forget a chat's open question (its admin was blocked or lost the role meanwhile)."""
    data = application.chat_data.get(chat_id)
    if data is not None and data.pop(QUESTION_KEY, None) is not None:
        application.mark_data_for_update_persistence(chat_ids=chat_id)


async def abandon_question(update: Update, context: BotContext) -> None:
    """Another command after an open question: the admin moved on, so stop asking.

    Otherwise a later message meant for something else (an answer in a report) would be taken
    as, say, a unit's name.
    """
    if context.chat_data is not None:
        context.chat_data.pop(QUESTION_KEY, None)


def _question(context: BotContext) -> Question | None:
    if context.chat_data is None:
        return None
    question = context.chat_data.get(QUESTION_KEY)
    return question if isinstance(question, dict) else None


def _ask(context: BotContext, question: Question) -> None:
    assert context.chat_data is not None
    context.chat_data[QUESTION_KEY] = question


def _stop(context: BotContext) -> None:
    if context.chat_data is not None:
        context.chat_data.pop(QUESTION_KEY, None)


def _prompt(context: BotContext, question: Question, unit: Unit | None) -> str:
    """The question's text (HTML): what is asked, and how to stop."""
    tr = context.tr
    _ = tr.gettext
    flow, step = question["flow"], question.get("step")
    lines: list[str] = []
    if flow == "add":
        kind = UnitKind(question["kind"])
        lines.append(
            _("New border liaison office.") if kind is UnitKind.BLO else _("New mobile team.")
        )
        if question.get("code"):
            lines.append(_("Code: {code}").format(code=escape(question["code"])))
    elif flow == "rename" and unit is not None:
        lines.append(_("Renaming {unit}.").format(unit=escape(_unit_title(unit, tr))))
    if step == "code":
        example = "BLO-TER" if question.get("kind") == UnitKind.BLO.value else "IMT-GUL"
        lines.append(
            _(
                "Type its code: 2 to 16 Latin letters and digits, with hyphens between, "
                "for example {example}."
            ).format(example=example)
        )
    elif step == "uz":
        lines.append(_("Type its name in Uzbek (Latin script)."))
    elif step == "ru":
        lines.append(_("Type its name in Russian."))
    elif step == "en":
        lines.append(_("Type its name in English."))
    elif flow == "cp" and unit is not None:
        lines.append(
            _("Type the name of the new crossing point of {unit}.").format(
                unit=escape(_unit_title(unit, tr))
            )
        )
    lines.append(_("Send /cancel to stop."))
    return "\n".join(lines)


def _prompt_keyboard(
    context: BotContext, question: Question, unit: Unit | None
) -> InlineKeyboardMarkup:
    tr = context.tr
    rows = []
    step = question.get("step")
    if question["flow"] == "rename" and unit is not None and step in NAME_STEPS:
        current = unit.name(step)
        rows.append(
            [
                InlineKeyboardButton(
                    tr.gettext("Keep: {name}").format(name=current),
                    callback_data=_data("keep", unit.id, step),
                )
            ]
        )
    rows.append([InlineKeyboardButton("✖ " + tr.gettext("Stop"), callback_data=_data("stop"))])
    return InlineKeyboardMarkup(rows)


def _problem_text(tr: Translator, problem: TextProblem) -> str:
    _ = tr.gettext
    texts = {
        TextProblem.EMPTY: _("That was empty."),
        TextProblem.TOO_LONG: _("That is too long: at most {limit} characters, please.").format(
            limit=administration.MAX_NAME_CHARS
        ),
        TextProblem.CONTROL: _("Please type it on one line, without special characters."),
        TextProblem.BAD_CODE: _(
            "A code is 2 to 16 Latin letters and digits, with hyphens between."
        ),
    }
    return texts[problem]


async def question_answer(update: Update, context: BotContext) -> None:
    """The message :class:`QuestionHandler` took: an answer, or /cancel."""
    message = update.message
    account = context.account
    assert message is not None
    _ = context.tr.gettext
    question = _question(context)
    if question is None:  # answered meanwhile by a tap on "Stop"
        return
    if message.text is not None and _is_cancel(message.text):
        _stop(context)
        await message.chat.send_message(_("Stopped. Nothing was changed."))
        return
    if account is None or account.role is not Role.ADMIN:
        # The gate checks commands and buttons; a typed answer must be checked here, in case
        # the admin lost the role while the question was open.
        _stop(context)
        await message.chat.send_message(_("This is for administrators only."))
        return
    if message.text is None:
        await _reply(context, update, question, _("Please type the answer as text."))
        return
    await _answer(context, update, question, message.text)


async def _reply(
    context: BotContext, update: Update, question: Question, problem: str | None
) -> None:
    """The (next) question as a new message, with what was wrong with the last answer."""
    chat = update.effective_chat
    assert chat is not None
    unit = await _question_unit(context, question)
    text = _prompt(context, question, unit)
    if problem:
        text = "⚠️ " + escape(problem) + "\n\n" + text
    await chat.send_message(text, reply_markup=_prompt_keyboard(context, question, unit))


async def _question_unit(context: BotContext, question: Question) -> Unit | None:
    unit_id = question.get("unit")
    if not isinstance(unit_id, int):
        return None
    async with context.db.read() as repos:
        return await repos.units.get(unit_id)


async def _answer(context: BotContext, update: Update, question: Question, text: str) -> None:
    tr = context.tr
    _ = tr.gettext
    step = question.get("step")
    try:
        if step == "code":
            value = administration.clean_code(text)
        else:
            value = administration.clean_name(text)
    except InvalidText as exc:
        await _reply(context, update, question, _problem_text(tr, exc.problem))
        return
    if question["flow"] == "cp":
        await _add_crossing_point(context, update, question, value)
        return
    async with context.db.read() as repos:
        units = await repos.units.list()
    if step == "code":
        if any(unit.code == value for unit in units):
            await _reply(
                context,
                update,
                question,
                _("There is already a unit with the code {code}.").format(code=value),
            )
            return
        question = {**question, "code": value, "step": NAME_STEPS[0]}
        _ask(context, question)
        await _reply(context, update, question, None)
        return
    assert step in NAME_STEPS
    others = [unit.name(step) for unit in units if unit.id != question.get("unit")]
    if administration.is_duplicate(value, others):
        await _reply(
            context,
            update,
            question,
            _("There is already a unit named {name}.").format(name=value),
        )
        return
    names = {**question.get("names", {}), step: value}
    index = NAME_STEPS.index(step)
    if index + 1 < len(NAME_STEPS):
        question = {**question, "names": names, "step": NAME_STEPS[index + 1]}
        _ask(context, question)
        await _reply(context, update, question, None)
        return
    if question["flow"] == "add":
        await _create_unit(context, update, question, names)
    else:
        await _rename_unit(context, update, question, names)


async def _create_unit(
    context: BotContext, update: Update, question: Question, names: dict[str, str]
) -> None:
    chat = update.effective_chat
    assert chat is not None
    _ = context.tr.gettext
    code = str(question["code"])
    async with context.db.transaction() as repos:
        done = await organisation.create_unit(
            repos, actor_id(update), code=code, kind=UnitKind(question["kind"]), names=names
        )
    if isinstance(done, Refused):
        _stop(context)
        await tell_refused(update, context, done)
        return
    if done.outcome is Outcome.CODE_TAKEN:
        # Another admin took the code while this one typed the names: ask for another code.
        question = {**question, "names": names, "step": "code"}
        _ask(context, question)
        await _reply(
            context,
            update,
            question,
            _("There is already a unit with the code {code}.").format(code=code),
        )
        return
    assert done.unit is not None
    _stop(context)
    notice = "✅ " + _("Unit {code} created.").format(code=escape(done.unit.code))
    await _send_card(update, context, done.unit.id, notice)


async def _send_card(update: Update, context: BotContext, unit_id: int, notice: str) -> None:
    """The unit's card as a new message, under a line saying what just happened."""
    chat = update.effective_chat
    assert chat is not None
    shown = await _card(context, unit_id, actor_id(update))
    if isinstance(shown, Refused):
        await tell_refused(update, context, shown)
        return
    text, markup = shown
    await chat.send_message(notice + "\n\n" + text, reply_markup=markup)


async def _rename_unit(
    context: BotContext, update: Update, question: Question, names: dict[str, str]
) -> None:
    chat = update.effective_chat
    assert chat is not None
    _ = context.tr.gettext
    async with context.db.transaction() as repos:
        done = await organisation.rename_unit(repos, actor_id(update), int(question["unit"]), names)
    _stop(context)
    if isinstance(done, Refused):
        await tell_refused(update, context, done)
        return
    if done.unit is None:
        await chat.send_message(_("Stopped. Nothing was changed."))
        return
    notice = "✅ " + _("Unit {code} renamed.").format(code=escape(done.unit.code))
    await _send_card(update, context, done.unit.id, notice)


async def _add_crossing_point(
    context: BotContext, update: Update, question: Question, name: str
) -> None:
    chat = update.effective_chat
    assert chat is not None
    _ = context.tr.gettext
    async with context.db.transaction() as repos:
        done = await organisation.add_crossing_point(
            repos, actor_id(update), int(question["unit"]), name
        )
    if isinstance(done, Refused):
        _stop(context)
        await tell_refused(update, context, done)
        return
    if done.unit is None or done.outcome is Outcome.NOT_BLO:
        _stop(context)
        await chat.send_message(_("Stopped. Nothing was changed."))
        return
    if done.outcome is Outcome.DUPLICATE:
        await _reply(
            context,
            update,
            question,
            _("{unit} already has a crossing point named {name}.").format(
                unit=_unit_title(done.unit, context.tr), name=name
            ),
        )
        return
    assert done.point is not None
    _stop(context)
    shown = await _points_view(context, done.unit.id, actor_id(update))
    if isinstance(shown, Refused):
        await tell_refused(update, context, shown)
        return
    text, markup = shown
    notice = "✅ " + _("Crossing point {name} added.").format(name=escape(done.point.name))
    await chat.send_message(notice + "\n\n" + text, reply_markup=markup)


# --- the list and the card ----------------------------------------------------------------


def _unit_title(unit: Unit, tr: Translator) -> str:
    """``BLO-TER · Termez`` (plain text; escape it for HTML)."""
    return f"{unit.code} · {unit.name(tr.language)}"


def _kind_name(kind: UnitKind, tr: Translator) -> str:
    if kind is UnitKind.BLO:
        return tr.pgettext("unit kind", "border liaison office")
    return tr.pgettext("unit kind", "mobile team")


async def units_command(update: Update, context: BotContext) -> None:
    assert update.effective_chat is not None
    shown = await _list(context, 0, actor_id(update))
    if isinstance(shown, Refused):
        await tell_refused(update, context, shown)
        return
    text, markup = shown
    await update.effective_chat.send_message(text, reply_markup=markup)


async def _list(
    context: BotContext, page: int, actor: int | None
) -> tuple[str, InlineKeyboardMarkup] | Refused:
    tr = context.tr
    _ = tr.gettext
    async with context.db.transaction() as repos:
        units = await organisation.all_units(repos, actor)
    if isinstance(units, Refused):
        return units
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
                ("" if unit.active else "⏸ ") + _unit_title(unit, tr),
                callback_data=_data("card", unit.id),
            )
        ]
        for unit in shown
    ]
    navigation = []
    if page > 0:
        navigation.append(
            InlineKeyboardButton(
                "◀ " + tr.pgettext("page", "Previous"), callback_data=_data("ls", page - 1)
            )
        )
    if page < pages - 1:
        navigation.append(
            InlineKeyboardButton(
                tr.pgettext("page", "Next") + " ▶", callback_data=_data("ls", page + 1)
            )
        )
    if navigation:
        keyboard.append(navigation)
    keyboard.append([InlineKeyboardButton("➕ " + _("Add a unit"), callback_data=_data("new"))])
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


async def _card(
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
        tr.pgettext("status", "active") if unit.active else tr.pgettext("status", "deactivated")
    )
    lines = [
        f"<b>{escape(unit.code)}</b> · {escape(_kind_name(unit.kind, tr))}",
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
        InlineKeyboardButton("⏸ " + _("Deactivate"), callback_data=_data("off", unit.id))
        if unit.active
        else InlineKeyboardButton("▶ " + _("Reactivate"), callback_data=_data("on", unit.id))
    )
    keyboard = [
        [InlineKeyboardButton("✏️ " + _("Rename"), callback_data=_data("ren", unit.id)), switch]
    ]
    if administration.may_have_crossing_points(unit):
        keyboard.append(
            [
                InlineKeyboardButton(
                    "🛂 " + _("Crossing points"), callback_data=_data("cps", unit.id)
                )
            ]
        )
    keyboard.append(
        [InlineKeyboardButton("◀ " + _("Back to the units"), callback_data=_data("ls", 0))]
    )
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


async def _points_view(
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
    lines = [f"<b>{escape(_unit_title(unit, tr))}</b>"]
    if points:
        lines.append(_("Crossing points (tap one to remove it):"))
        lines += ["• " + escape(point.name) for point in points]
    else:
        lines.append(_("No crossing points yet."))
    keyboard = [
        [InlineKeyboardButton("✖ " + point.name, callback_data=_data("cpr", point.id))]
        for point in points
    ]
    keyboard.append(
        [
            InlineKeyboardButton(
                "➕ " + _("Add a crossing point"), callback_data=_data("cpa", unit.id)
            )
        ]
    )
    keyboard.append(
        [InlineKeyboardButton("◀ " + _("Back to the unit"), callback_data=_data("card", unit.id))]
    )
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


def _yes_no(yes: str, yes_data: str, no: str, no_data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(yes, callback_data=yes_data),
                InlineKeyboardButton(no, callback_data=no_data),
            ]
        ]
    )


# --- the taps -----------------------------------------------------------------------------


async def units_tap(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    try:
        action, first, second = callbacks.unpack(query.data, PREFIX, 3)
    except callbacks.CallbackDataError:
        await stale_button(update, context)
        return
    if action == "ls" and first.isdigit() and len(first) <= 6:
        shown = await _list(context, int(first), actor_id(update))
        if isinstance(shown, Refused):
            await tell_refused(update, context, shown)
        else:
            await edit_then_answer(query, *shown)
    elif action == "new":
        await _choose_kind(query, context)
    elif action == "kind" and first in {kind.value for kind in UnitKind}:
        question: Question = {"flow": "add", "kind": first, "step": "code", "names": {}}
        _ask(context, question)
        await edit_then_answer(
            query, _prompt(context, question, None), _prompt_keyboard(context, question, None)
        )
    elif action == "stop":
        await _stop_tapped(update, context)
    elif action == "cpr" or action == "cpry":
        await _remove_point(update, context, action, first)
    elif first.isdigit() and len(first) <= 12 and action in _UNIT_ACTIONS:
        async with context.db.transaction() as repos:
            view = await organisation.unit_view(repos, actor_id(update), int(first))
        if isinstance(view, Refused):
            await tell_refused(update, context, view)
            return
        if view is None:
            await stale_button(update, context)
            return
        await _UNIT_ACTIONS[action](update, context, action, view.unit, second)
    else:
        await stale_button(update, context)


async def _choose_kind(query: CallbackQuery, context: BotContext) -> None:
    _ = context.tr.gettext
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Mobile team (IMT)"), callback_data=_data("kind", UnitKind.IMT.value)
                )
            ],
            [
                InlineKeyboardButton(
                    _("Border liaison office (BLO)"),
                    callback_data=_data("kind", UnitKind.BLO.value),
                )
            ],
            [InlineKeyboardButton("◀ " + _("Back to the units"), callback_data=_data("ls", 0))],
        ]
    )
    await edit_then_answer(query, _("What kind of unit?"), keyboard)


async def _stop_tapped(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    if _question(context) is None:
        await stale_button(update, context)
        return
    _stop(context)
    await edit_then_answer(query, context.tr.gettext("Stopped. Nothing was changed."))


async def _open(update: Update, context: BotContext, action: str, unit: Unit, second: str) -> None:
    await _edit_to(update, context, await _card(context, unit.id, actor_id(update)))


async def _edit_to(
    update: Update,
    context: BotContext,
    shown: tuple[str, InlineKeyboardMarkup | None] | Refused,
    notice: str | None = None,
) -> None:
    """Show a card or a list in the tapped message (under ``notice``), or the refusal."""
    query = update.callback_query
    assert query is not None
    if isinstance(shown, Refused):
        await tell_refused(update, context, shown)
        return
    text, markup = shown
    await edit_then_answer(query, notice + "\n\n" + text if notice else text, markup)


async def _start_rename(
    update: Update, context: BotContext, action: str, unit: Unit, second: str
) -> None:
    query = update.callback_query
    assert query is not None
    question: Question = {"flow": "rename", "unit": unit.id, "step": NAME_STEPS[0], "names": {}}
    _ask(context, question)
    await edit_then_answer(
        query, _prompt(context, question, unit), _prompt_keyboard(context, question, unit)
    )


async def _keep_name(
    update: Update, context: BotContext, action: str, unit: Unit, step: str
) -> None:
    """ "Keep" on a rename question: the current name is the answer."""
    query = update.callback_query
    assert query is not None
    question = _question(context)
    if (
        question is None
        or question.get("flow") != "rename"
        or question.get("unit") != unit.id
        or question.get("step") != step
        or step not in NAME_STEPS
    ):
        await stale_button(update, context)
        return
    await query.edit_message_reply_markup(None)
    await _answer(context, update, question, unit.name(step))
    await query.answer()


async def _ask_switch(
    update: Update, context: BotContext, action: str, unit: Unit, second: str
) -> None:
    """``off``/``on``: ask to confirm deactivating or reactivating the unit."""
    query = update.callback_query
    assert query is not None
    _ = context.tr.gettext
    title = escape(_unit_title(unit, context.tr))
    if action == "off":
        text = _(
            "Deactivate {unit}? Its officers will no longer be able to file reports. "
            "Its reports are kept."
        ).format(unit=title)
        markup = _yes_no(
            _("Yes, deactivate"), _data("offy", unit.id), _("No"), _data("card", unit.id)
        )
    else:
        text = _("Reactivate {unit}? Its officers will be able to file reports again.").format(
            unit=title
        )
        markup = _yes_no(
            _("Yes, reactivate"), _data("ony", unit.id), _("No"), _data("card", unit.id)
        )
    await edit_then_answer(query, text, markup)


async def _switch(
    update: Update, context: BotContext, action: str, unit: Unit, second: str
) -> None:
    _ = context.tr.gettext
    active = action == "ony"
    async with context.db.transaction() as repos:
        done = await organisation.switch_unit(repos, actor_id(update), unit.id, active=active)
    if isinstance(done, Refused):
        await tell_refused(update, context, done)
        return
    title = escape(_unit_title(unit, context.tr))
    if done.outcome is not Outcome.DONE:
        notice = _("Nothing to change: it is already so.")
    elif active:
        notice = "▶ " + _("{unit} is active again.").format(unit=title)
    else:
        notice = "⏸ " + _("{unit} is deactivated.").format(unit=title)
    await _edit_to(update, context, await _card(context, unit.id, actor_id(update)), notice)


async def _points(
    update: Update, context: BotContext, action: str, unit: Unit, second: str
) -> None:
    query = update.callback_query
    assert query is not None
    if not administration.may_have_crossing_points(unit):
        await stale_button(update, context)
        return
    await _edit_to(update, context, await _points_view(context, unit.id, actor_id(update)))


async def _start_point(
    update: Update, context: BotContext, action: str, unit: Unit, second: str
) -> None:
    query = update.callback_query
    assert query is not None
    if not administration.may_have_crossing_points(unit):
        await stale_button(update, context)
        return
    question: Question = {"flow": "cp", "unit": unit.id}
    _ask(context, question)
    await edit_then_answer(
        query, _prompt(context, question, unit), _prompt_keyboard(context, question, unit)
    )


async def _remove_point(update: Update, context: BotContext, action: str, point_id: str) -> None:
    """``cpr``: confirm removing a crossing point; ``cpry``: remove it (kept as inactive)."""
    query = update.callback_query
    assert query is not None
    _ = context.tr.gettext
    if not point_id.isdigit() or len(point_id) > 12:
        await stale_button(update, context)
        return
    async with context.db.transaction() as repos:
        done = await organisation.crossing_point(
            repos, actor_id(update), int(point_id), remove=action == "cpry"
        )
    if isinstance(done, Refused):
        await tell_refused(update, context, done)
        return
    point, unit = done.point, done.unit
    if point is None or unit is None:
        await stale_button(update, context)
        return
    name = escape(point.name)
    if action == "cpr":
        if done.outcome is not Outcome.DONE:
            await stale_button(update, context)
            return
        text = _(
            "Remove the crossing point {name} from {unit}? Reports that name it keep it."
        ).format(name=name, unit=escape(_unit_title(unit, context.tr)))
        markup = _yes_no(_("Yes, remove"), _data("cpry", point.id), _("No"), _data("cps", unit.id))
        await edit_then_answer(query, text, markup)
        return
    notice = (
        "✖ " + _("Crossing point {name} removed.").format(name=name)
        if done.outcome is Outcome.DONE
        else _("Nothing to change: it is already so.")
    )
    await _edit_to(update, context, await _points_view(context, unit.id, actor_id(update)), notice)


_UNIT_ACTIONS = {
    "card": _open,
    "ren": _start_rename,
    "keep": _keep_name,
    "off": _ask_switch,
    "on": _ask_switch,
    "offy": _switch,
    "ony": _switch,
    "cps": _points,
    "cpa": _start_point,
}


def register_questions(application: FieldReportApplication) -> None:
    """Typed answers to open questions: before every other message handler of group 0.

    Meant to be called from app.py right after the gate (see :class:`QuestionHandler`).
    """
    application.add_handler(QuestionHandler(application, question_answer), group=0)
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.COMMAND, abandon_question),
        group=ABANDON_GROUP,
    )


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("units", units_command))
    application.add_handler(CallbackQueryHandler(units_tap, pattern=callbacks.pattern(PREFIX)))
