"""The web chat over a real stand-in and the real bot Application (polling), as
tests/e2e/conftest.py's run_bot starts it, with the small test cast seeded in the database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from bot.app import build_application
from bot.config import Secret, Settings
from bot.context import FieldReportApplication
from bot.sandbox.web import SandboxWeb
from bot.standin import StandIn
from storage import Database
from tests.sandbox.cast import ADMIN, TEST_CAST, Cast

TOKEN = "123456:SANDBOX-test-token"


async def seed_cast(path: Path, cast: Cast) -> None:
    """Everyone of the cast registered, as the demo seed does (the group is not bound)."""
    db = await Database.open(path)
    try:
        async with db.transaction() as repos:
            for member in cast.members:
                if member.is_group or member.role is None:
                    continue
                if await repos.users.get_by_telegram_id(member.telegram_id) is not None:
                    continue  # the admin: made from admin_ids when the bot started
                unit = await repos.units.get_by_code(member.unit_code) if member.unit_code else None
                await repos.users.create(
                    telegram_id=member.telegram_id,
                    role=member.role,
                    display_name=f"{member.first_name} {member.last_name or ''}".strip(),
                    unit_id=unit.id if unit else None,
                    language=member.language,
                )
    finally:
        await db.close()


@dataclass
class Sandbox:
    """What a test drives: the stand-in, the bot, the web chat and an HTTP client for it."""

    standin: StandIn
    app: FieldReportApplication
    web: SandboxWeb
    http: aiohttp.ClientSession
    resets: list[int] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.web.url + path


@asynccontextmanager
async def running_sandbox(
    tmp_path: Path, *, password: str | None = None, cast: Cast = TEST_CAST
) -> AsyncIterator[Sandbox]:
    async with StandIn(token=TOKEN, bot_username="fieldreport_bot") as standin:
        settings = Settings(
            bot_token=Secret(TOKEN),
            telegram_api_url=standin.api_url,
            database_path=tmp_path / "sandbox.sqlite3",
            admin_ids=(ADMIN.telegram_id,),
            run_jobs=False,
            rate_limit=False,
        )
        app = build_application(settings)
        await app.initialize()
        await seed_cast(settings.database_path, cast)
        resets: list[int] = []

        async def reset() -> None:
            resets.append(1)
            standin.reset()

        web_chat = SandboxWeb(standin, cast, reset=reset, password=password)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await web_chat.start("127.0.0.1", 0)
        try:
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
                yield Sandbox(standin, app, web_chat, http, resets)
        finally:
            await web_chat.stop()
            await app.updater.stop()
            await app.stop()
            await app.shutdown()


RunSandbox = Callable[..., Awaitable[Sandbox]]


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with running_sandbox(tmp_path) as running:
        yield running
