"""``build_application(settings)``: the one place where the bot is assembled.

Reading this file tells everything the bot does. Handler groups:
  -1  the gate (who is this, which language, may they in?) — must run before any feature;
   0  the features, each registered by its module; the fallback is registered last because
      within one group PTB hands an update to the first handler that matches;
   1  after the features: a command closes an admin's open question (bot/handlers/admin_units).
"""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeDefault
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.concurrency import PerPersonUpdateProcessor
from bot.config import LANGUAGES, Settings
from bot.context import BotContext, FieldReportApplication, Services
from bot.handlers import (
    admin_units,
    admin_users,
    audit,
    digest,
    errors,
    fallback,
    gate,
    groups,
    invites,
    language,
    my_reports,
    report,
    start,
    urgent,
)
from bot.i18n import Catalogs
from bot.logging_setup import guard_content
from bot.menus import PUBLIC_MENU
from storage.persistence import SqlitePersistence

log = logging.getLogger(__name__)


class _Application(FieldReportApplication):
    """Adds the start-up chores that need both the database and the Bot API."""

    __slots__ = ()

    async def initialize(self) -> None:
        await super().initialize()
        await bootstrap_admins(self.services)
        await set_public_menus(self)
        await digest.schedule_jobs(self)


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> FieldReportApplication:
    """``request`` and ``get_updates_request`` swap the HTTP client (benchmarks: in memory)."""
    guard_content()  # whatever logs at DEBUG, no library record carries what people wrote
    services = Services(settings=settings, catalogs=Catalogs(settings.timezone))
    # Services.open() runs in Application.initialize(), before PTB reads the persistence.
    persistence = SqlitePersistence(lambda: services.db)
    builder = ApplicationBuilder()
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    configured = (
        builder.application_class(_Application, kwargs={"services": services})
        .token(settings.require_token())
        .base_url(settings.bot_base_url)
        .base_file_url(settings.bot_file_url)
        .context_types(ContextTypes(context=BotContext))
        .defaults(Defaults(parse_mode=ParseMode.HTML, disable_notification=False))
        .persistence(persistence)
        .concurrent_updates(PerPersonUpdateProcessor())
    )
    if settings.rate_limit:
        configured.rate_limiter(AIORateLimiter(max_retries=3))
    application = configured.build()
    assert isinstance(application, FieldReportApplication)

    gate.register(application)
    # An admin's open question (a unit's name…) takes the typed answer before any feature.
    admin_units.register_questions(application)
    invites.register(application)  # before start: /start <invitation> is theirs
    start.register(application)
    language.register(application)
    urgent.register_cancel(application)  # before report: a pending question is cancelled first
    report.register(application)
    my_reports.register(application)
    admin_users.register(application)
    admin_units.register(application)
    groups.register(application)
    audit.register(application)
    digest.register(application)
    urgent.register(application)
    report.register_answers(application)  # after every other message handler
    fallback.register(application)  # last: see the module docstring
    errors.register(application)
    return application


async def bootstrap_admins(services: Services) -> None:
    """Make every ``ADMIN_IDS`` user an admin if they are not registered yet.

    An existing account is left as it is: re-promoting at every start would undo an admin's
    decision to block or re-role somebody.
    """
    if not services.settings.admin_ids:
        return
    async with services.db.transaction() as repos:
        for telegram_id in services.settings.admin_ids:
            if await repos.users.get_by_telegram_id(telegram_id) is None:
                await repos.users.ensure_admin(telegram_id)
                await repos.audit.add(
                    "admin.bootstrap", actor_telegram_id=None, target=str(telegram_id)
                )
                log.info("registered admin %s from ADMIN_IDS", telegram_id)


async def set_public_menus(application: FieldReportApplication) -> None:
    """The menu strangers see, in each language (registered users get their own per chat)."""
    catalogs = application.services.catalogs
    default_language = application.services.settings.default_language
    for code in (*LANGUAGES, None):
        tr = catalogs.translator(code or default_language)
        await application.bot.set_my_commands(
            [BotCommand(item.command, item.describe(tr)) for item in PUBLIC_MENU],
            scope=BotCommandScopeDefault(),
            language_code=code,
        )
