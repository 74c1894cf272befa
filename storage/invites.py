"""Invitations: created by admins, used once by a newcomer, or revoked.

Using and revoking are conditional UPDATEs whose row count says whether this call won, so two
people racing for one invitation (or an admin revoking it meanwhile) cannot both succeed.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.clock import from_db, to_db, utc_now
from storage.columns import Table, column, moment_or_none
from storage.models import Invite, Role
from storage.sql import execute_counting, fetch_all, fetch_one

#: ``invites``, in the order of :class:`Invite`'s fields.
INVITES: Table[Invite] = Table(
    "invites",
    Invite,
    [
        column("id", int),
        column("token_hash", str),
        column("role", Role),
        column("unit_id"),
        column("created_by", int),
        column("created_at", from_db),
        column("expires_at", from_db),
        column("request_key"),
        column("used_at", moment_or_none),
        column("used_by"),
        column("revoked_at", moment_or_none),
        column("revoked_by"),
    ],
)

#: Not used, not revoked, not expired at the bound moment. Timestamps are UTC ISO-8601 text of
#: one fixed format (storage/clock.py), so comparing the text compares the moments.
_OPEN = "used_at IS NULL AND revoked_at IS NULL AND expires_at > ?"


class InviteRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def create(
        self,
        *,
        token_hash: str,
        role: Role,
        unit_id: int | None,
        created_by: int,
        expires_at: datetime,
        request_key: str | None = None,
        now: datetime | None = None,
    ) -> Invite:
        row = await fetch_one(
            self._conn,
            "INSERT INTO invites (token_hash, role, unit_id, created_by, created_at, expires_at,"
            f" request_key) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {INVITES.columns}",
            (
                token_hash,
                role.value,
                unit_id,
                created_by,
                to_db(now or utc_now()),
                to_db(expires_at),
                request_key,
            ),
        )
        assert row is not None
        return INVITES.read(row)

    async def get(self, invite_id: int) -> Invite | None:
        return await self._one("id = ?", invite_id)

    async def get_by_token_hash(self, token_hash: str) -> Invite | None:
        return await self._one("token_hash = ?", token_hash)

    async def get_by_request_key(self, request_key: str) -> Invite | None:
        return await self._one("request_key = ?", request_key)

    async def list_open(self, *, now: datetime, limit: int = 20) -> list[Invite]:
        """Open invitations, the one that expires first first."""
        rows = await fetch_all(
            self._conn,
            f"SELECT {INVITES.columns} FROM invites WHERE {_OPEN} ORDER BY expires_at, id LIMIT ?",
            (to_db(now), limit),
        )
        return [INVITES.read(row) for row in rows]

    async def count_open(self, *, now: datetime) -> int:
        row = await fetch_one(
            self._conn, f"SELECT COUNT(*) FROM invites WHERE {_OPEN}", (to_db(now),)
        )
        return int(row[0]) if row else 0

    async def claim(self, invite_id: int, *, used_by: int, now: datetime | None = None) -> bool:
        """Mark the invitation used by ``used_by``; False if it was not open any more."""
        stamp = to_db(now or utc_now())
        changed = await execute_counting(
            self._conn,
            f"UPDATE invites SET used_at = ?, used_by = ? WHERE id = ? AND {_OPEN}",
            (stamp, used_by, invite_id, stamp),
        )
        return changed == 1

    async def revoke(self, invite_id: int, *, revoked_by: int, now: datetime | None = None) -> bool:
        """Revoke the invitation; False if it was already used, revoked or expired."""
        stamp = to_db(now or utc_now())
        changed = await execute_counting(
            self._conn,
            f"UPDATE invites SET revoked_at = ?, revoked_by = ? WHERE id = ? AND {_OPEN}",
            (stamp, revoked_by, invite_id, stamp),
        )
        return changed == 1

    async def _one(self, where: str, value: int | str) -> Invite | None:
        # ``where`` is always one of this module's literals; the value is a bound parameter.
        row = await fetch_one(self._conn, INVITES.select(where), (value,))
        return INVITES.read(row) if row else None
