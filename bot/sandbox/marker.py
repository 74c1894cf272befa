"""A sandbox database says so: the real bot refuses it, and the sandbox refuses any other.

The mark is a ``bot_settings`` row (no migration needed). Demo people and reports must never
meet real Telegram users, and real reports must never be shown in a browser without a login.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from storage import Database, Repositories

SANDBOX_KEY = "sandbox"


async def mark_sandbox(repos: Repositories, *, now: datetime | None = None) -> None:
    await repos.settings.set(SANDBOX_KEY, "demo", by=None, now=now)


async def is_sandbox(path: Path) -> bool | None:
    """True: a sandbox database; False: another one; None: there is no database at ``path``."""
    if not path.exists():  # noqa: ASYNC240 - one stat at start-up
        return None
    db = await Database.open(path, migrate=False)
    try:
        if await db.schema_version() < 6:  # bot_settings came with migration 0006
            return False
        async with db.read() as repos:
            return await repos.settings.get(SANDBOX_KEY) is not None
    finally:
        await db.close()
