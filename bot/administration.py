"""The rules of administration, over plain values: who may re-role, move or block whom, and
which typed codes, names and user references are acceptable.

Nothing an admin does may lock everybody out, so the handlers ask these functions inside the
transaction that makes the change, with the number of active admins counted in that same
transaction: two admins acting at once cannot together leave the bot without one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from storage import Role, Unit, UnitKind, User

MAX_NAME_CHARS = 64
MIN_CODE_CHARS = 2
MAX_CODE_CHARS = 16
#: Telegram user ids have at most 52 significant bits; anything longer is a typo.
MAX_TELEGRAM_ID = 2**53
_CODE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")
_USERNAME = re.compile(r"^[A-Za-z0-9_]{1,32}$")
_DIGITS = re.compile(r"^[0-9]{1,16}$")


class Refusal(StrEnum):
    """Why an admin action is not done (each has its own message and audit line)."""

    NOT_ADMIN = "not_admin"  # the actor lost their rights since the update arrived
    UNCHANGED = "unchanged"  # already so: a repeated tap
    SELF_BLOCK = "self_block"
    SELF_DEMOTE = "self_demote"
    LAST_ADMIN = "last_admin"
    OFFICER_NEEDS_UNIT = "officer_needs_unit"
    UNIT_INACTIVE = "unit_inactive"


def _actor_refusal(actor: User) -> Refusal | None:
    if actor.role is not Role.ADMIN or not actor.is_active:
        return Refusal.NOT_ADMIN
    return None


def is_last_active_admin(target: User, active_admins: int) -> bool:
    return target.role is Role.ADMIN and target.is_active and active_admins <= 1


def may_change_role(
    actor: User, target: User, role: Role, unit: Unit | None, active_admins: int
) -> Refusal | None:
    """``unit`` is the unit ``target`` will have after the change (their current one, or new).

    The last active admin is checked before "yourself" so the one admin left hears the real
    reason: somebody else must be made an admin first.
    """
    refusal = _actor_refusal(actor)
    if refusal is not None:
        return refusal
    if role is target.role:
        return Refusal.UNCHANGED
    if target.role is Role.ADMIN and role is not Role.ADMIN:
        if is_last_active_admin(target, active_admins):
            return Refusal.LAST_ADMIN
        if target.id == actor.id:
            return Refusal.SELF_DEMOTE
    if role is Role.OFFICER:
        if unit is None:
            return Refusal.OFFICER_NEEDS_UNIT
        if not unit.active:
            return Refusal.UNIT_INACTIVE
    return None


def may_move(actor: User, target: User, unit: Unit | None) -> Refusal | None:
    """``unit`` None means "no unit": fine for coordinators and admins, never for an officer."""
    refusal = _actor_refusal(actor)
    if refusal is not None:
        return refusal
    if (unit.id if unit else None) == target.unit_id:
        return Refusal.UNCHANGED
    if unit is None:
        return Refusal.OFFICER_NEEDS_UNIT if target.role is Role.OFFICER else None
    if not unit.active:
        return Refusal.UNIT_INACTIVE
    return None


def may_block(actor: User, target: User, active_admins: int) -> Refusal | None:
    refusal = _actor_refusal(actor)
    if refusal is not None:
        return refusal
    if not target.is_active:
        return Refusal.UNCHANGED
    if is_last_active_admin(target, active_admins):
        return Refusal.LAST_ADMIN
    if target.id == actor.id:
        return Refusal.SELF_BLOCK
    return None


def may_unblock(actor: User, target: User) -> Refusal | None:
    refusal = _actor_refusal(actor)
    if refusal is not None:
        return refusal
    return Refusal.UNCHANGED if target.is_active else None


def may_have_crossing_points(unit: Unit) -> bool:
    """Crossing points belong to border liaison offices; mobile teams work inland."""
    return unit.kind is UnitKind.BLO


# --- typed values -------------------------------------------------------------------------


class TextProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    CONTROL = "control"
    BAD_CODE = "bad_code"


class InvalidText(ValueError):
    """A typed value that cannot be used; ``problem`` says why (for the message)."""

    def __init__(self, problem: TextProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def _has_control(text: str) -> bool:
    return any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in text)


def clean_name(text: str) -> str:
    """A unit's or a crossing point's name: trimmed, single-spaced, 1–64 characters.

    Control characters (line breaks included) are refused, not silently removed: the admin
    should see the name that will be stored.
    """
    if _has_control(text):
        raise InvalidText(TextProblem.CONTROL)
    name = " ".join(text.split())
    if not name:
        raise InvalidText(TextProblem.EMPTY)
    if len(name) > MAX_NAME_CHARS:
        raise InvalidText(TextProblem.TOO_LONG)
    return name


def clean_code(text: str) -> str:
    """A unit code such as ``BLO-TER``: 2–16 Latin letters and digits, hyphens between."""
    typed = text.strip()
    if not typed:
        raise InvalidText(TextProblem.EMPTY)
    if not typed.isascii():  # before upper(): "ſtop" would become "STOP"
        raise InvalidText(TextProblem.BAD_CODE)
    code = typed.upper()
    if _has_control(code) or not (
        MIN_CODE_CHARS <= len(code) <= MAX_CODE_CHARS and _CODE.match(code) and code.isascii()
    ):
        raise InvalidText(TextProblem.BAD_CODE)
    return code


def is_duplicate(name: str, existing: Iterable[str]) -> bool:
    """Case does not make a different name: "Ayritom" and "AYRITOM" are the same place."""
    folded = name.casefold()
    return any(folded == other.casefold() for other in existing)


@dataclass(frozen=True)
class UserReference:
    """Whom ``/user`` asks for: exactly one of a Telegram id or an @username."""

    telegram_id: int | None = None
    username: str | None = None


def parse_user_reference(text: str) -> UserReference | None:
    """``/user 123456789`` or ``/user @name``; None for anything else (missing, letters…)."""
    value = text.strip()
    if value.startswith("@"):
        username = value[1:]
        return UserReference(username=username) if _USERNAME.match(username) else None
    if _DIGITS.match(value):
        telegram_id = int(value)
        if 0 < telegram_id < MAX_TELEGRAM_ID:
            return UserReference(telegram_id=telegram_id)
    return None
