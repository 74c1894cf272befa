"""The open question of an admin adding or renaming a unit or adding a crossing point: a code,
then the names in Uzbek, Russian and English one after another; a crossing point's name, then
its coordinates (step :data:`PLACE_STEP`, which a button skips).

The question lives in the chat's ``chat_data`` under :data:`QUESTION_KEY` (PTB persists it in
our database, so it survives a restart), and :class:`QuestionHandler` takes the admin's next
message while it is open. ``/cancel`` stops it, and so does any other command (see
:func:`abandon_question`). What an answer does is bot/handlers/admin/unit_answers.py.
"""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    MessageHandler,
    filters,
)
from telegram.ext._utils.types import HandlerCallback

from bot import administration, places
from bot.administration import TextProblem
from bot.context import BotContext
from bot.handlers.admin.unit_views import button, unit_title
from bot.handlers.common import (
    answer_if_still_open,
    edit_or_ignore_unchanged,
    retire_message,
)
from bot.i18n import Translator
from bot.places import PlaceProblem
from storage import Unit, UnitKind

QUESTION_KEY = "admin_question"
#: The message that shows the open question with its buttons: it loses them once answered.
PROMPT_KEY = "admin_prompt"
NAME_STEPS = ("uz", "ru", "en")
#: A crossing point's second question: where it is.
PLACE_STEP = "where"
#: Commands after the open question: PTB runs group 1 after the features of group 0.
ABANDON_GROUP = 1
Question = dict[str, Any]


def problem_text(tr: Translator, problem: TextProblem) -> str:
    """What is wrong with a typed name or code, in the admin's language."""
    _ = tr.gettext
    texts = {
        TextProblem.EMPTY: _("That was empty."),
        TextProblem.TOO_LONG: tr.ngettext(
            "That is too long: at most {limit} character, please.",
            "That is too long: at most {limit} characters, please.",
            administration.MAX_NAME_CHARS,
        ).format(limit=tr.format_number(administration.MAX_NAME_CHARS)),
        TextProblem.CONTROL: _("Please type it on one line, without special characters."),
        TextProblem.BAD_CODE: _(
            "A code is 2 to 16 Latin letters and digits, with hyphens between."
        ),
    }
    return texts[problem]


def place_problem_text(tr: Translator, problem: PlaceProblem) -> str:
    """What is wrong with typed coordinates, in the admin's language."""
    _ = tr.gettext
    texts = {
        PlaceProblem.EMPTY: _("That was empty."),
        PlaceProblem.TOO_LONG: tr.ngettext(
            "That is too long: at most {limit} character, please.",
            "That is too long: at most {limit} characters, please.",
            places.MAX_TYPED_CHARS,
        ).format(limit=tr.format_number(places.MAX_TYPED_CHARS)),
        PlaceProblem.MALFORMED: _(
            "Please type two numbers: the latitude, then the longitude, for example 41.31, 69.24."
        ),
        PlaceProblem.OUT_OF_RANGE: _(
            "That is not a place on Earth: the latitude is between -90 and 90, "
            "the longitude between -180 and 180."
        ),
        PlaceProblem.OUTSIDE_REGION: _(
            "That place is far from Uzbekistan. Is the latitude first? "
            "For example 41.31, 69.24 is Tashkent."
        ),
    }
    return texts[problem]


def is_cancel(text: str) -> bool:
    head = text.split(maxsplit=1)[0] if text.strip() else ""
    return head.split("@", 1)[0].lower() == "/cancel"


class QuestionHandler(MessageHandler[BotContext, None]):
    """The admin's typed answer to an open question, and ``/cancel`` while one is open.

    PTB hands an update to the first handler of a group that matches it, and the report
    engine's ``/cancel`` and its catch-all for typed answers sit in group 0 too; so this handler
    must come first in group 0 (``unit_answers.register_questions``, called right after the gate).
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
        if text is not None and text.startswith("/") and not is_cancel(text):
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
    if update.effective_chat is not None:
        await end_question(context, update.effective_chat.id)


def open_question(context: BotContext) -> Question | None:
    if context.chat_data is None:
        return None
    question = context.chat_data.get(QUESTION_KEY)
    return question if isinstance(question, dict) else None


def name_given(question: Question, value: str) -> tuple[dict[str, str], Question | None]:
    """One language's name taken: every name so far, and the question that asks for the next
    language (None once all of :data:`NAME_STEPS` are in)."""
    step = question["step"]
    names = {**question.get("names", {}), step: value}
    index = NAME_STEPS.index(step)
    if index + 1 < len(NAME_STEPS):
        return names, {**question, "names": names, "step": NAME_STEPS[index + 1]}
    return names, None


def ask(context: BotContext, question: Question) -> None:
    assert context.chat_data is not None
    context.chat_data[QUESTION_KEY] = question


def stop_asking(context: BotContext) -> None:
    """Close the question; its message was edited in place (a tap), so nothing to retire."""
    if context.chat_data is not None:
        context.chat_data.pop(QUESTION_KEY, None)
        context.chat_data.pop(PROMPT_KEY, None)


async def end_question(context: BotContext, chat_id: int) -> None:
    """Close the question after a typed answer or a command: its message loses its buttons."""
    if context.chat_data is None:
        return
    context.chat_data.pop(QUESTION_KEY, None)
    await _retire_prompt(context, chat_id)


def forget_prompt(context: BotContext, message_id: int | None) -> None:
    """The question's message lost its buttons by a tap on it: nothing left to retire."""
    if context.chat_data is not None and context.chat_data.get(PROMPT_KEY) == message_id:
        context.chat_data.pop(PROMPT_KEY, None)


