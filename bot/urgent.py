"""The rules of the urgent lane, over plain values: what is urgent, when to alert again, what
a typed question or answer may be, and when a pending typed step no longer counts.

Kept free of Telegram and SQL so each rule is tested as a plain function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

#: A question or an answer is one message of at most this many characters (after trimming).
MAX_TEXT = 1000


class Reason(StrEnum):
    """Why a report is urgent; stored in ``alerts.reason``."""

    MARKED = "marked"
    LARGE = "large"
    MARKED_AND_LARGE = "marked_large"

    @property
    def marked(self) -> bool:
        return self in (Reason.MARKED, Reason.MARKED_AND_LARGE)

    @property
    def large(self) -> bool:
        return self in (Reason.LARGE, Reason.MARKED_AND_LARGE)


class _Item(Protocol):
    @property
    def substance(self) -> str: ...

    @property
    def normalized_quantity(self) -> Decimal: ...

    @property
    def normalized_unit(self) -> str: ...

    @property
    def kg_factor(self) -> Decimal | None: ...

    @property
    def kg_equivalent(self) -> Decimal | None: ...


class _Filed(Protocol):
    @property
    def urgent(self) -> bool: ...

    @property
    def items(self) -> Sequence[_Item]: ...


@dataclass(frozen=True)
class Weighing:
    """One substance of a report in kilograms: weighed (kg and g as reported) and in kilogram
    equivalents (the weighed part plus litres, tablets and pieces through the factor each item
    was filed with). ``converted`` are the items counted through a factor."""

    substance: str
    reported_kg: Decimal
    equivalent_kg: Decimal
    converted: tuple[_Item, ...] = ()
    #: Some item was weighed (a report of tablets alone is never large by weight, even at 0 kg).
    weighed: bool = False


def weighings(items: Sequence[_Item]) -> list[Weighing]:
    """Each substance's kilograms, in the order the items first name it; items without a
    factor (no kilogram equivalent) count in neither figure."""
    reported: dict[str, Decimal] = {}
    equivalent: dict[str, Decimal] = {}
    converted: dict[str, list[_Item]] = {}
    weighed: set[str] = set()
    for item in items:
        reported.setdefault(item.substance, Decimal(0))
        equivalent.setdefault(item.substance, Decimal(0))
        converted.setdefault(item.substance, [])
        if item.normalized_unit == "kg":
            weighed.add(item.substance)
            reported[item.substance] += item.normalized_quantity
            equivalent[item.substance] += item.normalized_quantity
        elif item.kg_equivalent is not None:
            equivalent[item.substance] += item.kg_equivalent
            converted[item.substance].append(item)
    return [
        Weighing(
            substance,
            reported[substance],
            equivalent[substance],
            tuple(converted[substance]),
            substance in weighed,
        )
        for substance in reported
    ]


def heaviest_substance_kg(items: Sequence[_Item]) -> Decimal:
    """The kilograms of the report's heaviest substance, its items of that substance added up.

    The threshold is "N kg or more of one substance" (what the alert tells coordinators): two
    items of heroin of 0.6 kg are a seizure of 1.2 kg of heroin, so splitting a seizure into items
    never hides it; 0.6 kg of heroin and 0.6 kg of hashish are two seizures, neither large.
    Only weight counts here; :func:`heaviest_equivalent_kg` adds litres, tablets and pieces.
    """
    return max((w.reported_kg for w in weighings(items)), default=Decimal(0))


def heaviest_equivalent_kg(items: Sequence[_Item]) -> Decimal:
    """The kilogram equivalent of the report's heaviest substance (weighed items, and the others
    through the factor each was filed with); never less than :func:`heaviest_substance_kg`."""
    return max((w.equivalent_kg for w in weighings(items)), default=Decimal(0))


def large_by(items: Sequence[_Item], threshold_kg: Decimal) -> Weighing | None:
    """Why a report is large, for the alert to say which: the heaviest substance whose reported
    weight reaches ``threshold_kg`` (``reported_kg`` tells), else the heaviest whose kilogram
    equivalent does (only its ``equivalent_kg`` reaches it). None: not large."""
    found = weighings(items)
    by_weight = [w for w in found if w.weighed and w.reported_kg >= threshold_kg]
    if by_weight:
        return max(by_weight, key=lambda w: w.reported_kg)
    by_equivalent = [
        w for w in found if (w.weighed or w.converted) and w.equivalent_kg >= threshold_kg
    ]
    if by_equivalent:
        return max(by_equivalent, key=lambda w: w.equivalent_kg)
    return None


def why_urgent(report: _Filed, threshold_kg: Decimal) -> Reason | None:
    """Marked urgent by the officer, or at least ``threshold_kg`` kilograms of one substance,
    weighed or in kilogram equivalents (an item without a factor never makes a report large).

    The alert, the receipt, ``/myreports``, the digest's urgent list and the spreadsheet all ask
    this function, so a report is urgent in all of them or in none.
    """
    large = large_by(report.items, threshold_kg) is not None
    if report.urgent and large:
        return Reason.MARKED_AND_LARGE
    if report.urgent:
        return Reason.MARKED
    if large:
        return Reason.LARGE
    return None


def realert_is_due(
    *,
    created_at: datetime,
    last_sent_at: datetime | None,
    repeats: int,
    now: datetime,
    repeat_every: timedelta,
    max_repeats: int,
) -> bool:
    """An unacknowledged alert goes out again ``repeat_every`` after it last went out,
    at most ``max_repeats`` times (the first sending is not a repeat)."""
    if repeats >= max_repeats:
        return False
    return now - (last_sent_at or created_at) >= repeat_every


class TextProblem(StrEnum):
    NOT_TEXT = "not_text"
    EMPTY = "empty"
    TOO_LONG = "too_long"


class BadText(ValueError):
    """What the person typed cannot be sent on; ``problem`` says why."""

    def __init__(self, problem: TextProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def clean_text(text: str | None) -> str:
    """The typed question or answer, trimmed; :class:`BadText` when it cannot be sent.

    ``None`` stands for a message that was not text at all (a photo, a sticker…).
    """
    if text is None:
        raise BadText(TextProblem.NOT_TEXT)
    trimmed = text.strip()
    if not trimmed:
        raise BadText(TextProblem.EMPTY)
    if len(trimmed) > MAX_TEXT:
        raise BadText(TextProblem.TOO_LONG)
    return trimmed


def pending_is_stale(
    *,
    pending_since: datetime,
    draft_touched_at: datetime | None,
    now: datetime,
    ttl: timedelta,
) -> bool:
    """A pending question or answer no longer claims what the person types when it is older
    than ``ttl``, or when they went on with a report form after tapping the button: their
    typing then belongs to the form, and must not be sent to somebody else by mistake."""
    if now - pending_since > ttl:
        return True
    return draft_touched_at is not None and draft_touched_at > pending_since


def minutes_since(start: datetime, now: datetime) -> int:
    """Whole minutes elapsed (never negative), as a reminder shows them."""
    return max(int((now - start).total_seconds() // 60), 0)
