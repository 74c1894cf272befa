"""Rows as the rest of the code sees them: plain frozen dataclasses, no SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


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
class Coordinates:
    """A place in decimal degrees (WGS 84); both parts or none are stored (migration 0013)."""

    latitude: float
    longitude: float


class Precision(StrEnum):
    """How closely a report's coordinates place it (the records the programme hands on say so)."""

    EXACT = "exact"  # a location the officer shared
    POINT = "point"  # the crossing point chosen, as its admin placed it
    UNIT = "unit"  # the unit's location: a typed place, or a point without coordinates
    NONE = "none"  # neither the place nor the unit has coordinates


@dataclass(frozen=True)
class Route:
    """Where a seizure's drugs came from and went: country keys of bot/forms/definitions.py
    (``COUNTRIES``, or ``"unknown"`` when the officer said so); None or () when not given."""

    origin: str | None = None
    departure: str | None = None
    transit: tuple[str, ...] = ()
    destination: str | None = None


@dataclass(frozen=True)
class Unit:
    id: int
    code: str
    kind: UnitKind
    name_uz: str
    name_ru: str
    name_en: str
    active: bool
    #: Where the unit sits (its city's centre for a mobile team); None while unknown.
    coordinates: Coordinates | None = None

    def name(self, language: str) -> str:
        """The unit's name in ``language`` (see :func:`_name_in`)."""
        return _name_in(language, self.name_uz, self.name_ru, self.name_en)


def _name_in(language: str, name_uz: str, name_ru: str, name_en: str) -> str:
    """A name kept in three languages, in ``language``, falling back to English. In Cyrillic
    Uzbek it is the Uzbek name transliterated (admins type names in three languages, not four,
    and the catalog's Cyrillic is made the same way)."""
    if language == "uz_Cyrl":
        from bot.translit import latin_to_cyrillic  # a pure text function, no bot machinery

        return latin_to_cyrillic(name_uz)
    return {"uz": name_uz, "ru": name_ru}.get(language, name_en)


class ReferenceKind(StrEnum):
    """Lists of names an admin corrects in the chat (their option keys never change)."""

    AGENCY = "agency"
    SUBSTANCE = "substance"
    COUNTRY = "country"  # the detained persons' citizenship


@dataclass(frozen=True)
class ReferenceName:
    """The current name of an agency or a substance; ``key`` is the option key reports keep."""

    kind: ReferenceKind
    key: str
    name_uz: str
    name_ru: str
    name_en: str
    updated_at: datetime
    updated_by: int | None

    def name(self, language: str) -> str:
        """The name in ``language`` (see :func:`_name_in`)."""
        return _name_in(language, self.name_uz, self.name_ru, self.name_en)

    def names(self) -> dict[str, str]:
        return {"uz": self.name_uz, "ru": self.name_ru, "en": self.name_en}


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
    telegram_language: str | None = None

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


