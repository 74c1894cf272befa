"""The invitation repository against a fresh database with every migration applied."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest

from bot.invitations import INVITE_TTL, hash_token, new_token
from storage import Database, Invite, Repositories, Role, cipher

T0 = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
LATER = T0 + timedelta(hours=1)


async def _admin(repos: Repositories) -> int:
    admin = await repos.users.get_by_telegram_id(1)
    if admin is None:
        admin = await repos.users.create(telegram_id=1, role=Role.ADMIN, display_name="Admin")
    return admin.id


async def _termez(repos: Repositories) -> int:
    unit = await repos.units.get_by_code("IMT-TER")
    assert unit is not None
    return unit.id


async def _invite(
    repos: Repositories,
    token: str | None = None,
    *,
    role: Role = Role.OFFICER,
    created_at: datetime = T0,
    request_key: str | None = None,
) -> Invite:
    unit_id = await _termez(repos) if role is Role.OFFICER else None
    return await repos.invites.create(
        token_hash=hash_token(token or new_token()),
        role=role,
        unit_id=unit_id,
        created_by=await _admin(repos),
        expires_at=created_at + INVITE_TTL,
        request_key=request_key,
        now=created_at,
    )


async def _newcomer(repos: Repositories, telegram_id: int) -> int:
    user = await repos.users.create(telegram_id=telegram_id, role=Role.OFFICER)
    return user.id


async def test_an_invitation_is_stored_as_a_hash_and_found_by_it(db: Database) -> None:
    token = new_token()
    async with db.transaction() as repos:
        created = await _invite(repos, token, request_key="key12345")
    async with db.read() as repos:
        found = await repos.invites.get_by_token_hash(hash_token(token))
        by_key = await repos.invites.get_by_request_key("key12345")
        assert await repos.invites.get_by_token_hash(token) is None
        async with repos.users._conn.execute("SELECT * FROM invites") as cursor:
            rows = [tuple(row) for row in await cursor.fetchall()]
    assert found == created == by_key
    assert created.role is Role.OFFICER
    assert created.created_at == T0
    assert created.expires_at == T0 + INVITE_TTL
    assert (created.used_at, created.used_by, created.revoked_at) == (None, None, None)
    assert rows
    assert all(token not in str(value) for row in rows for value in row)


async def test_an_invitation_is_claimed_exactly_once(db: Database) -> None:
    async with db.transaction() as repos:
        invite = await _invite(repos)
        first, second = await _newcomer(repos, 10), await _newcomer(repos, 11)
        assert await repos.invites.claim(invite.id, used_by=first, now=LATER)
        assert not await repos.invites.claim(invite.id, used_by=second, now=LATER)
        assert not await repos.invites.revoke(invite.id, revoked_by=await _admin(repos), now=LATER)
        stored = await repos.invites.get(invite.id)
    assert stored is not None
    assert (stored.used_at, stored.used_by) == (LATER, first)
    assert stored.revoked_at is None


async def test_a_revoked_or_expired_invitation_cannot_be_claimed(db: Database) -> None:
    async with db.transaction() as repos:
        revoked = await _invite(repos)
        expired = await _invite(repos, created_at=T0 - INVITE_TTL)
        admin = await _admin(repos)
        newcomer = await _newcomer(repos, 10)
        assert await repos.invites.revoke(revoked.id, revoked_by=admin, now=LATER)
        assert not await repos.invites.revoke(revoked.id, revoked_by=admin, now=LATER)
        assert not await repos.invites.claim(revoked.id, used_by=newcomer, now=LATER)
        assert not await repos.invites.claim(expired.id, used_by=newcomer, now=LATER)
        assert not await repos.invites.revoke(expired.id, revoked_by=admin, now=LATER)
        after = await repos.invites.get(revoked.id)
    assert after is not None
    assert (after.revoked_at, after.revoked_by, after.used_at) == (LATER, admin, None)


async def test_the_open_list_leaves_out_used_revoked_and_expired(db: Database) -> None:
    async with db.transaction() as repos:
        late = await _invite(repos, created_at=T0)
        early = await _invite(repos, role=Role.COORDINATOR, created_at=T0 - timedelta(hours=5))
        used = await _invite(repos)
        revoked = await _invite(repos)
        await _invite(repos, created_at=T0 - 2 * INVITE_TTL)  # long expired
        await repos.invites.claim(used.id, used_by=await _newcomer(repos, 10), now=LATER)
        await repos.invites.revoke(revoked.id, revoked_by=await _admin(repos), now=LATER)
    async with db.read() as repos:
        open_ = await repos.invites.list_open(now=LATER)
        first = await repos.invites.list_open(now=LATER, limit=1)
        count = await repos.invites.count_open(now=LATER)
        count_much_later = await repos.invites.count_open(now=T0 + INVITE_TTL)
    assert [invite.id for invite in open_] == [early.id, late.id]  # the soonest to expire first
    assert early.unit_id is None
    assert [invite.id for invite in first] == [early.id]
    assert count == 2
    assert count_much_later == 0


async def test_nothing_is_written_unless_the_caller_commits(db: Database) -> None:
    async with db.transaction() as repos:
        invite = await _invite(repos)
    with pytest.raises(RuntimeError):
        async with db.transaction() as repos:
            newcomer = await _newcomer(repos, 10)
            assert await repos.invites.claim(invite.id, used_by=newcomer, now=LATER)
            raise RuntimeError("the registration failed after the claim")
    async with db.read() as repos:
        again = await repos.invites.get(invite.id)
        assert await repos.users.get_by_telegram_id(10) is None
    assert again is not None
    assert again.used_at is None


KNOWN_TOKEN = "K" * 32


@pytest.mark.parametrize(
    ("token_hash", "role", "unit_code", "request_key"),
    [
        pytest.param(hash_token(KNOWN_TOKEN), Role.ADMIN, None, None, id="the same token twice"),
        pytest.param("f" * 64, Role.OFFICER, None, None, id="an officer without a unit"),
        pytest.param(KNOWN_TOKEN, Role.ADMIN, None, None, id="a token instead of its hash"),
        pytest.param("e" * 64, Role.OFFICER, "NOWHERE", None, id="an unknown unit"),
        pytest.param("d" * 64, Role.ADMIN, None, "same-key", id="the same buttons twice"),
    ],
)
async def test_the_schema_refuses_what_the_rules_forbid(
    db: Database, token_hash: str, role: Role, unit_code: str | None, request_key: str | None
) -> None:
    async with db.transaction() as repos:
        await _invite(repos, KNOWN_TOKEN, request_key="same-key")
        admin = await _admin(repos)
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            await repos.invites.create(
                token_hash=token_hash,
                role=role,
                unit_id=999 if unit_code else None,
                created_by=admin,
                expires_at=T0 + INVITE_TTL,
                request_key=request_key,
                now=T0,
            )
    async with db.read() as repos:
        assert await repos.invites.count_open(now=T0) == 1


def test_the_migration_uses_portable_sql() -> None:
    sql = resources.files("storage.migrations").joinpath("0004_invites.sql").read_text("utf-8")
    for sqlite_only in ("AUTOINCREMENT", "datetime(", "strftime(", "julianday(", "PRAGMA", "GLOB"):
        assert sqlite_only.lower() not in sql.lower()
