"""The running bot's sign of life, judged by ``python -m bot health`` (the image's HEALTHCHECK).

A process that runs is not a bot that works: its polling loop can have given up (a revoked
token, an error PTB does not retry) or its webhook server can be gone while the process lingers.
A container health check that only opens the database calls that bot healthy for ever.

So the loops that take updates leave a sign: a file beside the database whose modification time
each of them refreshes. Polling refreshes it as each getUpdates leaves and returns; a long poll
returns every few seconds even when nobody writes, so the sign stays fresh through a quiet night,
and through a Telegram outage while PTB retries, but not while Telegram refuses every poll.
The webhook server asks itself for its own page every :data:`PROBE_EVERY` seconds and refreshes
it when it answers. ``health`` reads the file's age; a clean stop removes it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import aiohttp
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

#: Older than this, the sign means the bot stopped taking updates. A long poll returns within
#: ~12 s, PTB's retries after a network error wait at most 30 s, the webhook probe runs every
#: 30 s: three minutes is several missed rounds in a row, not one slow answer.
STALE_AFTER = 180.0
#: How often the webhook server is asked for its own page.
PROBE_EVERY = 30.0
#: Refreshing more often than this adds nothing (a busy bot calls getUpdates many times a second).
MIN_INTERVAL = 1.0
#: Updates in hand this long with none of them ending: the handlers hang, the bot only seems to
#: work. Well above one slow answer (a 429 from Telegram is retried three times, each a few
#: seconds to a minute apart).
STUCK_AFTER = 180.0


def heartbeat_path(database_path: Path) -> Path:
    """The sign of life of the bot serving ``database_path``: beside it, on the same volume."""
    return database_path.with_name(database_path.name + ".alive")


class Heartbeat:
    """Refreshes the sign of life; a place it cannot write is said once, never fatal.

    ``stuck_for`` (the update processor's, bot/concurrency.py) says for how long updates have
    been in hand with none ending: past :data:`STUCK_AFTER` the sign is left to go stale, as
    taking updates in is not serving them.
    """

    __slots__ = ("_last", "_path", "_said_stuck", "_stuck_for", "_warned")

    def __init__(self, path: Path, stuck_for: Callable[[], float] | None = None) -> None:
        self._path = path
        self._stuck_for = stuck_for
        self._last = float("-inf")
        self._warned = False
        self._said_stuck = False

    @property
    def path(self) -> Path:
        return self._path

    def beat(self) -> None:
        now = time.monotonic()
        if now - self._last < MIN_INTERVAL or self._stuck():
            return
        self._last = now
        try:
            self._path.touch()
        except OSError as exc:
            if not self._warned:
                self._warned = True
                log.warning(
                    "cannot refresh the sign of life at %s (%s): `health` will call this bot dead",
                    self._path,
                    exc.strerror or exc,
                )

    def _stuck(self) -> bool:
        stuck = self._stuck_for is not None and self._stuck_for() > STUCK_AFTER
        if stuck and not self._said_stuck:
            log.warning(
                "no update has been handled for %.0f s while some wait: `health` will call this "
                "bot dead",
                STUCK_AFTER,
            )
        self._said_stuck = stuck
        return stuck

    def stop(self) -> None:
        """A bot that stopped on purpose leaves no sign: ``health`` says it is not running."""
        self._last = float("-inf")
        with suppress(OSError):
            self._path.unlink(missing_ok=True)


def judge(path: Path, *, now: float | None = None, stale_after: float = STALE_AFTER) -> str | None:
    """``None`` when the sign at ``path`` is fresh, else what is wrong, in one sentence."""
    try:
        refreshed = path.stat().st_mtime
    except FileNotFoundError:
        return f"no bot is running on this database (no sign of life at {path})"
    age = (time.time() if now is None else now) - refreshed
    if age > stale_after:
        return (
            f"the bot has neither polled Telegram nor answered on its webhook for {age:.0f} s "
            f"(the last sign of life at {path})"
        )
    return None


def polls_on_after(status: int) -> bool:
    """Whether a getUpdates answered with HTTP ``status`` leaves the bot polling.

    Updates (200), Telegram busy or down (429, 5xx): yes, PTB retries and the updates come
    once Telegram is back, so the bot stays healthy through an outage. Anything else (409: a
    webhook set by another deployment, or another process polling with this token) PTB also
    retries, every 30 s for ever, but no update ever comes: that bot is not serving.
    """
    return status == 200 or status == 429 or status >= 500


class BeatingRequest(BaseRequest):
    """The getUpdates client, refreshing the sign of life as each long poll leaves and returns.

    PTB's ``post`` (final) hands each request to ``do_request``, which the real client sends
    exactly as before; a request that hangs stops the beats, which is what ``health`` should see,
    and so does a getUpdates Telegram keeps refusing (:func:`polls_on_after`).
    """

    __slots__ = ("_heartbeat", "_inner", "_polling")

    def __init__(self, inner: BaseRequest, heartbeat: Heartbeat) -> None:
        self._inner = inner
        self._heartbeat = heartbeat
        #: False after an answer that polling never gets past by retrying (see polls_on_after).
        self._polling = True

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()
        self._heartbeat.stop()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._polling:
            self._heartbeat.beat()
        try:
            code, payload = await self._inner.do_request(
                url,
                method,
                request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        except Exception:
            self._polling = True  # no answer: Telegram unreachable, PTB retries
            self._heartbeat.beat()
            raise
        self._polling = polls_on_after(code)
        if self._polling:
            self._heartbeat.beat()
        return code, payload


def probe_address(host: str) -> str:
    """Where the server listening on ``host`` answers from this machine."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


async def keep_serving_alive(url: str, heartbeat: Heartbeat, every: float = PROBE_EVERY) -> None:
    """Ask the webhook server for ``url`` every ``every`` seconds; any HTTP answer (a GET is
    refused with 405) proves it serves, and refreshes the sign. Runs until cancelled."""
    timeout = aiohttp.ClientTimeout(total=min(10.0, every))
    async with aiohttp.ClientSession(timeout=timeout, trust_env=False) as session:
        while True:
            try:
                async with session.get(url, allow_redirects=False) as response:
                    await response.read()
                heartbeat.beat()
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.warning(
                    "webhook: the server did not answer its own probe (%s)", type(exc).__name__
                )
            await asyncio.sleep(every)


@asynccontextmanager
async def signs_of_life(
    url: str, database_path: Path, stuck_for: Callable[[], float] | None = None
) -> AsyncIterator[None]:
    """While the block runs, the webhook server at ``url`` is probed and its sign refreshed
    (``stuck_for``: see :class:`Heartbeat`).

    Entered once the server listens and Telegram knows where to post: that is the first sign.
    """
    heartbeat = Heartbeat(heartbeat_path(database_path), stuck_for)
    heartbeat.beat()
    probe = asyncio.create_task(keep_serving_alive(url, heartbeat))
    try:
        yield
    finally:
        probe.cancel()
        with suppress(asyncio.CancelledError):
            await probe
        heartbeat.stop()
