"""The one error handler: log the traceback, apologise in the user's language, keep serving."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError

from bot.context import BotContext, FieldReportApplication
from bot.i18n import resolve_language
from bot.observability import set_outcome

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        # Polling hiccups on a weak connection: PTB retries by itself.
        log.warning("network error outside an update: %s", error)
        return
    set_outcome("error")
    log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    tr = context.tr
    if context.account is None and update.effective_user is not None:
        language = resolve_language(
            None, update.effective_user.language_code, context.settings.default_language
        )
        tr = context.services.catalogs.translator(language)
    text = tr.gettext("Sorry, something went wrong on our side. Please try again in a moment.")
    try:
        if update.callback_query:
            # Already answered before the error: nothing more to do for the spinner then.
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer()
        await context.bot.send_message(update.effective_chat.id, text)
    except Forbidden:
        log.info("could not apologise: the user blocked the bot")
    except TelegramError:
        log.exception("could not apologise to the user")


def register(application: FieldReportApplication) -> None:
    application.add_error_handler(on_error)
