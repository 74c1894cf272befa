"""The bots under test: the bare PTB echo bot (the floor) and FieldReport's real application."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from benchmarks.harness import AnyApplication
from bot.app import build_application
from bot.config import Secret, Settings
from bot.context import FieldReportApplication
from storage import Database, Role
from storage.cipher import DatabaseKey, remember
from tests.support.driver import UpdateFactory
from tests.support.memory_bot_api import FAKE_API_URL, FAKE_TOKEN, InMemoryRequest

ECHO_TEXT = "echo me"


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message and update.message.text:
        await update.message.reply_text(update.message.text)


@asynccontextmanager
async def echo_application(request: InMemoryRequest) -> AsyncIterator[AnyApplication]:
    """The floor: PTB with one handler and nothing of ours (no DB, no limiter, no persistence)."""
    application = (
        ApplicationBuilder()
        .token(FAKE_TOKEN)
        .base_url(f"{FAKE_API_URL}/bot")
        .request(request)
        .get_updates_request(InMemoryRequest())
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    await application.initialize()
    try:
        yield application
    finally:
        await application.shutdown()


@dataclass(frozen=True)
class Member:
    """A registered person, created in the database before the bot starts."""

    telegram_id: int
    role: Role = Role.OFFICER
    unit_code: str | None = "IMT-TER"  # a unit the first migration seeds
    first_name: str = "Bekzod"
    last_name: str = "Rakhimov"
    username: str = "bekzod"
    language: str = "en"

    def updates(self) -> UpdateFactory:
        """Their updates, with the same name as in the database (so the gate writes nothing)."""
        return UpdateFactory(
            user_id=self.telegram_id,
            first_name=self.first_name,
            last_name=self.last_name,
            username=self.username,
            language_code=self.language,
        )


async def register(path: Path, members: Sequence[Member]) -> None:
    """Create ``members`` as an admin's invitation would (in their own connection)."""
    db = await Database.open(path)
    try:
        async with db.transaction() as repos:
            for member in members:
                unit = await repos.units.get_by_code(member.unit_code) if member.unit_code else None
                if member.unit_code and unit is None:
                    raise RuntimeError(f"no unit {member.unit_code!r} in the seeded database")
                await repos.users.create(
                    telegram_id=member.telegram_id,
                    role=member.role,
                    display_name=f"{member.first_name} {member.last_name}",
                    username=member.username,
                    unit_id=unit.id if unit else None,
                    language=member.language,
                )
    finally:
        await db.close()


@asynccontextmanager
async def fieldreport_application(
    request: InMemoryRequest,
    *,
    admin_ids: tuple[int, ...] = (),
    members: Sequence[Member] = (),
    database: Path | None = None,
    run_jobs: bool = True,
    database_key: DatabaseKey | None = None,
) -> AsyncIterator[FieldReportApplication]:
    """The real ``build_application`` on a temporary SQLite file (or on ``database``), encrypted
    with ``database_key`` when one is given.

    ``members`` are registered before ``initialize()``; the database file lives until the block
    ends, at ``application.services.settings.database_path``. ``run_jobs=False`` leaves the
    digest and reminder jobs unscheduled (as on a replica), so only the benchmark sends them.
    """
    with tempfile.TemporaryDirectory(prefix="fieldreport-bench-") as tmp:
        settings = Settings(
            bot_token=Secret(FAKE_TOKEN),
            telegram_api_url=FAKE_API_URL,
            database_path=database or Path(tmp) / "bench.sqlite3",
            admin_ids=admin_ids,
            run_jobs=run_jobs,
            database_key=database_key,
        )
        remember(settings.database_path, database_key)
        if members:
            await register(settings.database_path, members)
        application = build_application(
            settings, request=request, get_updates_request=InMemoryRequest()
        )
        await application.initialize()  # opens the DB, registers the admins, sets public menus
        try:
            yield application
        finally:
            await application.shutdown()
