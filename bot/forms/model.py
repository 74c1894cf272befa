"""What a form is made of. Forms are data: one engine walks any of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Kind(StrEnum):
    CHOICE = "choice"
    MULTI = "multi"
    NUMBER = "number"
    TEXT = "text"
    DATETIME = "datetime"
    PLACE = "place"
    PHOTOS = "photos"
    GROUP = "group"
    YES_NO = "yes_no"


@dataclass(frozen=True)
class Option:
    """One choice. ``key`` is what reports store; show it with ``Translator.label``.

    An option of a reference list (``reference``: ``agency``, ``substance``, ``country``) is
    shown by its name in the database, which an admin corrects (/names); ``label`` is then only
    the fallback. Reports keep the key, so a renamed agency shows its new name in old reports too.
    """

    key: str
    label: str  # an N_-marked message
    reference: str | None = None
    #: In a multiple choice, an answer that excludes the others ("Unknown" among countries):
    #: choosing it clears them, choosing another clears it.
    alone: bool = False


@dataclass(frozen=True)
class Field:
    """One question. ``key`` travels in callback data, so it stays short."""

    key: str
    kind: Kind
    question: str  # N_-marked: what the officer is asked
    label: str  # N_-marked: the short name in the summary
    optional: bool = False
    options: tuple[Option, ...] = ()
    integer: bool = False
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    max_decimals: int = 3
    max_length: int = 200
    max_photos: int = 10
    subfields: tuple[Field, ...] = ()
    max_items: int = 20
    #: Ask this field only when the named number field holds a value above zero.
    ask_if_positive: str | None = None
    #: For a DATETIME: it may not be earlier than this other DATETIME answer.
    not_before: str | None = None

    def option(self, key: str) -> Option | None:
        return next((option for option in self.options if option.key == key), None)

    def subfield(self, key: str) -> Field | None:
        return next((sub for sub in self.subfields if sub.key == key), None)


@dataclass(frozen=True)
class Form:
    key: str
    code: str  # the report number's prefix: SZ-2026-000123
    title: str  # N_-marked
    fields: tuple[Field, ...]
    #: Show the summary at once (a one-tap form whose every field is optional).
    summary_first: bool = False
    #: A YES_NO field that marks the report urgent.
    urgent_field: str | None = None
    occurred_field: str | None = None
    place_field: str | None = None
    items_field: str | None = None
    detained_field: str | None = None
    photos_field: str | None = None
    #: The route questions (origin, departure, transit, destination), in that order: optional,
    #: but the summary and the receipt say which were not given.
    route_fields: tuple[str, str, str, str] | None = None
    field_index: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Field] = {}
        for item in self.fields:
            index[item.key] = item
            for sub in item.subfields:
                index[sub.key] = sub
        if len(index) != sum(1 + len(item.subfields) for item in self.fields):
            raise ValueError(f"form {self.key}: field keys must be unique")
        object.__setattr__(self, "field_index", index)

    def field(self, key: str) -> Field | None:
        return next((item for item in self.fields if item.key == key), None)

    def position(self, key: str) -> int:
        return next(i for i, item in enumerate(self.fields) if item.key == key)
