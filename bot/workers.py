"""Heavy work (spreadsheets, charts, long exports) in a worker process, off the event loop.

A 92-day export is ~5 s of CPU; on the event loop it froze every conversation, and in a thread
it still holds the GIL most of the time (openpyxl and matplotlib are pure Python for the most
part), so every update waited in turns with it: see ``benchmarks/bench_fairness.py``, which
measures both. A worker process has its own interpreter. It gets plain data (dates, a language,
a database path, dataclasses of reports), never a connection or a Telegram object, and gives
back bytes.

One pool per bot process, made at the first heavy job; by default one worker (the other core
stays with the event loop), so heavy jobs queue behind each other and never take both cores.
A worker dies with the bot (even a SIGKILLed one: ``PR_SET_PDEATHSIG``), and a worker that dies
fails its own job only: the next job gets a new pool.
:class:`OnePerPerson` keeps one person from queueing more than one of them at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import partial
from typing import Literal, TypeVar

from storage.cipher import DatabaseKey, known_keys, remember_all

T = TypeVar("T")
Kind = Literal["process", "thread"]

_POOLS: dict[Kind, Executor] = {}
_PR_SET_PDEATHSIG = 1


def _workers_for(kind: Kind) -> int:
    cores = os.cpu_count() or 1
    return max(1, cores - 1) if kind == "process" else 1


def _pool(kind: Kind) -> Executor:
    pool = _POOLS.get(kind)
    if pool is None:
        if kind == "process":
            # spawn: a fresh interpreter, not a fork of this one with its threads (aiosqlite's,
            # httpx's) in unknown states; and a direct child, so it can die with the bot.
            pool = ProcessPoolExecutor(
                _workers_for(kind),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_die_with_parent,
                initargs=(os.getpid(),),
            )
        else:
            pool = ThreadPoolExecutor(_workers_for(kind), thread_name_prefix="heavy")
        _POOLS[kind] = pool
    return pool


class Workers:
    """Where heavy jobs run: ``"process"`` (the bot's) or ``"thread"`` (to compare)."""

    def __init__(self, kind: Kind = "process") -> None:
        self.kind: Kind = kind

    async def run(self, job: Callable[..., T], *args: object) -> T:
        """``job(*args)`` in a worker; ``job`` must be a module-level function of plain data."""
        loop = asyncio.get_running_loop()
        pool = _pool(self.kind)
        try:
            work = partial(_with_keys, known_keys(), job, *args) if self.kind == "process" else None
            return await loop.run_in_executor(pool, work or partial(job, *args))
        except BrokenProcessPool:
            # A worker died (killed, out of memory): this job failed, the next gets a new pool.
            if _POOLS.get(self.kind) is pool:
                del _POOLS[self.kind]
            raise


def _with_keys(keys: dict[str, DatabaseKey], job: Callable[..., T], *args: object) -> T:
    """In a worker: the database keys the bot knows (storage/cipher.py), then the job."""
    remember_all(keys)
    return job(*args)


def _die_with_parent(parent: int) -> None:
    """In a worker: be killed with the bot, even by SIGKILL (Linux), never left behind."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the bot died before the line above
        os._exit(1)


def shutdown_pools() -> None:
    """Stop the worker pools (at exit; a later job makes a new one)."""
    for kind in list(_POOLS):
        _POOLS.pop(kind).shutdown(wait=True, cancel_futures=True)


class OnePerPerson:
    """At most one heavy request of each person at a time (an export, a digest on demand)."""

    def __init__(self) -> None:
        self._busy: set[int] = set()

    def busy(self, person: int) -> bool:
        return person in self._busy

    def take(self, person: int) -> bool:
        """True and the person's slot is taken; False when they already have a job running."""
        if person in self._busy:
            return False
        self._busy.add(person)
        return True

    def release(self, person: int) -> None:
        self._busy.discard(person)

    @contextmanager
    def held(self, person: int) -> Iterator[None]:
        """Release the slot taken with :meth:`take` when the block ends, however it ends."""
        try:
            yield
        finally:
            self.release(person)
