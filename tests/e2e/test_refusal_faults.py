"""Fail closed: when the gate cannot deliver its "no", the refused update still goes nowhere.

Every refusal path (a stranger's message and tap, a suspended admin, an officer's admin-only
command and forged admin tap, a group) meets its refusal's Bot API call failing in every way
Telegram fails (5xx, 400, 403, 429, a timeout, a dropped connection). Whatever happens, the
feature never runs — no audit output, no invitation, no bound group — and nothing is stored but
the audit line. Then the gate's own failures: a failing read of the person, a failing audit
write, a bug in the refusal, a failing flood notice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from bot.config import Settings
from bot.context import FieldReportApplication
from bot.flood import FloodGuard
from bot.handlers import gate
from bot.standin import FaultKind, SentMessage, StandIn, TgChat, TgUser
from storage.audit import AuditRepository
from storage.bot_settings import COORDINATION_GROUP
from storage.users import UserRepository
from tests.e2e.conftest import SeedUser
from tests.e2e.refusal_steps import (
    ADMIN,
    APOLOGY,
    GROUP,
    OFFICER,
    SUSPENDED_ADMIN,
    Standing,
    calls_since,
    running,
    seed_everybody,
)

SLOW = 1.3
FAULTS: list[FaultKind] = ["500", "400", "403", "429", "slow", "drop"]
STRANGER = TgUser(id=9301, first_name="Stranger", language_code="en")

FORGED_ADMIN_INVITE = "inv:v1:unit:abcdefgh:admin:none"
REFUSALS = (
    "Sorry, this bot serves the field units",
    "Your access to this bot is suspended",
    "This is for administrators only.",
)


@dataclass(frozen=True)
class Path:
    """A refusal path: who does what, where, and which call carries the refusal."""

    name: str
    person: TgUser
    act: Callable[[StandIn, dict[int, SentMessage]], Awaitable[object]]
    method: str
    chat_id: int
    audit: str


def _say(user: TgUser, text: str, chat: TgChat | None = None) -> Callable[..., Awaitable[object]]:
    async def act(tg: StandIn, carriers: dict[int, SentMessage]) -> object:
        return await tg.send_text(user, text, chat=chat)

    return act


def _tap(user: TgUser, data: str) -> Callable[..., Awaitable[object]]:
    async def act(tg: StandIn, carriers: dict[int, SentMessage]) -> object:
        return await tg.tap(user, carriers[user.id], data, forge=True)

    return act


PATHS = [
    Path("stranger message", STRANGER, _say(STRANGER, "/audit"), "sendMessage", STRANGER.id,
         "access.refused"),
    Path("stranger tap", STRANGER, _tap(STRANGER, FORGED_ADMIN_INVITE), "answerCallbackQuery",
         STRANGER.id, "access.refused"),
    Path("suspended admin", SUSPENDED_ADMIN, _say(SUSPENDED_ADMIN, "/export 2026-01-01"),
         "sendMessage", SUSPENDED_ADMIN.id, "access.refused"),
    Path("officer's admin command", OFFICER, _say(OFFICER, "/audit"), "sendMessage",
         OFFICER.id, "access.denied"),
    Path("officer's forged admin tap", OFFICER, _tap(OFFICER, FORGED_ADMIN_INVITE),
         "answerCallbackQuery", OFFICER.id, "access.denied"),
    Path("officer in a group", OFFICER, _say(OFFICER, "/bindgroup", GROUP), "sendMessage",
         GROUP.id, "access.denied"),
    Path("suspended admin in a group", SUSPENDED_ADMIN, _say(SUSPENDED_ADMIN, "/bindgroup", GROUP),
         "sendMessage", GROUP.id, "access.refused"),
    Path("stranger in a group", STRANGER, _say(STRANGER, "/bindgroup", GROUP), "sendMessage",
         GROUP.id, "access.refused"),
]  # fmt: skip


def fault_after(tg: StandIn, fired: int) -> Callable[[], bool]:
    return lambda: len(tg.faults_fired) > fired


async def carriers_for(tg: StandIn) -> dict[int, SentMessage]:
    """A bot message in each person's chat: forged taps need one to hang on."""
    carriers = {}
    for person in (STRANGER, OFFICER):
        await tg.send_text(person, "/help")
        carriers[person.id] = await tg.next_message(person.id)
    return carriers


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_refusal_that_cannot_be_delivered_still_stops_the_update(
    tg: StandIn, settings: Settings, seed_user: SeedUser, fault: FaultKind
) -> None:
    await seed_everybody(tg, seed_user)
    # Without PTB's rate limiter a 429 reaches the gate as it is (the limiter would retry it).
    async with running(settings, rate_limit=False) as app:
        carriers = await carriers_for(tg)
        await tg.wait_idle()
        for path in PATHS:
            before = await Standing.of(app)
            start, fired = len(tg.calls), len(tg.faults_fired)
            seen = len(tg.messages(path.chat_id))
            tg.inject_fault(fault, method=path.method, retry_after=30, delay=SLOW)
            await path.act(tg, carriers)
            await tg.wait_until(fault_after(tg, fired), description=path.name)
            await tg.wait_idle(timeout=10)
            after = await Standing.of(app)
            # Nothing but the one refusal call, whose fault fired…
            assert calls_since(tg, start) == [path.method], (path.name, calls_since(tg, start))
            assert tg.faults_fired[-1] == (path.method, fault)
            # …nothing said but (for a slow answer, late) the refusal…
            for message in tg.messages(path.chat_id)[seen:]:
                assert (message.text or "").startswith(REFUSALS), (path.name, message.text)
            # …and nothing stored but the audit line.
            assert after.audit == (path.audit, *before.audit), path.name
            assert replace(after, audit=before.audit) == before, path.name
    assert not tg.calls_to("sendDocument") and not tg.calls_to("sendPhoto")


