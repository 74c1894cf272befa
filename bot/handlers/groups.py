"""/bindgroup and /unbindgroup: which group chat receives the digest (no other group ever does)."""

from __future__ import annotations

import json
from html import escape

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler

from bot.context import BotContext, FieldReportApplication
from storage.bot_settings import COORDINATION_GROUP


async def bind_group(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    account = context.account
    assert chat is not None
    assert account is not None
    _ = context.tr.gettext
    if chat.type == ChatType.PRIVATE:
        await chat.send_message(
            _("Send /bindgroup inside the coordination group, after adding the bot to it.")
        )
        return
    value = json.dumps({"chat_id": chat.id, "title": chat.title or ""}, ensure_ascii=False)
    async with context.db.transaction() as repos:
        await repos.settings.set(COORDINATION_GROUP, value, by=account.telegram_id)
        await repos.audit.add(
            "group.bound",
            actor_telegram_id=account.telegram_id,
            target=str(chat.id),
            details={"title": chat.title or ""},
        )
    await chat.send_message(
        _("This group now receives the daily digest and urgent alerts: {title}.").format(
            title=escape(chat.title or str(chat.id))
        )
    )


async def unbind_group(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    account = context.account
    assert chat is not None
    assert account is not None
    _ = context.tr.gettext
    async with context.db.transaction() as repos:
        current = await repos.settings.get(COORDINATION_GROUP)
        bound_id = json.loads(current)["chat_id"] if current else None
        in_other_group = chat.type != ChatType.PRIVATE and bound_id != chat.id
        removed = False
        if bound_id is not None and not in_other_group:
            removed = await repos.settings.delete(COORDINATION_GROUP)
            await repos.audit.add(
                "group.unbound", actor_telegram_id=account.telegram_id, target=str(bound_id)
            )
    if removed:
        await chat.send_message(_("No group receives the digest any more."))
    elif in_other_group:
        await chat.send_message(_("This group is not the one bound to the digest."))
    else:
        await chat.send_message(_("No group is bound to the digest."))


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("bindgroup", bind_group))
    application.add_handler(CommandHandler("unbindgroup", unbind_group))
