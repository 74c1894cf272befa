"""A small cast for the web chat's tests, made of bot.sandbox.cast's classes (smaller than the demo
cast): an admin, a Russian-speaking coordinator, an Uzbek-speaking officer of Termez, the
coordination group."""

from __future__ import annotations

from bot.sandbox.cast import Cast, CastMember, Place
from storage import Role

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
