"""/bindgroup and /unbindgroup: which group chat receives the digest (no other group ever does)."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks, coordination
from bot.authority import Refused
from bot.config import LANGUAGES
from bot.context import BotContext, FieldReportApplication
from bot.coordination import Unbound
from bot.handlers.common import edit_then_answer, stale_button
from bot.handlers.language import ENDONYMS
from bot.handlers.refusals import actor_id, tell_refused
from storage.bot_settings import CoordinationGroup

#: The group's own buttons (bot/access.py lets them through in a group, for admins only).
PREFIX = "grp"


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
        bound = await coordination.bind_group(
            repos, actor_id(update), chat.id, chat.title or "", context.tr.language
        )
    if isinstance(bound, Refused):
        await tell_refused(update, context, bound)  # in a group: nothing is said
        return
    text, keyboard = _group_view(context, bound.group, ALREADY if bound.already else NEW)
    await chat.send_message(text, reply_markup=keyboard)


NEW, ALREADY, LANGUAGE_CHANGED = "new", "already", "language"


def _group_view(
    context: BotContext, group: CoordinationGroup, moment: str
) -> tuple[str, InlineKeyboardMarkup]:
    """What the group reads about itself, in its own language, with the language buttons."""
    language = coordination.group_language(group, context.settings.default_language)
    tr = context.services.catalogs.translator(language)
    title = escape(group.title or str(group.chat_id))
    if moment == ALREADY:
        head = tr.gettext(
            "This group already receives the daily digest and urgent alerts: {title}."
        ).format(title=title)
    elif moment == LANGUAGE_CHANGED:
        head = tr.gettext(
            "This group receives the daily digest and urgent alerts: {title}."
        ).format(title=title)
    else:
        head = tr.gettext(
            "This group now receives the daily digest and urgent alerts: {title}."
        ).format(title=title)
    text = "\n\n".join(
        [
            head,
            tr.gettext("Language of this group: {language}.").format(
                language=ENDONYMS.get(language, language)
            ),
            tr.gettext("An administrator can change it with these buttons."),
        ]
    )
    buttons = [
        InlineKeyboardButton(
            ("✓ " if code == language else "") + ENDONYMS.get(code, code),
            callback_data=callbacks.pack(PREFIX, "lang", code),
        )
        for code in LANGUAGES
    ]
    return text, InlineKeyboardMarkup([buttons])


async def group_tap(update: Update, context: BotContext) -> None:
    """``grp:v1:lang:<code>``: an administrator changes the language the group reads."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    try:
        action, code = callbacks.unpack(query.data, PREFIX, 2)
    except callbacks.CallbackDataError:
        await stale_button(update, context)
        return
    if action != "lang":
        await stale_button(update, context)
        return
    async with context.db.transaction() as repos:
        chosen = await coordination.set_group_language(repos, actor_id(update), chat.id, code)
    if isinstance(chosen, Refused):
        await tell_refused(update, context, chosen)
        return
    if chosen is None:
        await stale_button(update, context)
        return
    if chosen.already:  # the language it reads already: the message stays as it is
        await query.answer()
        return
    text, keyboard = _group_view(context, chosen.group, LANGUAGE_CHANGED)
    await edit_then_answer(query, text, keyboard)


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
    application.add_handler(CallbackQueryHandler(group_tap, pattern=callbacks.pattern(PREFIX)))
