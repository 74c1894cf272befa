"""Resilience fixtures: an in-process stand-in, a seeded database, the bot as a child process.

The database is prepared before the bot's first start, as an installation would be: officers in
Uzbek, Russian and English, coordinators, and reports of the reporting day whose digest is due,
so a bot started with RUN_JOBS=true begins delivering that digest about a second after start.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.delivery import DIGEST_TIME
from bot.i18n import Catalogs
from bot.schedule import latest_due_digest_day
from bot.standin import StandIn, TgUser
from storage import Database, Role
from storage.models import NewReport, NewSeizureItem
from tests.resilience.people import Officer
from tests.support.bot_process import BotProcess, close_spares, keep_a_spare

TOKEN = "123456:RESILIENCE-token"
TASHKENT = ZoneInfo("Asia/Tashkent")
ADMIN = TgUser(id=7000, first_name="Admin", language_code="en")
OFFICER_UNITS = ("IMT-TER", "IMT-SAM", "IMT-AND", "IMT-BUK", "IMT-NAM", "IMT-NAV")
LANGUAGES = ("uz", "ru", "en")
NAMES = ("Bekzod", "Ольга", "John", "Dilshod", "Тимур", "Anna")
SEED_AUTHOR = TgUser(id=7100, first_name="Archive", language_code="ru")
SEEDED_REPORTS = 3
#: One line per test that measures something (kills, window hits…): printed at the end of the run.
FIGURES: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("resilience figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


def officer_user(index: int) -> TgUser:
    return TgUser(
        id=7201 + index,
        first_name=NAMES[index % len(NAMES)],
        language_code=LANGUAGES[index % len(LANGUAGES)],
    )


def coordinator_user(index: int) -> TgUser:
    return TgUser(id=7301 + index, first_name=f"Coord{index}", language_code=LANGUAGES[index])


@dataclass
class World:
    """Everything a resilience test acts on; every bot process it made is killed at teardown."""

    tg: StandIn
    workdir: Path
    database_path: Path
    officers: list[TgUser]
    coordinators: list[TgUser]
    due_day: date
    catalogs: Catalogs
    processes: list[BotProcess] = field(default_factory=list)

    def bot(
        self, *, run_jobs: bool = True, prewarm: bool = True, env: dict[str, str] | None = None
    ) -> BotProcess:
        settings = {
            "DATABASE_PATH": str(self.database_path),
            "ADMIN_IDS": str(ADMIN.id),
            "RATE_LIMIT": "false",
            "RUN_JOBS": "true" if run_jobs else "false",
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        process = BotProcess(self.tg, settings, self.workdir, prewarm=prewarm)
        self.processes.append(process)
        return process

    def officer(self, user: TgUser, bot: BotProcess, seed: int, **kwargs: object) -> Officer:
        language = user.language_code or "ru"
        return Officer(
            self.tg,
            user,
            self.catalogs.translator(language),
            bot,
            random.Random(seed),
            **kwargs,  # type: ignore[arg-type]
        )

    def spreadsheets(self, chat_id: int) -> list[str]:
        """File names of the XLSX documents the bot sent to the chat."""
        return [
            str(m.document.get("file_name"))
            for m in self.tg.messages(chat_id)
            if m.document and str(m.document.get("file_name", "")).endswith(".xlsx")
        ]

    def digest_complete(self) -> bool:
        """Every coordinator has the chart, the digest's last part."""
        return all(any(m.photo for m in self.tg.messages(c.id)) for c in self.coordinators)

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        """Read the database directly (SQLite allows readers beside the bot's writer)."""
        connection = sqlite3.connect(self.database_path)
        try:
            return list(connection.execute(sql, params))
        finally:
            connection.close()


def digest_time_away_from(now: datetime) -> time:
    """A digest time three hours ago: the due day cannot change during a test."""
    local = now.astimezone(TASHKENT) - timedelta(hours=3)
    return time(local.hour, local.minute)


async def seed_database(path: Path, officers: list[TgUser], coordinators: list[TgUser]) -> date:
    """Register everybody and file the reports of the due day; returns that day."""
    now = datetime.now(UTC)
    digest_time = digest_time_away_from(now)
    due = latest_due_digest_day(now, digest_time, TASHKENT)
    db = await Database.open(path)
    try:
        async with db.transaction() as repos:
            await repos.settings.set(DIGEST_TIME, digest_time.strftime("%H:%M"), by=None)
            people: list[tuple[TgUser, Role, str | None]] = [
                (u, Role.OFFICER, code) for u, code in zip(officers, OFFICER_UNITS, strict=False)
            ]
            people += [(u, Role.COORDINATOR, None) for u in coordinators]
            people.append((SEED_AUTHOR, Role.OFFICER, "IMT-KAR"))
            for user, role, code in people:
                unit = await repos.units.get_by_code(code) if code else None
                await repos.users.create(
                    telegram_id=user.id,
                    role=role,
                    display_name=user.first_name,
                    unit_id=unit.id if unit else None,
                    language=user.language_code,
                )
                await repos.users.update_profile(
                    user.id,
                    display_name=user.first_name,
                    username=user.username,
                    telegram_language=user.language_code,
                )
            author = await repos.users.get_by_telegram_id(SEED_AUTHOR.id)
            assert author is not None and author.unit_id is not None
            submitted = datetime.combine(due, time(12), tzinfo=TASHKENT).astimezone(UTC)
            for n in range(SEEDED_REPORTS):
                kg = Decimal("0.5") + n
                await repos.reports.create(
                    NewReport(
                        form="seizure",
                        form_code="SZ",
                        unit_id=author.unit_id,
                        author_id=author.id,
                        idempotency_key=f"seeded-{n}",
                        occurred_at=None,
                        submitted_at=submitted + timedelta(minutes=n),
                        local_day=due,
                        urgent=False,
                        answers={},
                        place_text="Termez",
                        latitude=None,
                        longitude=None,
                        persons_detained=n,
                        items=(NewSeizureItem("heroin", kg, "kg", kg, "kg"),),
                    )
                )
    finally:
        await db.close()
    return due


@pytest.fixture(scope="session", autouse=True)
def spare_bots() -> Iterator[None]:
    """Bot processes that imported everything in advance (tests/support/bot_process.py)."""
    keep_a_spare()
    yield
    close_spares()


@pytest.fixture
async def tg() -> AsyncIterator[StandIn]:
    async with StandIn(token=TOKEN, bot_username="fieldreport_bot") as standin:
        yield standin


@pytest.fixture
async def world(tg: StandIn, tmp_path: Path) -> AsyncIterator[World]:
    officers = [officer_user(i) for i in range(len(OFFICER_UNITS))]
    coordinators = [coordinator_user(i) for i in range(len(LANGUAGES))]
    database_path = tmp_path / "fieldreport.sqlite3"
    due = await seed_database(database_path, officers, coordinators)
    for user in (*officers, *coordinators, SEED_AUTHOR, ADMIN):
        tg.add_chat(user)  # they have talked to the bot before: Telegram knows their chats
    made = World(tg, tmp_path, database_path, officers, coordinators, due, Catalogs(TASHKENT))
    try:
        yield made
    finally:
        for process in made.processes:
            process.close()
