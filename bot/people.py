"""Admins' operations on people, each in the caller's transaction: list, look up, open a card,
change a role, move, block, unblock.

Every function first asks bot/authority.py who is acting (read again here, by Telegram id),
then applies the rules of bot/administration.py to the people and the admin count as they are
in this same transaction, then acts and audits — or audits the refusal and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot import administration
from bot.administration import Refusal, UserReference
from bot.authority import Operation, Refused, acting
from storage import Repositories, Role, Unit, User, UserStatus

Action = Literal["role", "move", "block", "unblock"]

OPERATIONS: dict[Action, Operation] = {
    "role": Operation.ROLE_CHANGE,
    "move": Operation.MOVE,
    "block": Operation.BLOCK,
    "unblock": Operation.UNBLOCK,
}

#: At most this many people listed when one @username matches several accounts.
MAX_MATCHES = 10


@dataclass(frozen=True)
class Page:
    """One page of the people list, with every unit (for labels and the unit filter)."""

    total: int
    page: int
    pages: int
    people: list[User]
    units: dict[int, Unit]


async def list_page(
    repos: Repositories,
    actor_telegram_id: int | None,
    *,
    role: Role | None,
    unit_id: int | None,
    page: int,
    page_size: int,
) -> Page | Refused:
    actor = await acting(repos, actor_telegram_id, Operation.USER_LIST)
    if isinstance(actor, Refused):
        return actor
    total = await repos.users.count(role=role, unit_id=unit_id)
    pages = max(1, -(-total // page_size))
    page = min(max(page, 0), pages - 1)
    people = await repos.users.find(
        role=role, unit_id=unit_id, limit=page_size, offset=page * page_size
    )
    units = {unit.id: unit for unit in await repos.units.list()}
    return Page(total, page, pages, people, units)


async def units(repos: Repositories, actor_telegram_id: int | None) -> list[Unit] | Refused:
    """Every unit, for the list's unit filter."""
    actor = await acting(repos, actor_telegram_id, Operation.USER_LIST)
    if isinstance(actor, Refused):
        return actor
    return await repos.units.list()


async def look_up(
    repos: Repositories, actor_telegram_id: int | None, reference: UserReference
) -> list[User] | Refused:
    """Everybody ``reference`` may mean: one person by id; by @username, all who carry it."""
    actor = await acting(repos, actor_telegram_id, Operation.USER_CARD)
    if isinstance(actor, Refused):
        return actor
    if reference.telegram_id is not None:
        person = await repos.users.get_by_telegram_id(reference.telegram_id)
        return [person] if person else []
    assert reference.username is not None
    return await repos.users.all_by_username(reference.username, limit=MAX_MATCHES)


async def card(
    repos: Repositories, actor_telegram_id: int | None, person_id: int
) -> tuple[User, Unit | None] | Refused | None:
    """The person and their unit as they are now; None: no such person."""
    actor = await acting(repos, actor_telegram_id, Operation.USER_CARD, target=str(person_id))
    if isinstance(actor, Refused):
        return actor
    person = await repos.users.get(person_id)
    if person is None:
        return None
    return person, await unit_of(repos, person)


async def unit_of(repos: Repositories, person: User) -> Unit | None:
    return await repos.units.get(person.unit_id) if person.unit_id is not None else None


@dataclass(frozen=True)
class Decision:
    """What the transaction found: the people as they are now, and the rules' answer."""

    actor: User
    person: User
    unit: Unit | None  # the person's unit after the change (or now, when refused)
    refusal: Refusal | None
    old_unit: Unit | None = None


REFUSED_ACTIONS: dict[Action, str] = {
    kind: operation.refused_action for kind, operation in OPERATIONS.items()
}


