"""Rows as the rest of the code sees them: plain frozen dataclasses, no SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    OFFICER = "officer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class UserStatus(StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"


class UnitKind(StrEnum):
    IMT = "IMT"
    BLO = "BLO"


@dataclass(frozen=True)
class Unit:
    id: int
    code: str
    kind: UnitKind
    name_uz: str
    name_ru: str
    name_en: str
    active: bool

    def name(self, language: str) -> str:
        """The unit's name in ``language``, falling back to English."""
        return {"uz": self.name_uz, "ru": self.name_ru}.get(language, self.name_en)


@dataclass(frozen=True)
class User:
    id: int
    telegram_id: int
    display_name: str
    username: str | None
    role: Role
    unit_id: int | None
    language: str | None
    status: UserStatus
    created_at: datetime
    updated_at: datetime

    @property
    def is_active(self) -> bool:
        return self.status is UserStatus.ACTIVE


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor_telegram_id: int | None
    action: str
    target: str | None
    details: str | None
