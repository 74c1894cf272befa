"""The rules of invitations as plain functions: tokens, hashing, validity, role and unit."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot import invitations
from bot.invitations import (
    INVITE_TTL,
    InviteStatus,
    Refusal,
    TargetProblem,
    deep_link,
    expiry,
    hash_token,
    looks_like_token,
    new_request_key,
    new_token,
    parse_role,
    refusal_for,
    status_of,
    target_problem,
)
from bot.inviting import acceptance_refusal
from storage import Invite, Role, Unit, UnitKind

T0 = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
DEEP_LINK_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TERMEZ = Unit(11, "IMT-TER", UnitKind.IMT, "Termiz", "Термез", "Termez", active=True)


def invite(**changes: object) -> Invite:
    base = Invite(
        id=1,
        token_hash=hash_token("x" * 32),
        role=Role.OFFICER,
        unit_id=11,
        created_by=1,
        created_at=T0,
        expires_at=T0 + INVITE_TTL,
        request_key=None,
        used_at=None,
        used_by=None,
        revoked_at=None,
        revoked_by=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# -- tokens -------------------------------------------------------------------------------------


def test_a_token_fits_a_deep_link_and_carries_at_least_128_random_bits() -> None:
    token = new_token()
    assert DEEP_LINK_PAYLOAD.match(token)
    assert invitations.TOKEN_BYTES * 8 >= 128
    assert len(token) == 32  # 24 bytes in base64url, no padding
    assert looks_like_token(token)


def test_tokens_do_not_repeat_and_use_the_whole_alphabet() -> None:
    tokens = [new_token() for _ in range(2000)]
    assert len(set(tokens)) == len(tokens)
    used = set("".join(tokens))
    # 64 000 characters drawn from 64 symbols: a weak generator would leave some out.
    assert len(used) == 64
    assert used <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def test_request_keys_are_short_callback_parts() -> None:
    keys = {new_request_key() for _ in range(200)}
    assert len(keys) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{8}", key) for key in keys)


def test_deep_link() -> None:
    assert deep_link("fieldreport_bot", "abc_DEF-123") == (
        "https://t.me/fieldreport_bot?start=abc_DEF-123"
    )


# -- hashing ------------------------------------------------------------------------------------


def test_the_stored_value_is_a_sha256_hash_not_the_token() -> None:
    token = new_token()
    stored = hash_token(token)
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", stored)
    assert token not in stored
    assert hash_token(token) == stored  # found again by hashing what the link carries
    assert hash_token(new_token()) != stored


@pytest.mark.parametrize(
    ("payload", "ok"),
    [
        ("A" * 16, True),
        ("a-b_c" * 12 + "abcd", True),  # 64 characters
        ("A" * 15, False),
        ("A" * 65, False),
        ("A" * 500, False),
        ("<b>hello</b>world!", False),
        ("abc def ghi jkl mno", False),
        ("токен" * 5, False),
        ("", False),
        ("x" * 20 + "';--", False),
    ],
)
def test_only_payloads_shaped_like_our_tokens_are_looked_up(payload: str, ok: bool) -> None:
    assert looks_like_token(payload) is ok


# -- validity -----------------------------------------------------------------------------------


def test_an_invitation_is_open_until_it_expires() -> None:
    assert expiry(T0) == T0 + INVITE_TTL == T0 + timedelta(hours=72)
    fresh = invite()
    assert status_of(fresh, T0) is InviteStatus.OPEN
    assert status_of(fresh, T0 + INVITE_TTL - timedelta(microseconds=1)) is InviteStatus.OPEN
    assert status_of(fresh, T0 + INVITE_TTL) is InviteStatus.EXPIRED


def test_used_and_revoked_are_final_whatever_the_time() -> None:
    used = invite(used_at=T0, used_by=5)
    revoked = invite(revoked_at=T0, revoked_by=1)
    for moment in (T0, T0 + 2 * INVITE_TTL):
        assert status_of(used, moment) is InviteStatus.USED
        assert status_of(revoked, moment) is InviteStatus.REVOKED


@pytest.mark.parametrize(
    ("payload", "found", "expected"),
    [
        ("A" * 32, invite(), None),
        ("A" * 32, None, Refusal.UNKNOWN),
        ("A" * 500, None, Refusal.MALFORMED),
        ("<script>", invite(), Refusal.MALFORMED),
        ("A" * 32, invite(expires_at=T0), Refusal.EXPIRED),
        ("A" * 32, invite(used_at=T0, used_by=5), Refusal.USED),
        ("A" * 32, invite(revoked_at=T0, revoked_by=1), Refusal.REVOKED),
    ],
)
def test_refusals(payload: str, found: Invite | None, expected: Refusal | None) -> None:
    assert refusal_for(payload, found, T0 + timedelta(hours=1)) is expected


# -- role and unit ------------------------------------------------------------------------------


def test_roles_from_callback_data() -> None:
    assert parse_role("officer") is Role.OFFICER
    assert parse_role("admin") is Role.ADMIN
    assert parse_role("wizard") is None
    assert parse_role("") is None


def test_officers_need_an_active_unit_the_others_may_have_none() -> None:
    closed = replace(TERMEZ, active=False)
    assert target_problem(Role.OFFICER, 11, TERMEZ) is None
    assert target_problem(Role.OFFICER, None, None) is TargetProblem.UNIT_REQUIRED
    assert target_problem(Role.COORDINATOR, None, None) is None
    assert target_problem(Role.ADMIN, None, None) is None
    assert target_problem(Role.COORDINATOR, 11, TERMEZ) is None
    for role in Role:
        assert target_problem(role, 11, closed) is TargetProblem.UNIT_UNAVAILABLE
        assert target_problem(role, 999, None) is TargetProblem.UNIT_UNAVAILABLE


# --- accepting: the unit as it is now ------------------------------------------------------

CLOSED = replace(TERMEZ, active=False)
TOKEN = "x" * 32


@pytest.mark.parametrize(
    ("made", "unit", "expected"),
    [
        (invite(), TERMEZ, None),
        (invite(), CLOSED, Refusal.UNIT_INACTIVE),  # deactivated after the link was made
        (invite(), None, Refusal.UNIT_INACTIVE),  # gone
        (invite(unit_id=None, role=Role.COORDINATOR), None, None),  # no unit to check
        (invite(revoked_at=T0), CLOSED, Refusal.REVOKED),  # the invitation's own state first
    ],
)
def test_an_invitation_takes_nobody_into_a_unit_that_is_no_longer_active(
    made: Invite, unit: Unit | None, expected: Refusal | None
) -> None:
    assert acceptance_refusal(TOKEN, made, unit, T0 + timedelta(hours=1)) is expected
