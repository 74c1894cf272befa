"""Who is acting: the lock behind the gate.

The gate (bot/handlers/gate.py) is the polite front door; it can be wrong for an instant (a
refusal it could not deliver, a role changed between the gate and the act, a button tapped on a
card shown an hour ago). So every operation that reads protected data or changes state asks
:func:`acting` first, inside the transaction that then acts: the actor is read again from the
database there, by the Telegram id of the update, and checked against this module's own table of
roles — deliberately not bot/access.py's, so one mistake in one table opens nothing.

A refusal is returned, never raised: the transaction then commits normally, with the audit line
:func:`acting` wrote and nothing else (an exception would roll the audit line back with it).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from storage import Repositories, Role, User

ADMINS: frozenset[Role] = frozenset({Role.ADMIN})
COORDINATION: frozenset[Role] = frozenset({Role.COORDINATOR, Role.ADMIN})
FILERS: frozenset[Role] = frozenset({Role.OFFICER, Role.ADMIN})


class Operation(StrEnum):
    """Every protected operation; a refusal is audited as ``<operation>_refused``."""

    USER_LIST = "user.list"
    USER_CARD = "user.card"
    ROLE_CHANGE = "user.role_change"
    MOVE = "user.move"
    BLOCK = "user.block"
    UNBLOCK = "user.unblock"
    INVITE_CREATE = "invite.create"
    INVITE_REVOKE = "invite.revoke"
    INVITE_LIST = "invite.list"
    UNIT_LIST = "unit.list"
    UNIT_CREATE = "unit.create"
    UNIT_RENAME = "unit.rename"
    UNIT_SWITCH = "unit.switch"
    CROSSING_POINT_ADD = "crossing_point.add"
    CROSSING_POINT_REMOVE = "crossing_point.remove"
    GROUP_BIND = "group.bind"
    GROUP_UNBIND = "group.unbind"
    GROUP_LANGUAGE = "group.language"
    SETTINGS_READ = "settings.read"
    SETTINGS_CHANGE = "settings.change"
    AUDIT_READ = "audit.read"
    REFERENCE_LIST = "reference.list"
    REFERENCE_RENAME = "reference.rename"
    FACTOR_LIST = "factor.list"
    FACTOR_CHANGE = "factor.change"
    EXPORT = "export"
    ROUTES_READ = "routes.read"
    DIGEST = "digest.on_demand"
    ALERT_ACKNOWLEDGE = "alert.acknowledge"
    ALERT_ASK = "alert.ask"
    ALERT_ANSWER = "alert.answer"
    REPORT_OPEN = "report.open"
    REPORT_AMEND = "report.amend"
    REPORT_WITHDRAW = "report.withdraw"

    @property
    def refused_action(self) -> str:
        return f"{self.value}_refused"


#: Who may do what. Not derived from bot/access.py on purpose (see the module docstring).
ROLES: dict[Operation, frozenset[Role]] = {
    **{
        operation: ADMINS
        for operation in (
            Operation.USER_LIST,
            Operation.USER_CARD,
            Operation.ROLE_CHANGE,
            Operation.MOVE,
            Operation.BLOCK,
            Operation.UNBLOCK,
            Operation.INVITE_CREATE,
            Operation.INVITE_REVOKE,
            Operation.INVITE_LIST,
            Operation.UNIT_LIST,
            Operation.UNIT_CREATE,
            Operation.UNIT_RENAME,
            Operation.UNIT_SWITCH,
            Operation.CROSSING_POINT_ADD,
            Operation.CROSSING_POINT_REMOVE,
            Operation.GROUP_BIND,
            Operation.GROUP_UNBIND,
            Operation.GROUP_LANGUAGE,
            Operation.SETTINGS_READ,
            Operation.SETTINGS_CHANGE,
            Operation.AUDIT_READ,
            Operation.REFERENCE_LIST,
            Operation.REFERENCE_RENAME,
            Operation.FACTOR_LIST,
            Operation.FACTOR_CHANGE,
        )
    },
    Operation.EXPORT: COORDINATION,
    Operation.ROUTES_READ: COORDINATION,
    Operation.DIGEST: COORDINATION,
    Operation.ALERT_ACKNOWLEDGE: COORDINATION,
    Operation.ALERT_ASK: COORDINATION,
    Operation.ALERT_ANSWER: FILERS,
    Operation.REPORT_OPEN: FILERS,
    Operation.REPORT_AMEND: FILERS,
    Operation.REPORT_WITHDRAW: FILERS,
}


class Denial(StrEnum):
    """Why the actor may not do it (the handler picks the words, the audit keeps the value)."""

    NO_ACCOUNT = "no_account"
    BLOCKED = "blocked"
    WRONG_ROLE = "wrong_role"
    NOT_OWNER = "not_owner"  # somebody else's report, somebody else's question


@dataclass(frozen=True)
class Refused:
    """An operation refused by the rules layer; ``roles`` are the ones that may do it."""

    operation: Operation
    denial: Denial

    @property
    def roles(self) -> frozenset[Role]:
        return ROLES[self.operation]


def denial_of(actor: User | None, roles: frozenset[Role]) -> Denial | None:
    """None when ``actor`` (as read now) may act with one of ``roles``."""
    if actor is None:
        return Denial.NO_ACCOUNT
    if not actor.is_active:
        return Denial.BLOCKED
    if actor.role not in roles:
        return Denial.WRONG_ROLE
    return None


async def acting(
    repos: Repositories,
    telegram_id: int | None,
    operation: Operation,
    *,
    target: str | None = None,
) -> User | Refused:
    """The actor read in this transaction, or the audited refusal."""
    actor = await repos.users.get_by_telegram_id(telegram_id) if telegram_id is not None else None
    denial = denial_of(actor, ROLES[operation])
    if denial is None:
        assert actor is not None
        return actor
    return await refuse(repos, telegram_id, operation, denial, actor=actor, target=target)


async def refuse(
    repos: Repositories,
    telegram_id: int | None,
    operation: Operation,
    denial: Denial,
    *,
    actor: User | None = None,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> Refused:
    """Write the refusal's audit line (in the caller's transaction, which commits it)."""
    await repos.audit.add(
        operation.refused_action,
        actor_telegram_id=telegram_id,
        target=target,
        details={
            "reason": denial.value,
            "actor_role": actor.role.value if actor else None,
            **(details or {}),
        },
    )
    return Refused(operation, denial)
