"""One aiosqlite connection, its pragmas, its transactions and the migrations.

SQLite allows one writer at a time and PTB serves updates on one event loop, so a single
connection guarded by a lock is both the simplest and the fastest arrangement.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import aiosqlite

from storage import cipher, in_use
from storage.alerts import AlertRepository
from storage.applied_updates import AppliedUpdateRepository
from storage.audit import AuditRepository
from storage.bot_settings import SettingsRepository
from storage.crossing_points import CrossingPointRepository
from storage.digests import DigestRepository
from storage.drafts import DraftRepository
from storage.factors import ConversionFactorRepository
from storage.invites import InviteRepository
from storage.persistence_repo import PersistenceRepository
from storage.received_updates import ReceivedUpdateRepository
from storage.reference_names import ReferenceNameRepository
from storage.reports import ReportRepository
from storage.sql import on_worker_thread
from storage.units import UnitRepository
from storage.users import UserRepository

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA busy_timeout = 5000",
    # What is deleted or overwritten is zeroed, not left in free space where the file (or a copy
    # of it) still shows it: a withdrawn draft's or an amended report's text, and what
    # retention removes (bot/retention.py).
    "PRAGMA secure_delete = ON",
)


@dataclass(frozen=True)
class Repositories:
    """The repositories bound to one open transaction (or read)."""

    users: UserRepository
    units: UnitRepository
    audit: AuditRepository
    persistence: PersistenceRepository
    settings: SettingsRepository
    digests: DigestRepository
    drafts: DraftRepository
    reports: ReportRepository
    invites: InviteRepository
    crossing_points: CrossingPointRepository
    alerts: AlertRepository
    applied_updates: AppliedUpdateRepository
    reference_names: ReferenceNameRepository
    received_updates: ReceivedUpdateRepository
    factors: ConversionFactorRepository

    @classmethod
    def bind(cls, conn: aiosqlite.Connection) -> Repositories:
        return cls(
            users=UserRepository(conn),
            units=UnitRepository(conn),
            audit=AuditRepository(conn),
            persistence=PersistenceRepository(conn),
            settings=SettingsRepository(conn),
            digests=DigestRepository(conn),
            drafts=DraftRepository(conn),
            reports=ReportRepository(conn),
            invites=InviteRepository(conn),
            crossing_points=CrossingPointRepository(conn),
            alerts=AlertRepository(conn),
            applied_updates=AppliedUpdateRepository(conn),
            reference_names=ReferenceNameRepository(conn),
            received_updates=ReceivedUpdateRepository(conn),
            factors=ConversionFactorRepository(conn),
        )


def _commit_or_roll_back(
    conn: sqlite3.Connection,
    fn: Callable[Concatenate[sqlite3.Connection, P], T],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """``fn``, then COMMIT; ROLLBACK if anything raised (as :meth:`Database.transaction`)."""
    try:
        result = fn(conn, *args, **kwargs)
        if conn.in_transaction:
            conn.commit()
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise
    return result


def _create_private(path: Path) -> None:
    """Create the database file readable and writable by its owner only (reports are sensitive).

    SQLite creates the -wal and -shm files with the permissions of the database file.
    """
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def migration_files() -> list[tuple[int, str, str]]:
    """(number, name, sql) of every migration shipped in ``storage/migrations``, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 0001, 0002, … without gaps: {numbers}")
    return found


