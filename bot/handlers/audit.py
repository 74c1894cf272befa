"""/audit [n]: the latest audit log entries, for admins."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import CommandHandler

from bot import coordination
from bot.authority import Refused
from bot.context import BotContext, FieldReportApplication
from bot.handlers.common import send_long
from bot.handlers.refusals import actor_id, tell_refused

DEFAULT_ENTRIES = 20
MAX_ENTRIES = 200


async def audit_command(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    _ = context.tr.gettext
    args = context.args or []
    count = DEFAULT_ENTRIES
    if args:
        # ASCII digits only: "²".isdigit() is True, and int("²") raises.
        digits = args[0].isascii() and args[0].isdigit()
        if len(args) > 1 or not digits or not 1 <= int(args[0][:6]) <= MAX_ENTRIES:
            await chat.send_message(
                _("Usage: /audit or /audit N, where N is a number from 1 to {limit}.").format(
                    limit=MAX_ENTRIES
                )
            )
            return
        count = int(args[0])
    async with context.db.transaction() as repos:
        entries = await coordination.read_audit(repos, actor_id(update), count)
    if isinstance(entries, Refused):
        await tell_refused(update, context, entries)
        return
    if not entries:
        await chat.send_message(_("The audit log is empty."))
        return
    header = context.tr.ngettext(
        "The latest {count} audit entry:", "The latest {count} audit entries:", len(entries)
    ).format(count=len(entries))
    lines = [f"<b>{header}</b>"]
    for entry in entries:
        who = str(entry.actor_telegram_id) if entry.actor_telegram_id is not None else "—"
        line = "{moment} · {who} · <code>{action}</code>".format(
            moment=escape(context.tr.format_datetime(entry.at, "short")),
            who=escape(who),
            action=escape(entry.action),
        )
        if entry.target:
            line += " → " + escape(entry.target)
        if entry.details:
            line += " " + escape(entry.details[:300])
        lines.append(line)
    await send_long(chat, lines)


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("audit", audit_command))
