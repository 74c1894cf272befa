"""The polite word when the rules layer (bot/authority.py) refuses what the gate let through.

The words are the gate's own (the same catalog entries): to the person it makes no difference
which of the two locks said no.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.authority import ADMINS, COORDINATION, Denial, Refused
from bot.context import BotContext
from bot.i18n import Translator


def refused_text(refused: Refused, tr: Translator) -> str:
    _ = tr.gettext
    if refused.denial is Denial.NO_ACCOUNT:
        return _(
            "Sorry, this bot serves the field units of the drug-control programme only. "
            "To get access, ask your programme administrator for an invitation link."
        )
    if refused.denial is Denial.BLOCKED:
        return _(
            "Your access to this bot is suspended. If you think this is a mistake, "
            "please contact your programme administrator."
        )
    if refused.denial is Denial.NOT_OWNER:
        return _("This button no longer works. Please start again.")
    if refused.roles == ADMINS:
        return _("This is for administrators only.")
    if refused.roles == COORDINATION:
        return _("This is for coordinators and administrators.")
    return _("Reports are filed by officers. Coordinators receive them in the digest.")


async def tell_refused(update: Update, context: BotContext, refused: Refused) -> None:
    """Answer the tap (only its author sees that), or reply in a private chat.

    In a group nothing is said: the group must learn nothing about a person's status.
    """
    text = refused_text(refused, context.tr)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
        return
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE:
        await chat.send_message(text)


def actor_id(update: Update) -> int | None:
    """The Telegram id the rules layer checks: the update's sender, never a snapshot."""
    return update.effective_user.id if update.effective_user is not None else None
