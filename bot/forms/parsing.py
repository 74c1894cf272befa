"""Typed answers turned into values, or into a :class:`Problem` the officer is shown.

Pure functions over plain values: tested without Telegram.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from bot.forms.model import Field
from bot.i18n import NumberFormatError, parse_decimal

#: A clock a few minutes fast on the officer's phone is not a report from the future.
FUTURE_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class Problem:
    """Why an answer was refused: a code the renderer turns into a message, and its values."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


class AnswerError(ValueError):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.code)
        self.problem = problem


def parse_number(text: str, spec: Field, language: str) -> Decimal:
    try:
        value = parse_decimal(text, language)
    except NumberFormatError:
        raise AnswerError(Problem("number.invalid", {"integer": spec.integer})) from None
    value = plain_decimal(value)
    if spec.integer and value != value.to_integral_value():
        raise AnswerError(Problem("number.not_integer"))
    if not spec.integer and decimal_places(value) > spec.max_decimals:
        raise AnswerError(Problem("number.too_precise", {"decimals": spec.max_decimals}))
    if spec.minimum is not None and value < spec.minimum:
        raise AnswerError(Problem("number.too_small", {"minimum": spec.minimum}))
    if spec.maximum is not None and value > spec.maximum:
        raise AnswerError(Problem("number.too_large", {"maximum": spec.maximum}))
    return value


def plain_decimal(value: Decimal) -> Decimal:
    """Without trailing zeros, exponent or sign of zero: ``2.50`` → ``2.5``, ``1E+2`` → ``100``."""
    normal = value.normalize()
    if normal == 0:
        return Decimal(0)
    # int() rather than quantize(): quantize is bound by the 28-digit context and raises.
    return Decimal(int(normal)) if normal == normal.to_integral_value() else normal


def decimal_places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


_CONTROL = re.compile(
    r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e]"
)


def clean_text(text: str, spec: Field) -> str:
    """Trimmed, without control characters; refused when empty or longer than allowed."""
    cleaned = _CONTROL.sub("", unicodedata.normalize("NFC", text)).strip()
    if not cleaned:
        raise AnswerError(Problem("text.empty"))
    if len(cleaned) > spec.max_length:
        raise AnswerError(
            Problem("text.too_long", {"limit": spec.max_length, "count": len(cleaned)})
        )
    return cleaned


_DATE_TIME = re.compile(
    r"^(?P<day>\d{1,2})[./-](?P<month>\d{1,2})[./-](?P<year>\d{4})"
    r"(?:[ ,T]+(?P<hour>\d{1,2})[:.](?P<minute>\d{2}))?$"
)
_TIME = re.compile(r"^(?P<hour>\d{1,2}):(?P<minute>\d{2})$")


def parse_time(text: str) -> time:
    match = _TIME.match(text.strip())
    if not match:
        raise AnswerError(Problem("time.invalid"))
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise AnswerError(Problem("time.invalid"))
    return time(hour, minute)


def parse_moment(text: str, *, now: datetime, timezone: tzinfo) -> datetime:
    """``dd.mm.yyyy hh:mm`` or ``hh:mm`` (today), in the programme's time zone."""
    compact = " ".join(text.split())
    if len(compact) > 40:
        raise AnswerError(Problem("datetime.invalid"))
    if _TIME.match(compact):
        return combine(now.astimezone(timezone).date(), parse_time(compact), timezone)
    match = _DATE_TIME.match(compact)
    if not match or match["hour"] is None:
        raise AnswerError(Problem("datetime.invalid"))
    try:
        day = date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        raise AnswerError(Problem("datetime.invalid")) from None
    return combine(day, parse_time(f"{match['hour']}:{match['minute']}"), timezone)


def combine(day: date, moment: time, timezone: tzinfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=timezone)


def check_moment(
    moment: datetime, *, now: datetime, max_age: timedelta, not_before: datetime | None = None
) -> datetime:
    if moment > now + FUTURE_TOLERANCE:
        raise AnswerError(Problem("datetime.future"))
    if moment < now - max_age:
        raise AnswerError(Problem("datetime.too_old", {"days": max_age.days}))
    if not_before is not None and moment < not_before:
        raise AnswerError(Problem("datetime.before_start", {"start": not_before}))
    return moment