async def _retire_prompt(context: BotContext, chat_id: int, keep: int | None = None) -> None:
    assert context.chat_data is not None
    shown = context.chat_data.pop(PROMPT_KEY, None)
    if isinstance(shown, int) and shown != keep:
        await retire_message(context.bot, chat_id, shown, None)


async def show_question(
    query: CallbackQuery, context: BotContext, question: Question, unit: Unit | None
) -> None:
    """Open ``question`` in the tapped message."""
    await show_question_text(
        query,
        context,
        question,
        prompt(context, question, unit),
        prompt_keyboard(context, question, unit),
    )


async def show_question_text(
    query: CallbackQuery,
    context: BotContext,
    question: Question,
    text: str,
    markup: InlineKeyboardMarkup,
) -> None:
    """Open ``question`` in the tapped message, which shows ``text`` (HTML) and ``markup``.

    Opened only once the message shows it: if Telegram refused the edit, the admin never saw
    the question, and their next message (meant for a report, say) must not be taken as a
    factor, a name or coordinates."""
    await edit_or_ignore_unchanged(query, text, markup)
    ask(context, question)
    if context.chat_data is not None and query.message is not None:
        context.chat_data[PROMPT_KEY] = query.message.message_id
    await answer_if_still_open(query)


def prompt(context: BotContext, question: Question, unit: Unit | None) -> str:
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
        lines.append(_("Renaming {unit}.").format(unit=escape(unit_title(unit, tr))))
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
    elif flow == "cp" and step == PLACE_STEP:
        lines.append(
            _(
                "Where is the crossing point {name}? Type its latitude and longitude as a map "
                "application shows them, for example 41.31, 69.24. If you do not know them, "
                "tap “Skip”: the map will show it at its unit."
            ).format(name=escape(str(question.get("name", ""))))
        )
    elif flow == "cp" and unit is not None:
        lines.append(
            _("Type the name of the new crossing point of {unit}.").format(
                unit=escape(unit_title(unit, tr))
            )
        )
    lines.append(_("Send /cancel to stop."))
    return "\n".join(lines)


def prompt_keyboard(
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
                    callback_data=button("keep", unit.id, step),
                )
            ]
        )
    if question["flow"] == "cp" and step == PLACE_STEP and unit is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    # Translators: a button: add the crossing point without coordinates.
                    "⏭ " + tr.gettext("Skip"),
                    callback_data=button("cpk", unit.id),
                )
            ]
        )
    rows.append([InlineKeyboardButton("✖ " + tr.gettext("Stop"), callback_data=button("stop"))])
    return InlineKeyboardMarkup(rows)


async def reply(
    context: BotContext, update: Update, question: Question, problem: str | None
) -> None:
    """The (next) question as a new message, with what was wrong with the last answer."""
    unit = await _question_unit(context, question)
    await send_prompt(
        context,
        update,
        prompt(context, question, unit),
        prompt_keyboard(context, question, unit),
        problem,
    )


async def send_prompt(
    context: BotContext,
    update: Update,
    text: str,
    markup: InlineKeyboardMarkup,
    problem: str | None,
) -> None:
    """Send an open question's prompt (``text`` is HTML) under what was wrong with the last
    answer; the question's earlier message loses its buttons. Every admin flow asks this way."""
    chat = update.effective_chat
    assert chat is not None
    if problem:
        text = "⚠️ " + escape(problem) + "\n\n" + text
    sent = await chat.send_message(text, reply_markup=markup)
    if context.chat_data is not None:
        # The new message carries the buttons now: the one before loses them.
        await _retire_prompt(context, chat.id, keep=sent.message_id)
        context.chat_data[PROMPT_KEY] = sent.message_id


async def _question_unit(context: BotContext, question: Question) -> Unit | None:
    unit_id = question.get("unit")
    if not isinstance(unit_id, int):
        return None
    async with context.db.read() as repos:
        return await repos.units.get(unit_id)
