"""Our rate limiter on a fake clock: Telegram's limits, and a 429 pauses its own chat only."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import Awaitable
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.rate_limit import FairRateLimiter, LeakyBucket, SlidingWindow


class FakeTime:
    """Virtual time: ``sleep`` waits until :meth:`run` moves the clock to its wake-up."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + delay, next(self._order), future))
        await future

    async def run(self, *work: Awaitable[Any]) -> list[Any]:
        tasks = [asyncio.ensure_future(w) for w in work]
        while True:
            for _ in range(500):  # let every task run until it sleeps or ends
                await asyncio.sleep(0)
            if all(t.done() for t in tasks):
                return [t.result() if not t.exception() else t.exception() for t in tasks]
            assert self._sleepers, "a task waits for something other than the clock"
            wake, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, wake)
            future.set_result(None)


class FakeApi:
    """Records when each chat's call went out; answers 429 for the chats told to."""

    def __init__(self, time: FakeTime) -> None:
        self.time = time
        self.sent: list[tuple[float, int]] = []
        self.refuse: dict[int, list[int]] = {}  # chat -> retry_after of its next answers

    async def call(self, chat_id: int) -> bool:
        self.sent.append((self.time.now, chat_id))
        pending = self.refuse.get(chat_id)
        if pending:
            raise RetryAfter(pending.pop(0))
        return True


def _limiter(time: FakeTime, **options: Any) -> FairRateLimiter:
    return FairRateLimiter(clock=time.clock, sleep=time.sleep, **options)


async def _send(limiter: FairRateLimiter, api: FakeApi, chat_id: int) -> Any:
    return await limiter.process_request(
        api.call, (chat_id,), {}, "sendMessage", {"chat_id": chat_id, "text": "x"}, None
    )


def test_a_sliding_window_allows_the_limit_then_waits_a_whole_period() -> None:
    window = SlidingWindow(3, 1.0)
    assert [window.reserve(0.0) for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]
    assert window.reserve(0.5) == 1.0
    assert window.reserve(5.0) == 5.0
    assert not window.idle(5.5)
    assert window.idle(6.0)


async def test_thirty_messages_a_second_overall() -> None:
    """A burst of thirty, then one every thirtieth of a second."""
    time = FakeTime()
    limiter, api = _limiter(time), FakeApi(time)
    await time.run(*(_send(limiter, api, chat) for chat in range(1, 92)))
    moments = sorted(at for at, _ in api.sent)
    assert moments[29] == 0.0
    assert moments[30] == pytest.approx(1 / 30)
    assert moments[90] == pytest.approx(61 / 30)
    assert sum(1 for at in moments if at <= 1.0 + 1e-9) == 60  # the burst and a second's flow


def test_a_leaky_bucket_refills_while_idle() -> None:
    bucket = LeakyBucket(3, 1.0)
    assert [bucket.reserve(0.0) for _ in range(4)] == pytest.approx([0.0, 0.0, 0.0, 1 / 3])
    assert bucket.reserve(10.0) == 10.0  # empty again: a new burst
    assert bucket.reserve(10.0) == 10.0


async def test_twenty_messages_a_minute_per_group_and_other_chats_unaffected() -> None:
    time = FakeTime()
    limiter, api = _limiter(time), FakeApi(time)
    await time.run(*(_send(limiter, api, -100) for _ in range(21)), _send(limiter, api, 5))
    group = [at for at, chat in api.sent if chat == -100]
    assert group[19] == 0.0
    assert group[20] == 60.0
    assert [at for at, chat in api.sent if chat == 5] == [0.0]


async def test_a_429_pauses_that_chat_only_and_is_retried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    time = FakeTime()
    limiter, api = _limiter(time), FakeApi(time)
    api.refuse[1] = [7]

    async def later(chat_id: int) -> Any:
        await time.sleep(1.0)
        return await _send(limiter, api, chat_id)

    with caplog.at_level(logging.WARNING, logger="bot.rate_limit"):
        results = await time.run(_send(limiter, api, 1), later(2), later(1))
    assert results == [True, True, True]
    assert api.sent == [(0.0, 1), (1.0, 2), (7.1, 1), (7.1, 1)]  # chat 2 never waited
    warnings = [r for r in caplog.records if r.name == "bot.rate_limit"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert warnings[0].exc_info is None  # no traceback
    assert "chat 1" in warnings[0].getMessage()
    assert "retry 1 of 3" in warnings[0].getMessage()


async def test_retries_are_bounded(caplog: pytest.LogCaptureFixture) -> None:
    time = FakeTime()
    limiter, api = _limiter(time, max_retries=2), FakeApi(time)
    api.refuse[1] = [1, 1, 1, 1]
    with caplog.at_level(logging.WARNING, logger="bot.rate_limit"):
        (result,) = await time.run(_send(limiter, api, 1))
    assert isinstance(result, RetryAfter)
    assert len(api.sent) == 3  # the call and two retries
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.rate_limit"]
    assert len(lines) == 3 and "given up after 2 retries" in lines[-1]
    assert all(r.exc_info is None for r in caplog.records)


async def test_a_long_pause_is_not_waited_for() -> None:
    time = FakeTime()
    limiter, api = _limiter(time, max_pause=30.0), FakeApi(time)
    api.refuse[1] = [300]
    (result,) = await time.run(_send(limiter, api, 1))
    assert isinstance(result, RetryAfter)
    assert time.now == 0.0
    assert limiter.paused_until(1) == pytest.approx(300.1)


async def test_a_chat_under_a_long_pause_is_not_waited_for_by_its_next_calls_either() -> None:
    """After a 429 longer than ``max_pause`` the next calls to that chat fail at once too:
    waiting out the pause would hold the caller (a gate refusal holds one of the update
    processor's slots; an alert round holds the re-alert job) for the whole pause."""
    time = FakeTime()
    limiter, api = _limiter(time, max_pause=30.0), FakeApi(time)
    api.refuse[1] = [300]
    await time.run(_send(limiter, api, 1))
    (result,) = await time.run(_send(limiter, api, 1))
    assert isinstance(result, RetryAfter)
    assert time.now == 0.0
    assert len(api.sent) == 1  # not sent again into the pause Telegram asked for
    (other,) = await time.run(_send(limiter, api, 2))
    assert other is True


async def test_a_busy_chat_holds_one_place_in_the_queue() -> None:
    """A hundred messages queued for one chat do not make another chat wait for all of them:
    the other chat's message takes the next free moment, between the busy chat's."""
    time = FakeTime()
    limiter, api = _limiter(time), FakeApi(time)

    async def later(chat_id: int) -> Any:
        await time.sleep(0.0)
        return await _send(limiter, api, chat_id)

    await time.run(*(_send(limiter, api, 1) for _ in range(100)), later(2))
    # its turn comes right after the busy chat's current message, not after all hundred
    assert [at for at, chat in api.sent if chat == 2] == [pytest.approx(2 / 30)]
    assert sorted(at for at, chat in api.sent if chat == 1)[-1] == pytest.approx(71 / 30)


async def test_calls_without_a_chat_are_not_limited() -> None:
    time = FakeTime()
    limiter = _limiter(time, overall_per_second=1)
    calls = 0

    async def answer() -> bool:
        nonlocal calls
        calls += 1
        return True

    for _ in range(5):
        await limiter.process_request(answer, (), {}, "answerCallbackQuery", {}, None)
    assert calls == 5
    assert time.now == 0.0
