"""Interrupting the bot process at exact points of Telegram's side, for the resilience tests.

The bot runs as a child process (tests/support/bot_process.py) against a stand-in on the test's
event loop, so these hooks wrap the stand-in's methods, in this process, for one test: kill the
bot inside a Bot API call (:class:`KillSwitch`), note which process each update was handed to
(:class:`HandedUpdates`), hold the call that would confirm updates so a SIGKILL lands between
handling an update and Telegram forgetting it (:class:`ConfirmationHold`).
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from typing import Any

from bot.standin import StandIn
from bot.standin.api import CANONICAL_NAMES
from bot.standin.params import ApiError, Params
from tests.support.bot_process import BotProcess


class KillSwitch:
    """SIGKILL the bot from inside a Bot API call, at an exact point of Telegram's side.

    ``rule(method, chat_id)`` is asked for every call the stand-in serves: "before" kills the
    bot before Telegram acts on the call (the call is lost with the process), "after" kills it
    once Telegram has acted and before the answer leaves (Telegram did it; the bot never
    hears). The hook wraps the stand-in's method lookup, in this process, for this test only.
    """

    def __init__(self, tg: StandIn, bot: BotProcess) -> None:
        self.tg = tg
        self.bot = bot
        self.rule: Callable[[str, int | None], str | None] | None = None
        self.fired: list[tuple[str, int | None, str]] = []
        self._original = tg.api.lookup
        tg.api.lookup = self._lookup  # type: ignore[method-assign]

    def _lookup(self, method: str) -> Callable[[Params], Any] | None:
        implementation = self._original(method)
        if implementation is None:
            return None
        name = CANONICAL_NAMES.get(method.lower(), method)

        def call(params: Params) -> Any:
            chat_id = _chat_id(params)
            when = self.rule(name, chat_id) if self.rule and self.bot.running else None
            if when == "before":
                self._kill(name, chat_id, when)
                raise ApiError(500, "Internal Server Error")  # nobody is left to read it
            result = implementation(params)
            if when == "after":
                self._kill(name, chat_id, when)
            return result

        return call

    def _kill(self, name: str, chat_id: int | None, when: str) -> None:
        self.rule = None  # one shot
        self.fired.append((name, chat_id, when))
        self.bot.kill()

    def close(self) -> None:
        self.tg.api.lookup = self._original  # type: ignore[method-assign]


def _chat_id(params: Params) -> int | None:
    try:
        return int(params.values.get("chat_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class HandedUpdates:
    """Which bot process (by generation) the stand-in handed each update to.

    Telegram forgets an update only when the next getUpdates confirms it; a process that dies
    in between has its updates handed to the next one as well. This wraps the stand-in's
    getUpdates implementation, in this process, for this test only.
    """

    def __init__(self, tg: StandIn, bot: BotProcess) -> None:
        self.to: dict[int, set[int]] = {}
        self._tg = tg
        self._original = tg._get_updates

        async def get_updates(params: Params) -> list[dict[str, Any]]:
            updates = await self._original(params)
            for update in updates:
                self.to.setdefault(int(update["update_id"]), set()).add(bot.generation)
            return updates

        tg._get_updates = get_updates  # type: ignore[method-assign]

    def twice(self, update_id: int) -> bool:
        """Handed to more than one process (so possibly handled by both)."""
        return len(self.to.get(update_id, ())) > 1

    def close(self) -> None:
        self._tg._get_updates = self._original  # type: ignore[method-assign]


def _reacted(calls: list[tuple[str, dict[str, Any]]], update: dict[str, Any]) -> int:
    """How many of ``calls`` answer ``update``: its callback query answered, or a message
    sent to (or edited in) its chat."""
    query = update.get("callback_query")
    if isinstance(query, dict):
        return sum(
            1
            for name, values in calls
            if name == "answerCallbackQuery" and values.get("callback_query_id") == query["id"]
        )
    chat = str(update.get("message", {}).get("chat", {}).get("id"))
    return sum(
        1
        for name, values in calls
        if name != "getUpdates"
        and name != "answerCallbackQuery"
        and str(values.get("chat_id")) == chat
    )


class ConfirmationHold:
    """Hold the getUpdates that would confirm updates a bot process was handed, so that a
    SIGKILL lands in the window between handling an update and Telegram forgetting it.

    Armed, the next getUpdates whose offset confirms something waits until :meth:`release`.
    A held call whose process died meanwhile confirms nothing (it never reached Telegram): the
    next process gets those updates again. ``verify`` then hands the next process only those
    redelivered updates and holds its confirming call too, so a test can compare the state
    before and after the redelivery with no new update in between.
    """

    def __init__(self, tg: StandIn, bot: BotProcess) -> None:
        self.tg = tg
        self.bot = bot
        self.armed = False
        #: The held call: the generation that sent it, the updates it would confirm, and the
        #: index in tg.calls where the hold began.
        self.held: tuple[int, list[dict[str, Any]], int] | None = None
        self._verifying: tuple[int, set[int]] | None = None
        self._released = asyncio.Event()
        self._original = tg._get_updates

        async def get_updates(params: Params) -> list[dict[str, Any]]:
            return await self._get_updates(params)

        tg._get_updates = get_updates  # type: ignore[method-assign]

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        offset = params.get_int("offset") or 0
        generation = self.bot.generation
        confirming = [
            copy.deepcopy(u) for u in self.tg.state.updates if 0 < int(u["update_id"]) < offset
        ]
        holding = self.held is not None and self.held[0] == generation  # a retry of it
        if confirming and ((self.armed and self.held is None) or holding):
            if self.held is None:
                self.armed = False
                self.held = (generation, confirming, len(self.tg.calls))
                self._released.clear()
                await self.tg._notify()
            await self._released.wait()
            if self.bot.generation != generation or not self.bot.running:
                # The process is gone: its call never reached Telegram, nothing is confirmed.
                raise ApiError(502, "Bad Gateway")
        updates = await self._original(params)
        if self._verifying is not None and self._verifying[0] == generation:
            redelivered = self._verifying[1]
            # Only the redelivered updates (queued before any new one: a prefix).
            updates = [u for u in updates if int(u["update_id"]) in redelivered]
        return updates

    def handled(self) -> tuple[int, int]:
        """(updates the held call would confirm, how many of them the bot has answered)."""
        if self.held is None:
            return 0, 0
        _, updates, since = self.held
        calls = self.tg.calls[since:]
        answered = sum(1 for u in updates if _reacted(calls, u) >= 1)
        return len(updates), answered

    def release(self) -> list[dict[str, Any]]:
        """Let the held call go on (or fail, if its process died); the updates it held."""
        held = self.held
        self.held = None
        self.armed = False
        self._released.set()
        return held[1] if held is not None else []

    def verify(self, generation: int, updates: list[dict[str, Any]]) -> None:
        """Hand process ``generation`` only ``updates`` at first, and hold its confirmation."""
        self._verifying = (generation, {int(u["update_id"]) for u in updates})
        self.armed = True

    def end_verification(self) -> None:
        self._verifying = None
        self.release()

    def close(self) -> None:
        self.release()
        self.tg._get_updates = self._original  # type: ignore[method-assign]
