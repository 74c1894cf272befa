"""/audit [n]: the latest audit log entries, for admins."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import CommandHandler

from bot import audit_log, coordination
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
        page = await coordination.read_audit(repos, actor_id(update), count)
    if isinstance(page, Refused):
        await tell_refused(update, context, page)
        return
    if not page.entries:
        await chat.send_message(_("The audit log is empty."))
        return
    header = context.tr.ngettext(
        "The latest {count} audit entry:", "The latest {count} audit entries:", len(page.entries)
    ).format(count=context.tr.format_number(len(page.entries)))
    # One block per entry, a blank line between them; messages split between entries only.
    blocks = audit_log.entry_lines(page, context.tr)
    await send_long(chat, [f"<b>{escape(header)}</b>", *(f"\n{block}" for block in blocks)])


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("audit", audit_command))
