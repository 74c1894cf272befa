"""Findings of the step-6 security review, each pinned by a test: what a wrong person, a late
role change or a failing network could still do after "fail closed"."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

import pytest
from telegram.error import ChatMigrated

from bot import delivery
from bot.digest.jobs import Workbook
from bot.handlers.urgent.alert_send import deliver_pending
from bot.invitations import hash_token, new_token
from bot.standin import StandIn, TgUser
from storage import Role, UserStatus
from storage.bot_settings import COORDINATION_GROUP
from storage.clock import utc_now
from tests.e2e import digest_lane_steps as digest_lane
from tests.e2e import urgent_steps as urgent_lane
from tests.e2e.conftest import ADMIN, RunBot, SeedUser
from tests.e2e.gate_leaks import account, audit, leak_gate_once
from tests.support.driver import Officer

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
    """/digest builds its spreadsheet, chart and map in the worker, queued behind everybody's
    exports (one worker): a coordinator blocked meanwhile must not receive the day's digest."""
    await seed_user(COORDINATOR, Role.COORDINATOR, None)
    await seed_user(digest_lane.OFFICER_TER, Role.OFFICER, "IMT-TER")
    workers = HeldWorkers(result=(b"PK-not-a-workbook", b"not-a-png", b"not-a-map"))
    async with run_bot() as app:
        app.services.workers = workers  # type: ignore[assignment]
        # A day with a report (an empty day is one line, built without the worker).
        now = utc_now()
        today = now.astimezone(app.services.settings.timezone).date()
        await digest_lane.add_report(app, digest_lane.OFFICER_TER.id, today, "k1", submitted=now)
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


