"""The rules of invitations, over plain values: tokens, hashing, validity, who may be invited.

An invitation is a deep link ``https://t.me/<bot>?start=<token>``. Only the token's hash is
stored, so a copy of the database cannot be turned into working links; the plain token exists
only in the admin's message. Handlers call these functions; nothing here knows Telegram or SQL.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from storage import Invite, Role, Unit

#: How long an invitation can be used after it was created.
#: The default; the bot uses the INVITE_TTL_HOURS setting (bot/config.py).
INVITE_TTL = timedelta(hours=72)

#: 24 random bytes: 192 bits, 32 characters of the URL-safe alphabet.
TOKEN_BYTES = 24

#: What Telegram allows in a ``start`` payload: A-Z a-z 0-9 _ - and at most 64 characters.
#: Anything shorter than our shortest token cannot be one of ours either.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

#: A short random key that ties the buttons of one /invite message to the invitation they make,
#: so that a second tap on the same buttons does not make a second invitation.
REQUEST_KEY_BYTES = 6


class InviteStatus(StrEnum):
    OPEN = "open"
    USED = "used"
    REVOKED = "revoked"
    EXPIRED = "expired"


class Refusal(StrEnum):
    """Why a ``/start <payload>`` registers nobody (written to the audit log, never the token)."""

    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"
    UNIT_INACTIVE = "unit_inactive"  # the unit was deactivated after the link was made
    CREATOR_INACTIVE = "creator_inactive"  # its admin was blocked or lost the role since


class TargetProblem(StrEnum):
    """Why an admin's choice of role and unit cannot become an invitation."""

    UNIT_REQUIRED = "unit_required"
    UNIT_UNAVAILABLE = "unit_unavailable"


def new_token() -> str:
    """A fresh token for a deep link: random, URL-safe, 32 characters."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_request_key() -> str:
    return secrets.token_urlsafe(REQUEST_KEY_BYTES)


def hash_token(token: str) -> str:
    """What the database keeps instead of the token (SHA-256, hex): enough to find it again.

    The token already carries 192 random bits, so a salt would add nothing.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(payload: str) -> bool:
    """False for anything no invitation link of ours could carry (too long, odd characters)."""
    return bool(_TOKEN.fullmatch(payload))


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


def expiry(created_at: datetime, ttl: timedelta = INVITE_TTL) -> datetime:
    return created_at + ttl


def status_of(invite: Invite, now: datetime) -> InviteStatus:
    """Used and revoked are final; an open invitation expires at ``expires_at`` exactly."""
    if invite.used_at is not None:
        return InviteStatus.USED
    if invite.revoked_at is not None:
        return InviteStatus.REVOKED
    if now >= invite.expires_at:
        return InviteStatus.EXPIRED
    return InviteStatus.OPEN


_REFUSALS = {
    InviteStatus.USED: Refusal.USED,
    InviteStatus.REVOKED: Refusal.REVOKED,
    InviteStatus.EXPIRED: Refusal.EXPIRED,
}


def refusal_for(payload: str, invite: Invite | None, now: datetime) -> Refusal | None:
    """None when ``invite`` (found by the payload's hash) may register somebody now."""
    if not looks_like_token(payload):
        return Refusal.MALFORMED
    if invite is None:
        return Refusal.UNKNOWN
    return _REFUSALS.get(status_of(invite, now))


def parse_role(text: str) -> Role | None:
    try:
        return Role(text)
    except ValueError:
        return None


def unit_required(role: Role) -> bool:
    """Officers file reports for their unit, so they must have one; others may have none."""
    return role is Role.OFFICER


def target_problem(role: Role, unit_id: int | None, unit: Unit | None) -> TargetProblem | None:
    """None when an invitation for ``role`` in ``unit`` (looked up by ``unit_id``) may be made."""
    if unit_id is None:
        return TargetProblem.UNIT_REQUIRED if unit_required(role) else None
    if unit is None or not unit.active:
        return TargetProblem.UNIT_UNAVAILABLE
    return None
