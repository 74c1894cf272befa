"""The gate: runs first for every update (group -1) and decides who gets in, and to what.

It loads the person from the database at the moment of the update (never from a snapshot),
sets their language for everything that follows, applies flood control and the access table of
bot/access.py, and stops the update — with a polite word and an audit line — for anybody who may
not go further. Features behind it can rely on ``context.account`` being an active user allowed
to do what the update asks; the one exception is ``/start <invitation>`` from a stranger.

It fails closed: once it has decided to say no, the update stops whatever saying no does (a
refused call, a timeout, a failing audit write), and an exception anywhere in the gate stops the
update too. Only a normal return lets an update through.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot import access
from bot.context import BotContext, FieldReportApplication
from bot.flood import Verdict, verdict_taken
from bot.i18n import resolve_language
from bot.observability import set_outcome
from storage import hot_path

GATE_GROUP = -1

log = logging.getLogger(__name__)


async def gate(update: Update, context: BotContext) -> None:
    """Return to let the update through; anything else (a refusal, a bug) stops it."""
    try:
        await _admit(update, context)
    except ApplicationHandlerStop:
        raise
    except Exception:
        # A bug, a locked database, a failing read of the person: nobody may pass unchecked.
        set_outcome("error")
        log.exception("the gate failed; the update is stopped")
        await _best_effort(_apologise(update, context), "apology")
        raise ApplicationHandlerStop from None


async def _admit(update: Update, context: BotContext) -> None:
    person = update.effective_user
    chat = update.effective_chat
    if person is None or person.is_bot:
        raise ApplicationHandlerStop
    in_group = chat is not None and chat.type != ChatType.PRIVATE
    edited = _edited(update)
    if edited is not None and (in_group or not _typed(edited)):
        set_outcome("ignored")  # a moving live location, an edit in a group: nothing to say
        raise ApplicationHandlerStop
    request = _request_of(update, context)
    if in_group and not (
        request.command in access.GROUP_COMMANDS
        or request.callback_prefix in access.GROUP_CALLBACKS
    ):
        set_outcome("ignored")
        raise ApplicationHandlerStop  # in groups the bot answers nothing else

    # Taken by the update processor when the update arrived (an ignored one never gets here);
    # an update that came in another way (process_update called directly) is checked here.
    verdict = verdict_taken()
    if verdict is None:
        verdict = context.services.flood.check(person.id, time.monotonic())
    if verdict is not Verdict.SERVE:
        set_outcome("flood")
        if verdict is Verdict.WARN:
            await _flood_notice(update, context)
        raise ApplicationHandlerStop

    # The person, their draft and pending reply in one hop: the form step or typed message
    # that most updates go on to needs them (bot/context.py, take_draft and take_pending).
    state = await context.db.run_read(hot_path.person_state, person.id)
    account = state.user
    context.remember(state.draft, state.pending)
    language = resolve_language(
        account.language if account else None,
        person.language_code,
        context.settings.default_language,
    )
    context.tr = context.services.catalogs.translator(language)
    context.account = account

    if edited is not None:
        set_outcome("edited")
        if account is not None and account.is_active:
            await _best_effort(_edit_note(update, context), "note on an edited message")
        raise ApplicationHandlerStop

    if account is None and request.command == "start" and _start_payload(update, context):
        return  # an invitation: bot/handlers/invites.py decides
    if account is None or not account.is_active:
        set_outcome("refused")
        await _refuse(update, context, blocked=account is not None, in_group=in_group)
        raise ApplicationHandlerStop

    denial = access.decide(account.role, request)
    if denial is not None:
        set_outcome("denied")
        await _deny(update, context, denial, request, in_group=in_group)
        raise ApplicationHandlerStop

    if (account.display_name, account.username, account.telegram_language) != (
        person.full_name,
        person.username,
        person.language_code,
    ):
        async with context.db.transaction() as repos:
            await repos.users.update_profile(
                person.id,
                display_name=person.full_name,
                username=person.username,
                telegram_language=person.language_code,
            )


def command_of(update: Update, context: BotContext) -> access.Command | None:
    """The command this update carries, read exactly as PTB's CommandHandler reads it.

    The one parse of a command (bot/access.py): the gate decides on it and the ``/start``
    payload is read with it, so the gate never checks one command while a handler runs
    another. Edits never get this far (see :func:`_edited`).
    """
    return access.command_in(update.effective_message, context.bot.username)


def _request_of(update: Update, context: BotContext) -> access.Request:
    if update.callback_query is not None:
        return access.Request(callback_prefix=access.callback_prefix(update.callback_query.data))
    command = command_of(update, context)
    return access.Request(command=command.name if command else None)


def _start_payload(update: Update, context: BotContext) -> str:
    command = command_of(update, context)
    return command.payload if command else ""


def _edited(update: Update) -> object | None:
    """The edited message of an edit, or None: edits never run anything (PTB's
    CommandHandler would run an edited ``/export`` again; a form would take it as an answer)."""
    return update.edited_message or update.edited_channel_post or update.edited_business_message


def _typed(edited: object) -> bool:
    return bool(getattr(edited, "text", None) or getattr(edited, "caption", None))


async def _best_effort(saying: Awaitable[object], what: str) -> None:
    """Await ``saying``; a failure is logged (its kind only, never content) and swallowed.

    Used for everything the gate says or writes while stopping an update, so that nothing it
    does while refusing can turn into a reason to go on.
    """
    try:
        await saying
    except Exception as error:
        # Its kind only: a Bot API error's description could quote what it refused.
        log.warning(
            "the gate's %s failed (%s); the update stays stopped", what, type(error).__name__
        )


async def _flood_notice(update: Update, context: BotContext) -> None:
    person = update.effective_user
    if person is None:
        return
    tr = context.services.catalogs.translator(
        resolve_language(None, person.language_code, context.settings.default_language)
    )
    text = tr.gettext(
        "You are sending messages faster than I can read them. Please wait a minute, then continue."
    )
    if update.callback_query:
        await _best_effort(update.callback_query.answer(text, show_alert=True), "flood notice")
    elif update.effective_chat and update.effective_chat.type == ChatType.PRIVATE:
        await _best_effort(context.bot.send_message(update.effective_chat.id, text), "flood notice")
    await _best_effort(_audit(context, "access.flood", person.id), "flood audit")


async def _audit(
    context: BotContext,
    action: str,
    actor_telegram_id: int | None,
    details: dict[str, object] | None = None,
) -> None:
    async with context.db.transaction() as repos:
        await repos.audit.add(action, actor_telegram_id=actor_telegram_id, details=details)


async def _say(update: Update, context: BotContext, text: str, what: str) -> None:
    """Answer a tap (only the tapper sees it) or write to the chat; never raises."""
    if update.callback_query:
        await _best_effort(update.callback_query.answer(text, show_alert=True), what)
    elif update.effective_chat:
        await _best_effort(context.bot.send_message(update.effective_chat.id, text), what)


async def _refuse(update: Update, context: BotContext, *, blocked: bool, in_group: bool) -> None:
    _ = context.tr.gettext
    if in_group and not update.callback_query:
        # The group must not learn who is a stranger or who was suspended: the same neutral
        # line for everybody who may not bind a group.
        text = _("This is for administrators only.")
    elif blocked:
        text = _(
            "Your access to this bot is suspended. If you think this is a mistake, "
            "please contact your programme administrator."
        )
    else:
        text = _(
            "Sorry, this bot serves the field units of the drug-control programme only. "
            "To get access, ask your programme administrator for an invitation link."
        )
    kind = "callback" if update.callback_query else "message"
    actor = update.effective_user.id if update.effective_user else None
    details: dict[str, object] = {"kind": kind, "blocked": blocked}
    await _best_effort(_audit(context, "access.refused", actor, details), "refusal audit")
    await _say(update, context, text, "refusal")


async def _deny(
    update: Update,
    context: BotContext,
    denial: access.Denial,
    request: access.Request,
    *,
    in_group: bool,
) -> None:
    _ = context.tr.gettext
    if denial is access.Denial.ADMINS_ONLY or (in_group and not update.callback_query):
        text = _("This is for administrators only.")
    elif denial is access.Denial.COORDINATION_ONLY:
        text = _("This is for coordinators and administrators.")
    else:
        text = _("Reports are filed by officers. Coordinators receive them in the digest.")
    actor = update.effective_user.id if update.effective_user else None
    details: dict[str, object] = {
        "command": request.command,
        "callback": update.callback_query.data if update.callback_query else None,
    }
    await _best_effort(_audit(context, "access.denied", actor, details), "denial audit")
    await _say(update, context, text, "denial")


async def _edit_note(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    await context.bot.send_message(
        chat.id,
        context.tr.gettext(
            "I do not read edited messages. To change an answer in a report, use the buttons "
            "under its summary; to repeat a command, send it again as a new message."
        ),
    )


async def _apologise(update: Update, context: BotContext) -> None:
    """After a failure inside the gate: a word in the person's Telegram language, if private."""
    person = update.effective_user
    chat = update.effective_chat
    language = resolve_language(
        None, person.language_code if person else None, context.settings.default_language
    )
    text = context.services.catalogs.translator(language).gettext(
        "Sorry, something went wrong on our side. Please try again in a moment."
    )
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    elif chat is not None and chat.type == ChatType.PRIVATE:
        await context.bot.send_message(chat.id, text)


def register(application: FieldReportApplication) -> None:
    # block=True: group 0 must wait for the gate's verdict, never run beside it.
    application.add_handler(TypeHandler(Update, gate, block=True), group=GATE_GROUP)