async def test_a_digest_retried_after_a_revocation_goes_neither_to_the_blocked_nor_the_unbound(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    """The recipients of a digest are fixed when its run is made; a delivery that failed (a
    flaky network) is retried for hours. A coordinator blocked and a group unbound meanwhile
    must not get the day's reports when the retry comes."""
    await digest_lane.setup_people(seed_user)
    day = date(2026, 11, 20)
    now = digest_lane.local(day + timedelta(days=1), 8)
    async with run_bot() as app:
        await digest_lane.bind_group(app, tg)
        await digest_lane.add_report(
            app, digest_lane.OFFICER_TER.id, day, "k1", submitted=digest_lane.local(day, 12)
        )
        await delivery.make_due_run(app.services, now)
        for chat in (digest_lane.COORDINATOR_RU.id, digest_lane.GROUP.id):
            tg.inject_fault("drop", method="sendMessage", chat_id=chat, count=1)
        await delivery.deliver_due(app.services, app.bot, now)
        tg.clear_faults()
        assert tg.messages(digest_lane.COORDINATOR_RU.id) == []
        assert tg.messages(digest_lane.GROUP.id) == []
        async with app.services.db.transaction() as repos:  # revoked meanwhile
            await repos.users.set_status(digest_lane.COORDINATOR_RU.id, UserStatus.BLOCKED)
            await repos.settings.delete(COORDINATION_GROUP)

        await delivery.deliver_due(app.services, app.bot, now + timedelta(days=1))

        assert tg.messages(digest_lane.COORDINATOR_RU.id) == []
        assert tg.messages(digest_lane.GROUP.id) == []
        async with app.services.db.read() as repos:
            statuses = {d.chat_id: d.status for d in await repos.digests.deliveries(day)}
        assert statuses[digest_lane.COORDINATOR_EN.id] == "sent"
        assert statuses[digest_lane.COORDINATOR_RU.id] == "failed"
        assert statuses[digest_lane.GROUP.id] == "failed"


async def test_an_alert_copy_retried_after_a_revocation_goes_neither_to_the_demoted_nor_the_unbound(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    """Same for an urgent alert: a copy whose send failed is retried by the next pass; a
    coordinator demoted to officer and a group unbound meanwhile must not receive it."""
    officer, _olga, _john = await urgent_lane.seed_people(tg, seed_user)
    async with run_bot() as app:
        await urgent_lane.bind_group(app, tg)
        for chat in (urgent_lane.OLGA.id, urgent_lane.GROUP.id):
            tg.inject_fault("drop", method="sendMessage", chat_id=chat, count=1)
        await urgent_lane.file_incident(officer, urgent=True)
        await urgent_lane.wait_alerts(tg, urgent_lane.JOHN.id, 1)
        await tg.wait_idle()
        tg.clear_faults()
        assert urgent_lane.alerts_in(tg, urgent_lane.OLGA.id) == []
        assert urgent_lane.alerts_in(tg, urgent_lane.GROUP.id) == []
        async with app.services.db.transaction() as repos:  # revoked meanwhile
            olga = await repos.users.get_by_telegram_id(urgent_lane.OLGA.id)
            assert olga is not None
            unit = await repos.units.get_by_code("IMT-SAM")
            assert unit is not None
            await repos.users.set_role(urgent_lane.OLGA.id, Role.OFFICER, unit_id=unit.id)
            await repos.settings.delete(COORDINATION_GROUP)

        await deliver_pending(app.services, app.bot, utc_now())
        await tg.wait_idle()

        assert urgent_lane.alerts_in(tg, urgent_lane.OLGA.id) == []
        assert urgent_lane.alerts_in(tg, urgent_lane.GROUP.id) == []


async def test_an_officers_answer_does_not_reach_a_coordinator_demoted_since_asking(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    """The officer's answer carries report details; the coordinator who asked was demoted to
    officer (of another unit) before it came: it must not reach them."""
    o, _olga, john = await urgent_lane.seed_people(tg, seed_user)
    async with run_bot() as app:
        await urgent_lane.file_incident(o, urgent=True)
        await urgent_lane.wait_alerts(tg, urgent_lane.JOHN.id, 1)
        await tg.wait_idle()
        await john.tap("alr", "ask")
        await tg.next_message(urgent_lane.JOHN.id)
        await john.say("How many trucks?")
        await tg.next_message(urgent_lane.OFFICER.id)
        await o.tap("ans", "reply")
        await tg.next_message(urgent_lane.OFFICER.id)
        async with app.services.db.transaction() as repos:  # demoted meanwhile
            unit = await repos.units.get_by_code("IMT-SAM")
            assert unit is not None
            await repos.users.set_role(urgent_lane.JOHN.id, Role.OFFICER, unit_id=unit.id)
        tg.skip_messages(urgent_lane.JOHN.id)

        told = await o.say("Two trucks, secret route via gate 2")
        await tg.wait_idle()

        assert "secret route" not in " ".join(m.text or "" for m in john.chat)
        assert tg.skip_messages(urgent_lane.JOHN.id) == []
        assert told.text is not None


async def test_a_report_submitted_on_a_stale_snapshot_is_filed_for_the_officers_unit_now(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    """The submission checks the officer's unit as it is now, then filed the report for the
    unit of the gate's snapshot: moved from a unit deactivated since, the report landed in the
    deactivated unit (no digest counts it for the unit that should have it)."""
    officer = TgUser(id=9604, first_name="Olim", language_code="en")
    await seed_user(officer, Role.OFFICER, "IMT-TER")
    async with run_bot() as app:
        o = Officer(tg, officer)
        await o.start_form("daily_status")
        stale = await account(app, officer.id)
        async with app.services.db.transaction() as repos:  # moved, the old unit closed
            ter = await repos.units.get_by_code("IMT-TER")
            sam = await repos.units.get_by_code("IMT-SAM")
            assert ter is not None and sam is not None
            await repos.users.set_unit(officer.id, sam.id)
            await repos.units.set_active(ter.id, False)
        leak_gate_once(app, officer.id, stale)

        await o.tap_form("_", "submit")
        await tg.next_message(officer.id)

        async with app.services.db.read() as repos:
            (report,) = await repos.reports.list_by_author(stale.id, limit=5, offset=0)
        assert report.unit_id == sam.id


class MigratedGroupBot:
    """The bot, except that the coordination group was upgraded to a supergroup: Telegram
    answers every call to its old id with ``migrate_to_chat_id`` (PTB: ChatMigrated)."""

    def __init__(self, bot: Any, group_id: int) -> None:
        self._bot, self._group_id = bot, group_id

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._bot, name)
        if not name.startswith("send_"):
            return real

        async def sending(chat_id: int, *args: Any, **kwargs: Any) -> Any:
            if chat_id == self._group_id:
                raise ChatMigrated(-100_999_000)
            return await real(chat_id, *args, **kwargs)

        return sending


async def test_a_group_upgraded_to_a_supergroup_does_not_stop_everybody_elses_digest(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    """ChatMigrated is neither a BadRequest nor a NetworkError: it escaped deliver_due, and
    as the group's delivery comes first (negative chat id), no coordinator got the digest —
    on every retry of the job, for ever."""
    await digest_lane.setup_people(seed_user)
    day = date(2026, 11, 20)
    now = digest_lane.local(day + timedelta(days=1), 8)
    async with run_bot() as app:
        await digest_lane.bind_group(app, tg)
        await digest_lane.add_report(
            app, digest_lane.OFFICER_TER.id, day, "k1", submitted=digest_lane.local(day, 12)
        )
        await delivery.make_due_run(app.services, now)
        bot = MigratedGroupBot(app.bot, digest_lane.GROUP.id)

        await delivery.deliver_due(app.services, bot, now)  # type: ignore[arg-type]

        async with app.services.db.read() as repos:
            statuses = {d.chat_id: d.status for d in await repos.digests.deliveries(day)}
        assert statuses[digest_lane.COORDINATOR_RU.id] == "sent"
        assert statuses[digest_lane.COORDINATOR_EN.id] == "sent"
        assert statuses[digest_lane.GROUP.id] != "sent"