class ReportStatus(StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class NewSeizureItem:
    """One seized substance as the officer entered it, and normalised (g → kg, ml → l).

    ``kg_factor``: kilograms per normalised unit when the report was filed (1 for kg; the
    conversion factor for litres, tablets, pieces; None: no factor), kept with the item so the
    kilogram equivalent does not move when an admin changes the factor later.
    """

    substance: str
    quantity: Decimal
    measure: str
    normalized_quantity: Decimal
    normalized_unit: str
    kg_factor: Decimal | None = None

    @property
    def kg_equivalent(self) -> Decimal | None:
        """The item's kilograms: its normalised quantity times its factor; None without a
        factor. Kilograms are kilograms whatever the factor says (an item built without one
        included)."""
        if self.normalized_unit == "kg":
            return self.normalized_quantity
        if self.kg_factor is None:
            return None
        value = (self.normalized_quantity * self.kg_factor).normalize()
        # ``normalize`` writes 1000 as 1E+3; an exponent-free decimal reads better and stores as is.
        return Decimal(int(value)) if value == value.to_integral_value() else value


@dataclass(frozen=True)
class SeizureItem(NewSeizureItem):
    """An item of a stored report: the same fields (one mapping, storage/report_tables.py);
    items stored before migration 0015 got the factor of then. Not equal to a
    :class:`NewSeizureItem` of the same values (a stored item is not one about to be stored)."""


@dataclass(frozen=True)
class ConversionFactor:
    """Kilograms per litre, tablet or piece of a substance (``unit``: l, tablets, pieces);
    ``kg_per_unit`` None means no factor: such items have no kilogram equivalent."""

    substance: str
    unit: str
    kg_per_unit: Decimal | None
    updated_at: datetime
    updated_by: int | None


@dataclass(frozen=True)
class SeizureTally:
    """A submitted seizure report reduced to what the digest's map counts: where it was filed,
    its reporting day, and its kilograms (its items measured by weight, added up)."""

    report_id: int
    unit_id: int
    local_day: date
    kg: Decimal


@dataclass(frozen=True)
class SeizureRoute:
    """A submitted seizure reduced to what ``/routes`` counts: where it went, how it was
    hidden, its kilogram equivalent (items with a factor) and whether some item had none."""

    report_id: int
    departure: str | None
    destination: str | None
    concealment: str | None
    kg_equivalent: Decimal
    without_factor: bool


@dataclass(frozen=True)
class Attachment:
    """A file Telegram holds for us: ``file_id`` to send it again, ``file_unique_id`` to dedupe."""

    file_id: str
    file_unique_id: str
    kind: str = "photo"


@dataclass(frozen=True)
class Removal:
    """Personal data removed from a report after the retention period (bot/retention.py):
    when, after how many days, and the answers that went (field keys; () when it had none)."""

    at: datetime
    after_days: int
    fields: tuple[str, ...]


@dataclass(frozen=True)
class NewReport:
    """A report about to be stored; ``idempotency_key`` is the draft's id."""

    form: str
    form_code: str
    unit_id: int
    author_id: int
    idempotency_key: str
    occurred_at: datetime | None
    submitted_at: datetime
    local_day: date
    urgent: bool
    answers: dict[str, Any]
    place_text: str | None
    latitude: float | None
    longitude: float | None
    persons_detained: int | None
    items: tuple[NewSeizureItem, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    #: How closely ``latitude``/``longitude`` place it; None for a form without a place.
    precision: Precision | None = None
    #: None: the form does not ask the route.
    route: Route | None = None


@dataclass(frozen=True)
class Report:
    id: int
    number: str
    form: str
    form_code: str
    unit_id: int
    author_id: int
    occurred_at: datetime | None
    submitted_at: datetime
    local_day: date
    status: ReportStatus
    urgent: bool
    version: int
    answers: dict[str, Any]
    place_text: str | None
    latitude: float | None
    longitude: float | None
    persons_detained: int | None
    items: tuple[SeizureItem, ...]
    attachments: tuple[Attachment, ...]
    updated_at: datetime
    #: How closely ``latitude``/``longitude`` place it; None for a form without a place.
    precision: Precision | None = None
    #: None: the route was not asked (a form without one, or filed before it was asked).
    route: Route | None = None
    #: Filed before routes and coordinates were recorded (migration 0014): its route was not
    #: asked, its coordinates are its unit's unless a location was shared.
    filed_before_routes: bool = False
    #: Set once its free text, photos and nationalities were removed (RETENTION_DAYS).
    removal: Removal | None = None


@dataclass(frozen=True)
class ReportVersion:
    """One version of a report; ``answers`` is the snapshot storage/report_tables.py describes."""

    report_id: int
    version: int
    answers: dict[str, Any]
    created_at: datetime
    created_by: int | None


@dataclass(frozen=True)
class StoredDraft:
    user_id: int
    draft_id: str
    form: str
    data: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    #: The draft step the person last saw; None for a draft saved before that was recorded.
    shown_step: int | None = None
    #: The message that showed that step, when it was a new message (not an edit).
    shown_message_id: int | None = None


@dataclass(frozen=True)
class ReportChanges:
    """The whole amendable state of a report: :meth:`ReportRepository.amend` replaces it all.
    A :class:`NewReport` has the same fields; ``SNAPSHOT`` in storage/report_tables.py lists
    them once, for the snapshot, the INSERT and the UPDATE alike."""

    occurred_at: datetime | None
    urgent: bool
    answers: dict[str, Any]
    place_text: str | None
    latitude: float | None
    longitude: float | None
    persons_detained: int | None
    items: tuple[NewSeizureItem, ...]
    attachments: tuple[Attachment, ...]
    precision: Precision | None = None
    route: Route | None = None


@dataclass(frozen=True)
class Invite:
    """An invitation as stored: the token's hash only, never the token itself.

    ``created_by``, ``used_by`` and ``revoked_by`` are ``users.id`` values.
    """

    id: int
    token_hash: str
    role: Role
    unit_id: int | None
    created_by: int
    created_at: datetime
    expires_at: datetime
    request_key: str | None
    used_at: datetime | None
    used_by: int | None
    revoked_at: datetime | None
    revoked_by: int | None


@dataclass(frozen=True)
class CrossingPoint:
    """A border crossing point of a border liaison office (kept, inactive, once removed)."""

    id: int
    unit_id: int
    name: str
    active: bool
    created_at: datetime
    #: Given by the admin who added the point; None when they skipped it.
    coordinates: Coordinates | None = None
