"""Fixtures shared by every layer of tests."""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import process as futures_process
from concurrent.futures import thread as futures_thread
from pathlib import Path

import pytest
from hypothesis import settings

from storage import Database
from storage.cipher import DatabaseKey, remember

# In CI the random tests replay the same examples every run: a red build is always reproducible.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


#: A raw 256-bit key (no key derivation: each open stays fast) for the keyed variants.
TEST_KEY = DatabaseKey("5e" * 32)
#: The storage tests and the end-to-end tests of reports and the digest run on the plain
#: driver and on SQLCipher (nothing may depend on one); e2e's keyed half polls only.
KEYED_MODULES = re.compile(r"test_storage(_\w+)?|test_reports|test_digest")


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Iterator[None]:
    """A test that runs the command line (``configure_logging``) leaves the root logger writing
    to that test's captured stderr, closed once it ends: the next test to log would print
    "--- Logging error ---" into whatever it captures. Each test gets the logging it found."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def database_key() -> DatabaseKey | None:
    """The key of the test's database: None (plain), or TEST_KEY where parametrised."""
    return None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test of KEYED_MODULES that has a database runs twice: plain, and encrypted with
    TEST_KEY."""
    name = metafunc.module.__name__.rsplit(".", 1)[-1]
    if "database_key" in metafunc.fixturenames and KEYED_MODULES.fullmatch(name):
        metafunc.parametrize("database_key", [None, TEST_KEY], ids=["plain", "sqlcipher"])


@pytest.fixture
async def db(tmp_path: Path, database_key: DatabaseKey | None) -> AsyncIterator[Database]:
    """A fresh database file with every migration applied (encrypted with ``database_key``)."""
    path = tmp_path / "test.sqlite3"
    remember(path, database_key)  # a second connection of the test opens it with the key too
    database = await Database.open(path)
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
