"""Updates of different people are handled at the same time; one person's, one after another.

Most of an update's time is spent waiting for the Bot API; serving one update at a time made every
officer wait for everybody else's network round trips. Per-person order still matters (a double tap,
an answer typed right after a tap), so each person's updates keep a queue of their own.

Two things keep one person from slowing everybody else:

* Flood control decides when an update arrives, before it waits for anything: an update the
  guard ignores is dropped at once and never queues. The verdict travels with the update (see
  :func:`bot.flood.verdict_taken`), so the gate only has to act on it.
* A person's queued updates wait for their turn *before* they take one of the concurrent slots:
  a burst from one person occupies one slot, not all of them. PTB's own ``process_update`` takes
  the slot first, so this processor replaces it.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot import flood, observability
from bot.flood import FloodGuard, Verdict


class PerPersonUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        max_concurrent_updates: int = 64,
        *,
        flood_guard: FloodGuard | Callable[[], FloodGuard] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``flood_guard`` may be a function returning the guard in use (the application's
        ``services.flood``, which an operator or a test can swap after the build)."""
        super().__init__(max_concurrent_updates)
        self._flood_guard = flood_guard
        self._clock = clock
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._running = 0
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        #: Told about every update whose processing ended (handled, failed or dropped by flood
        #: control; not cancelled): the webhook marks its durable record handled there.
        self.on_finished: Callable[[object], None] | None = None
        #: Updates taken in and not ended yet, and when the last one ended (or the first of
        #: them came to an idle processor): see :meth:`stuck_for`.
        self._in_hand = 0
        self._progress_at = clock()

    @property
    def current_concurrent_updates(self) -> int:
        """Updates holding a slot now (those waiting for their person's turn do not)."""
        return self._running

    async def process_update(  # type: ignore[misc]  # PTB marks it final; see the docstring
        self, update: object, coroutine: Awaitable[Any]
    ) -> None:
        """The update in its turn; then :attr:`on_finished` hears it ended, so that webhook
        mode's record of it is marked handled (a cancelled one stays due for the next start)."""
        if not self._in_hand:
            self._progress_at = self._clock()
        self._in_hand += 1
        try:
            await self._process_in_turn(update, coroutine)
        except asyncio.CancelledError:
            raise
        except BaseException:
            self._finished(update)
            raise
        finally:
            self._in_hand -= 1
            self._progress_at = self._clock()
        self._finished(update)

    def stuck_for(self) -> float:
        """Seconds updates have been in hand with none of them ending; 0 when none is.

        The sign of life (bot/liveness.py) asks: a bot that still polls but whose handlers all
        hang (a database that never answers, a call that never returns) serves nobody.
        """
        return self._clock() - self._progress_at if self._in_hand else 0.0

    def _finished(self, update: object) -> None:
        if self.on_finished is not None:
            self.on_finished(update)

    async def _process_in_turn(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Flood verdict first, then the person's turn, then a slot, then the update."""
        verdict = self._verdict(update)
        if verdict is Verdict.IGNORE:
            _discard(coroutine)
            observability.log_update(update, "flood", 0.0)
            return
        key = _person_of(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock, self._slots:
                token = flood.VERDICT.set(verdict)
                self._running += 1
                try:
                    await self.do_process_update(update, coroutine)
                finally:
                    self._running -= 1
                    flood.VERDICT.reset(token)
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # nobody queued behind: forget the lock
                del self._waiting[key]
                del self._locks[key]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine

    def _verdict(self, update: object) -> Verdict | None:
        """None when no guard applies (no person, a bot, or no guard configured)."""
        guard = self._flood_guard() if callable(self._flood_guard) else self._flood_guard
        if guard is None or not isinstance(update, Update):
            return None
        person = update.effective_user
        if person is None or person.is_bot:
            return None
        return guard.check(person.id, self._clock())

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""


def _discard(coroutine: Awaitable[Any]) -> None:
    """Close a coroutine that will never run, so Python does not warn it was never awaited."""
    if inspect.iscoroutine(coroutine):
        coroutine.close()


def _person_of(update: object) -> int:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return 0