class Database:
    """The bot's database: open it with :meth:`open`, use :meth:`transaction` or :meth:`read`."""

    def __init__(
        self, conn: aiosqlite.Connection, path: Path, key: cipher.DatabaseKey | None = None
    ) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self.path = path
        self._key = key
        self._held: int | None = None

    @classmethod
    async def open(
        cls, path: Path | str, *, migrate: bool = True, key: cipher.DatabaseKey | None = None
    ) -> Database:
        """Open (create) the database; encrypted with ``key``, or with the key this process
        knows for ``path`` (storage/cipher.py); cipher.CannotOpen when it does not read."""
        path = Path(path)
        key = key or cipher.key_for(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
            _create_private(path)
        held = in_use.hold_shared(path)
        try:
            # "IMMEDIATE": sqlite3 opens the write transaction itself right before the first
            # write, saving a round trip to aiosqlite's thread per transaction (transaction()).
            conn = await cipher.connect_checked(path, key, isolation_level="IMMEDIATE")
        except BaseException:
            in_use.release(held)
            raise
        try:
            for pragma in PRAGMAS:
                await conn.execute(pragma)
            db = cls(conn, path, key)
            db._held = held
            if migrate:
                await db.migrate()
        except BaseException:
            await conn.close()
            in_use.release(held)
            raise
        return db

    async def close(self) -> None:
        try:
            await self._conn.close()
        finally:
            in_use.release(self._held)

    async def backup(self, target: Path) -> None:
        """A consistent copy while the bot runs (SQLite's online backup), readable by us only,
        encrypted with the same key as the database."""
        if target.exists():  # noqa: ASYNC240 - a stat, once per backup
            raise FileExistsError(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        _create_private(target)
        copy = await cipher.connect(target, self._key)
        try:
            async with self._lock:
                await self._conn.backup(copy)
        finally:
            await copy.close()

    async def schema_version(self) -> int:
        async with self._conn.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self) -> list[str]:
        """Apply every migration newer than ``user_version``, each in its own transaction."""
        applied: list[str] = []
        async with self._lock:
            current = await self.schema_version()
            for number, name, sql in migration_files():
                if number <= current:
                    continue
                try:
                    await self._conn.executescript(
                        f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number:d};\nCOMMIT;"
                    )
                except Exception:
                    if self._conn.in_transaction:
                        await self._conn.rollback()
                    raise
                log.info("applied migration %s", name)
                applied.append(name)
        return applied

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repositories]:
        """A write transaction: committed when the block ends, rolled back if it raises.

        The lock keeps every other user of this connection out for the whole block, and this
        process is the database's only writer, so the reads before the first write (which
        sqlite3 runs before its implicit BEGIN IMMEDIATE) see exactly what the writes will.
        """
        async with self._lock:
            try:
                yield Repositories.bind(self._conn)
            except BaseException:
                if self._conn.in_transaction:
                    await self._conn.rollback()
                raise
            if self._conn.in_transaction:
                await self._conn.commit()

    async def run_transaction(
        self,
        fn: Callable[Concatenate[sqlite3.Connection, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """A write transaction in one hop to the database thread: ``fn(connection, *args)``
        runs there and is committed right after, or rolled back if it raised.

        For the short transactions every update makes (storage/hot_path.py); ``fn`` must be
        a plain function of storage/ that only talks to the database. Same lock and the same
        commit/rollback rule as :meth:`transaction`.
        """
        async with self._lock:
            return await on_worker_thread(self._conn, _commit_or_roll_back, fn, *args, **kwargs)

    async def run_read(
        self,
        fn: Callable[Concatenate[sqlite3.Connection, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Reads in one hop to the database thread (see :meth:`read`, :meth:`run_transaction`)."""
        async with self._lock:
            return await on_worker_thread(self._conn, fn, *args, **kwargs)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Repositories]:
        """Reads, serialised with the writers on this connection.

        No BEGIN/ROLLBACK around them: the lock already keeps our own writers out, this process
        is SQLite's only writer, and the two extra round trips were a third of an update's cost.
        """
        async with self._lock:
            yield Repositories.bind(self._conn)


#: The schema version that brought the bot_settings table (migration 0006).
SETTINGS_SINCE = 6


def peek_setting(path: Path, key: str) -> str | None:
    """A bot setting of the database at ``path``, read without changing anything (read-only,
    no migration, no journal mode set): for deciding whether a file may be opened at all.
    None when the database has no such setting or predates settings; sqlite3.DatabaseError
    when the file is not a database."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    conn = cipher.connect_sync(uri, cipher.key_for(path), uri=True)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()
        if version is None or int(version[0]) < SETTINGS_SINCE:
            return None
        row = conn.execute("SELECT value FROM bot_settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])
    except Exception as exc:
        if isinstance(exc, sqlite3.Error):
            raise
        # sqlcipher3's errors are classes of their own: the same contract for both drivers.
        raise sqlite3.DatabaseError(str(exc)) from None
    finally:
        conn.close()
