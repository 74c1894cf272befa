"""End-to-end fixtures: the real Application over real HTTP against the stand-in, in both
modes: polling (getUpdates) and webhook (the stand-in posts each update to the bot's server).

Every test that runs the bot is collected once per mode and `make test` runs both (the whole
e2e directory by webhook adds about 100 s). ``E2E_MODES`` narrows it: ``polling`` or
``webhook`` (`make test-webhook`) runs one mode only.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bot.app import build_application
from bot.config import Secret, Settings
from bot.context import FieldReportApplication
from bot.standin import StandIn, TgUser
from bot.webhook import serving_webhook
from storage import Database, Role, UserStatus
from storage.cipher import DatabaseKey, remember

TOKEN = "123456:E2E-secret-token"
WEBHOOK_SECRET = "E2E-webhook_secret-0123456789"
WEBHOOK_PATH = "/telegram-updates"
MODES = ("polling", "webhook")
ADMIN = TgUser(
    id=5001, first_name="Dilnoza", last_name="Karimova", username="dilnoza", language_code="ru"
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "expect_refusals(reason): the test provokes calls Telegram refuses (a blocked bot, a "
        "chat that is gone); without it any refused call fails the test",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the modes ``E2E_MODES`` asks for (see the module docstring); the encrypted
    variant (tests/conftest.py's ``database_key``) runs by polling only, to bound the time."""
    keyed_webhook = [
        item
        for item in items
        if (callspec := getattr(item, "callspec", None)) is not None
        and callspec.params.get("database_key") is not None
        and callspec.params.get("mode") == "webhook"
    ]
    if keyed_webhook:
        config.hook.pytest_deselected(items=keyed_webhook)
        items[:] = [item for item in items if item not in keyed_webhook]
    chosen = os.environ.get("E2E_MODES", "").strip().lower()
    if chosen not in MODES:  # unset or "both": every test in both modes
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        mode = callspec.params.get("mode") if callspec is not None else None
        keep = mode is None or "tests/e2e/" not in item.path.as_posix() or mode == chosen
        (kept if keep else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """How the bot gets its updates: "polling" or "webhook"."""
    return str(request.param)


@pytest.fixture
async def tg(mode: str) -> AsyncIterator[StandIn]:
    async with StandIn(
        token=TOKEN, bot_username="fieldreport_bot", allow_http_webhook=True
    ) as standin:
        yield standin


@pytest.fixture(autouse=True)
def no_refused_calls(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every e2e test also checks that the bot made no call Telegram would refuse.

    Faults a test injected (``tg.inject_fault``, ``tg.set_fault_rate``) are not counted; a
    test that provokes a real refusal says so with ``@pytest.mark.expect_refusals(reason)``.
    """
    if "tg" not in request.fixturenames or request.node.get_closest_marker("expect_refusals"):
        yield
        return
    standin: StandIn = request.getfixturevalue("tg")
    yield
    refused = [
        f"{name} -> {exc.status} {exc.description}"
        for name, _, exc in standin.refusals
        # A restarted bot's long poll ends the previous one's with 409, as Telegram does;
        # nobody is waiting for that answer any more.
        if not (name == "getUpdates" and exc.status == 409)
    ]
    if refused:
        pytest.fail("the bot made calls Telegram would refuse:\n  " + "\n  ".join(refused))


@pytest.fixture
def settings(tg: StandIn, tmp_path: Path, mode: str, database_key: DatabaseKey | None) -> Settings:
    webhook = (
        {
            # The port is the one the test's server binds (see run_bot).
            "webhook_url": f"http://127.0.0.1{WEBHOOK_PATH}",
            "webhook_secret": Secret(WEBHOOK_SECRET),
            "webhook_listen": ("127.0.0.1", 0),
        }
        if mode == "webhook"
        else {}
    )
    # The test's own opens of the database (seed_user…) find its key, as the bot's do.
    remember(tmp_path / "bot.sqlite3", database_key)
    return Settings(
        **webhook,  # type: ignore[arg-type]
        bot_token=Secret(TOKEN),
        telegram_api_url=tg.api_url,
        database_path=tmp_path / "bot.sqlite3",
        database_key=database_key,
        admin_ids=(ADMIN.id,),
        # Scheduled jobs would send digests at wall-clock times in the middle of other tests;
        # the digest tests run them on purpose with an injected clock.
        run_jobs=False,
    )


RunBot = Callable[..., AbstractAsyncContextManager[FieldReportApplication]]


@pytest.fixture
def run_bot(settings: Settings) -> RunBot:
    """``async with run_bot() as app:`` — the bot takes the stand-in's updates until the block
    ends: by polling, or (``settings.webhook_url`` set) on its webhook server."""

    @asynccontextmanager
    async def running(
        setup: Callable[[FieldReportApplication], None] | None = None, **overrides: object
    ) -> AsyncIterator[FieldReportApplication]:
        app = build_application(replace(settings, **overrides))  # type: ignore[arg-type]
        if setup is not None:
            setup(app)
        await app.initialize()
        await app.start()
        if app.services.settings.webhook_url is not None:
            try:
                async with serving_webhook(
                    app, public_url=lambda port: f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
                ):
                    yield app
            finally:
                await app.stop()
                await app.shutdown()
            return
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()

    return running


@dataclass(frozen=True)
class Person:
    """A registered person and their Telegram side."""

    user: TgUser
    role: Role
    unit_code: str | None


SeedUser = Callable[..., Awaitable[TgUser]]


@pytest.fixture
def seed_user(settings: Settings, tg: StandIn) -> SeedUser:
    """Register somebody directly in the database, as an admin's invitation later will."""

    async def seed(
        user: TgUser,
        role: Role = Role.OFFICER,
        unit_code: str | None = "IMT-TER",
        language: str | None = None,
        blocked: bool = False,
    ) -> TgUser:
        db = await Database.open(settings.database_path)
        try:
            async with db.transaction() as repos:
                unit = await repos.units.get_by_code(unit_code) if unit_code else None
                await repos.users.create(
                    telegram_id=user.id,
                    role=role,
                    display_name=user.first_name,
                    unit_id=unit.id if unit else None,
                    language=language,
                )
                await repos.users.update_profile(
                    user.id,
                    display_name=user.first_name,
                    username=user.username,
                    telegram_language=user.language_code,
                )
                if blocked:
                    await repos.users.set_status(user.id, UserStatus.BLOCKED)
        finally:
            await db.close()
        tg.add_chat(user)  # they have talked to the bot before: Telegram knows the chat
        return user

    return seed
