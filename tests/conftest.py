"""Fixtures shared by every layer of tests."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import AsyncIterator
from concurrent.futures import process as futures_process
from concurrent.futures import thread as futures_thread
from pathlib import Path

import pytest
from hypothesis import settings

from storage import Database

# In CI the random tests replay the same examples every run: a red build is always reproducible.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh database file with every migration applied."""
    database = await Database.open(tmp_path / "test.sqlite3")
    yield database
    await database.close()


def pytest_unconfigure(config: pytest.Config) -> None:
    """A run never hangs after its summary: a test that left a thread behind (an unclosed
    database's connection thread is not a daemon) would keep the interpreter from exiting, and
    CI would time out instead of saying which. Threads still alive 10 s after the run are named
    and the run fails; executors' threads, which the interpreter joins itself at exit, are not
    counted."""
    joined_at_exit = set(futures_thread._threads_queues) | set(futures_process._threads_wakeups)
    left = [
        t
        for t in threading.enumerate()
        if t is not threading.main_thread() and not t.daemon and t not in joined_at_exit
    ]
    for thread in left:
        thread.join(timeout=10 / max(len(left), 1))
    stuck = [t.name for t in left if t.is_alive()]
    if stuck:
        print(
            f"\nA test left {len(stuck)} thread(s) running (an unclosed database?): "
            + ", ".join(stuck),
            file=sys.stderr,
            flush=True,
        )
        os._exit(3)
