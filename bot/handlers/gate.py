"""The gate: runs first for every update (group -1) and decides who gets in, and to what.

It loads the person from the database at the moment of the update (never from a snapshot),
sets their language for everything that follows, applies flood control and the access table of
bot/access.py, and stops the update — with a polite word and an audit line — for anybody who may
not go further. Features behind it can rely on ``context.account`` being an active user allowed
to do what the update asks; the one exception is ``/start <invitation>`` from a stranger.
"""

from __future__ import annotations

import time

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot import access
from bot.context import BotContext, FieldReportApplication
from bot.flood import Verdict, verdict_taken
from bot.i18n import resolve_language
from bot.observability import set_outcome

GATE_GROUP = -1


async def gate(update: Update, context: BotContext) -> None:
    person = update.effective_user
    chat = update.effective_chat
    if person is None or person.is_bot:
        raise ApplicationHandlerStop
    request = _request_of(update, context)
    in_group = chat is not None and chat.type != ChatType.PRIVATE
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

    async with context.db.read() as repos:
        account = await repos.users.get_by_telegram_id(person.id)
    language = resolve_language(
        account.language if account else None,
        person.language_code,
        context.settings.default_language,
    )
    context.tr = context.services.catalogs.translator(language)
    context.account = account

    if account is None and request.command == "start" and _start_payload(update, context):
        return  # an invitation: bot/handlers/invites.py decides
    if account is None or not account.is_active:
        set_outcome("refused")
        await _refuse(update, context, blocked=account is not None)
        raise ApplicationHandlerStop

    denial = access.decide(account.role, request)
    if denial is not None:
        set_outcome("denied")
        await _deny(update, context, denial, request)
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


def _request_of(update: Update, context: BotContext) -> access.Request:
    if update.callback_query is not None:
        return access.Request(callback_prefix=access.callback_prefix(update.callback_query.data))
    message = update.effective_message
    parsed = access.parse_command(message.text if message else None, context.bot.username)
    return access.Request(command=parsed[0] if parsed else None)


def _start_payload(update: Update, context: BotContext) -> str:
    message = update.effective_message
    parsed = access.parse_command(message.text if message else None, context.bot.username)
    return parsed[1] if parsed else ""


async def _flood_notice(update: Update, context: BotContext) -> None:
    person = update.effective_user
    assert person is not None
    tr = context.services.catalogs.translator(
        resolve_language(None, person.language_code, context.settings.default_language)
    )
    text = tr.gettext(
        "You are sending messages faster than I can read them. Please wait a minute, then continue."
    )
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_chat and update.effective_chat.type == ChatType.PRIVATE:
        await context.bot.send_message(update.effective_chat.id, text)
    async with context.db.transaction() as repos:
        await repos.audit.add("access.flood", actor_telegram_id=person.id)


async def _refuse(update: Update, context: BotContext, *, blocked: bool) -> None:
    _ = context.tr.gettext
    if blocked:
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
    async with context.db.transaction() as repos:
        await repos.audit.add(
            "access.refused",
            actor_telegram_id=update.effective_user.id if update.effective_user else None,
            details={"kind": kind, "blocked": blocked},
        )
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_chat:
        await context.bot.send_message(update.effective_chat.id, text)


async def _deny(
    update: Update, context: BotContext, denial: access.Denial, request: access.Request
) -> None:
    _ = context.tr.gettext
    if denial is access.Denial.ADMINS_ONLY:
        text = _("This is for administrators only.")
    elif denial is access.Denial.COORDINATION_ONLY:
        text = _("This is for coordinators and administrators.")
    else:
        text = _("Reports are filed by officers. Coordinators receive them in the digest.")
    async with context.db.transaction() as repos:
        await repos.audit.add(
            "access.denied",
            actor_telegram_id=update.effective_user.id if update.effective_user else None,
            details={
                "command": request.command,
                "callback": update.callback_query.data if update.callback_query else None,
            },
        )
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_chat:
        await context.bot.send_message(update.effective_chat.id, text)


def register(application: FieldReportApplication) -> None:
    application.add_handler(TypeHandler(Update, gate), group=GATE_GROUP)
