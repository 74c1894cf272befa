"""The gate: runs first for every update (group -1) and decides who gets in.

It loads the person from the database at the moment of the update (never from a snapshot), sets
their language for everything that follows, and stops the update for anybody who is not an
active registered user, with a polite refusal and an audit line.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.context import BotContext, FieldReportApplication
from bot.i18n import resolve_language

GATE_GROUP = -1


async def gate(update: Update, context: BotContext) -> None:
    person = update.effective_user
    chat = update.effective_chat
    if person is None or person.is_bot:
        raise ApplicationHandlerStop
    if chat is not None and chat.type != ChatType.PRIVATE:
        # Groups get nothing until a coordination group can be bound (a later step).
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

    if account is None or not account.is_active:
        await _refuse(update, context, blocked=account is not None)
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


def register(application: FieldReportApplication) -> None:
    application.add_handler(TypeHandler(Update, gate), group=GATE_GROUP)
