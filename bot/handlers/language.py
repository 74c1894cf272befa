"""/language: choose Uzbek (Latin or Cyrillic), Russian or English; stored at once and used
for everything after the tap."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.config import LANGUAGES
from bot.context import BotContext, FieldReportApplication
from bot.handlers.common import edit_or_ignore_unchanged, stale_button
from bot.handlers.start import set_chat_menu

PREFIX = "lang"

#: Each language named in itself, so anybody finds their own whatever the current language.
ENDONYMS = {"uz": "O‘zbekcha", "uz_Cyrl": "Ўзбекча", "ru": "Русский", "en": "English"}


def language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(ENDONYMS[code], callback_data=callbacks.pack(PREFIX, code))
                for code in LANGUAGES
            ]
        ]
    )


async def choose_language(update: Update, context: BotContext) -> None:
    assert update.effective_chat is not None
    await update.effective_chat.send_message(
        context.tr.gettext("Choose your language:"), reply_markup=language_keyboard()
    )


async def language_chosen(update: Update, context: BotContext) -> None:
    query = update.callback_query
    account = context.account
    assert query is not None and account is not None
    try:
        (code,) = callbacks.unpack(query.data, PREFIX, 1)
    except callbacks.CallbackDataError:
        await stale_button(update, context)
        return
    if code not in LANGUAGES:
        await stale_button(update, context)
        return
    async with context.db.transaction() as repos:
        await repos.users.set_language(account.telegram_id, code)
    context.tr = context.services.catalogs.translator(code)
    text = context.tr.gettext("Language set: {language}.").format(language=ENDONYMS[code])
    await edit_or_ignore_unchanged(query, text)
    if update.effective_chat:
        await set_chat_menu(context, update.effective_chat.id, account)
    await query.answer()  # last: when the spinner stops, everything has changed


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("language", choose_language))
    application.add_handler(
        CallbackQueryHandler(language_chosen, pattern=callbacks.pattern(PREFIX))
    )