async def test_in_a_group_a_refusal_says_nothing_about_the_person(
    tg: StandIn, settings: Settings, seed_user: SeedUser
) -> None:
    await seed_everybody(tg, seed_user)
    async with running(settings) as app:
        for person in (STRANGER, SUSPENDED_ADMIN, OFFICER):
            await tg.send_text(person, "/bindgroup", chat=GROUP)
            refusal = await tg.next_message(GROUP.id)
            assert refusal.text == "This is for administrators only.", person
        async with app.services.db.read() as repos:
            assert await repos.settings.get(COORDINATION_GROUP) is None
        # In private, the suspended admin is still told the truth about their own account.
        await tg.send_text(SUSPENDED_ADMIN, "/bindgroup")
        told = await tg.next_message(SUSPENDED_ADMIN.id)
    assert (told.text or "").startswith("Your access to this bot is suspended")


async def test_a_failing_read_of_the_person_stops_the_update_with_an_apology(
    tg: StandIn, settings: Settings, seed_user: SeedUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_everybody(tg, seed_user)
    real = UserRepository.get_by_telegram_id
    failing = {ADMIN.id}

    async def get_by_telegram_id(self: UserRepository, telegram_id: int) -> object:
        if telegram_id in failing:
            raise RuntimeError("database is locked")
        return await real(self, telegram_id)

    monkeypatch.setattr(UserRepository, "get_by_telegram_id", get_by_telegram_id)
    async with running(settings) as app:
        before = await Standing.of(app)
        start = len(tg.calls)
        await tg.send_text(ADMIN, "/audit")
        apology = await tg.next_message(ADMIN.id)
        await tg.wait_idle()
        assert apology.text == APOLOGY
        assert calls_since(tg, start) == ["sendMessage"]
        assert await Standing.of(app) == before


async def test_a_failing_audit_write_still_refuses_and_stops(
    tg: StandIn, settings: Settings, seed_user: SeedUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_everybody(tg, seed_user)
    real = AuditRepository.add

    async def add(self: AuditRepository, action: str, *args: Any, **kwargs: Any) -> object:
        if action.startswith("access."):
            raise RuntimeError("disk I/O error")
        return await real(self, action, *args, **kwargs)

    monkeypatch.setattr(AuditRepository, "add", add)
    async with running(settings) as app:
        before = await Standing.of(app)
        start = len(tg.calls)
        await tg.send_text(OFFICER, "/audit")
        refusal = await tg.next_message(OFFICER.id)
        await tg.wait_idle()
        assert refusal.text == "This is for administrators only."
        assert calls_since(tg, start) == ["sendMessage"]
        assert await Standing.of(app) == before


async def test_a_bug_in_the_refusal_stops_the_update_with_an_apology(
    tg: StandIn, settings: Settings, seed_user: SeedUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_everybody(tg, seed_user)

    async def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(gate, "_deny", broken)
    async with running(settings) as app:
        carriers = await carriers_for(tg)
        await tg.wait_idle()
        before = await Standing.of(app)
        start = len(tg.calls)
        await tg.send_text(OFFICER, "/audit")
        apology = await tg.next_message(OFFICER.id)
        query = await tg.tap(OFFICER, carriers[OFFICER.id], FORGED_ADMIN_INVITE, forge=True)
        answer = await tg.wait_callback_answer(query)
        await tg.wait_idle()
        assert apology.text == APOLOGY and answer["text"] == APOLOGY
        assert calls_since(tg, start) == ["sendMessage", "answerCallbackQuery"]
        assert await Standing.of(app) == before


@pytest.mark.parametrize("fault", ["500", "drop"])
async def test_a_failing_flood_notice_still_stops_the_update(
    tg: StandIn, settings: Settings, seed_user: SeedUser, fault: FaultKind
) -> None:
    await seed_everybody(tg, seed_user)

    def strict_flood_control(app: FieldReportApplication) -> None:
        app.services.flood = FloodGuard(limit=1, window=60.0, cooldown=60.0)

    async with running(settings, rate_limit=False) as app:
        strict_flood_control(app)
        await tg.send_text(ADMIN, "/help")
        await tg.next_message(ADMIN.id)
        await tg.wait_idle()
        before = await Standing.of(app)
        start = len(tg.calls)
        tg.inject_fault(fault, method="sendMessage")
        await tg.send_text(ADMIN, "/audit")  # over the limit: the notice fails
        await tg.send_text(ADMIN, "/audit")  # ignored
        await tg.wait_until(lambda: bool(tg.faults_fired))
        await tg.wait_idle()
        assert calls_since(tg, start) == ["sendMessage"]
        after = await Standing.of(app)
        assert after.audit == ("access.flood", *before.audit)
