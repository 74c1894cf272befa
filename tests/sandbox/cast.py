"""A small cast for the web chat's tests, shaped exactly like bot.sandbox.cast's (the demo
cast): an admin, a Russian-speaking coordinator, an Uzbek-speaking officer of Termez, the
coordination group."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from storage import Role


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class CastMember:
    telegram_id: int
    first_name: str
    last_name: str | None
    username: str | None
    language: str
    role: Role | None
    unit_code: str | None
    places: tuple[Place, ...]
    is_group: bool = False
    speaker_id: int | None = None


@dataclass(frozen=True)
class Cast:
    members: tuple[CastMember, ...]
    unit_names: Mapping[str, Mapping[str, str]]

    def member(self, telegram_id: int) -> CastMember | None:
        return next((m for m in self.members if m.telegram_id == telegram_id), None)


ADMIN = CastMember(5001, "Dilnoza", "Karimova", "dilnoza", "ru", Role.ADMIN, None, ())
COORDINATOR = CastMember(7001, "Olga", "Ivanova", None, "ru", Role.COORDINATOR, None, ())
OFFICER = CastMember(
    8101,
    "Bekzod",
    "Rakhimov",
    None,
    "uz",
    Role.OFFICER,
    "IMT-TER",
    (Place("Ayritom", 37.2336, 67.2647), Place("Termiz", 37.2242, 67.2783)),
)
GROUP = CastMember(
    -1001234567, "OCT duty", None, None, "ru", None, None, (), is_group=True, speaker_id=7001
)
TEST_CAST = Cast(
    members=(ADMIN, COORDINATOR, OFFICER, GROUP),
    unit_names={"IMT-TER": {"uz": "Termiz", "ru": "Термез", "en": "Termez"}},
)
