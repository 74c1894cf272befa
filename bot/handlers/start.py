"""/start and /help: who am I, and what can I do here."""

from __future__ import annotations

from html import escape

from telegram import BotCommandScopeChat, Update
from telegram.ext import CommandHandler

from bot import role_texts
from bot.context import BotContext, FieldReportApplication
from bot.menus import menu_for
from storage import Role, User


async def start(update: Update, context: BotContext) -> None:
    account = context.account
    assert account is not None and update.effective_chat is not None  # the gate saw to it
    _ = context.tr.gettext
    name = escape(
        account.display_name or (update.effective_user.full_name if update.effective_user else "")
    )
    unit_name = await _unit_name(context, account)
    text = role_texts.signed_in(context.tr, account.role, name, unit_name)
    text += "\n\n" + _("Send /help to see what you can do.")
    await update.effective_chat.send_message(text)
    await set_chat_menu(context, update.effective_chat.id, account)


async def help_command(update: Update, context: BotContext) -> None:
    account = context.account
    assert account is not None and update.effective_chat is not None
    _ = context.tr.gettext
    intro = {
        Role.OFFICER: _("You file reports for your unit and can see and amend your own reports."),
        Role.COORDINATOR: _(
            "You receive the daily digest and urgent alerts, and can ask for any day's digest."
        ),
        Role.ADMIN: _("You manage units, users and invitations, and can read the audit log."),
    }[account.role]
    lines = [intro, "", _("Commands:")]
    lines += [f"/{item.command} — {item.describe(context.tr)}" for item in menu_for(account.role)]
    await update.effective_chat.send_message("\n".join(lines))


async def _unit_name(context: BotContext, account: User) -> str | None:
    if account.unit_id is None:
        return None
    async with context.db.read() as repos:
        unit = await repos.units.get(account.unit_id)
    return unit.name(context.tr.language) if unit else None


async def set_chat_menu(context: BotContext, chat_id: int, account: User) -> None:
    """The person's own command menu, in their language, for their role."""
    await context.bot.set_my_commands(
        [(item.command, item.describe(context.tr)) for item in menu_for(account.role)],
        scope=BotCommandScopeChat(chat_id),
    )


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
