"""The admin changes that are typed rather than tapped: type a value → apply through the rules
layer → show the list or card again under what was done. A unit's code and names, a crossing
point, an agency's name (/names), a kilogram-equivalent factor (/factors) all go this way.

A flow opens its question with :func:`open_typed` (the rules layer reads the thing first, so a
refused admin is never asked), takes a button that answers for the admin ("Keep", "Skip") with
:func:`take_tapped_answer`, stops on "Stop" with :func:`stop_tapped`, and saves the last answer
with :func:`save_typed`: one transaction, the question closed whatever the rules said, then the
refusal, "nothing changed", or what ``saved`` shows. A :class:`TypedFlow` says how the flow
asks again and what an answer does, so the open question's handler
(bot/handlers/admin/unit_answers.py) hands each answer to its flow.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from telegram import InlineKeyboardMarkup, Update

from bot.authority import Refused
from bot.context import BotContext
from bot.handlers.admin.flow import RulesCall, rules_step
from bot.handlers.admin.unit_questions import (
    Question,
    end_question,
    forget_prompt,
    open_question,
    send_prompt,
    show_question_text,
    stop_asking,
)
from bot.handlers.common import edit_then_answer, set_keyboard, stale_button
from bot.handlers.refusals import actor_id, tell_refused

T = TypeVar("T")
Found = TypeVar("Found")

#: A typed question's text (HTML) and buttons.
Prompt = Callable[[BotContext, Question], tuple[str, InlineKeyboardMarkup]]
#: What one typed answer does: ask again under a problem, ask the next step, or save.
Answer = Callable[[BotContext, Update, Question, str], Awaitable[None]]


@dataclass(frozen=True)
class TypedFlow:
    """A typed change: how its question reads, and what an answer does."""

    prompt: Prompt
    answer: Answer

    async def ask_again(
        self, context: BotContext, update: Update, question: Question, problem: str | None
    ) -> None:
        """The open question again, as a new message under what was wrong with the answer."""
        await send_prompt(context, update, *self.prompt(context, question), problem)


async def open_typed(
    update: Update,
    context: BotContext,
    check: RulesCall[Found],
    question_of: Callable[[Found], Question],
    prompt: Prompt,
) -> None:
    """Read the thing through the rules layer, then open its question in the tapped message."""
    query = update.callback_query
    assert query is not None
    found = await rules_step(update, context, check)
    if found is None:
        return
    question = question_of(found)
    await show_question_text(query, context, question, *prompt(context, question))


async def stop_tapped(update: Update, context: BotContext) -> None:
    """ "Stop" under an open question: close it; a question closed already makes it stale."""
    query = update.callback_query
    assert query is not None
    if open_question(context) is None:
        await stale_button(update, context)
        return
    stop_asking(context)
    await edit_then_answer(query, context.tr.gettext("Stopped. Nothing was changed."))


async def take_tapped_answer(
    update: Update,
    context: BotContext,
    question: Question,
    value: T,
    answer: Callable[[BotContext, Update, Question, T], Awaitable[None]],
) -> None:
    """A button that answers for the admin ("Keep", "Skip"): the question's message loses its
    buttons, and ``value`` is taken as if typed."""
    query = update.callback_query
    assert query is not None
    await set_keyboard(query, None)
    forget_prompt(context, query.message.message_id if query.message else None)
    await answer(context, update, question, value)
    await query.answer()


async def save_typed(
    update: Update,
    context: BotContext,
    act: RulesCall[T],
    saved: Callable[[T], Awaitable[None]],
) -> None:
    """The last answer: apply it through the rules layer in one transaction; the question is
    closed whatever they said; then the refusal, "nothing changed" (the thing is gone), or
    ``saved``."""
    chat = update.effective_chat
    assert chat is not None
    async with context.db.transaction() as repos:
        done = await act(repos, actor_id(update))
    await end_question(context, chat.id)
    if isinstance(done, Refused):
        await tell_refused(update, context, done)
        return
    if done is None:
        await chat.send_message(context.tr.gettext("Stopped. Nothing was changed."))
        return
    await saved(done)
