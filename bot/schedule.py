"""When things fall due: the digest and the reminder, in the programme's local time.

Pure functions over plain values: the caller passes ``now``, so tests move time instead of
waiting for it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

DEFAULT_DIGEST_TIME = time(8, 0)
DEFAULT_REMINDER_TIME = time(18, 0)
_CLOCK = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def parse_clock(text: str) -> time | None:
    """``08:00`` or ``8.00`` → 08:00; anything else → None."""
    match = _CLOCK.match(text.strip())
    return time(int(match[1]), int(match[2])) if match else None


def latest_due_digest_day(now: datetime, digest_time: time, timezone: tzinfo) -> date:
    """The reporting day whose digest is the most recent to have fallen due at ``now``.

    The digest of day D falls due at ``digest_time`` on D + 1.
    """
    local = now.astimezone(timezone)
    today = local.date()
    if local.time() >= digest_time:
        return today - timedelta(days=1)
    return today - timedelta(days=2)


def reminder_due(now: datetime, reminder_time: time, timezone: tzinfo) -> bool:
    local = now.astimezone(timezone)
    return local.time() >= reminder_time


def retry_delay(attempts: int, retry_after: float | None = None) -> timedelta:
    """Back off 5 s, 10 s, 20 s … up to 15 minutes; Telegram's ``retry_after`` wins if longer."""
    backoff = min(5.0 * 2 ** min(max(attempts - 1, 0), 20), 900.0)
    return timedelta(seconds=max(backoff, retry_after or 0.0))
