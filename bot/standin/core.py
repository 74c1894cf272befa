"""The stand-in's core: the remembered world, and waking whoever waits on it.

Every room of :class:`~bot.standin.server.StandIn` (the person side, the observing side, fault
injection, webhook deliveries) builds on :class:`StandInCore`: one :class:`State`, one
:class:`BotApi` over it, one event feed, and one :class:`asyncio.Condition`. Every state change
(a request, an update queued, a message stored) wakes that condition, so long polls and the
tests' waits react immediately instead of polling with sleeps.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .api import BotApi
from .feed import EventFeed
from .models import SentMessage
from .state import State

__all__ = ["StandInCore", "StandInTimeout", "json_response"]


class StandInTimeout(AssertionError, TimeoutError):
    """A wait ran out; both an assertion failure and a timeout, so either ``except`` works."""


class StandInCore:
    """The state every room of the stand-in shares, and the condition that tells of changes."""

    def __init__(
        self,
        token: str,
        bot_username: str,
        *,
        bot_name: str,
        strict_ampersand: bool,
        allow_http_webhook: bool,
        calls_kept: int | None,
    ) -> None:
        self.calls_kept = calls_kept
        self.state = State(token, bot_username, bot_name)
        self.state.allow_http_webhook = allow_http_webhook
        self.api = BotApi(self.state, strict_ampersand=strict_ampersand)
        #: Every change a person would see, for watchers such as the sandbox's web chat.
        self.feed = EventFeed(self.state)
        self._cond = asyncio.Condition()
        self._version = 0  # bumped on every change, so waits can tell "something happened"
        self._stopping = False
        self._stop_event = asyncio.Event()
        self._in_flight = 0
        self._background: set[asyncio.Task[None]] = set()

    async def _notify(self) -> None:
        """Record a change of state and wake every waiter to re-check."""
        self._version += 1
        await self._wake()

    async def _wake(self) -> None:
        async with self._cond:
            self._cond.notify_all()

    def _notify_soon(self) -> None:
        """Wake waiters from synchronous code (a task, awaited on stop)."""
        try:
            task = asyncio.get_running_loop().create_task(self._notify())
        except RuntimeError:  # no loop running: nobody can be waiting either
            self._version += 1
            return
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _wait_for(self, predicate: Callable[[], bool], timeout: float | None) -> bool:
        """Wait until ``predicate()`` holds, re-checking on every change; False on timeout."""
        async with self._cond:
            try:
                await asyncio.wait_for(self._cond.wait_for(predicate), timeout)
            except TimeoutError:
                return predicate()
        return True

    def _changed_since(self, version: int) -> Callable[[], bool]:
        return lambda: self._version != version

    def _forget_old(self, remembered: list[Any]) -> None:
        """Past twice ``calls_kept``, drop the oldest down to ``calls_kept`` (rarely, so an
        append stays cheap)."""
        if self.calls_kept is not None and len(remembered) > 2 * self.calls_kept:
            del remembered[: len(remembered) - self.calls_kept]

    def bot_message(self, chat_id: int, message_id: int) -> SentMessage | None:
        """The bot's message with that id as it is now (edits applied), if it sent one."""
        chat = self.state.chats.get(chat_id)
        message = chat.messages.get(message_id) if chat else None
        return message if isinstance(message, SentMessage) else None


def json_response(body: Any, status: int) -> web.Response:
    """A Bot API style JSON answer (``ensure_ascii=False``, as Telegram sends it)."""
    return web.Response(
        text=json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )
