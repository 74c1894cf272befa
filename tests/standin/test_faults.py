"""Injected faults reach PTB as the exceptions a real outage would raise."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time

import httpx
import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.standin import StandIn, StandInTimeout, TgUser

from .conftest import TOKEN


def seconds(error: RetryAfter) -> float:
    value = error.retry_after  # PTB 22.2+ warns that this int becomes a timedelta
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_429_is_retry_after(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    tg.add_chat(alice)
    tg.inject_fault("429", method="sendMessage", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(alice.id, "x")
    assert seconds(caught.value) == 7
    await bot.send_message(alice.id, "x")  # one fault, one failure
    assert [m.text for m in tg.messages(alice.id)] == ["x"]
    assert len(tg.calls_to("sendMessage")) == 2


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_fault_for_one_chat_spares_the_others(
    tg: StandIn, bot: Bot, alice: TgUser, bob: TgUser
) -> None:
    tg.add_chat(alice)
    tg.add_chat(bob)
    tg.inject_fault("429", method="sendMessage", retry_after=5, chat_id=bob.id)
    await bot.send_message(alice.id, "to alice")  # not Bob's chat: answered
    with pytest.raises(RetryAfter):
        await bot.send_message(bob.id, "to bob")
    await bot.send_message(bob.id, "to bob")  # the one fault is spent
    assert [m.text for m in tg.messages(alice.id)] == ["to alice"]
    assert [m.text for m in tg.messages(bob.id)] == ["to bob"]


async def test_429_body_is_telegrams(tg: StandIn, http: httpx.AsyncClient) -> None:
    tg.inject_fault("429", retry_after=3)
    response = await http.post(f"/bot{TOKEN}/getMe")
    assert response.status_code == 429
    assert response.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }


@pytest.mark.parametrize(
    ("kind", "description"), [("500", "Internal Server Error"), ("502", "Bad Gateway")]
)
async def test_server_errors(
    tg: StandIn, bot: Bot, http: httpx.AsyncClient, kind: str, description: str
) -> None:
    tg.inject_fault(kind, count=2)  # type: ignore[arg-type]
    with pytest.raises(NetworkError, match=description):
        await bot.get_me()
    response = await http.post(f"/bot{TOKEN}/getMe")
    assert response.status_code == int(kind)
    assert response.json() == {"ok": False, "error_code": int(kind), "description": description}
    assert (await http.post(f"/bot{TOKEN}/getMe")).status_code == 200


async def test_drop_closes_the_connection(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    tg.add_chat(alice)
    tg.inject_fault("drop", method="sendMessage")
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(alice.id, "lost")
    assert isinstance(caught.value, NetworkError | TimedOut)
    assert tg.messages(alice.id) == []  # the call never happened
    await bot.send_message(alice.id, "retried")
    assert [m.text for m in tg.messages(alice.id)] == ["retried"]


async def test_slow_answers_late_and_counts_as_busy(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    tg.add_chat(alice)
    tg.inject_fault("slow", method="sendMessage", delay=0.3)
    started = time.monotonic()
    sending = asyncio.create_task(bot.send_message(alice.id, "sekin"))
    await tg.wait_until(lambda: bool(tg.calls_to("sendMessage")))
    with pytest.raises(StandInTimeout, match="1 request\\(s\\) running"):
        await tg.wait_idle(timeout=0.05)
    await tg.wait_idle(timeout=2)
    assert time.monotonic() - started >= 0.3
    assert (await sending).text == "sekin"


async def test_slow_times_out_a_short_read_timeout(tg: StandIn, bot: Bot) -> None:
    tg.inject_fault("slow", method="getMe", delay=1.0)
    with pytest.raises(TimedOut):
        await bot.get_me(read_timeout=0.1)


async def test_faults_skip_get_updates_unless_named(tg: StandIn, bot: Bot) -> None:
    tg.inject_fault("500")
    assert await bot.get_updates() == ()
    with pytest.raises(NetworkError):
        await bot.get_me()
    tg.inject_fault("502", method="getUpdates")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.get_updates()
    tg.inject_fault("429", method="getMe")
    tg.clear_faults()
    assert (await bot.get_me()).username == "fieldreport_bot"


def test_fault_arguments_are_checked() -> None:
    standin = StandIn()
    with pytest.raises(ValueError, match="unknown fault kind"):
        standin.inject_fault("418")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 1"):
        standin.inject_fault("500", count=0)
