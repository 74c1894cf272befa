"""Who has the database file open: every open :class:`storage.Database` holds a shared
``flock`` on it, so a command that replaces the file (encrypt, rekey, restore) can tell that
the bot runs, and refuse, by asking for an exclusive one.

``flock`` locks are separate from the POSIX record locks SQLite itself takes, so they never
interfere with SQLite's own locking; the kernel drops them when the process dies, even by
SIGKILL, so a crashed bot never leaves the database looking busy.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


class InUse(Exception):
    """Another process (the bot, a backup, a second command) has the database open."""


def hold_shared(path: Path) -> int | None:
    """A shared lock on ``path`` for as long as the returned descriptor stays open (None for an
    in-memory database). Raises :class:`InUse` while a command holds the exclusive one."""
    if str(path) == ":memory:":
        return None
    for _ in range(3):
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            break
        if _same_file(fd, path):
            return fd
        # Replaced between the open and the lock (a command's rename): the lock of the old
        # file would keep nobody out of the new one, which is the one SQLite opens.
        os.close(fd)
    raise InUse(
        f"{path} is being replaced by another command (encrypt, rekey or restore); "
        "try again when it has finished."
    )


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


def release(fd: int | None) -> None:
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Nobody else has ``path`` open while the block runs, or :class:`InUse` before it does."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InUse(
                f"{path} is open in another process (the bot, a backup or another command): "
                "stop the bot first."
            ) from None
        yield
    finally:
        os.close(fd)
