"""The admin's typed answers to an open question (bot/handlers/admin/unit_questions.py): check
each one, ask the next, and with the last one create or rename the unit, or add the crossing
point with its coordinates — through the rules layer (bot/organisation.py), which reads the
admin again: the role may have gone while they typed."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot import administration, once, organisation, places
from bot.administration import InvalidText
from bot.authority import Refused
from bot.context import BotContext, FieldReportApplication
from bot.handlers.admin import factors as factors_flow
from bot.handlers.admin import flow
from bot.handlers.admin import names as names_flow
from bot.handlers.admin.typed import save_typed
from bot.handlers.admin.unit_questions import (
    ABANDON_GROUP,
    NAME_STEPS,
    PLACE_STEP,
    Question,
    QuestionHandler,
    abandon_question,
    ask,
    end_question,
    is_cancel,
    name_given,
    open_question,
    place_problem_text,
    problem_text,
    reply,
)
from bot.handlers.admin.unit_views import card_view, points_view, unit_title
from bot.handlers.refusals import actor_id, tell_refused
from bot.organisation import Done, Outcome
from bot.places import InvalidPlace
from storage import Coordinates, Repositories, Role, UnitKind
from storage.clock import utc_now

#: The typed flows of other commands that share the open question: /names and /factors.
TYPED_FLOWS = {names_flow.FLOW: names_flow.TYPED, factors_flow.FLOW: factors_flow.TYPED}


def _chat_id(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


async def question_answer(update: Update, context: BotContext) -> None:
    """The message :class:`QuestionHandler` took: an answer, or /cancel."""
    message = update.message
    account = context.account
    assert message is not None
    _ = context.tr.gettext
    question = open_question(context)
    if question is None:  # answered meanwhile by a tap on "Stop"
        return
    if message.text is not None and is_cancel(message.text):
        await end_question(context, _chat_id(update))
        await message.chat.send_message(_("Stopped. Nothing was changed."))
        return
    if account is None or account.role is not Role.ADMIN:
        # The gate checks commands and buttons; a typed answer must be checked here, in case
        # the admin lost the role while the question was open.
        await end_question(context, _chat_id(update))
        await message.chat.send_message(_("This is for administrators only."))
        return
    if message.text is None:
        await _reply(context, update, question, _("Please type the answer as text."))
        return
    # The open question lives in chat_data; the claim is in the database, before the answer
    # moves the question on: redelivered after a crash, the same message is not taken as the
    # answer to the next question too (at worst the admin is asked this one again).
    async with context.db.transaction() as repos:
        fresh = await once.first_time(repos, update, utc_now())
    if not fresh:
        await _reply(context, update, question, None)
        return
    await answer(context, update, question, message.text)


async def _reply(
    context: BotContext, update: Update, question: Question, problem: str | None
) -> None:
    """The open question again, under ``problem``: each flow shows its own prompt."""
    typed = TYPED_FLOWS.get(str(question.get("flow")))
    if typed is not None:
        await typed.ask_again(context, update, question, problem)
    else:
        await reply(context, update, question, problem)


async def answer(context: BotContext, update: Update, question: Question, text: str) -> None:
    tr = context.tr
    _ = tr.gettext
    typed = TYPED_FLOWS.get(str(question.get("flow")))
    if typed is not None:
        await typed.answer(context, update, question, text)
        return
    step = question.get("step")
    if question["flow"] == "cp" and step == PLACE_STEP:
        try:
            where = places.parse_coordinates(text)
        except InvalidPlace as exc:
            await reply(context, update, question, place_problem_text(tr, exc.problem))
            return
        await add_crossing_point(context, update, question, where)
        return
    try:
        if step == "code":
            value = administration.clean_code(text)
        else:
            value = administration.clean_name(text)
    except InvalidText as exc:
        await reply(context, update, question, problem_text(tr, exc.problem))
        return
    if question["flow"] == "cp":
        await _ask_point_place(context, update, question, value)
        return
    async with context.db.read() as repos:
        units = await repos.units.list()
    if step == "code":
        if any(unit.code == value for unit in units):
            await reply(
                context,
                update,
                question,
                _("There is already a unit with the code {code}.").format(code=value),
            )
            return
        question = {**question, "code": value, "step": NAME_STEPS[0]}
        ask(context, question)
        await reply(context, update, question, None)
        return
    assert step in NAME_STEPS
    others = [unit.name(step) for unit in units if unit.id != question.get("unit")]
    if administration.is_duplicate(value, others):
        await reply(
            context,
            update,
            question,
            _("There is already a unit named {name}.").format(name=value),
        )
        return
    names, following = name_given(question, value)
    if following is not None:
        ask(context, following)
        await reply(context, update, following, None)
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
        await end_question(context, _chat_id(update))
        await tell_refused(update, context, done)
        return
    if done.outcome is Outcome.CODE_TAKEN:
        # Another admin took the code while this one typed the names: ask for another code.
        question = {**question, "names": names, "step": "code"}
        ask(context, question)
        await reply(
            context,
            update,
            question,
            _("There is already a unit with the code {code}.").format(code=code),
        )
        return
    assert done.unit is not None
    await end_question(context, _chat_id(update))
    notice = "✅ " + _("Unit {code} created.").format(code=escape(done.unit.code))
    await send_card(update, context, done.unit.id, notice)


async def send_card(update: Update, context: BotContext, unit_id: int, notice: str) -> None:
    """The unit's card as a new message, under a line saying what just happened."""
    await flow.send(update, context, await card_view(context, unit_id, actor_id(update)), notice)


