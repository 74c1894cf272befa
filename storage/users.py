"""Registered people: their role, unit, language and status."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import aiosqlite

from storage.clock import from_db, to_db, utc_now
from storage.columns import Table, column
from storage.models import Role, User, UserStatus
from storage.sql import fetch_all, fetch_one, fetch_one_sync

#: ``users``, in the order of :class:`User`'s fields.
USERS: Table[User] = Table(
    "users",
    User,
    [
        column("id", int),
        column("telegram_id", int),
        column("display_name", str),
        column("username"),
        column("role", Role),
        column("unit_id"),
        column("language"),
        column("status", UserStatus),
        column("created_at", from_db),
        column("updated_at", from_db),
        column("telegram_language"),
    ],
)
_BY_TELEGRAM_ID = USERS.select("telegram_id = ?")


def get_by_telegram_id_sync(conn: sqlite3.Connection, telegram_id: int) -> User | None:
    """:meth:`UserRepository.get_by_telegram_id` on the database thread (storage/hot_path.py)."""
    row = fetch_one_sync(conn, _BY_TELEGRAM_ID, (telegram_id,))
    return USERS.read(row) if row else None


class UserRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def get(self, user_id: int) -> User | None:
        row = await fetch_one(self._conn, USERS.select("id = ?"), (user_id,))
        return USERS.read(row) if row else None

    async def get_by_telegram_id(self, telegram_id: int) -> User | None:
        row = await fetch_one(self._conn, _BY_TELEGRAM_ID, (telegram_id,))
        return USERS.read(row) if row else None

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
        row = await fetch_one(
            self._conn,
            "INSERT INTO users (telegram_id, display_name, username, role, unit_id, language,"
            " status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)"
            f" RETURNING {USERS.columns}",
            (telegram_id, display_name, username, role.value, unit_id, language, stamp, stamp),
        )
        assert row is not None
        return USERS.read(row)

    async def ensure_admin(self, telegram_id: int, *, now: datetime | None = None) -> bool:
        """Make ``telegram_id`` an active admin; True when anything changed."""
        existing = await self.get_by_telegram_id(telegram_id)
        if existing is None:
            await self.create(telegram_id=telegram_id, role=Role.ADMIN, now=now)
            return True
        if existing.role is Role.ADMIN and existing.is_active:
            return False
        await self._conn.execute(
            "UPDATE users SET role = 'admin', status = 'active', blocked_at = NULL,"
            " updated_at = ? WHERE telegram_id = ?",
            (to_db(now or utc_now()), telegram_id),
        )
        return True

    async def set_status(
        self, telegram_id: int, status: UserStatus, *, now: datetime | None = None
    ) -> None:
        """Suspending records when (kept if it was suspended already): the retention period
        of the person's name and username runs from then (bot/retention.py)."""
        stamp = to_db(now or utc_now())
        if status is UserStatus.BLOCKED:
            await self._conn.execute(
                "UPDATE users SET status = ?, updated_at = ?, blocked_at = COALESCE(blocked_at, ?)"
                " WHERE telegram_id = ?",
                (status.value, stamp, stamp, telegram_id),
            )
            return
        await self._conn.execute(
            "UPDATE users SET status = ?, updated_at = ?, blocked_at = NULL WHERE telegram_id = ?",
            (status.value, stamp, telegram_id),
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

    async def get_by_username(self, username: str) -> User | None:
        """The person whose Telegram @username this is (Telegram ignores case in usernames)."""
        row = await fetch_one(
            self._conn,
            USERS.select("lower(username) = lower(?) ORDER BY id LIMIT 1"),
            (username,),
        )
        return USERS.read(row) if row else None

    async def all_by_username(self, username: str, *, limit: int = 10) -> list[User]:
        """Everybody stored with this @username (case ignored), oldest first.

        Telegram lets a username move to another account, and we refresh it only when its
        owner writes to the bot: two rows may carry the same one for a while.
        """
        rows = await fetch_all(
            self._conn,
            USERS.select("lower(username) = lower(?) ORDER BY id LIMIT ?"),
            (username, limit),
        )
        return [USERS.read(row) for row in rows]

    async def count(self, *, role: Role | None = None, unit_id: int | None = None) -> int:
        """How many registered people match: any role / any unit when None."""
        where, params = _filter(role, unit_id)
        row = await fetch_one(self._conn, f"SELECT COUNT(*) FROM users{where}", params)
        return int(row[0]) if row else 0

    async def find(
        self,
        *,
        role: Role | None = None,
        unit_id: int | None = None,
        limit: int,
        offset: int = 0,
    ) -> list[User]:
        """One page of registered people, by name, for the admins' list."""
        where, params = _filter(role, unit_id)
        rows = await fetch_all(
            self._conn,
            f"SELECT {USERS.columns} FROM users{where} ORDER BY lower(display_name), id"
            " LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [USERS.read(row) for row in rows]

    async def active_by_role(self, role: Role) -> list[User]:
        """Everybody active in ``role`` (digest and alert recipients), read at the moment."""
        rows = await fetch_all(
            self._conn,
            USERS.select("role = ? AND status = 'active' ORDER BY id"),
            (role.value,),
        )
        return [USERS.read(row) for row in rows]

    async def active_officers_of_unit(self, unit_id: int) -> list[User]:
        """The active officers of a unit (who get its reminder)."""
        rows = await fetch_all(
            self._conn,
            f"SELECT {USERS.columns} FROM users WHERE unit_id = ? AND role = 'officer'"
            " AND status = 'active' ORDER BY id",
            (unit_id,),
        )
        return [USERS.read(row) for row in rows]

    async def count_active_admins(self) -> int:
        """Read inside the transaction that blocks or demotes, so the last admin stays one."""
        row = await fetch_one(
            self._conn, "SELECT COUNT(*) FROM users WHERE role = 'admin' AND status = 'active'"
        )
        return int(row[0]) if row else 0

    async def set_role(
        self,
        telegram_id: int,
        role: Role,
        *,
        unit_id: int | None,
        now: datetime | None = None,
    ) -> None:
        """Role and unit change together: an officer is never left without a unit in between."""
        await self._conn.execute(
            "UPDATE users SET role = ?, unit_id = ?, updated_at = ? WHERE telegram_id = ?",
            (role.value, unit_id, to_db(now or utc_now()), telegram_id),
        )

    async def set_unit(
        self, telegram_id: int, unit_id: int | None, *, now: datetime | None = None
    ) -> None:
        await self._conn.execute(
            "UPDATE users SET unit_id = ?, updated_at = ? WHERE telegram_id = ?",
            (unit_id, to_db(now or utc_now()), telegram_id),
        )


def _filter(role: Role | None, unit_id: int | None) -> tuple[str, tuple[object, ...]]:
    """A WHERE clause (with its parameters) for the optional role and unit filters."""
    clauses: list[str] = []
    params: list[object] = []
    if role is not None:
        clauses.append("role = ?")
        params.append(role.value)
    if unit_id is not None:
        clauses.append("unit_id = ?")
        params.append(unit_id)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)
