"""``build_application(settings)``: the one place where the bot is assembled.

Reading this file tells everything the bot does. Handler groups:
  -1  the gate (who is this, which language, may they in?) — must run before any feature;
   0  the features, each registered by its module; the fallback is registered last because
      within one group PTB hands an update to the first handler that matches;
   1  after the features: a command closes an admin's open question
      (bot/handlers/admin/unit_questions.py).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from functools import cache, partial

import httpx
from telegram import BotCommand, BotCommandScopeDefault
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.concurrency import PerPersonUpdateProcessor
from bot.config import LANGUAGES, Settings
from bot.context import BotContext, FieldReportApplication, Services
from bot.handlers import (
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
    routes,
    start,
    urgent,
)
from bot.handlers.admin import factors, invite_list, names, unit_answers, units, user_changes
from bot.handlers.urgent import alert_send
from bot.i18n import Catalogs
from bot.liveness import BeatingRequest, Heartbeat, heartbeat_path
from bot.logging_setup import guard_content
from bot.menus import PUBLIC_MENU
from bot.rate_limit import FairRateLimiter
from bot.retention import schedule_retention
from bot.telegram_bot import FieldReportBot
from bot.telegram_http import AiohttpRequest
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

    async def start(self) -> None:
        await super().start()
        digest.schedule_catch_up(self)  # the JobQueue runs now: time the catch-up from here
        schedule_retention(self)  # RETENTION_DAYS: a run now, then daily


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
    processor = PerPersonUpdateProcessor(flood_guard=lambda: services.flood)
    bot = FieldReportBot(
        token=settings.require_token(),
        base_url=settings.bot_base_url,
        base_file_url=settings.bot_file_url,
        defaults=Defaults(parse_mode=ParseMode.HTML, disable_notification=False),
        # PTB's own pool sizes and timeouts (a pool for many concurrent calls, one connection
        # for polling), over aiohttp: a third of httpx's CPU per request (bot/telegram_http.py).
        request=request or AiohttpRequest(256, ssl_context=_tls_context()),
        # Each long poll refreshes the sign of life `python -m bot health` judges (bot/liveness.py).
        get_updates_request=BeatingRequest(
            get_updates_request or AiohttpRequest(1, ssl_context=_tls_context()),
            Heartbeat(heartbeat_path(settings.database_path), processor.stuck_for),
        ),
        rate_limiter=FairRateLimiter(max_retries=3) if settings.rate_limit else None,
    )
    configured = (
        ApplicationBuilder()
        .bot(bot)
        .application_class(_Application, kwargs={"services": services})
        .context_types(ContextTypes(context=BotContext))
        .persistence(persistence)
        .concurrent_updates(processor)
    )
    application = configured.build()
    assert isinstance(application, FieldReportApplication)
    # The filing rules announce each report filed or amended: the urgent lane sends its alert.
    services.filings.subscribe(partial(alert_send.report_filed, services, application.bot))

    gate.register(application)
    # An admin's open question (a unit's name…) takes the typed answer before any feature.
    unit_answers.register_questions(application)
    invites.register(application)  # before start: /start <invitation> is theirs
    invite_list.register(application)
    start.register(application)
    language.register(application)
    # Before report: a pending question is given up first, else the report form's /cancel runs.
    urgent.register_cancel(application, otherwise=report.cancel_command)
    report.register(application)
    my_reports.register(application)
    user_changes.register(application)  # /users, /user and the cards' buttons
    units.register(application)
    names.register(application)  # /names: agencies' and substances' names
    factors.register(application)  # /factors: kilogram-equivalent factors
    groups.register(application)
    audit.register(application)
    digest.register(application)
    routes.register(application)  # /routes: the period's routes and concealment
    # A private message is a pending question or answer, else the report form's answer.
    urgent.register(application, otherwise=report.form_message)
    report.register_answers(application)  # after every other message handler
    fallback.register(application)  # last: see the module docstring
    errors.register(application)
    new_messages_only(application)
    return application


@cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for both HTTP clients: each would load the CA bundle (~60 ms of start)."""
    return httpx.create_ssl_context()


def new_messages_only(application: FieldReportApplication) -> None:
    """Behind the gate, commands and typed answers come from new messages only.

    PTB's CommandHandler and MessageHandler also match edited messages: editing an old
    "/export …" would run it again, editing an answer would answer the current question. The
    gate stops every edit and explains it; this keeps the features deaf to edits even if an
    edit ever got past it.
    """
    for group, handlers in application.handlers.items():
        if group == gate.GATE_GROUP:
            continue
        for handler in handlers:
            if isinstance(handler, CommandHandler | MessageHandler):
                handler.filters = filters.UpdateType.MESSAGE & handler.filters


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

    async def set_menu(code: str | None) -> None:
        tr = catalogs.translator(code or default_language)
        await application.bot.set_my_commands(
            [BotCommand(item.command, item.describe(tr)) for item in PUBLIC_MENU],
            scope=BotCommandScopeDefault(),
            language_code=code,
        )

    # Telegram takes two-letter language codes only: Cyrillic Uzbek readers get their menu per
    # chat, in their language, once registered (bot/handlers/start.py set_chat_menu).
    # All at once: each is a round trip to Telegram before the bot first polls.
    await asyncio.gather(*(set_menu(c) for c in (*(c for c in LANGUAGES if len(c) == 2), None)))
