"""When things fall due (bot/schedule.py) and how typed days are read (/digest, /export).

Pure functions: every ``now`` is given, nothing waits for the clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.handlers.digest import parse_day
from bot.schedule import (
    DEFAULT_DIGEST_TIME,
    DEFAULT_REMINDER_TIME,
    latest_due_digest_day,
    parse_clock,
    retry_delay,
)

TASHKENT = ZoneInfo("Asia/Tashkent")  # UTC+5 all year, no daylight saving time
TODAY = date(2026, 11, 29)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def tashkent(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A local moment in Tashkent, given to the function in UTC as the bot does."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=TASHKENT).astimezone(UTC)


# -- parse_clock ------------------------------------------------------------------------------
def test_the_defaults_are_eight_and_six() -> None:
    assert time(8, 0) == DEFAULT_DIGEST_TIME
    assert time(18, 0) == DEFAULT_REMINDER_TIME


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00", time(8, 0)),
        ("8:00", time(8, 0)),
        ("8.00", time(8, 0)),
        ("08.30", time(8, 30)),
        ("07:30", time(7, 30)),
        ("0:00", time(0, 0)),
        ("00:00", time(0, 0)),
        ("19:05", time(19, 5)),
        ("23:59", time(23, 59)),
        (" 08:00 ", time(8, 0)),
    ],
)
def test_parse_clock_accepts_hours_and_minutes(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "24:00",
        "25:00",
        "7:60",
        "12:99",
        "",
        "   ",
        "8",
        "0800",
        "08:00:00",
        "8:0",
        "08:000",
        "008:00",
        "08,00",
        "08-00",
        "-1:00",
        "8 am",
        "08:00pm",
        "noon",
        "<b>08:00</b>",
        "<script>alert(1)</script>",
        "0" * 5000,
        "08:00" * 1000,
    ],
)
def test_parse_clock_refuses_anything_else(text: str) -> None:
    assert parse_clock(text) is None


# -- latest_due_digest_day --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("local_moment", "expected"),
    [
        # the digest of D falls due at 08:00 on D + 1 (Tashkent time)
        ((date(2026, 11, 21), 7, 59, 59), date(2026, 11, 19)),
        ((date(2026, 11, 21), 8, 0, 0), date(2026, 11, 20)),
        ((date(2026, 11, 21), 8, 0, 1), date(2026, 11, 20)),
        ((date(2026, 11, 21), 23, 59, 59), date(2026, 11, 20)),
        # around local midnight
        ((date(2026, 11, 20), 23, 59, 59), date(2026, 11, 19)),
        ((date(2026, 11, 21), 0, 0, 0), date(2026, 11, 19)),
        ((date(2026, 11, 21), 0, 0, 1), date(2026, 11, 19)),
        # across a month and a year
        ((date(2026, 12, 1), 9, 0, 0), date(2026, 11, 30)),
        ((date(2027, 1, 1), 8, 0, 0), date(2026, 12, 31)),
        ((date(2027, 1, 1), 7, 0, 0), date(2026, 12, 30)),
    ],
)
def test_latest_due_day_at_the_default_time_in_tashkent(
    local_moment: tuple[date, int, int, int], expected: date
) -> None:
    day, hour, minute, second = local_moment
    assert latest_due_digest_day(tashkent(day, hour, minute, second), time(8), TASHKENT) == expected


def test_the_local_date_counts_not_the_utc_one() -> None:
    # 20:30 UTC on the 20th is 01:30 on the 21st in Tashkent: the digest of the 20th is due
    # at 01:00, although in UTC it is still the 20th.
    now = utc(2026, 11, 20, 20, 30)
    assert now.date() == date(2026, 11, 20)
    assert latest_due_digest_day(now, time(1, 0), TASHKENT) == date(2026, 11, 20)
    # 19:00 UTC is local midnight: with the digest at 23:00, the 20th is not due yet.
    assert latest_due_digest_day(utc(2026, 11, 20, 19), time(23, 0), TASHKENT) == date(2026, 11, 19)
    # the same moments read in UTC would give other days
    assert latest_due_digest_day(now, time(1, 0), UTC) == date(2026, 11, 19)
    assert latest_due_digest_day(utc(2026, 11, 20, 19), time(23, 0), UTC) == date(2026, 11, 18)


def test_the_zone_of_now_itself_does_not_matter() -> None:
    moment = utc(2026, 11, 21, 2, 59)  # 07:59 in Tashkent
    in_moscow = moment.astimezone(ZoneInfo("Europe/Moscow"))
    in_new_york = moment.astimezone(ZoneInfo("America/New_York"))
    assert in_new_york.date() == date(2026, 11, 20)
    for now in (moment, in_moscow, in_new_york):
        assert latest_due_digest_day(now, time(8), TASHKENT) == date(2026, 11, 19)
    for now in (moment + timedelta(minutes=1), in_new_york + timedelta(minutes=1)):
        assert latest_due_digest_day(now, time(8), TASHKENT) == date(2026, 11, 20)


@pytest.mark.parametrize(
    ("digest_time", "local_hour_minute", "expected"),
    [
        (time(0, 0), (0, 0), date(2026, 11, 20)),  # midnight digest: due the moment D ends
        (time(0, 0), (23, 59), date(2026, 11, 20)),
        (time(23, 59), (23, 58), date(2026, 11, 19)),
        (time(23, 59), (23, 59), date(2026, 11, 20)),
        (time(7, 30), (7, 29), date(2026, 11, 19)),
        (time(7, 30), (7, 30), date(2026, 11, 20)),
    ],
)
def test_latest_due_day_follows_the_configured_time(
    digest_time: time, local_hour_minute: tuple[int, int], expected: date
) -> None:
    now = tashkent(date(2026, 11, 21), *local_hour_minute)
    assert latest_due_digest_day(now, digest_time, TASHKENT) == expected


# -- retry_delay ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [
        (0, 5),
        (1, 5),
        (2, 10),
        (3, 20),
        (4, 40),
        (5, 80),
        (6, 160),
        (7, 320),
        (8, 640),
        (9, 900),  # 1280 s capped at 15 minutes
        (10, 900),
        (50, 900),
    ],
)
def test_retry_delay_doubles_up_to_fifteen_minutes(attempts: int, seconds: int) -> None:
    assert retry_delay(attempts) == timedelta(seconds=seconds)


def test_retry_delay_never_shrinks_and_never_exceeds_the_cap() -> None:
    delays = [retry_delay(n) for n in range(1, 40)]
    assert delays == sorted(delays)
    assert max(delays) == timedelta(minutes=15)


def test_retry_delay_stays_capped_for_any_number_of_attempts() -> None:
    assert retry_delay(2000) == timedelta(minutes=15)


@pytest.mark.parametrize(
    ("attempts", "retry_after", "seconds"),
    [
        (1, 30.0, 30),  # Telegram asks for longer than our backoff: Telegram wins
        (3, 21.0, 21),
        (9, 3600.0, 3600),  # even beyond our own cap
        (1, 2.5, 5),  # shorter than the backoff: the backoff stays
        (4, 40.0, 40),
        (4, 10.0, 40),
        (2, 0.0, 10),
        (2, None, 10),
    ],
)
def test_telegrams_retry_after_wins_when_longer(
    attempts: int, retry_after: float | None, seconds: float
) -> None:
    assert retry_delay(attempts, retry_after) == timedelta(seconds=seconds)


# -- parse_day --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("28.11.2026", date(2026, 11, 28)),
        ("2026-11-28", date(2026, 11, 28)),
        ("28/11/2026", date(2026, 11, 28)),
        ("1.2.2026", date(2026, 2, 1)),
        ("01.02.2026", date(2026, 2, 1)),
        (" 28.11.2026 ", date(2026, 11, 28)),
        ("29.02.2028", date(2028, 2, 29)),
        ("28.11", date(2026, 11, 28)),  # this year
        ("01.01", date(2026, 1, 1)),
        ("31.12", date(2026, 12, 31)),
    ],
)
def test_parse_day_reads_the_usual_ways_of_writing_a_day(text: str, expected: date) -> None:
    assert parse_day(text, TODAY) == expected


def test_a_day_without_a_year_takes_the_year_of_today() -> None:
    assert parse_day("28.11", date(2027, 3, 1)) == date(2027, 11, 28)
    assert parse_day("29.02", date(2028, 6, 1)) == date(2028, 2, 29)
    assert parse_day("29.02", date(2027, 6, 1)) is None  # 2027 is not a leap year


@pytest.mark.parametrize(
    "text",
    [
        "31.02.2026",
        "29.02.2026",
        "31.04.2026",
        "32.01.2026",
        "00.01.2026",
        "32.13.2026",
        "28.13.2026",
        "99.99.9999",
        "2026-02-31",
        "2026-13-01",
        "31/02/2026",
        "11/28/2026",  # month first is not ours
        "31.02",
        "yesterday",
        "tomorrow",
        "вчера",
        "today",
        "",
        "   ",
        "28",
        "28.11.",
        "28.11.26",
        "28 11 2026",
        "28.11.2026 12:00",
        "2026.11.28",
        "<b>28.11.2026</b>",
        "<script>alert(1)</script>",
        "1" * 5000,
        "28.11.2026" * 500,
    ],
)
def test_parse_day_refuses_anything_else(text: str) -> None:
    assert parse_day(text, TODAY) is None
