"""Hostile text against the parsers of moments, times, clocks and days: each gives a value in the
programme's zone and bounds or refuses, and what is written reads back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.forms.parsing import (
    AnswerError,
    check_moment,
    parse_moment,
    parse_time,
)
from bot.handlers.digest import EARLIEST_YEAR, parse_day
from bot.schedule import parse_clock
from tests.property.hostile_text import PARSER, TASHKENT, attempt, hostile

# --- moments and clocks -------------------------------------------------------------------

NOW = datetime(2026, 11, 28, 21, 30, tzinfo=UTC)  # already the 29th in Tashkent
moment_like = st.from_regex(
    r"\A\d{1,2}[./-]\d{1,2}[./-]\d{4}([ ,T]{1,3}\d{1,2}[:.]\d{2})?\Z|\A\d{1,2}:\d{2}\Z"
)


@PARSER
@given(
    text=st.one_of(hostile, moment_like),
    now=st.datetimes(  # the server's clock: any moment of this century
        min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
    ),
)
def test_parse_moment_gives_a_moment_in_the_programme_zone_or_refuses(
    text: str, now: datetime
) -> None:
    moment = attempt(lambda: parse_moment(text, now=now, timezone=TASHKENT), AnswerError)
    if isinstance(moment, AnswerError):
        assert moment.problem.code in {"datetime.invalid", "time.invalid"}  # one message
        return
    assert isinstance(moment, datetime)
    assert moment.tzinfo is TASHKENT
    if ":" in text and not any(mark in text for mark in "./-"):  # a bare hh:mm: today
        assert moment.date() == now.astimezone(TASHKENT).date()
    # What the form does next must not blow up either, whatever the year.
    checked = attempt(
        lambda: check_moment(moment, now=now, max_age=timedelta(days=30)), AnswerError
    )
    if isinstance(checked, AnswerError):
        assert checked.problem.code in {"datetime.future", "datetime.too_old"}


@PARSER
@given(
    moment=st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)),
    separator=st.sampled_from([" ", ", ", "T", "  "]),
    mark=st.sampled_from("./-"),
)
def test_a_written_moment_reads_back(moment: datetime, separator: str, mark: str) -> None:
    text = (
        f"{moment.day:02d}{mark}{moment.month:02d}{mark}{moment.year:04d}"
        f"{separator}{moment.hour:02d}:{moment.minute:02d}"
    )
    expected = moment.replace(second=0, microsecond=0, tzinfo=TASHKENT)
    assert parse_moment(text, now=NOW, timezone=TASHKENT) == expected


@PARSER
@given(text=st.one_of(hostile, moment_like))
def test_parse_time_gives_a_clock_time_or_refuses(text: str) -> None:
    value = attempt(lambda: parse_time(text), AnswerError)
    if isinstance(value, AnswerError):
        assert value.problem.code == "time.invalid"
        return
    assert isinstance(value, time)
    assert value.second == 0 and value.microsecond == 0 and value.tzinfo is None


@PARSER
@given(hour=st.integers(0, 23), minute=st.integers(0, 59), padded=st.booleans())
def test_a_written_time_reads_back(hour: int, minute: int, padded: bool) -> None:
    text = f"{hour:02d}:{minute:02d}" if padded else f"{hour}:{minute:02d}"
    assert parse_time(text) == time(hour, minute)


@PARSER
@given(text=st.one_of(hostile, moment_like))
def test_parse_clock_gives_a_time_or_none(text: str) -> None:
    value = parse_clock(text)
    assert value is None or (isinstance(value, time) and value.second == 0)


@PARSER
@given(hour=st.integers(0, 23), minute=st.integers(0, 59), mark=st.sampled_from(":."))
def test_a_written_clock_reads_back(hour: int, minute: int, mark: str) -> None:
    assert parse_clock(f"{hour:02d}{mark}{minute:02d}") == time(hour, minute)
    assert parse_clock(f" {hour}{mark}{minute:02d} ") == time(hour, minute)


@PARSER
@given(
    text=st.one_of(hostile, moment_like),
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(9998, 12, 31)),
)
def test_parse_day_gives_a_day_of_the_programme_or_none(text: str, today: date) -> None:
    day = parse_day(text, today)
    assert day is None or (isinstance(day, date) and day.year >= EARLIEST_YEAR)


@PARSER
@given(
    day=st.dates(min_value=date(EARLIEST_YEAR, 1, 1), max_value=date(9999, 12, 31)),
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(9999, 12, 31)),
)
def test_a_written_day_reads_back(day: date, today: date) -> None:
    for text in (day.strftime("%d.%m.%Y"), day.isoformat(), day.strftime("%d/%m/%Y")):
        assert parse_day(text, today) == day, text
    try:
        this_year: date | None = day.replace(year=today.year)
    except ValueError:  # the 29th of February, and this is no leap year
        this_year = None
    assert parse_day(day.strftime("%d.%m"), today) == this_year
