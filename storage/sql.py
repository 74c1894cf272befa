"""Reads in one hop to aiosqlite's thread: execute and fetch together.

``async with conn.execute(...) as cursor: await cursor.fetchone()`` costs three round trips
to the database thread (execute, fetch, close); on the bot's hot path that was most of the cost
of an update. The ``*_sync`` twins run on that thread already (storage/hot_path.py), with the
same SQL text as the repositories' methods.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

import aiosqlite


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
