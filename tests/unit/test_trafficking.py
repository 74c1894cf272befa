"""``/routes``: the seizures read lean through storage, counted per route and concealment, and
the words, with plural forms, in every language."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot import trafficking
from bot.authority import Refused
from bot.config import LANGUAGES
from bot.forms.definitions import ROUTE_OPTIONS
from bot.handlers.routes import summary_text
from bot.i18n import Catalogs
from bot.trafficking import Tally, summarise
from storage import Database, NewReport, NewSeizureItem, Role, Route, SeizureRoute

TASHKENT = ZoneInfo("Asia/Tashkent")
DAY = date(2026, 11, 30)
FIRST = DAY - timedelta(days=29)


def seizure_route(
    n: int,
    departure: str | None,
    destination: str | None,
    concealment: str | None,
    kg: str,
    *,
    without_factor: bool = False,
) -> SeizureRoute:
    return SeizureRoute(n, departure, destination, concealment, Decimal(kg), without_factor)


def test_routes_are_counted_most_frequent_first_an_unknown_side_named() -> None:
    summary = summarise(
        FIRST,
        DAY,
        [
            seizure_route(1, "af", "ru", "vehicle", "1"),
            seizure_route(2, "tj", None, "cargo", "10"),
            seizure_route(3, "af", "ru", "vehicle", "2.5"),
            seizure_route(4, None, None, None, "0.2", without_factor=True),
            seizure_route(5, "tj", "unknown", "body", "0"),
        ],
    )
    assert summary.seizures == 5
    assert summary.routes == (
        # Not given and "unknown" read the same; a tie in seizures: the heavier first.
        Tally(("tj", "unknown"), 2, Decimal(10)),
        Tally(("af", "ru"), 2, Decimal("3.5")),
    )
    assert summary.without_route == 1
    assert summary.concealments == (
        Tally(("vehicle",), 2, Decimal("3.5")),
        Tally(("cargo",), 1, Decimal(10)),
        Tally(("body",), 1, Decimal(0)),
    )
    assert summary.without_concealment == 1
    assert summary.without_factor


def test_at_most_ten_of_each() -> None:
    many = [seizure_route(n, f"c{n}", "ru", f"k{n}", "1") for n in range(15)]
    summary = summarise(FIRST, DAY, many)
    assert len(summary.routes) == trafficking.TOP == len(summary.concealments)


def test_the_words_in_english(catalogs: Catalogs) -> None:
    tr = catalogs.translator("en")
    summary = summarise(
        FIRST,
        DAY,
        [
            seizure_route(1, "af", "ru", "vehicle", "1.5"),
            seizure_route(2, None, None, None, "1", without_factor=True),
        ],
    )
    assert summary_text(summary, 30, tr).replace("\xa0", " ").splitlines() == [
        "<b>Routes and concealment of the last 30 days (01.11.2026 – 30.11.2026)</b>",
        "",
        "2 seizures filed.",
        "",
        "<b>Most frequent routes (departure → destination):</b>",
        "1. Afghanistan → Russia: 1 seizure, ≈ 1.5 kg equivalent",
        "Without a route: 1 seizure.",
        "",
        "<b>Concealment methods:</b>",
        "1. Hidden in a vehicle: 1 seizure, ≈ 1.5 kg equivalent",
        "Concealment not given: 1 seizure.",
        "",
        "Litres, tablets and pieces of a drug without a factor are in no kilogram equivalent.",
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("count", [1, 2, 5, 21])
def test_every_language_and_plural(catalogs: Catalogs, language: str, count: int) -> None:
    tr = catalogs.translator(language)
    seizures = [seizure_route(n, "tj", "kz", "luggage", "1") for n in range(count)]
    text = summary_text(summarise(FIRST, DAY, seizures), count, tr)
    assert "{" not in text
    assert tr.label(next(o for o in ROUTE_OPTIONS if o.key == "kz")) in text
    if language == "ru":
        word = {1: "изъятие", 2: "изъятия", 5: "изъятий", 21: "изъятие"}[count]
        assert f"{count} {word}, ≈" in text
    empty = summary_text(summarise(FIRST, DAY, []), count, tr)
    assert empty.endswith(tr.gettext("No seizures were filed in this period."))


async def test_storage_reads_the_periods_submitted_seizures_lean(db: Database) -> None:
    """Withdrawn reports, other forms and days outside the period are left out; each seizure's
    equivalent adds its items with a factor, and says when one had none."""
    kilo = NewSeizureItem("heroin", Decimal(1), "kg", Decimal(1), "kg", Decimal(1))
    litres = NewSeizureItem("precursor", Decimal(2), "l", Decimal(2), "l", Decimal(1))
    tablets = NewSeizureItem("tramadol", Decimal(300), "tablets", Decimal(300), "tablets")
    async with db.transaction() as repos:
        termez = await repos.units.get_by_code("IMT-TER")
        assert termez is not None
        author = await repos.users.create(telegram_id=1, role=Role.OFFICER, unit_id=termez.id)
        made = [
            (0, "seizure", (kilo, litres), Route("af", "tj", ("ir",), "ru"), "vehicle"),
            (1, "seizure", (tablets, kilo), Route(), None),
            (2, "daily_status", (), None, None),
            (3, "seizure", (kilo,), Route("af", None, (), None), "cargo"),  # withdrawn
            (30, "seizure", (kilo,), Route("af", "tj", (), "ru"), "vehicle"),  # too early
        ]
        stored = []
        for number, (days_ago, form, items, route, conceal) in enumerate(made):
            at = datetime.combine(DAY - timedelta(days=days_ago), time(9), tzinfo=TASHKENT)
            stored.append(
                await repos.reports.create(
                    NewReport(
                        form=form,
                        form_code="SZ" if form == "seizure" else "DS",
                        unit_id=termez.id,
                        author_id=author.id,
                        idempotency_key=f"key-{number}",
                        occurred_at=None,
                        submitted_at=at,
                        local_day=at.date(),
                        urgent=False,
                        answers={"conceal": conceal} if conceal else {},
                        place_text=None,
                        latitude=None,
                        longitude=None,
                        persons_detained=0,
                        items=items,
                        route=route,
                    )
                )
            )
        await repos.reports.withdraw(stored[3].id, now=datetime.now(TASHKENT))
    async with db.transaction() as repos:
        officer_asks = await trafficking.route_summary(repos, 1, 30, DAY)
        seizures = await repos.reports.seizure_routes("seizure", FIRST, DAY)
    assert isinstance(officer_asks, Refused)
    assert seizures == [
        SeizureRoute(stored[1].id, None, None, None, Decimal(1), without_factor=True),
        SeizureRoute(stored[0].id, "tj", "ru", "vehicle", Decimal(3), without_factor=False),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_days_routes_are_titled_with_the_day_not_a_range(
    catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    title = summary_text(summarise(DAY, DAY, []), 1, tr).splitlines()[0]
    assert title.count(tr.format_date(DAY)) == 1, title
    assert "{" not in title
