"""One aiosqlite connection, its pragmas, its transactions and the migrations.

SQLite allows one writer at a time and PTB serves updates on one event loop, so a single
connection guarded by a lock is both the simplest and the fastest arrangement.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import aiosqlite

from storage.audit import AuditRepository
from storage.drafts import DraftRepository
from storage.persistence_repo import PersistenceRepository
from storage.reports import ReportRepository
from storage.units import UnitRepository
from storage.users import UserRepository

log = logging.getLogger(__name__)

PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA busy_timeout = 5000",
)


@dataclass(frozen=True)
class Repositories:
    """The repositories bound to one open transaction (or read)."""

    users: UserRepository
    units: UnitRepository
    audit: AuditRepository
    persistence: PersistenceRepository
    drafts: DraftRepository
    reports: ReportRepository

    @classmethod
    def bind(cls, conn: aiosqlite.Connection) -> Repositories:
        return cls(
            users=UserRepository(conn),
            units=UnitRepository(conn),
            audit=AuditRepository(conn),
            persistence=PersistenceRepository(conn),
            drafts=DraftRepository(conn),
            reports=ReportRepository(conn),
        )


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

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self.path = path

    @classmethod
    async def open(cls, path: Path | str, *, migrate: bool = True) -> Database:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves so a transaction is explicit.
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        try:
            for pragma in PRAGMAS:
                await conn.execute(pragma)
            db = cls(conn, path)
            if migrate:
                await db.migrate()
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        await self._conn.close()

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
        """A write transaction: committed when the block ends, rolled back if it raises."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Repositories.bind(self._conn)
            except BaseException:
                await self._conn.rollback()
                raise
            await self._conn.commit()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Repositories]:
        """Reads that see one consistent state, serialised with writers on this connection."""
        async with self._lock:
            await self._conn.execute("BEGIN")
            try:
                yield Repositories.bind(self._conn)
            finally:
                await self._conn.rollback()
