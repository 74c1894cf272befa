"""The sandbox in one process: the stand-in, the real bot on a demo database, the web chat.

All three run on one asyncio loop. The bot is the very ``Application`` ``python -m bot run``
builds, started as the end-to-end tests start it, with its scheduled jobs on (reminders and
the digest happen as they would in real life), against the local stand-in with a token that
Telegram would never have issued: the sandbox cannot reach Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import secrets
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar
from zoneinfo import ZoneInfo

from telegram import Update

from bot.app import build_application
from bot.config import Secret, Settings
from bot.context import FieldReportApplication
from bot.sandbox.cast import DEMO_CAST, Cast, CastMember, background_officers
from bot.sandbox.marker import is_sandbox, mark_sandbox
from bot.sandbox.seed import seed_demo
from bot.standin import StandIn, TgChat, TgUser
from storage import Database, Repositories

log = logging.getLogger(__name__)

#: How every sandbox token starts: not a token Telegram would issue (bot ids are not this
#: small): even pointed at api.telegram.org by mistake it could not act as anybody's bot.
SANDBOX_TOKEN_PREFIX = "100000:SANDBOX-"


def sandbox_token() -> str:
    """A new token for each run. A fixed one, public in this source, let any web page the
    trainer visits post to the stand-in on 127.0.0.1 as the bot (no CORS preflight for a
    form's POST): send messages to anyone, or setWebhook to carry off what people type."""
    return SANDBOX_TOKEN_PREFIX + secrets.token_urlsafe(24)


SANDBOX_BOT_USERNAME = "fieldreport_sandbox_bot"
SANDBOX_FILE_NAME = "sandbox.sqlite3"
#: A new sandbox database is made under its name with this suffix, then renamed into place.
PARTIAL_SUFFIX = ".part"
#: Bot API calls (and refusals) the stand-in remembers: the latest, not days of long polls.
CALLS_KEPT = 2000
#: The demo reports are made in Tashkent time (bot/sandbox/demo_reports.py).
SANDBOX_TIMEZONE = "Asia/Tashkent"

P = ParamSpec("P")
T = TypeVar("T")


class SandboxError(Exception):
    """The sandbox cannot start as asked; the message is one sentence for the person."""


class Web(Protocol):
    """What the runner needs of the web chat (bot/sandbox/web.py's ``SandboxWeb``)."""

    async def start(self, host: str, port: int) -> None: ...

    async def stop(self) -> None: ...

    @property
    def url(self) -> str: ...


WebFactory = Callable[..., Web]


def default_database(settings: Settings) -> Path:
    """``sandbox.sqlite3`` next to the real database (DATABASE_PATH's directory)."""
    return settings.database_path.parent / SANDBOX_FILE_NAME


def refusal(settings: Settings, database: Path) -> str | None:
    """Why the sandbox must not run on ``database`` with these settings, or None."""
    if settings.bot_token is not None and _same_file(database, settings.database_path):
        return (
            f"BOT_TOKEN is set for {settings.database_path}, the database the sandbox was asked"
            " to use: give the sandbox its own file with --database."
        )
    return None


def _same_file(a: Path, b: Path) -> bool:
    return a.expanduser().resolve() == b.expanduser().resolve()


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _web_factory() -> WebFactory:
    """``bot.sandbox.web.SandboxWeb``, imported when the sandbox starts (it brings the page's
    routes; the tests of the runner give a factory of their own)."""
    from bot.sandbox.web import SandboxWeb

    return SandboxWeb


class CurrentDatabase(Database):
    """The sandbox database as it is now, for the web chat: a reset replaces the file and the
    bot's connection, while the web keeps this one object."""

    def __init__(self, current: Callable[[], Database | None], path: Path) -> None:
        # No connection of its own: every call goes to the bot's, whichever is open now.
        self._current = current
        self.path = path

    def _now(self) -> Database:
        db = self._current()
        if db is None:
            raise RuntimeError("the sandbox is starting over; try again in a moment")
        return db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repositories]:
        async with self._now().transaction() as repos:
            yield repos

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Repositories]:
        async with self._now().read() as repos:
            yield repos

    async def run_transaction(
        self,
        fn: Callable[Concatenate[sqlite3.Connection, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        return await self._now().run_transaction(fn, *args, **kwargs)

    async def run_read(
        self,
        fn: Callable[Concatenate[sqlite3.Connection, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        return await self._now().run_read(fn, *args, **kwargs)

    async def schema_version(self) -> int:
        return await self._now().schema_version()

    async def close(self) -> None:
        """The bot closes its own connection."""


class Sandbox:
    """``async with Sandbox(settings, database=…) as sandbox:`` — stand-in, bot and web chat
    running until the block ends; ``sandbox.url`` is the address of the chat."""

    def __init__(
        self,
        settings: Settings,
        *,
        database: Path,
        host: str = "127.0.0.1",
        port: int = 8080,
        password: str | None = None,
        seed: bool = True,
        cast: Cast = DEMO_CAST,
        web_factory: WebFactory | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """``settings``: the loaded ones (log level, language, limits…); the token, the Bot
        API address, the database and the admins are the sandbox's own."""
        self.database = database
        self.host = host
        self.port = port
        self.password = password
        self.seed = seed
        self.cast = cast
        self._web_factory = web_factory
        self._clock = clock
        self._base_settings = settings
        self.standin = StandIn(
            token=sandbox_token(),
            bot_username=SANDBOX_BOT_USERNAME,
            bot_name="FieldReport",
            calls_kept=CALLS_KEPT,
        )
        self.application: FieldReportApplication | None = None
        self.web: Web | None = None
        self._resetting = asyncio.Lock()

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        if self.web is None:
            raise RuntimeError("the sandbox is not running")
        return self.web.url

    @property
    def settings(self) -> Settings:
        """The bot's settings in the sandbox (the stand-in must be running)."""
        return replace(
            self._base_settings,
            bot_token=Secret(self.standin.token),
            telegram_api_url=self.standin.api_url,
            database_path=self.database,
            admin_ids=(self.cast.admin.telegram_id,),
            timezone=ZoneInfo(SANDBOX_TIMEZONE),
            run_jobs=True,
            rate_limit=False,
            webhook_url=None,
            webhook_secret=None,
        )

    async def start(self) -> None:
        problem = refusal(self._base_settings, self.database)
        if problem is None and await is_sandbox(self.database) is False:
            problem = (
                f"{self.database} is not a sandbox database (it may hold real reports):"
                " choose another file with --database."
            )
        if problem is not None:
            raise SandboxError(problem)
        await self.standin.start()
        try:
            self._introduce_cast()
            await self._prepare_database()
            await self._start_bot()
            factory = self._web_factory or _web_factory()
            self.web = factory(
                self.standin,
                self.cast,
                reset=self.reset,
                password=self.password,
                database=CurrentDatabase(self._current_db, self.database),
            )
            await self.web.start(self.host, self.port)
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Web first (no new messages), then the bot, then the stand-in; safe to repeat."""
        web, self.web = self.web, None
        if web is not None:
            await web.stop()
        await self._stop_bot()
        await self.standin.stop()

    async def reset(self) -> None:
        """Start over as at the first start: the bot stopped, the stand-in's chats forgotten,
        the database made anew (seeded unless --no-seed), the bot started again. Two resets
        asked at once (two browser tabs) run one after the other."""
        async with self._resetting:
            await self._stop_bot()
            forget: Callable[[], Any] | None = getattr(self.standin, "reset", None)
            if forget is not None:  # StandIn.reset(): chats, messages, updates, calls
                result = forget()
                if inspect.isawaitable(result):
                    await result
            self._introduce_cast()
            _remove_database(self.database)
            await self._prepare_database()
            await self._start_bot()
        log.info("sandbox reset")

    def _current_db(self) -> Database | None:
        app = self.application
        return app.services.db if app is not None else None

    def _introduce_cast(self) -> None:
        """Everybody has talked to the bot before: Telegram knows their chats (and the group)."""
        people: Sequence[CastMember] = (*self.cast.members, *background_officers(self.cast))
        for member in people:
            if member.is_group:
                self.standin.add_chat(
                    TgChat(id=member.telegram_id, type="supergroup", title=member.first_name)
                )
            else:
                self.standin.add_chat(
                    TgUser(
                        id=member.telegram_id,
                        first_name=member.first_name,
                        last_name=member.last_name,
                        username=member.username,
                        language_code=member.language,
                    )
                )

    async def _prepare_database(self) -> None:
        """Seed a new sandbox database (or, with --no-seed, make an empty one and mark it).

        Made beside it and renamed into place when complete: a seed interrupted (Ctrl+C
        during the first start, a failed reset) leaves no half-seeded database that the next
        start would take as ready."""
        if self.database.exists():
            return
        making = self.database.with_name(self.database.name + PARTIAL_SUFFIX)
        _remove_database(making)
        try:
            if self.seed:
                await seed_demo(
                    making,
                    self.cast,
                    now=self._clock(),
                    urgent_threshold_kg=self._base_settings.urgent_threshold_kg,
                )
            else:
                db = await Database.open(making)
                try:
                    async with db.transaction() as repos:
                        await mark_sandbox(repos)
                finally:
                    await db.close()
            for suffix in ("-wal", "-journal"):
                if Path(f"{making}{suffix}").exists():  # noqa: ASYNC240 - once per seed
                    raise SandboxError(f"the new sandbox database left {making}{suffix} behind")
            making.replace(self.database)
        finally:
            _remove_database(making)

    async def _start_bot(self) -> None:
        app = build_application(self.settings)
        await app.initialize()
        try:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(
                poll_interval=0, timeout=10, allowed_updates=Update.ALL_TYPES
            )
        except BaseException:
            with contextlib.suppress(Exception):
                await app.shutdown()
            raise
        self.application = app

    async def _stop_bot(self) -> None:
        app, self.application = self.application, None
        if app is None:
            return
        # Each step is tried whatever the one before did: an updater that failed to stop must
        # not leave the old bot's jobs running beside the new bot a reset starts.
        try:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
        finally:
            try:
                if app.running:
                    await app.stop()
            finally:
                await app.shutdown()


async def serve(sandbox: Sandbox, stop: asyncio.Event, announce: Callable[[str], None]) -> None:
    """Run ``sandbox`` until ``stop`` is set, telling ``announce`` its address once up."""
    async with sandbox:
        announce(sandbox.url)
        await stop.wait()
