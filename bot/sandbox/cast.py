"""The sandbox's people and places: who a visitor can be, and where they can say they are.

Plain frozen data, shared by the seed (which registers the people and the border liaison
offices), the runner (which makes their chats known to the stand-in) and the web chat (which
lists them). Coordinates are those of the cities of the mobile teams and of the crossing points
the DESIGN.md reference data names; good to a few hundred metres, which is all a demo needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from storage import Role


@dataclass(frozen=True)
class Place:
    """A "share location" preset: a crossing point's name or the unit's city."""

    label: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class CastMember:
    """A person (or the coordination group) a visitor can act as."""

    telegram_id: int  # > 0 for people; the coordination group has a negative chat id
    first_name: str
    last_name: str | None
    username: str | None
    language: str  # the person's Telegram language: "uz" | "ru" | "en"
    role: Role | None  # None for the group
    unit_code: str | None  # e.g. "IMT-TER", "BLO-AYR"
    places: tuple[Place, ...]  # presets for this person's unit (crossing points first)
    is_group: bool = False
    speaker_id: int | None = None  # group only: which person types into the group chat


@dataclass(frozen=True)
class Cast:
    members: tuple[CastMember, ...]  # order = the order in the people list
    unit_names: Mapping[str, Mapping[str, str]]  # unit code -> {"uz"|"ru"|"en": name}

    def member(self, telegram_id: int) -> CastMember | None:
        return next((m for m in self.members if m.telegram_id == telegram_id), None)

    @property
    def admin(self) -> CastMember:
        return next(m for m in self.members if m.role is Role.ADMIN)

    @property
    def group(self) -> CastMember | None:
        return next((m for m in self.members if m.is_group), None)


@dataclass(frozen=True)
class BorderOffice:
    """A border liaison office the seed sets up, with its crossing points (by name)."""

    code: str
    name_uz: str
    name_ru: str
    name_en: str
    points: tuple[Place, ...]


#: The cities of the mobile teams (the units the migrations create).
CITIES: Mapping[str, Place] = MappingProxyType(
    {
        "IMT-AND": Place("Andijon", 40.7821, 72.3442),
        "IMT-BUK": Place("Buxoro", 39.7747, 64.4286),
        "IMT-JIZ": Place("Jizzax", 40.1158, 67.8422),
        "IMT-KAR": Place("Qarshi", 38.8606, 65.7891),
        "IMT-NAM": Place("Namangan", 40.9983, 71.6726),
        "IMT-NAV": Place("Navoiy", 40.0844, 65.3792),
        "IMT-URG": Place("Urganch", 41.5500, 60.6333),
        "IMT-TAS": Place("Toshkent", 41.2995, 69.2401),
        "IMT-SAM": Place("Samarqand", 39.6542, 66.9597),
        "IMT-NUK": Place("Nukus", 42.4531, 59.6103),
        "IMT-TER": Place("Termiz", 37.2242, 67.2783),
        "IMT-FER": Place("Farg‘ona", 40.3864, 71.7864),
        "IMT-SIR": Place("Guliston", 40.4897, 68.7842),
    }
)

BORDER_OFFICES: tuple[BorderOffice, ...] = (
    BorderOffice(
        "BLO-AYR",
        "Ayritom",
        "Айритом",
        "Ayritom",
        (Place("Ayritom", 37.2300, 67.4330), Place("Termiz daryo porti", 37.2190, 67.2540)),
    ),
    BorderOffice("BLO-OYB", "Oybek", "Ойбек", "Oybek", (Place("Oybek", 40.7560, 69.1460),)),
    BorderOffice(
        "BLO-DOS", "Do‘stlik", "Дустлик", "Dostlik", (Place("Do‘stlik", 40.5230, 72.7000),)
    ),
    BorderOffice("BLO-YAL", "Yallama", "Яллама", "Yallama", (Place("Yallama", 41.0360, 68.7340),)),
    BorderOffice("BLO-OLO", "Olot", "Олот", "Olot", (Place("Olot", 39.3700, 63.6730),)),
)

_IMT_NAMES = {
    "IMT-AND": ("Andijon", "Андижан", "Andijan"),
    "IMT-BUK": ("Buxoro", "Бухара", "Bukhara"),
    "IMT-JIZ": ("Jizzax", "Джизак", "Jizzakh"),
    "IMT-KAR": ("Qarshi", "Карши", "Karshi"),
    "IMT-NAM": ("Namangan", "Наманган", "Namangan"),
    "IMT-NAV": ("Navoiy", "Навои", "Navoi"),
    "IMT-URG": ("Urganch", "Ургенч", "Urgench"),
    "IMT-TAS": ("Toshkent", "Ташкент", "Tashkent"),
    "IMT-SAM": ("Samarqand", "Самарканд", "Samarkand"),
    "IMT-NUK": ("Nukus", "Нукус", "Nukus"),
    "IMT-TER": ("Termiz", "Термез", "Termez"),
    "IMT-FER": ("Farg‘ona", "Фергана", "Fergana"),
    "IMT-SIR": ("Sirdaryo", "Сырдарья", "Syrdarya"),
}


def places_of(unit_code: str) -> tuple[Place, ...]:
    """A unit's presets: its crossing points first, then its city (for a BLO, the nearest)."""
    for office in BORDER_OFFICES:
        if office.code == unit_code:
            return office.points
    return (CITIES[unit_code],)


