"""Where a seizure sits on the map: coordinates and precision for each way of giving the place,
decided once by the rules layer and stored with the report (its route with it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import filing
from bot.equivalents import WEIGHT_ONLY
from bot.forms.definitions import DAILY_STATUS, INCIDENT, SEIZURE
from bot.locating import Placement, chosen_point_id, place_of, placement
from storage import Coordinates, Database, Precision, Role, Route, UnitKind

TASHKENT = ZoneInfo("Asia/Tashkent")
T0 = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
UNIT = Coordinates(37.2242, 67.2783)
POINT = Coordinates(37.2361, 67.2014)
SHARED = {"type": "location", "lat": 37.3, "lon": 67.1}
TYPED = {"type": "text", "text": "Sherobod, 3-post"}


def chose(point_id: int | str) -> dict[str, Any]:
    return {"type": "point", "id": str(point_id), "text": "Ayritom"}


@pytest.mark.parametrize(
    ("answer", "unit", "point", "expected"),
    [
        # A shared location is where it happened, whatever the unit or a point.
        (SHARED, UNIT, POINT, Placement(Coordinates(37.3, 67.1), Precision.EXACT)),
        (SHARED, None, None, Placement(Coordinates(37.3, 67.1), Precision.EXACT)),
        # A crossing point chosen by button: its own coordinates…
        (chose(5), UNIT, POINT, Placement(POINT, Precision.POINT)),
        (chose(5), None, POINT, Placement(POINT, Precision.POINT)),
        # …or, a point given none, the unit's, or none at all.
        (chose(5), UNIT, None, Placement(UNIT, Precision.UNIT)),
        (chose(5), None, None, Placement(None, Precision.NONE)),
        # A typed place is only a name: the unit's location stands in for it.
        (TYPED, UNIT, None, Placement(UNIT, Precision.UNIT)),
        (TYPED, UNIT, POINT, Placement(UNIT, Precision.UNIT)),  # a point not chosen: ignored
        (TYPED, None, None, Placement(None, Precision.NONE)),
        (None, UNIT, None, Placement(UNIT, Precision.UNIT)),
    ],
    ids=[
        "shared",
        "shared-no-unit",
        "point",
        "point-no-unit",
        "point-without-coordinates",
        "point-and-unit-without",
        "typed",
        "typed-point-ignored",
        "typed-no-unit",
        "no-answer",
    ],
)
def test_each_way_of_giving_the_place_has_its_coordinates_and_precision(
    answer: dict[str, Any] | None,
    unit: Coordinates | None,
    point: Coordinates | None,
    expected: Placement,
) -> None:
    assert place_of(answer, unit=unit, point=point) == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (chose(12), 12),
        (chose("x"), None),  # a forged id: no point
        ({"type": "point"}, None),
        (TYPED, None),
        (SHARED, None),
        (None, None),
    ],
)
def test_only_a_point_answer_names_a_point(answer: dict[str, Any] | None, expected: int) -> None:
    assert chosen_point_id(answer) == expected


async def _offices(db: Database) -> tuple[int, int, int, int, int]:
    """(Termez team, an office with coordinates, one without; its point with coordinates,
    its point without)."""
    async with db.transaction() as repos:
        termez = await repos.units.get_by_code("IMT-TER")
        placed = await repos.units.create(
            code="BLO-A", kind=UnitKind.BLO, name_uz="A", name_ru="А", name_en="A",
            coordinates=Coordinates(37.25, 67.25),
        )  # fmt: skip
        bare = await repos.units.create(
            code="BLO-B", kind=UnitKind.BLO, name_uz="B", name_ru="Б", name_en="B"
        )
        point = await repos.crossing_points.add(placed.id, "Ayritom", coordinates=POINT)
        ferry = await repos.crossing_points.add(placed.id, "Ferry")
        assert termez is not None and point is not None and ferry is not None
        return termez.id, placed.id, bare.id, point.id, ferry.id


async def test_placement_reads_the_unit_and_the_point_as_they_are_now(db: Database) -> None:
    termez, placed, bare, point, ferry = await _offices(db)
    async with db.read() as repos:

        async def where(form: Any, answer: Any, unit_id: int) -> Placement | None:
            return await placement(repos, form, {"place": answer}, unit_id)

        assert await where(SEIZURE, chose(point), placed) == Placement(POINT, Precision.POINT)
        assert await where(SEIZURE, chose(ferry), placed) == Placement(
            Coordinates(37.25, 67.25), Precision.UNIT
        )
        assert await where(SEIZURE, TYPED, termez) == Placement(UNIT, Precision.UNIT)
        assert await where(INCIDENT, TYPED, bare) == Placement(None, Precision.NONE)
        assert await where(SEIZURE, SHARED, bare) == Placement(
            Coordinates(37.3, 67.1), Precision.EXACT
        )
        # Another unit's point (an answer this unit's list never offered) is no point.
        assert await where(SEIZURE, chose(point), termez) == Placement(UNIT, Precision.UNIT)
        assert await where(SEIZURE, chose(99999), termez) == Placement(UNIT, Precision.UNIT)
        # A form without a place is not placed.
        assert await placement(repos, DAILY_STATUS, {}, termez) is None


def _seizure(**route: Any) -> dict[str, Any]:
    return {
        "when": (T0 - timedelta(hours=1)).isoformat(),
        "place": TYPED,
        "items": [{"substance": "heroin", "qty": "2", "measure": "kg"}],
        "detained": "0",
        "agencies": ["customs"],
        "urgent": False,
        **route,
    }


def test_the_route_is_read_from_the_answers_and_a_skipped_question_stays_empty() -> None:
    answers = _seizure(origin="af", transit=["ir", "tm"], destination="unknown")
    assert filing.route_of(SEIZURE, answers) == Route("af", None, ("ir", "tm"), "unknown")
    assert filing.route_of(SEIZURE, _seizure()) == Route()
    assert filing.route_of(INCIDENT, {}) is None  # a form without a route


async def test_the_record_is_stored_with_the_report_and_follows_an_amendment(
    db: Database,
) -> None:
    termez, *_others = await _offices(db)
    answers = _seizure(origin="af", departure="tj", transit=["ir"])
    async with db.transaction() as repos:
        author = await repos.users.create(telegram_id=5001, role=Role.OFFICER, unit_id=termez)
        where = await placement(repos, SEIZURE, answers, termez)
        report = await repos.reports.create(
            filing.new_report(
                SEIZURE,
                answers,
                draft_id="d-1",
                author=author,
                unit_id=termez,
                now=T0,
                timezone=TASHKENT,
                factors=WEIGHT_ONLY,
                placement=where,
            )
        )
    assert report.precision is Precision.UNIT
    assert (report.latitude, report.longitude) == (UNIT.latitude, UNIT.longitude)
    assert report.route == Route("af", "tj", ("ir",), None)
    assert report.filed_before_routes is False

    # Amended: the place is now the officer's shared location, the route is complete.
    changed = {**answers, "place": SHARED, "destination": "ru", "transit": []}
    async with db.transaction() as repos:
        where = await placement(repos, SEIZURE, changed, termez)
        amended = await repos.reports.amend(
            report.id,
            filing.report_changes(SEIZURE, changed, WEIGHT_ONLY, where),
            amended_by=author.id,
            idempotency_key="d-2",
            now=T0 + timedelta(minutes=5),
        )
        versions = await repos.reports.versions(report.id)
    assert amended.precision is Precision.EXACT
    assert (amended.latitude, amended.longitude) == (37.3, 67.1)
    assert amended.route == Route("af", "tj", (), "ru")
    assert versions[0].answers["route"]["transit"] == ["ir"]
    assert versions[1].answers["route"] == {
        "origin": "af",
        "departure": "tj",
        "transit": [],
        "destination": "ru",
    }
    assert [v.answers["precision"] for v in versions] == ["unit", "exact"]


async def test_a_form_without_a_place_or_route_stores_neither(db: Database) -> None:
    async with db.transaction() as repos:
        unit = await repos.units.get_by_code("IMT-TER")
        assert unit is not None
        author = await repos.users.create(telegram_id=5002, role=Role.OFFICER, unit_id=unit.id)
        report = await repos.reports.create(
            filing.new_report(
                DAILY_STATUS,
                {},
                draft_id="d-3",
                author=author,
                unit_id=unit.id,
                now=T0,
                timezone=TASHKENT,
                factors=WEIGHT_ONLY,
                placement=await placement(repos, DAILY_STATUS, {}, unit.id),
            )
        )
    assert (report.precision, report.route, report.latitude) == (None, None, None)
