"""The sandbox runs the real bot against the stand-in: it answers, starts quietly, starts over."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from bot.config import Settings
from bot.delivery import deliver_due, make_due_run
from bot.handlers.digest import CATCH_UP_JOB
from bot.sandbox.cast import DEMO_CAST, CastMember
from bot.sandbox.marker import is_sandbox
from bot.sandbox.runner import SANDBOX_TOKEN_PREFIX, CurrentDatabase, Sandbox, sandbox_token
from bot.standin import TgUser

from .recording_web import RecordingWeb, eventually

#: What a flood at start-up would be made of: digests (text, spreadsheet, chart), reminders.
SENDS = ("sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup")


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with Sandbox(
        Settings(database_path=tmp_path / "real.sqlite3"),
        database=tmp_path / "sandbox.sqlite3",
        port=0,
        web_factory=RecordingWeb,
    ) as running:
        yield running


def _user(member: CastMember) -> TgUser:
    return TgUser(
        id=member.telegram_id,
        first_name=member.first_name,
        last_name=member.last_name,
        username=member.username,
        language_code=member.language,
    )


def _web(sandbox: Sandbox) -> RecordingWeb:
    assert isinstance(sandbox.web, RecordingWeb)
    return sandbox.web


async def test_the_bot_answers_a_person_of_the_cast(sandbox: Sandbox) -> None:
    admin = DEMO_CAST.admin
    await sandbox.standin.send_text(_user(admin), "/start")
    reply = await sandbox.standin.next_message(admin.telegram_id, timeout=10)
    assert reply.text
    assert sandbox.standin.token.startswith(SANDBOX_TOKEN_PREFIX)
    assert sandbox.settings.telegram_api_url == sandbox.standin.api_url
    web = _web(sandbox)
    assert web.cast is DEMO_CAST
    assert web.address == ("127.0.0.1", 0)
    assert web.password is None
    assert not sandbox.standin.refusals


async def test_a_freshly_seeded_sandbox_starts_without_a_flood(sandbox: Sandbox) -> None:
    """Every digest that has fallen due was made already: the start-up catch-up finds nothing
    to send, and neither would the digest job run now (reminders only run at their time)."""
    app = sandbox.application
    assert app is not None
    assert app.job_queue is not None
    queue = app.job_queue
    await eventually(lambda: not queue.get_jobs_by_name(CATCH_UP_JOB))
    await sandbox.standin.wait_idle(timeout=10)
    now = datetime.now(UTC)
    assert await make_due_run(app.services, now) is None
    assert await deliver_due(app.services, app.bot, now) == 0
    await sandbox.standin.wait_idle(timeout=10)
    assert [name for name, _ in sandbox.standin.calls if name in SENDS] == []
    assert not sandbox.standin.refusals


async def test_reset_starts_over_with_a_fresh_seed(sandbox: Sandbox) -> None:
    web = _web(sandbox)
    database = web.database
    assert isinstance(database, CurrentDatabase)
    async with database.read() as repos:
        reports = await repos.reports.count_all()
    async with database.transaction() as repos:
        await repos.settings.set("demo_leftover", "x", by=None)
    first_bot = sandbox.application

    await web.reset()

    assert sandbox.application is not None
    assert sandbox.application is not first_bot
    async with database.read() as repos:  # the same object reaches the new database
        assert await repos.settings.get("demo_leftover") is None
        assert await repos.reports.count_all() == reports
    coordinator = next(m for m in DEMO_CAST.members if m.language == "ru" and m.role)
    await sandbox.standin.send_text(_user(coordinator), "/start")
    assert (await sandbox.standin.next_message(coordinator.telegram_id, timeout=10)).text
    # The new bot's long poll ends the stopped one's with 409, as Telegram does; nobody is
    # waiting for that answer any more.
    refused = [
        (name, exc.status) for name, _, exc in sandbox.standin.refusals if name != "getUpdates"
    ]
    assert refused == []


async def test_without_seed_the_sandbox_starts_empty_and_stays_so_after_reset(
    tmp_path: Path,
) -> None:
    async with Sandbox(
        Settings(database_path=tmp_path / "real.sqlite3"),
        database=tmp_path / "empty.sqlite3",
        port=0,
        seed=False,
        web_factory=RecordingWeb,
    ) as sandbox:
        assert await is_sandbox(tmp_path / "empty.sqlite3") is True
        web = _web(sandbox)
        await asyncio.gather(web.reset(), web.reset())  # two tabs at once: one after the other
        assert web.database is not None
        async with web.database.read() as repos:
            assert await repos.reports.count_all() == 0
            assert await repos.settings.coordination_group() is None
        admin = DEMO_CAST.admin  # ADMIN_IDS: the cast's admin is registered at start
        await sandbox.standin.send_text(_user(admin), "/start")
        assert (await sandbox.standin.next_message(admin.telegram_id, timeout=10)).text
    assert web.stopped


async def test_no_page_elsewhere_can_act_as_the_sandbox_bot(sandbox: Sandbox) -> None:
    """The stand-in listens on 127.0.0.1, where any web page the trainer visits can post: the
    token differs on every run, so a token known from this source opens nothing."""
    assert sandbox_token() != sandbox_token() != sandbox.standin.token
    admin = DEMO_CAST.admin.telegram_id
    before = len(sandbox.standin.messages(admin))
    async with (
        aiohttp.ClientSession() as outsider,
        outsider.post(
            f"{sandbox.standin.api_url}/bot100000:SANDBOX/setWebhook",
            data={"url": "https://evil.example/hook"},
        ) as hooked,
        outsider.post(
            f"{sandbox.standin.api_url}/bot100000:SANDBOX/sendMessage",
            data={"chat_id": str(admin), "text": "phishing"},
        ) as sent,
    ):
        assert hooked.status >= 400 and sent.status >= 400
    assert len(sandbox.standin.messages(admin)) == before
    assert sandbox.standin.state.webhook is None


async def test_a_reset_that_fails_stops_the_old_bot_and_the_next_reset_recovers(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = sandbox.application
    assert old is not None and old.updater is not None

    async def stuck() -> None:
        raise RuntimeError("the updater would not stop")

    monkeypatch.setattr(old.updater, "stop", stuck)
    with pytest.raises(RuntimeError):
        await _web(sandbox).reset()
    # The old bot is stopped anyway: its jobs cannot run beside the next one.
    assert not old.running and sandbox.application is None
    monkeypatch.undo()
    if old.updater.running:  # the stuck updater's own long poll: ended here, not left behind
        await old.updater.stop()
    await _web(sandbox).reset()
    admin = DEMO_CAST.admin
    await sandbox.standin.send_text(_user(admin), "/start")
    assert (await sandbox.standin.next_message(admin.telegram_id, timeout=10)).text
