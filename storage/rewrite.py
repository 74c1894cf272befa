"""Replacing the database file without ever risking it: encrypt a plain one, re-encrypt it
under a new key, restore a backup.

Each works the same way: the new database is written to a file of its own beside the old
one, checked (it opens with the key, has the schema version and every table with as many
rows), flushed to the disk, and only then renamed over the old file, an atomic step. An
interruption at any moment (a crash, SIGKILL, a full disk) leaves either the old database
untouched or the new one complete; a leftover work file is removed by the next run. Every
step runs while holding the exclusive lock of storage/in_use.py: never while the bot runs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from storage import cipher, in_use


class RewriteFailed(Exception):
    """The new file did not check out; the old database was left as it was."""


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows of every table of the database (SQLite's own tables aside)."""
    names = [
        str(row[0])
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    # Table names come from the database's own catalogue, quoted as identifiers.
    return {
        name: int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) for name in names
    }


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _real(path: Path) -> Path:
    """The file itself when ``path`` is a symlink to it: renaming over the link would replace
    the link and leave the old database (plain, for ``encrypt``) where it pointed, on the data
    volume. Its directory is also where SQLite keeps the ``-wal``."""
    return path.resolve()


def _work_file(path: Path, purpose: str) -> Path:
    return path.with_name(f"{path.name}.{purpose}")


def _remove(path: Path) -> None:
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        name.unlink(missing_ok=True)


def _create_private(path: Path) -> None:
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap_in(work: Path, path: Path) -> None:
    """``work`` on the disk, then renamed over ``path`` (atomic), then the rename on the disk."""
    _fsync(work)
    os.replace(work, path)
    _fsync(path.parent)


def _close_folded(conn: sqlite3.Connection, path: Path) -> None:
    """Fold the write-ahead log into the file and close: nothing of the old database may stay
    in a ``-wal`` beside a new file of the same name (SQLite would replay it there)."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise RewriteFailed(f"{path} is still open elsewhere: its write-ahead log stays.")
    wal.unlink(missing_ok=True)
    Path(f"{path}-shm").unlink(missing_ok=True)


def _verify(path: Path, key: cipher.DatabaseKey, version: int, counts: dict[str, int]) -> None:
    conn = cipher.open_checked(path, key)
    try:
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise RewriteFailed(f"the new file {path} fails SQLite's check; nothing was replaced.")
        if schema_version(conn) != version or table_counts(conn) != counts:
            raise RewriteFailed(
                f"the new file {path} differs from the database; nothing was replaced."
            )
    finally:
        conn.close()


def convert(
    path: Path, source_key: cipher.DatabaseKey | None, target_key: cipher.DatabaseKey
) -> dict[str, int]:
    """The database at ``path`` (plain when ``source_key`` is None) encrypted with
    ``target_key`` instead, in place: SQLCipher's ``sqlcipher_export`` into a new file, checked,
    then swapped in. The rows of every table, as checked."""
    path = _real(path)
    work = _work_file(path, "converting")
    with in_use.exclusive(path):
        _remove(work)
        source = cipher.open_checked(path, source_key, sqlcipher=True, isolation_level=None)
        try:
            version = schema_version(source)
            counts = table_counts(source)
            _create_private(work)
            cipher.attach_encrypted(source, work, target_key, "converted")
            source.execute("SELECT sqlcipher_export('converted')")
            source.execute(f"PRAGMA converted.user_version = {version:d}")
            source.execute("DETACH DATABASE converted")
        except BaseException:
            source.close()
            _remove(work)  # a half-written copy would hold the space a full disk lacks
            raise
        try:
            _close_folded(source, path)
            _verify(work, target_key, version, counts)
        except BaseException:
            _remove(work)
            raise
        _swap_in(work, path)
    return counts


@contextlib.contextmanager
def restoring(backup: Path, path: Path, key: cipher.DatabaseKey | None) -> Iterator[Path]:
    """A private copy of ``backup`` to check and migrate in the block; swapped in over ``path``
    when the block ends without raising (removed otherwise). No one may have ``path`` open."""
    path = _real(path)
    work = _work_file(path, "restoring")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Onto no database, an empty one to hold the lock on: a bot starting meanwhile is refused
    # instead of opening a file that the restored one then replaces under it.
    placeholder = not path.exists()
    if placeholder:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    with in_use.exclusive(path):
        try:
            _remove(work)
            _create_private(work)
            shutil.copyfile(backup, work)
            yield work
            for leftover in (Path(f"{work}-wal"), Path(f"{work}-journal")):
                if leftover.exists() and leftover.stat().st_size > 0:
                    raise RewriteFailed(f"the restored copy {work} was not closed cleanly.")
            _fold_log(path, key)
        except BaseException:
            _remove(work)
            if placeholder and path.stat().st_size == 0:
                _remove(path)
            raise
        _swap_in(work, path)


def _fold_log(path: Path, key: cipher.DatabaseKey | None) -> None:
    """No write-ahead log of the database being replaced may stay (SQLite would replay it
    over the restored file): folded into it when it still opens, dropped when it does not
    (a broken database is why one restores, and it is replaced whole)."""
    if not path.exists():
        return
    try:
        conn = cipher.open_checked(path, key)
    except Exception:  # sqlite3's, sqlcipher3's, or CannotOpen
        conn = None
    if conn is not None:
        with contextlib.suppress(Exception):
            _close_folded(conn, path)
    Path(f"{path}-wal").unlink(missing_ok=True)
    Path(f"{path}-shm").unlink(missing_ok=True)
