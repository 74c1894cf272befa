"""``/routes``: the most frequent routes and concealment methods of a period, for coordinators.

Who may is read again here (bot/authority.py, a refusal audited; a reading once it was sent);
the seizures are read through storage reduced to what is counted, so a year of them stays cheap
in the bot's own process.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bot.authority import Operation, Refused, acting
from bot.forms.definitions import SEIZURE
from bot.forms.parsing import plain_decimal
from storage import Repositories, SeizureRoute

DEFAULT_DAYS = 30
MAX_DAYS = 366
#: The longest list of each kind shown (a message stays short, well under 4096 characters).
TOP = 10
#: A side of a route the officer did not give reads as unknown when the other side is known.
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Tally:
    """How many seizures share ``key`` and their kilogram equivalent."""

    key: tuple[str, ...]
    seizures: int
    kg_equivalent: Decimal


@dataclass(frozen=True)
class RouteSummary:
    first: date
    last: date
    seizures: int
    #: (departure, destination) country keys, most frequent first.
    routes: tuple[Tally, ...]
    without_route: int
    #: (concealment,) option keys, most frequent first.
    concealments: tuple[Tally, ...]
    without_concealment: int
    #: Some item had no factor: the equivalents leave it out.
    without_factor: bool


def period_of(days: int, today: date) -> tuple[date, date]:
    """The last ``days`` reporting days, today included."""
    return today - timedelta(days=days - 1), today


async def route_summary(
    repos: Repositories, actor_telegram_id: int | None, days: int, today: date
) -> RouteSummary | Refused:
    """The period's routes and concealment methods, if the actor may see them."""
    first, last = period_of(days, today)
    actor = await acting(
        repos,
        actor_telegram_id,
        Operation.ROUTES_READ,
        target=f"{first.isoformat()}..{last.isoformat()}",
    )
    if isinstance(actor, Refused):
        return actor
    return summarise(first, last, await repos.reports.seizure_routes(SEIZURE.key, first, last))


async def record_reading(
    repos: Repositories, actor_telegram_id: int, summary: RouteSummary
) -> None:
    """The audit line of a reading that reached the coordinator (who, which period, how many
    seizures), written after the message was sent, as an export is: a message Telegram
    refused handed nothing on and must not read as if it had."""
    await repos.audit.add(
        "routes.read",
        actor_telegram_id=actor_telegram_id,
        target=f"{summary.first.isoformat()}..{summary.last.isoformat()}",
        details={"seizures": summary.seizures},
    )


def summarise(first: date, last: date, seizures: Iterable[SeizureRoute]) -> RouteSummary:
    """Counted per route and per concealment; ties broken by the kilograms, then the keys."""
    listed = list(seizures)
    routes = _tally(
        ((s.departure or UNKNOWN, s.destination or UNKNOWN), s)
        for s in listed
        if s.departure is not None or s.destination is not None
    )
    concealments = _tally(((s.concealment,), s) for s in listed if s.concealment is not None)
    return RouteSummary(
        first=first,
        last=last,
        seizures=len(listed),
        routes=tuple(routes[:TOP]),
        without_route=sum(1 for s in listed if s.departure is None and s.destination is None),
        concealments=tuple(concealments[:TOP]),
        without_concealment=sum(1 for s in listed if s.concealment is None),
        without_factor=any(s.without_factor for s in listed),
    )


def _tally(keyed: Iterable[tuple[tuple[str, ...], SeizureRoute]]) -> list[Tally]:
    counts: Counter[tuple[str, ...]] = Counter()
    kilograms: dict[tuple[str, ...], Decimal] = defaultdict(Decimal)
    for key, seizure in keyed:
        counts[key] += 1
        kilograms[key] += seizure.kg_equivalent
    return sorted(
        (Tally(key, count, plain_decimal(kilograms[key])) for key, count in counts.items()),
        key=lambda t: (-t.seizures, -t.kg_equivalent, t.key),
    )
