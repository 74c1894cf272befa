"""Statements in one hop to aiosqlite's thread: execute and fetch (or count) together.

``async with conn.execute(...) as cursor: await cursor.fetchone()`` costs three round trips
to the database thread (execute, fetch, close); on the bot's hot path that was most of the cost
of an update. The ``*_sync`` twins run on that thread already (storage/hot_path.py), with the
same SQL text as the repositories' methods.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Concatenate, ParamSpec, TypeVar

import aiosqlite

P = ParamSpec("P")
T = TypeVar("T")


def on_worker_thread(
    conn: aiosqlite.Connection,
    fn: Callable[Concatenate[sqlite3.Connection, P], T],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> Awaitable[T]:
    """Run ``fn(sqlite3_connection, *args)`` on aiosqlite's worker thread: one hop, however
    many statements ``fn`` runs.

    Every await on an aiosqlite method is a hand-off to its thread and back (~70-80 µs here,
    where a short query costs ~8 µs), and a hot-path transaction made five of them. aiosqlite
    has no public "run this callable" API; ``Connection._execute(fn)`` is the private method
    every public one is built on, and its ``_conn`` the sqlite3 connection it owns. This is
    the one place that relies on them (tests/unit/test_storage_one_hop.py pins the behaviour,
    so an aiosqlite release that changes them fails there, not in production).
    """

    def call() -> T:
        return fn(conn._conn, *args, **kwargs)

    result: Awaitable[T] = conn._execute(call)  # type: ignore[no-untyped-call]
    return result


async def fetch_all(
    conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()
) -> list[sqlite3.Row]:
    return list(await conn.execute_fetchall(sql, tuple(params)))


async def fetch_one(
    conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()
) -> sqlite3.Row | None:
    rows = await conn.execute_fetchall(sql, tuple(params))
    for row in rows:
        return row
    return None


def fetch_one_sync(
    conn: sqlite3.Connection, sql: str, params: Iterable[Any] = ()
) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(sql, tuple(params)).fetchone()
    return row


def rowcount_sync(conn: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> int:
    """Run a write; how many rows it changed."""
    return conn.execute(sql, tuple(params)).rowcount


async def execute_counting(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()) -> int:
    """Run a write; how many rows it changed. One hop, where ``async with conn.execute(...)
    as cursor: cursor.rowcount`` makes two (the execute, then closing the cursor)."""
    return await on_worker_thread(conn, rowcount_sync, sql, tuple(params))
