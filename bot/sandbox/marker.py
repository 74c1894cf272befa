"""A sandbox database says so: the real bot refuses it, and the sandbox refuses any other.

The mark is a ``bot_settings`` row (no migration needed). Demo people and reports must never
meet real Telegram users, and real reports must never be shown in a browser without a login.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from pathlib import Path

from storage import Repositories
from storage.db import peek_setting

SANDBOX_KEY = "sandbox"


async def mark_sandbox(repos: Repositories, *, now: datetime | None = None) -> None:
    await repos.settings.set(SANDBOX_KEY, "demo", by=None, now=now)


async def is_sandbox(path: Path) -> bool | None:
    """True: a sandbox database; False: another one (or no database at all); None: there is
    no file at ``path``. Read-only: a real database is never changed, migrated or locked
    for writing by the sandbox's look."""
    if not path.exists():  # noqa: ASYNC240 - one stat at start-up
        return None
    try:
        return await asyncio.to_thread(peek_setting, path, SANDBOX_KEY) is not None
    except sqlite3.Error:
        return False
