"""A stand-in for the web chat in the runner's tests: the same constructor and start/stop/url
as ``SandboxWeb``, serving nothing, recording what the runner gave it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.sandbox.cast import Cast
from bot.standin import StandIn
from storage import Database


async def eventually(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until ``predicate()`` holds (checked every 20 ms), or fail after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, f"still false after {timeout}s"
        await asyncio.sleep(0.02)


class RecordingWeb:
    """Takes the place of ``SandboxWeb``: the same signature, serves nothing."""

    def __init__(
        self,
        standin: StandIn,
        cast: Cast,
        *,
        reset: Callable[[], Awaitable[None]],
        password: str | None = None,
        database: Database | None = None,
    ) -> None:
        self.standin = standin
        self.cast = cast
        self.reset = reset
        self.password = password
        self.database = database
        self.address: tuple[str, int] | None = None
        self.stopped = False

    async def start(self, host: str, port: int) -> None:
        self.address = (host, port)

    async def stop(self) -> None:
        self.stopped = True

    @property
    def url(self) -> str:
        assert self.address is not None
        return f"http://{self.address[0]}:{self.address[1]}"
