"""Findings of the step-6 security review, each pinned by a test: what a wrong person, a late
role change or a failing network could still do after "fail closed"."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from bot.digest.jobs import Workbook
from bot.invitations import hash_token, new_token
from bot.standin import StandIn, TgUser
from storage import Role, UserStatus
from storage.clock import utc_now
from tests.e2e.conftest import ADMIN, RunBot, SeedUser
from tests.e2e.driver import Officer
from tests.e2e.test_rules_lock import audit

T = TypeVar("T")

COORDINATOR = TgUser(id=9601, first_name="Ольга", language_code="ru")
NEWCOMER = TgUser(id=9602, first_name="Mallory", language_code="en")


class HeldWorkers:
    """Workers whose job waits until the test lets it finish (a long export being built)."""

    def __init__(self, result: object = None) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.result = result if result is not None else Workbook(b"PK-not-a-workbook", 7)

    async def run(self, job: Callable[..., T], *args: object) -> object:
        self.started.set()
        await self.release.wait()
        return self.result


async def test_a_coordinator_blocked_while_the_export_is_built_does_not_get_the_file(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    """The export is authorised when asked for, then built for seconds in the background; a
    coordinator blocked (or demoted) meanwhile must not receive the period's reports."""
    await seed_user(COORDINATOR, Role.COORDINATOR, None)
    workers = HeldWorkers()
    async with run_bot() as app:
        app.services.workers = workers  # type: ignore[assignment]
        today = utc_now().strftime("%d.%m.%Y")
        await tg.send_text(COORDINATOR, f"/export {today} {today}")
        await asyncio.wait_for(workers.started.wait(), 10)
        async with app.services.db.transaction() as repos:  # blocked while the file is made
            await repos.users.set_status(COORDINATOR.id, UserStatus.BLOCKED)
        workers.release.set()
        await tg.wait_idle()
        await asyncio.sleep(0.3)
        await tg.wait_idle()
        assert tg.calls_to("sendDocument") == []
        actions = [e.action for e in await audit(app)]
        assert "export" not in actions
        assert "export_refused" in actions


async def test_an_admin_invitation_made_by_an_admin_blocked_since_registers_nobody(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    """Blocking an admin (a stolen phone) must also stop the links they made: otherwise an
    admin invitation they made beforehand still turns anybody into an admin."""
    rogue = TgUser(id=9603, first_name="Rogue", language_code="ru")
    await seed_user(rogue, Role.ADMIN, None)
    async with run_bot() as app:
        token = new_token()
        async with app.services.db.transaction() as repos:
            maker = await repos.users.get_by_telegram_id(rogue.id)
            assert maker is not None
            invite = await repos.invites.create(
                token_hash=hash_token(token),
                role=Role.ADMIN,
                unit_id=None,
                created_by=maker.id,
                expires_at=utc_now() + app.services.settings.invite_ttl,
            )
            await repos.users.set_status(rogue.id, UserStatus.BLOCKED)  # found out

        await tg.send_text(NEWCOMER, f"/start {token}")
        told = await tg.next_message(NEWCOMER.id)

        en = app.services.catalogs.translator("en")
        assert told.text == en.gettext(
            "This invitation link is not valid. Check that you opened the whole link, "
            "or ask your programme administrator for a new one."
        )
        async with app.services.db.read() as repos:
            assert await repos.users.get_by_telegram_id(NEWCOMER.id) is None
            still = await repos.invites.get(invite.id)
        assert still is not None and still.used_at is None
        refused: list[Any] = [
            json.loads(e.details or "{}") for e in await audit(app) if e.action == "invite.refused"
        ]
        assert refused == [{"reason": "creator_inactive"}]


async def test_audit_with_a_superscript_digit_explains_instead_of_crashing(
    tg: StandIn, run_bot: RunBot, caplog: pytest.LogCaptureFixture
) -> None:
    """``"²".isdigit()`` is True but ``int("²")`` raises: ``/audit ²`` crashed the handler, and
    the traceback carried the typed text into the log."""
    async with run_bot() as app:
        reply = await Officer(tg, ADMIN).say("/audit ²")
        ru = app.services.catalogs.translator("ru")
        assert reply.text == ru.gettext(
            "Usage: /audit or /audit N, where N is a number from 1 to {limit}."
        ).format(limit=200)
    assert "²" not in caplog.text


async def test_a_coordinator_blocked_while_the_digest_is_built_does_not_get_it(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    """/digest builds its spreadsheet and chart in the worker, queued behind everybody's
    exports (one worker): a coordinator blocked meanwhile must not receive the day's digest."""
    await seed_user(COORDINATOR, Role.COORDINATOR, None)
    workers = HeldWorkers(result=(b"PK-not-a-workbook", b"not-a-png"))
    async with run_bot() as app:
        app.services.workers = workers  # type: ignore[assignment]
        await tg.send_text(COORDINATOR, "/digest")
        await asyncio.wait_for(workers.started.wait(), 10)
        async with app.services.db.transaction() as repos:  # blocked while the files are made
            await repos.users.set_status(COORDINATOR.id, UserStatus.BLOCKED)
        workers.release.set()
        told = await tg.next_message(COORDINATOR.id)
        await tg.wait_idle()
        ru = app.services.catalogs.translator("ru")
        assert told.text == ru.gettext(
            "Your access to this bot is suspended. If you think this is a mistake, "
            "please contact your programme administrator."
        )
        assert tg.messages(COORDINATOR.id) == [told]
        assert tg.calls_to("sendDocument") == [] and tg.calls_to("sendPhoto") == []
        assert "digest.on_demand_refused" in [e.action for e in await audit(app)]
