"""Registered people: their role, unit, language and status."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import aiosqlite

from storage.clock import from_db, to_db, utc_now
from storage.models import Role, User, UserStatus

_COLUMNS = (
    "id, telegram_id, display_name, username, role, unit_id, language, status,"
    " created_at, updated_at, telegram_language"
)


def _user(row: sqlite3.Row) -> User:
    return User(
        id=int(row[0]),
        telegram_id=int(row[1]),
        display_name=str(row[2]),
        username=row[3],
        role=Role(row[4]),
        unit_id=row[5],
        language=row[6],
        status=UserStatus(row[7]),
        created_at=from_db(row[8]),
        updated_at=from_db(row[9]),
        telegram_language=row[10],
    )


class UserRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def get(self, user_id: int) -> User | None:
        async with self._conn.execute(
            f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return _user(row) if row else None

    async def get_by_telegram_id(self, telegram_id: int) -> User | None:
        async with self._conn.execute(
            f"SELECT {_COLUMNS} FROM users WHERE telegram_id = ?", (telegram_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return _user(row) if row else None

    async def create(
        self,
        *,
        telegram_id: int,
        role: Role,
        display_name: str = "",
        username: str | None = None,
        unit_id: int | None = None,
        language: str | None = None,
        now: datetime | None = None,
    ) -> User:
        stamp = to_db(now or utc_now())
        async with self._conn.execute(
            "INSERT INTO users (telegram_id, display_name, username, role, unit_id, language,"
            " status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)"
            f" RETURNING {_COLUMNS}",
            (telegram_id, display_name, username, role.value, unit_id, language, stamp, stamp),
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return _user(row)

    async def ensure_admin(self, telegram_id: int, *, now: datetime | None = None) -> bool:
        """Make ``telegram_id`` an active admin; True when anything changed."""
        existing = await self.get_by_telegram_id(telegram_id)
        if existing is None:
            await self.create(telegram_id=telegram_id, role=Role.ADMIN, now=now)
            return True
        if existing.role is Role.ADMIN and existing.is_active:
            return False
        await self._conn.execute(
            "UPDATE users SET role = 'admin', status = 'active', updated_at = ?"
            " WHERE telegram_id = ?",
            (to_db(now or utc_now()), telegram_id),
        )
        return True

    async def set_status(
        self, telegram_id: int, status: UserStatus, *, now: datetime | None = None
    ) -> None:
        await self._conn.execute(
            "UPDATE users SET status = ?, updated_at = ? WHERE telegram_id = ?",
            (status.value, to_db(now or utc_now()), telegram_id),
        )

    async def set_language(
        self, telegram_id: int, language: str, *, now: datetime | None = None
    ) -> None:
        await self._conn.execute(
            "UPDATE users SET language = ?, updated_at = ? WHERE telegram_id = ?",
            (language, to_db(now or utc_now()), telegram_id),
        )

    async def update_profile(
        self,
        telegram_id: int,
        *,
        display_name: str,
        username: str | None,
        telegram_language: str | None,
        now: datetime | None = None,
    ) -> None:
        """Keep what Telegram reports: admins see who is who, notices use the right language."""
        await self._conn.execute(
            "UPDATE users SET display_name = ?, username = ?, telegram_language = ?,"
            " updated_at = ? WHERE telegram_id = ?",
            (display_name, username, telegram_language, to_db(now or utc_now()), telegram_id),
        )
