"""The one mechanism of every admin change: ask → confirm → apply through the rules layer →
tell the person → refresh the card (the person is told once the change is committed).

A change asked with Yes/No is a :class:`Confirmable`: a few declarative lines that say what the
rules layer checks before asking, what the question reads, the rules-layer call that applies
it, the line shown above the refreshed card or list, and whom to tell. The flow's dispatcher
calls ``.ask`` for the first tap and ``.confirmed`` for "Yes"; this module does the rest, the same
way each time: a refusal of the rules layer is audited and committed by it, then answered; a
vanished target or a forged tap changes nothing and says so; the confirmation is shown only
once the rules said yes.

A new one, e.g. forgetting somebody's language (``people.reset_language`` being the rules
layer's call), is a declaration and one line in the card's dispatcher (``"lgy"``)::

    RESET_LANGUAGE: Confirmable[PersonTap, Decision, Decision] = Confirmable(
        check=lambda repos, actor, tap: people.decide(repos, actor, tap.person_id, "language"),
        ask_step=person_step,
        asked=lambda tr, tap, found: confirm(
            tr.gettext("Forget the language {name} chose?").format(name=who(found.person)),
            tr.gettext("Yes, forget it"), button("lgy", tap.person_id, view=tap.view), tap),
        change=lambda repos, actor, tap: people.reset_language(repos, actor, tap.person_id),
        step=person_step,
        notice=lambda tr, tap, done: "✅ " + tr.gettext("Done."),
        refresh=refresh_card,
    )

The steps it is built of (:func:`rules_step`, :func:`show`, :func:`send`, :func:`yes_no`) serve
the flows that are not a Yes/No (lists, cards, typed questions: bot/handlers/admin/typed.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.authority import Refused
from bot.context import BotContext
from bot.handlers.common import edit_then_answer, stale_button
from bot.handlers.refusals import actor_id, tell_refused
from bot.i18n import Translator
from storage import Repositories

T = TypeVar("T")
#: What a tap is about (a person and the list they came from, a unit, an invitation…).
Target = TypeVar("Target")
#: What the rules layer found before asking; what applying the change returned.
Found = TypeVar("Found")
Applied = TypeVar("Applied")

Shown = tuple[str, InlineKeyboardMarkup | None]
#: One rules-layer call (bot/people.py, bot/organisation.py, bot/inviting.py…), given the
#: repositories and the actor's Telegram id: a result, a refusal, or None when the target is gone.
RulesCall = Callable[[Repositories, int | None], Awaitable[T | Refused | None]]
#: A rules-layer call about a target: ``lambda repos, actor, target: people.move(…)``.
TargetCall = Callable[[Repositories, int | None, Target], Awaitable[T | Refused | None]]


async def rules_step(update: Update, context: BotContext, act: RulesCall[T]) -> T | None:
    """Run ``act`` in one transaction; None when the update was answered here: refused by the
    rules layer (the refusal is audited and committed), or its target is gone (a stale tap)."""
    async with context.db.transaction() as repos:
        found = await act(repos, actor_id(update))
    if isinstance(found, Refused):
        await tell_refused(update, context, found)
        return None
    if found is None:
        await stale_button(update, context)
        return None
    return found


#: How a flow runs a rules-layer call about its target: :func:`rules_step`, plus answering the
#: flow's own "no" (the last admin, an invitation already used…); None: answered there.
Step = Callable[[Update, BotContext, Target, RulesCall[T]], Awaitable[T | None]]


@dataclass(frozen=True)
class Asked:
    """A confirmation: the question (HTML), the Yes button, and where No goes back to."""

    text: str
    yes: str
    yes_data: str
    no_data: str


@dataclass(frozen=True)
class Confirmable(Generic[Target, Found, Applied]):
    """One admin change asked with Yes/No, declared rather than written out.

    ``asked`` is the question (None: the tap is stale, e.g. the thing is already removed);
    ``check``, when given, is the rules layer's decision before asking (without it the
    question is asked about the target as the dispatcher read it); ``change`` applies it;
    ``tell`` tells the people concerned (the change is committed: a failure there changes
    nothing); ``notice`` is the line above what ``refresh`` shows in the tapped message.
    ``valid`` rejects a tap whose data cannot be ours before anything is read.
    """

    asked: Callable[[Translator, Target, Found], Asked | None]
    change: TargetCall[Target, Applied]
    notice: Callable[[Translator, Target, Applied], str]
    refresh: Callable[[Update, BotContext, Target, Applied, str], Awaitable[None]]
    check: TargetCall[Target, Found] | None = None
    tell: Callable[[BotContext, Target, Applied], Awaitable[None]] | None = None
    valid: Callable[[Target], bool] = lambda target: True
    #: How ``change`` and ``check`` run when the flow has its own "no" (else :func:`rules_step`).
    step: Step[Target, Applied] | None = None
    ask_step: Step[Target, Found] | None = None

    async def ask(self, update: Update, context: BotContext, target: Target) -> None:
        """The first tap: check with the rules, then show the question with Yes/No."""
        query = update.callback_query
        assert query is not None
        if not self.valid(target):
            await stale_button(update, context)
            return
        if self.check is None:
            found = cast(Found, target)
        else:
            checked = await _run(self.ask_step, update, context, target, self.check)
            if checked is None:
                return
            found = checked
        asked = self.asked(context.tr, target, found)
        if asked is None:
            await stale_button(update, context)
            return
        markup = yes_no(asked.yes, asked.yes_data, context.tr.gettext("No"), asked.no_data)
        await edit_then_answer(query, asked.text, markup)

    async def confirmed(self, update: Update, context: BotContext, target: Target) -> None:
        """ "Yes": apply through the rules, tell the people concerned, refresh the message."""
        if not self.valid(target):
            await stale_button(update, context)
            return
        done = await _run(self.step, update, context, target, self.change)
        if done is None:
            return
        if self.tell is not None:
            await self.tell(context, target, done)
        await self.refresh(update, context, target, done, self.notice(context.tr, target, done))


async def _run(
    step: Step[Target, T] | None,
    update: Update,
    context: BotContext,
    target: Target,
    call: TargetCall[Target, T],
) -> T | None:
    """``call`` about ``target`` through the flow's step (:func:`rules_step` when it has none)."""

    async def act(repos: Repositories, actor: int | None) -> T | Refused | None:
        return await call(repos, actor, target)

    if step is None:
        return await rules_step(update, context, act)
    return await step(update, context, target, act)


async def show(
    update: Update, context: BotContext, shown: Shown | Refused, notice: str | None = None
) -> None:
    """Show a card or a list in the tapped message (under ``notice``), or the refusal."""
    query = update.callback_query
    assert query is not None
    if isinstance(shown, Refused):
        await tell_refused(update, context, shown)
        return
    text, markup = shown
    await edit_then_answer(query, notice + "\n\n" + text if notice else text, markup)


async def send(
    update: Update, context: BotContext, shown: Shown | Refused, notice: str | None = None
) -> None:
    """Send a card or a list as a new message (under ``notice``), or the refusal: what a
    command or a typed answer shows, where :func:`show` edits the tapped message."""
    chat = update.effective_chat
    assert chat is not None
    if isinstance(shown, Refused):
        await tell_refused(update, context, shown)
        return
    text, markup = shown
    await chat.send_message(notice + "\n\n" + text if notice else text, reply_markup=markup)


def yes_no(yes: str, yes_data: str, no: str, no_data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(yes, callback_data=yes_data),
                InlineKeyboardButton(no, callback_data=no_data),
            ]
        ]
    )
