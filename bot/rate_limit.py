"""Telegram's sending limits, kept so that one chat's trouble stays that chat's.

PTB's ``AIORateLimiter`` pauses *every* call through one global event when any call gets a 429
(``RetryAfter``), and logs a traceback each time: one stranger's refused message held every
officer's reply for seconds. Here:

* 30 messages a second overall (a burst of 30, then one every 1/30 s) and at most 20 in any
  minute per group (Telegram's limits);
  calls without a chat (``answerCallbackQuery``, ``getMe``, …) are not counted, as Telegram
  does not count them;
* a 429 pauses the chat it was for, for the ``retry_after`` Telegram asked, and only that chat;
  the call is retried a bounded number of times, one WARNING line per retry (method, chat id and
  seconds: never the content);
* each chat's calls go one after another, so a chat holds at most one place in the queue for
  the overall budget: a chat with forty messages to send cannot make another chat wait for all
  forty (the queue is served in arrival order, which is then round robin over chats).

No budget per private chat: a person's replies are already paced by the person (flood control
lets nobody send more than 30 updates in 10 s, see bot/flood.py) and the round robin above keeps
a busy chat from crowding the others; a 429 for a private chat still pauses it.

The clock and the sleep are parameters, so the rules are tested on a fake clock.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import warnings
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
ChatKey = int | str

#: A pause longer than this is not waited for: the call fails at once (the caller decides).
MAX_PAUSE = 60.0
#: Margin on top of ``retry_after``: Telegram counts from when it answered, we from later.
PAUSE_MARGIN = 0.1


class SlidingWindow:
    """At most ``limit`` calls in any ``period`` seconds.

    :meth:`reserve` books the earliest allowed moment at once (in arrival order), so waiting
    for it is a plain sleep.
    """

    def __init__(self, limit: int, period: float) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("a window needs a positive limit and period")
        self.limit = limit
        self.period = period
        self._booked: deque[float] = deque(maxlen=limit)  # the last ``limit`` moments booked

    def reserve(self, now: float) -> float:
        """Book a call at the earliest moment at or after ``now`` that the limit allows."""
        at = now
        if len(self._booked) == self.limit:
            at = max(now, self._booked[0] + self.period)
        self._booked.append(at)
        return at

    def idle(self, now: float) -> bool:
        """Nothing booked within the last period: the window can be forgotten."""
        return not self._booked or self._booked[-1] <= now - self.period


class LeakyBucket:
    """A burst of ``limit``, then one call every ``period / limit`` seconds (the shape of PTB's
    ``AIORateLimiter``): after a burst the next call waits 1/30 s, not a whole second.

    Like :class:`SlidingWindow`, :meth:`reserve` books the moment in arrival order.
    """

    def __init__(self, limit: int, period: float) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("a bucket needs a positive limit and period")
        self._interval = period / limit
        self._tolerance = (limit - 1) * self._interval
        self._theoretical = 0.0  # when the bucket would be empty again

    def reserve(self, now: float) -> float:
        """Book a call at the earliest moment at or after ``now`` that the limit allows."""
        theoretical = max(self._theoretical, now)
        at = max(now, theoretical - self._tolerance)
        self._theoretical = theoretical + self._interval
        return at


class FairRateLimiter(BaseRateLimiter[int]):
    """``rate_limit_args`` (an int), when given, replaces ``max_retries`` for that call."""

    def __init__(
        self,
        *,
        overall_per_second: int = FloodLimit.MESSAGES_PER_SECOND,
        group_per_minute: int = FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
        max_retries: int = 3,
        max_pause: float = MAX_PAUSE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._overall = LeakyBucket(overall_per_second, 1.0)
        self._group_per_minute = group_per_minute
        self._groups: dict[ChatKey, SlidingWindow] = {}
        self._max_retries = max_retries
        self._max_pause = max_pause
        self._clock = clock
        self._sleep = sleep
        self._paused_until: dict[ChatKey, float] = {}
        self._turns: dict[ChatKey, asyncio.Lock] = {}
        self._waiting: dict[ChatKey, int] = {}

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""

    def paused_until(self, chat_id: ChatKey) -> float | None:
        """When a chat's 429 pause ends (on this limiter's clock), if it is paused."""
        until = self._paused_until.get(_key(chat_id))
        return until if until is not None and until > self._clock() else None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        raw = data.get("chat_id")
        if raw is None:
            return await callback(*args, **kwargs)
        chat = _key(raw)
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        async with self._turn(chat):
            attempt = 0
            while True:
                self._refuse_long_pause(chat, endpoint)
                await self._wait_for(self._paused_until.get(chat))
                if _is_group(chat):
                    await self._wait_for(self._group(chat).reserve(self._clock()))
                await self._wait_for(self._overall.reserve(self._clock()))
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as error:
                    pause = retry_after_seconds(error) + PAUSE_MARGIN
                    self._pause(chat, pause)
                    attempt += 1
                    if attempt > retries or pause > self._max_pause:
                        log.warning(
                            "flood control: %s to chat %s asked to wait %.1f s; given up after "
                            "%d retries",
                            endpoint,
                            chat,
                            pause,
                            attempt - 1,
                        )
                        raise
                    log.warning(
                        "flood control: %s to chat %s paused %.1f s, retry %d of %d",
                        endpoint,
                        chat,
                        pause,
                        attempt,
                        retries,
                    )

    def _refuse_long_pause(self, chat: ChatKey, endpoint: str) -> None:
        """A chat paused for longer than ``max_pause`` fails its next calls at once as well:
        waiting would hold the caller (an update's slot, an alert round) for the whole pause."""
        until = self._paused_until.get(chat)
        remaining = until - self._clock() if until is not None else 0.0
        if remaining > self._max_pause:
            log.warning(
                "flood control: %s to chat %s not sent, the chat is paused %.1f s more",
                endpoint,
                chat,
                remaining,
            )
            with warnings.catch_warnings():  # PTB's int-or-timedelta deprecation notice
                warnings.simplefilter("ignore", PTBDeprecationWarning)
                refused = RetryAfter(timedelta(seconds=math.ceil(remaining)))
            raise refused

    async def _wait_for(self, moment: float | None) -> None:
        if moment is None:
            return
        delay = moment - self._clock()
        if delay > 0:
            await self._sleep(delay)

    def _pause(self, chat: ChatKey, seconds: float) -> None:
        now = self._clock()
        if len(self._paused_until) > 1024:  # forget pauses that are over
            for key in [k for k, until in self._paused_until.items() if until <= now]:
                del self._paused_until[key]
        self._paused_until[chat] = max(self._paused_until.get(chat, 0.0), now + seconds)

    def _group(self, chat: ChatKey) -> SlidingWindow:
        window = self._groups.get(chat)
        if window is None:
            if len(self._groups) > 512:  # forget groups with nothing in the last minute
                now = self._clock()
                for key in [k for k, w in self._groups.items() if w.idle(now)]:
                    del self._groups[key]
            window = self._groups[chat] = SlidingWindow(self._group_per_minute, 60.0)
        return window

    @asynccontextmanager
    async def _turn(self, chat: ChatKey) -> AsyncIterator[None]:
        """One call at a time per chat: in order, and one place in the overall queue."""
        lock = self._turns.setdefault(chat, asyncio.Lock())
        self._waiting[chat] = self._waiting.get(chat, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[chat] -= 1
            if not self._waiting[chat]:
                del self._waiting[chat]
                del self._turns[chat]


def _key(chat_id: object) -> ChatKey:
    """An int for numeric ids (given as int or str), else the ``@username`` as given."""
    if isinstance(chat_id, int):
        return chat_id
    text = str(chat_id)
    try:
        return int(text)
    except ValueError:
        return text


def _is_group(chat: ChatKey) -> bool:
    """Groups, supergroups and channels have negative ids (or are named by ``@username``)."""
    return isinstance(chat, str) or chat < 0


def retry_after_seconds(error: RetryAfter) -> float:
    """The pause Telegram asked for, in seconds (without PTB's int-or-timedelta warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        retry_after = error.retry_after
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)