def _person(
    telegram_id: int,
    first_name: str,
    last_name: str,
    username: str | None,
    language: str,
    role: Role,
    unit_code: str | None = None,
) -> CastMember:
    places = places_of(unit_code) if unit_code else ()
    return CastMember(
        telegram_id, first_name, last_name, username, language, role, unit_code, places
    )


ADMIN_ID = 910_001
COORDINATOR_UZ_ID = 910_011
GROUP_ID = -1_001_900_000_001

DEMO_CAST = Cast(
    members=(
        _person(ADMIN_ID, "Dilnoza", "Karimova", "dilnoza_admin", "ru", Role.ADMIN),
        _person(910_010, "Сергей", "Ким", "s_kim", "ru", Role.COORDINATOR),
        _person(COORDINATOR_UZ_ID, "Gulnora", "Yusupova", "gulnora_y", "uz", Role.COORDINATOR),
        _person(910_101, "Jasur", "Toshmatov", "jasur_t", "uz", Role.OFFICER, "IMT-TER"),
        _person(910_102, "Алексей", "Пак", None, "ru", Role.OFFICER, "IMT-TAS"),
        _person(910_103, "Bekzod", "Rahimov", "bekzod_r", "en", Role.OFFICER, "IMT-SAM"),
        _person(910_104, "Nodira", "Xolmatova", None, "uz", Role.OFFICER, "IMT-AND"),
        _person(910_201, "Sherzod", "Ergashev", "sherzod_e", "uz", Role.OFFICER, "BLO-AYR"),
        _person(910_202, "Фаррух", "Алимов", None, "ru", Role.OFFICER, "BLO-OYB"),
        _person(910_203, "Otabek", "Qodirov", "otabek_q", "uz", Role.OFFICER, "BLO-DOS"),
        _person(910_204, "Марина", "Ли", "marina_li", "ru", Role.OFFICER, "BLO-YAL"),
        _person(910_205, "Akmal", "Saidov", None, "uz", Role.OFFICER, "BLO-OLO"),
        CastMember(
            GROUP_ID,
            "Muvofiqlashtirish guruhi",
            None,
            None,
            "uz",
            None,
            None,
            (),
            is_group=True,
            speaker_id=COORDINATOR_UZ_ID,
        ),
    ),
    unit_names=MappingProxyType(
        {
            **{
                code: MappingProxyType({"uz": uz, "ru": ru, "en": en})
                for code, (uz, ru, en) in _IMT_NAMES.items()
            },
            **{
                office.code: MappingProxyType(
                    {"uz": office.name_uz, "ru": office.name_ru, "en": office.name_en}
                )
                for office in BORDER_OFFICES
            },
        }
    ),
)

_BACKGROUND_NAMES = (
    ("Rustam", "Nazarov", "uz"),
    ("Шахзод", "Юлдашев", "ru"),
    ("Malika", "Abdullayeva", "uz"),
    ("Дмитрий", "Цой", "ru"),
    ("Sardor", "Mirzayev", "uz"),
    ("Aziz", "Hamidov", "uz"),
    ("Наталья", "Ким", "ru"),
    ("Ulug‘bek", "Sobirov", "uz"),
    ("Feruza", "Tursunova", "uz"),
    ("Тимур", "Рашидов", "ru"),
    ("Javohir", "Nurmatov", "uz"),
    ("Zarina", "Ismoilova", "uz"),
)


def background_officers(cast: Cast = DEMO_CAST) -> tuple[CastMember, ...]:
    """Two more officers in every unit (the people list does not show them): the reports of
    30 days come from whole teams, and their chats exist so that a reminder reaches them."""
    codes = [*_IMT_NAMES, *(office.code for office in BORDER_OFFICES)]
    people: list[CastMember] = []
    for n, code in enumerate(codes):
        for k in range(2):
            first, last, language = _BACKGROUND_NAMES[(2 * n + k) % len(_BACKGROUND_NAMES)]
            telegram_id = 920_000 + 10 * n + k
            assert cast.member(telegram_id) is None
            people.append(_person(telegram_id, first, last, None, language, Role.OFFICER, code))
    return tuple(people)