async def decide(
    repos: Repositories,
    actor_telegram_id: int | None,
    person_id: int,
    kind: Action,
    *,
    role: Role | None = None,
    unit_id: int | None = None,
    unit_chosen: bool = False,
    quiet: frozenset[Refusal] = frozenset({Refusal.UNCHANGED}),
) -> Decision | Refused | None:
    """Read both people and the admin count, apply the rule for ``kind``; None: no such
    person or unit.

    A refusal is audited here, in the transaction that found it — except the ``quiet`` ones,
    which are not attempts to break a rule (a repeated tap; a unit still to be chosen).
    """
    actor = await acting(repos, actor_telegram_id, OPERATIONS[kind], target=str(person_id))
    if isinstance(actor, Refused):
        return actor
    person = await repos.users.get(person_id)
    if person is None:
        return None
    old_unit = await unit_of(repos, person)
    unit = old_unit
    if unit_chosen:
        unit = await repos.units.get(unit_id) if unit_id is not None else None
        if unit_id is not None and unit is None:
            return None
    refusal: Refusal | None
    if kind == "role":
        assert role is not None
        admins = await repos.users.count_active_admins()
        refusal = administration.may_change_role(actor, person, role, unit, admins)
    elif kind == "move":
        refusal = administration.may_move(actor, person, unit)
    elif kind == "block":
        refusal = administration.may_block(actor, person, await repos.users.count_active_admins())
    else:
        refusal = administration.may_unblock(actor, person)
    if refusal is not None and refusal not in quiet:
        await repos.audit.add(
            REFUSED_ACTIONS[kind],
            actor_telegram_id=actor.telegram_id,
            target=str(person.telegram_id),
            details={"reason": refusal.value, "role": role.value if role else None},
        )
    return Decision(actor, person, unit, refusal, old_unit)


async def change_role(
    repos: Repositories,
    actor_telegram_id: int | None,
    person_id: int,
    role: Role,
    *,
    unit_id: int | None = None,
    unit_chosen: bool = False,
) -> Decision | Refused | None:
    """Give ``person_id`` the ``role`` (and the chosen unit, or keep theirs)."""
    decision = await decide(
        repos,
        actor_telegram_id,
        person_id,
        "role",
        role=role,
        unit_id=unit_id,
        unit_chosen=unit_chosen,
    )
    if not isinstance(decision, Decision) or decision.refusal is not None:
        return decision
    person, unit = decision.person, decision.unit
    await repos.users.set_role(person.telegram_id, role, unit_id=unit.id if unit else None)
    await repos.audit.add(
        "user.role_changed",
        actor_telegram_id=decision.actor.telegram_id,
        target=str(person.telegram_id),
        details={
            "from": person.role.value,
            "to": role.value,
            "unit_from": decision.old_unit.code if decision.old_unit else None,
            "unit_to": unit.code if unit else None,
        },
    )
    return decision


async def move(
    repos: Repositories, actor_telegram_id: int | None, person_id: int, unit_id: int | None
) -> Decision | Refused | None:
    """Move ``person_id`` to ``unit_id`` (None: no unit, never for an officer)."""
    decision = await decide(
        repos, actor_telegram_id, person_id, "move", unit_id=unit_id, unit_chosen=True
    )
    if not isinstance(decision, Decision) or decision.refusal is not None:
        return decision
    await repos.users.set_unit(decision.person.telegram_id, unit_id)
    await repos.audit.add(
        "user.moved",
        actor_telegram_id=decision.actor.telegram_id,
        target=str(decision.person.telegram_id),
        details={
            "from": decision.old_unit.code if decision.old_unit else None,
            "to": decision.unit.code if decision.unit else None,
        },
    )
    return decision


async def set_blocked(
    repos: Repositories, actor_telegram_id: int | None, person_id: int, *, blocked: bool
) -> Decision | Refused | None:
    decision = await decide(repos, actor_telegram_id, person_id, "block" if blocked else "unblock")
    if not isinstance(decision, Decision) or decision.refusal is not None:
        return decision
    await repos.users.set_status(
        decision.person.telegram_id, UserStatus.BLOCKED if blocked else UserStatus.ACTIVE
    )
    await repos.audit.add(
        "user.blocked" if blocked else "user.unblocked",
        actor_telegram_id=decision.actor.telegram_id,
        target=str(decision.person.telegram_id),
    )
    return decision
