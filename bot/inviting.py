"""Invitations as operations, each in the caller's transaction: list, make, revoke, accept.

Who acts is read again here (bot/authority.py), so a link is never made, listed or revoked for
somebody who stopped being an admin after the gate let the tap in. Accepting checks the
invitation's unit as it is now: a unit deactivated after the link was made takes nobody in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import invitations
from bot.authority import ADMINS, Operation, Refused, acting, denial_of
from bot.invitations import InviteStatus, Refusal, TargetProblem
from storage import Invite, Repositories, Role, Unit, User
from storage.clock import to_db


@dataclass(frozen=True)
class OpenList:
    total: int
    invites: list[Invite]
    units: dict[int, Unit]
    creators: dict[int, User | None]


async def open_list(
    repos: Repositories, actor_telegram_id: int | None, *, now: datetime, limit: int
) -> OpenList | Refused:
    """The open invitations (the first ``limit`` to expire), with their units and creators."""
    actor = await acting(repos, actor_telegram_id, Operation.INVITE_LIST)
    if isinstance(actor, Refused):
        return actor
    invites = await repos.invites.list_open(now=now, limit=limit)
    return OpenList(
        total=await repos.invites.count_open(now=now),
        invites=invites,
        units={unit.id: unit for unit in await repos.units.list()},
        creators={
            user_id: await repos.users.get(user_id)
            for user_id in {invite.created_by for invite in invites}
        },
    )


async def choices(
    repos: Repositories, actor_telegram_id: int | None, key: str
) -> tuple[Invite | None, list[Unit]] | Refused:
    """For the unit step: what these buttons already made, and the active units."""
    actor = await acting(repos, actor_telegram_id, Operation.INVITE_CREATE)
    if isinstance(actor, Refused):
        return actor
    made = await repos.invites.get_by_request_key(key)
    return made, await repos.units.list(active_only=True)


@dataclass(frozen=True)
class Made:
    """What a tap on a unit made: the invitation, or why not (already made, a unit problem)."""

    invite: Invite | None
    unit: Unit | None
    already_made: bool
    problem: TargetProblem | None
    units: list[Unit]  # the active units now, to ask again


async def create(
    repos: Repositories,
    actor_telegram_id: int | None,
    *,
    key: str,
    role: Role,
    unit_id: int | None,
    token: str,
    expires_at: datetime,
    now: datetime,
) -> Made | Refused:
    """Make the invitation for ``role`` in ``unit_id``, once per ``key`` (the /invite message)."""
    actor = await acting(repos, actor_telegram_id, Operation.INVITE_CREATE)
    if isinstance(actor, Refused):
        return actor
    made = await repos.invites.get_by_request_key(key)
    unit = await repos.units.get(unit_id) if unit_id is not None else None
    problem = invitations.target_problem(role, unit_id, unit)
    invite: Invite | None = None
    if made is None and problem is None:
        invite = await repos.invites.create(
            token_hash=invitations.hash_token(token),
            role=role,
            unit_id=unit.id if unit else None,
            created_by=actor.id,
            expires_at=expires_at,
            request_key=key,
            now=now,
        )
        await repos.audit.add(
            "invite.created",
            actor_telegram_id=actor.telegram_id,
            target=str(invite.id),
            details={
                "role": role.value,
                "unit": unit.code if unit else None,
                "expires_at": to_db(expires_at),
            },
        )
    units = await repos.units.list(active_only=True)
    return Made(invite, unit, made is not None, problem, units)


@dataclass(frozen=True)
class Revocation:
    invite: Invite | None  # None: no such invitation
    unit: Unit | None
    revoked: bool
    status: InviteStatus | None  # when not revoked: what it is instead


async def look(
    repos: Repositories, actor_telegram_id: int | None, invite_id: int, *, now: datetime
) -> Revocation | Refused:
    """The invitation an admin is about to revoke, as it is now (nothing is changed)."""
    return await _revocation(repos, actor_telegram_id, invite_id, now=now, revoke=False)


async def revoke(
    repos: Repositories, actor_telegram_id: int | None, invite_id: int, *, now: datetime
) -> Revocation | Refused:
    return await _revocation(repos, actor_telegram_id, invite_id, now=now, revoke=True)


async def _revocation(
    repos: Repositories,
    actor_telegram_id: int | None,
    invite_id: int,
    *,
    now: datetime,
    revoke: bool,
) -> Revocation | Refused:
    actor = await acting(repos, actor_telegram_id, Operation.INVITE_REVOKE, target=str(invite_id))
    if isinstance(actor, Refused):
        return actor
    invite = await repos.invites.get(invite_id)
    if invite is None:
        return Revocation(None, None, False, None)
    revoked = revoke and await repos.invites.revoke(invite_id, revoked_by=actor.id, now=now)
    if revoked:
        await repos.audit.add(
            "invite.revoked", actor_telegram_id=actor.telegram_id, target=str(invite_id)
        )
    unit = await repos.units.get(invite.unit_id) if invite.unit_id else None
    status = None if revoked else invitations.status_of(invite, now)
    return Revocation(invite, unit, revoked, status)


def acceptance_refusal(
    payload: str, invite: Invite | None, unit: Unit | None, now: datetime
) -> Refusal | None:
    """:func:`bot.invitations.refusal_for`, plus the unit as it is now: one deactivated (or
    gone) since the link was made registers nobody — an officer must not arrive in a unit
    that files no reports."""
    refusal = invitations.refusal_for(payload, invite, now)
    if refusal is not None or invite is None or invite.unit_id is None:
        return refusal
    if unit is None or not unit.active:
        return Refusal.UNIT_INACTIVE
    return None


def creator_refusal(invite: Invite | None, creator: User | None) -> Refusal | None:
    """An invitation speaks for the admin who made it, as they are now: one made by somebody
    blocked or no longer an admin since (a stolen phone found out) registers nobody, or
    blocking a rogue admin would leave their admin invitations working."""
    if invite is None or denial_of(creator, ADMINS) is None:
        return None
    return Refusal.CREATOR_INACTIVE


async def creator_to_tell(repos: Repositories, invite: Invite, newcomer: User) -> User | None:
    """Who is told that ``invite`` was used: its creator, while still an active admin (a
    person whose rights were taken away learns nothing more about who joins)."""
    creator = await repos.users.get(invite.created_by)
    if creator is None or creator.id == newcomer.id:
        return None
    if not creator.is_active or creator.role is not Role.ADMIN:
        return None
    return creator
