"""/bindgroup and /unbindgroup: which group chat receives the digest (no other group ever does)."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler

from bot import coordination
from bot.authority import Refused
from bot.context import BotContext, FieldReportApplication
from bot.coordination import Unbound
from bot.handlers.refusals import actor_id, tell_refused


async def bind_group(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    _ = context.tr.gettext
    if chat.type == ChatType.PRIVATE:
        await chat.send_message(
            _("Send /bindgroup inside the coordination group, after adding the bot to it.")
        )
        return
    async with context.db.transaction() as repos:
        refused = await coordination.bind_group(repos, actor_id(update), chat.id, chat.title or "")
    if refused is not None:
        await tell_refused(update, context, refused)  # in a group: nothing is said
        return
    await chat.send_message(
        _("This group now receives the daily digest and urgent alerts: {title}.").format(
            title=escape(chat.title or str(chat.id))
        )
    )


async def unbind_group(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    _ = context.tr.gettext
    in_group = chat.id if chat.type != ChatType.PRIVATE else None
    async with context.db.transaction() as repos:
        outcome = await coordination.unbind_group(repos, actor_id(update), in_group=in_group)
    if isinstance(outcome, Refused):
        await tell_refused(update, context, outcome)
    elif outcome is Unbound.DONE:
        await chat.send_message(_("No group receives the digest any more."))
    elif outcome is Unbound.OTHER_GROUP:
        await chat.send_message(_("This group is not the one bound to the digest."))
    else:
        await chat.send_message(_("No group is bound to the digest."))


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("bindgroup", bind_group))
    application.add_handler(CommandHandler("unbindgroup", unbind_group))