async def _rename_unit(
    context: BotContext, update: Update, question: Question, names: dict[str, str]
) -> None:
    unit_id = int(question["unit"])

    async def rename(repos: Repositories, actor: int | None) -> Done | Refused | None:
        done = await organisation.rename_unit(repos, actor, unit_id, names)
        return done if isinstance(done, Refused) or done.unit is not None else None

    async def saved(done: Done) -> None:
        assert done.unit is not None
        notice = "✅ " + context.tr.gettext("Unit {code} renamed.").format(
            code=escape(done.unit.code)
        )
        await send_card(update, context, done.unit.id, notice)

    await save_typed(update, context, rename, saved)


async def _ask_point_place(
    context: BotContext, update: Update, question: Question, name: str
) -> None:
    """The point's name is fine: ask where it is (a name the unit has is told at once)."""
    async with context.db.read() as repos:
        taken = await organisation.crossing_point_name_taken(repos, int(question["unit"]), name)
    if taken:
        await _tell_duplicate(context, update, question, name)
        return
    following = {**question, "name": name, "step": PLACE_STEP}
    ask(context, following)
    await reply(context, update, following, None)


async def _tell_duplicate(
    context: BotContext, update: Update, question: Question, name: str
) -> None:
    """The unit has a point of that name: ask for the name again."""
    unit_id = int(question["unit"])
    async with context.db.read() as repos:
        unit = await repos.units.get(unit_id)
    again = {"flow": "cp", "unit": unit_id}
    ask(context, again)
    await reply(
        context,
        update,
        again,
        context.tr.gettext("{unit} already has a crossing point named {name}.").format(
            unit=unit_title(unit, context.tr) if unit else str(unit_id), name=name
        ),
    )


async def add_crossing_point(
    context: BotContext, update: Update, question: Question, where: Coordinates | None
) -> None:
    """The last answer (``where``; None when skipped): add the point through the rules."""
    chat = update.effective_chat
    assert chat is not None
    _ = context.tr.gettext
    name = question.get("name")
    if not isinstance(name, str) or not name:  # a question saved without its name: ask it
        again = {"flow": "cp", "unit": int(question["unit"])}
        ask(context, again)
        await reply(context, update, again, None)
        return
    try:
        async with context.db.transaction() as repos:
            done = await organisation.add_crossing_point(
                repos, actor_id(update), int(question["unit"]), name, where
            )
    except InvalidPlace as exc:  # pragma: no cover - parse_coordinates checked them just before
        await reply(context, update, question, place_problem_text(context.tr, exc.problem))
        return
    if isinstance(done, Refused):
        await end_question(context, _chat_id(update))
        await tell_refused(update, context, done)
        return
    if done.unit is None or done.outcome is Outcome.NOT_BLO:
        await end_question(context, _chat_id(update))
        await chat.send_message(_("Stopped. Nothing was changed."))
        return
    if done.outcome is Outcome.DUPLICATE:  # added by another admin meanwhile
        await _tell_duplicate(context, update, question, name)
        return
    assert done.point is not None
    await end_question(context, _chat_id(update))
    notice = "✅ " + _("Crossing point {name} added.").format(name=escape(done.point.name))
    await flow.send(
        update, context, await points_view(context, done.unit.id, actor_id(update)), notice
    )


def register_questions(application: FieldReportApplication) -> None:
    """Typed answers to open questions: before every other message handler of group 0.

    Meant to be called from app.py right after the gate (see :class:`QuestionHandler`).
    """
    application.add_handler(QuestionHandler(application, question_answer), group=0)
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.COMMAND, abandon_question),
        group=ABANDON_GROUP,
    )
