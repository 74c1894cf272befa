"""Typed answers turned into values, or into the problem the officer is shown."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.forms.definitions import JOINT_OPERATION, NOTES, SEIZURE
from bot.forms.model import Field, Kind
from bot.forms.parsing import (
    FUTURE_TOLERANCE,
    AnswerError,
    check_moment,
    clean_text,
    parse_moment,
    parse_number,
    parse_time,
)

TASHKENT = ZoneInfo("Asia/Tashkent")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # 14:00 in Tashkent
MAX_AGE = timedelta(days=30)

QTY = SEIZURE.field_index["qty"]  # 0.001 … 1,000,000, three decimals
DETAINED = SEIZURE.field_index["detained"]  # whole, 0 … 500
VEHICLES = JOINT_OPERATION.field_index["vehicles"]  # whole, 0 … 100,000
CASEREF = SEIZURE.field_index["caseref"]  # up to 64 characters
FREE = Field("free", Kind.NUMBER, "q", "l")  # no bounds at all
QTY_FROM_ZERO = Field("zero", Kind.NUMBER, "q", "l", minimum=Decimal(0))


def refusal(call: Any, *args: Any, **kwargs: Any) -> tuple[str, dict[str, Any]]:
    with pytest.raises(AnswerError) as caught:
        call(*args, **kwargs)
    assert str(caught.value) == caught.value.problem.code
    return caught.value.problem.code, caught.value.problem.params


# -- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spec", "language", "expected"),
    [
        ("0,001", QTY, "ru", Decimal("0.001")),  # the smallest quantity
        ("0.001", QTY, "en", Decimal("0.001")),
        ("1000000", QTY, "ru", Decimal("1000000")),  # the largest
        ("1 000 000", QTY, "uz", Decimal("1000000")),
        ("1,000,000", QTY, "en", Decimal("1000000")),
        ("1,5", QTY, "ru", Decimal("1.5")),
        ("1,5", QTY, "uz", Decimal("1.5")),
        ("1,500", QTY, "ru", Decimal("1.5")),
        ("1,500", QTY, "en", Decimal("1500")),
        ("12,125", QTY, "uz", Decimal("12.125")),
        ("2.50", QTY, "en", Decimal("2.5")),
        ("0", DETAINED, "ru", Decimal(0)),
        ("500", DETAINED, "ru", Decimal(500)),
        ("7.0", DETAINED, "en", Decimal(7)),
        ("+7", DETAINED, "en", Decimal(7)),
        ("100 000", VEHICLES, "ru", Decimal(100000)),
        ("100,000", VEHICLES, "en", Decimal(100000)),
        ("-12,5", FREE, "ru", Decimal("-12.5")),
        ("−3", FREE, "ru", Decimal(-3)),  # a typographic minus
    ],
)
def test_numbers_within_bounds_are_accepted(
    text: str, spec: Field, language: str, expected: Decimal
) -> None:
    value = parse_number(text, spec, language)
    assert value == expected
    assert isinstance(value, Decimal)


@pytest.mark.parametrize(
    ("text", "spec", "code", "params"),
    [
        ("", QTY, "number.invalid", {"integer": False}),
        ("abc", DETAINED, "number.invalid", {"integer": True}),
        ("1e309", QTY, "number.invalid", {"integer": False}),
        ("Infinity", QTY, "number.invalid", {"integer": False}),
        ("1,5 кг", QTY, "number.invalid", {"integer": False}),
        ("0,0009", QTY, "number.too_precise", {"decimals": 3}),
        ("0.0001", QTY, "number.too_precise", {"decimals": 3}),
        ("0", QTY, "number.too_small", {"minimum": Decimal("0.001")}),
        ("-0,5", QTY, "number.too_small", {"minimum": Decimal("0.001")}),
        ("1000000,001", QTY, "number.too_large", {"maximum": Decimal(1000000)}),
        ("12345678901234567890", QTY, "number.too_large", {"maximum": Decimal(1000000)}),
        ("-1", DETAINED, "number.too_small", {"minimum": Decimal(0)}),
        ("501", DETAINED, "number.too_large", {"maximum": Decimal(500)}),
        ("2,5", DETAINED, "number.not_integer", {}),
        ("0,5", DETAINED, "number.not_integer", {}),
        ("100001", VEHICLES, "number.too_large", {"maximum": Decimal(100000)}),
        ("9" * 33, FREE, "number.invalid", {"integer": False}),
    ],
)
def test_numbers_out_of_bounds_or_malformed_are_refused(
    text: str, spec: Field, code: str, params: dict[str, Any]
) -> None:
    assert refusal(parse_number, text, spec, "ru") == (code, params)


@pytest.mark.parametrize("language", ["uz", "ru", "en"])
def test_whole_numbers_come_back_without_a_fraction(language: str) -> None:
    assert str(parse_number("12", DETAINED, language)) == "12"
    assert str(parse_number("12.0", DETAINED, language)) == "12"


def test_fractional_quantities_are_stored_as_plain_decimals() -> None:
    assert str(parse_number("1,5", QTY, "ru")) == "1.5"
    assert str(parse_number("0,010", QTY, "ru")) == "0.01"


@pytest.mark.parametrize(
    ("text", "stored"), [("100", "100"), ("2500", "2500"), ("1000000", "1000000")]
)
def test_whole_quantities_are_stored_without_an_exponent(text: str, stored: str) -> None:
    assert str(parse_number(text, QTY, "ru")) == stored  # not "1E+2"


def test_trailing_zeros_do_not_count_as_precision() -> None:
    assert str(parse_number("0,2500", QTY, "ru")) == "0.25"  # as a scale shows it
    assert str(parse_number("1.0000", QTY, "en")) == "1"


def test_minus_zero_detained_is_zero() -> None:
    assert str(parse_number("-0", DETAINED, "ru")) == "0"  # not "Persons detained: -0"
    assert str(parse_number("-0,000", QTY_FROM_ZERO, "ru")) == "0"


# -- text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Termez  ", "Termez"),
        ("a\u0000b\u0007c\u007f", "abc"),
        ("left\u200eright\u200f", "leftright"),
        ("line\u2028break", "linebreak"),
        ("keep\ttabs\nand lines", "keep\ttabs\nand lines"),
        ("Oʻzbekiston 🇺🇿 Ўзбекистон", "Oʻzbekiston 🇺🇿 Ўзбекистон"),
        ("<b>&amp;</i>", "<b>&amp;</i>"),
        ("Cafe\u0301", "Café"),
        ("x" * 64, "x" * 64),  # exactly at the limit
        (" " + "x" * 64 + " ", "x" * 64),  # trimmed before it is measured
    ],
)
def test_text_is_trimmed_and_cleaned_but_otherwise_kept(text: str, expected: str) -> None:
    assert clean_text(text, CASEREF) == expected


@pytest.mark.parametrize(
    ("text", "spec", "code", "params"),
    [
        ("", CASEREF, "text.empty", {}),
        (" \t\n ", CASEREF, "text.empty", {}),
        ("\u200b", CASEREF, "text.empty", {}),
        ("\x00\x01", CASEREF, "text.empty", {}),
        ("x" * 65, CASEREF, "text.too_long", {"limit": 64, "count": 65}),
        ("x" * 5000, NOTES, "text.too_long", {"limit": 1500, "count": 5000}),
        ("я" * 1501, NOTES, "text.too_long", {"limit": 1500, "count": 1501}),
    ],
)
def test_empty_or_too_long_text_is_refused(
    text: str, spec: Field, code: str, params: dict[str, Any]
) -> None:
    assert refusal(clean_text, text, spec) == (code, params)


def test_the_length_is_counted_in_characters_not_bytes() -> None:
    note = "🚚" * 1500  # 6,000 bytes in UTF-8
    assert clean_text(note, NOTES) == note


# -- time and moments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("00:00", time(0, 0)),
        ("0:00", time(0, 0)),
        ("9:05", time(9, 5)),
        (" 23:59 ", time(23, 59)),
    ],
)
def test_times_are_read(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text", ["24:00", "23:60", "25:00", "9:5", "9.05", "123:00", "", "noon", "-1:00"]
)
def test_malformed_times_are_refused(text: str) -> None:
    assert refusal(parse_time, text) == ("time.invalid", {})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.03.2026 10:00", datetime(2026, 3, 10, 10, 0, tzinfo=TASHKENT)),
        ("1.3.2026 7:05", datetime(2026, 3, 1, 7, 5, tzinfo=TASHKENT)),
        ("01/03/2026 07.05", datetime(2026, 3, 1, 7, 5, tzinfo=TASHKENT)),
        ("01-03-2026T23:59", datetime(2026, 3, 1, 23, 59, tzinfo=TASHKENT)),
        ("  10.03.2026 ,  10:00 ", datetime(2026, 3, 10, 10, 0, tzinfo=TASHKENT)),
        ("29.02.2024 12:00", datetime(2024, 2, 29, 12, 0, tzinfo=TASHKENT)),
        ("13:30", datetime(2026, 3, 10, 13, 30, tzinfo=TASHKENT)),  # today in Tashkent
    ],
)
def test_moments_are_read_in_tashkent_time(text: str, expected: datetime) -> None:
    moment = parse_moment(text, now=NOW, timezone=TASHKENT)
    assert moment == expected
    assert moment.utcoffset() == timedelta(hours=5)


def test_a_bare_time_is_today_in_tashkent_even_when_utc_is_still_yesterday() -> None:
    late = datetime(2026, 3, 9, 20, 30, tzinfo=UTC)  # 01:30 on 10 March in Tashkent
    moment = parse_moment("00:45", now=late, timezone=TASHKENT)
    assert moment == datetime(2026, 3, 10, 0, 45, tzinfo=TASHKENT)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("31.02.2026 10:00", "datetime.invalid"),
        ("29.02.2026 10:00", "datetime.invalid"),  # not a leap year
        ("00.03.2026 10:00", "datetime.invalid"),
        ("10.13.2026 10:00", "datetime.invalid"),
        ("10.03.2026", "datetime.invalid"),
        ("10.03.26 10:00", "datetime.invalid"),
        ("2026-03-10T10:00", "datetime.invalid"),
        ("10.03.2026 25:00", "time.invalid"),
        ("10.03.2026 10:60", "time.invalid"),
        ("25:00", "time.invalid"),
        ("yesterday 10:00", "datetime.invalid"),
        ("", "datetime.invalid"),
        ("1" * 41, "datetime.invalid"),
    ],
)
def test_malformed_moments_are_refused(text: str, code: str) -> None:
    assert refusal(parse_moment, text, now=NOW, timezone=TASHKENT) == (code, {})


def at(hour: int, minute: int = 0, day: int = 10, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TASHKENT)


@pytest.mark.parametrize(
    "moment",
    [
        at(14, 0),  # now
        at(14, 5),  # the phone's clock a little fast
        NOW + FUTURE_TOLERANCE,
        NOW - MAX_AGE,  # the oldest accepted
        at(14, 0, day=8, month=2),
    ],
)
def test_moments_within_the_window_are_accepted(moment: datetime) -> None:
    assert check_moment(moment, now=NOW, max_age=MAX_AGE) == moment


@pytest.mark.parametrize(
    ("moment", "code", "params"),
    [
        (at(14, 6), "datetime.future", {}),
        (NOW + FUTURE_TOLERANCE + timedelta(seconds=1), "datetime.future", {}),
        (at(10, day=11), "datetime.future", {}),
        (NOW - MAX_AGE - timedelta(seconds=1), "datetime.too_old", {"days": 30}),
        (at(13, 59, day=8, month=2), "datetime.too_old", {"days": 30}),
        (datetime(2025, 3, 10, tzinfo=TASHKENT), "datetime.too_old", {"days": 30}),
    ],
)
def test_moments_outside_the_window_are_refused(
    moment: datetime, code: str, params: dict[str, Any]
) -> None:
    assert refusal(check_moment, moment, now=NOW, max_age=MAX_AGE) == (code, params)


def test_an_end_before_its_start_is_refused_and_an_equal_one_accepted() -> None:
    start = at(8)
    assert check_moment(start, now=NOW, max_age=MAX_AGE, not_before=start) == start
    assert refusal(check_moment, at(7, 59), now=NOW, max_age=MAX_AGE, not_before=start) == (
        "datetime.before_start",
        {"start": start},
    )


def test_the_future_is_checked_before_the_start() -> None:
    code, _ = refusal(check_moment, at(16), now=NOW, max_age=MAX_AGE, not_before=at(17))
    assert code == "datetime.future"
