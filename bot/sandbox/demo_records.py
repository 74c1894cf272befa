"""Where the sandbox's demo reports happened and by which route, as filing would record them.

The answer sets the demo reports are drawn from (bot/sandbox/demo_answers.py) are the
benchmarks' as well: they know no units (their places are drawn across the region), ask no
route, and ``storage.bulk`` loads them with neither a route nor a placement. The sandbox must
look like reports filed today (the seizure records the programme hands on, their export and
the routes read these columns), so after the load every report with a place gets, from draws
of its own:

* a place answer that fits its unit: a border liaison office's report at one of its crossing
  points, chosen by button; a mobile team's typed place kept as drawn (filing puts it at the
  unit); a location the answer set shared moved to within a few kilometres of the unit;
* on the seizure form, a route: mostly Afghanistan through Tajikistan, Turkmenistan or
  Uzbekistan to Kazakhstan or Russia, some from Iran or Pakistan, some "unknown", and about a
  fifth with questions skipped (the whole route in one tap, or one or two of its questions).

The columns are then derived from those answers by filing's own rules (``bot.locating.place_of``,
``bot.filing.route_of``), so a report's view and its record can never disagree. The draws come
from a generator of their own: the reports themselves stay exactly what the shared makers give.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.filing import route_of
from bot.forms.definitions import FORMS
from bot.forms.model import Form
from bot.locating import place_of
from storage import CrossingPoint, Database, Unit, UnitKind
from storage.bulk import PlacedReport, reports_with_place, set_places_and_routes
from storage.reports import from_json, to_json

#: The forms that ask where (seizure, incident).
FORMS_WITH_PLACE = tuple(key for key, form in FORMS.items() if form.place_field is not None)
#: A shared location lies within this many degrees of the unit (about 9 km north-south).
NEAR_DEGREES = 0.08
#: Seizures whose route has questions skipped.
SKIPPED_SHARE = 0.2

Weighted = tuple[tuple[str, int], ...]

_ORIGINS: Weighted = (("af", 66), ("ir", 9), ("pk", 7), ("unknown", 18))
_DEPARTURES: dict[str, Weighted] = {
    "af": (("af", 58), ("tj", 24), ("tm", 12), ("unknown", 6)),
    "ir": (("ir", 55), ("tm", 35), ("unknown", 10)),
    "pk": (("af", 45), ("pk", 30), ("tj", 25)),
    "unknown": (("unknown", 55), ("tj", 20), ("kg", 15), ("kz", 10)),
}
#: The country the consignment crossed into Uzbekistan from (Uzbekistan itself: straight over
#: the Amu Darya at Termez).
_CORRIDORS: Weighted = (("tj", 40), ("tm", 25), ("uz", 35))
#: Countries of departure that border Uzbekistan: the consignment entered from there.
_NEIGHBOURS = frozenset({"tj", "tm", "kg", "kz"})
_DESTINATIONS: Weighted = (
    ("ru", 42),
    ("kz", 33),
    ("uz", 7),
    ("tr", 6),
    ("eu", 5),
    ("unknown", 7),
)


def _pick(rng: random.Random, weighted: Weighted) -> str:
    return rng.choices([key for key, _ in weighted], [weight for _, weight in weighted])[0]


def demo_route(rng: random.Random, form: Form) -> dict[str, Any]:
    """The route answers of one seizure (engine values: country keys, transit a list), with
    what the officer skipped left out."""
    assert form.route_fields is not None
    origin_key, departure_key, transit_key, destination_key = form.route_fields
    origin = _pick(rng, _ORIGINS)
    departure = _pick(rng, _DEPARTURES[origin])
    destination = _pick(rng, _DESTINATIONS)
    if departure in _NEIGHBOURS:
        transit = ["uz"]  # straight over the border from the country of departure
    elif departure == "ir":
        transit = ["tm", "uz"]
    else:
        transit = [_pick(rng, _CORRIDORS), "uz"]
        if departure == "pk":
            transit.insert(0, "af")
    if destination == "ru" and rng.random() < 0.5:
        transit.append("kz")
    passed = [c for c in dict.fromkeys(transit) if c not in (departure, destination)]
    answers: dict[str, Any] = {
        origin_key: origin,
        departure_key: departure,
        destination_key: destination,
    }
    if passed:
        answers[transit_key] = passed
    if rng.random() < SKIPPED_SHARE:
        if rng.random() < 0.3:
            return {}  # "skip the route": one tap leaves all four questions
        for key in rng.sample(sorted(answers), min(len(answers), rng.randint(1, 2))):
            del answers[key]
    return answers


def demo_place(
    rng: random.Random, drawn: dict[str, Any] | None, unit: Unit, points: Sequence[CrossingPoint]
) -> dict[str, Any] | None:
    """The place answer of a report of ``unit`` in the engine's values, from the one drawn."""
    if drawn is not None and drawn.get("type") == "location" and unit.coordinates is not None:
        return {
            "type": "location",
            "lat": round(unit.coordinates.latitude + rng.uniform(-1, 1) * NEAR_DEGREES, 6),
            "lon": round(unit.coordinates.longitude + rng.uniform(-1, 1) * NEAR_DEGREES, 6),
        }
    if unit.kind is UnitKind.BLO and points:
        point = points[int(rng.random() * len(points))]
        return {"type": "point", "id": str(point.id), "text": point.name}
    return drawn


def demo_record(
    rng: random.Random,
    report_id: int,
    form: Form,
    stored_answers: str,
    unit: Unit,
    points: Sequence[CrossingPoint],
) -> PlacedReport:
    """One bulk-loaded report's answers, placement and route, as filing would store them."""
    assert form.place_field is not None
    answers = from_json(stored_answers)
    place = demo_place(rng, answers.get(form.place_field), unit, points)
    if place is not None:
        answers[form.place_field] = place
    if form.route_fields is not None:
        answers.update(demo_route(rng, form))
    kind = place.get("type") if place else None
    chosen = next((p for p in points if place and str(p.id) == place.get("id")), None)
    placement = place_of(
        place,
        unit=unit.coordinates,
        point=chosen.coordinates if kind == "point" and chosen is not None else None,
    )
    return PlacedReport(
        report_id=report_id,
        answers=to_json(answers),
        place_text=place.get("text") if place and kind != "location" else None,
        coordinates=placement.coordinates,
        precision=placement.precision,
        route=route_of(form, answers),
    )


async def place_and_route(path: Path, rng: random.Random) -> int:
    """Give every bulk-loaded report with a place in the sandbox database at ``path`` its
    placement (and a seizure its route); returns how many reports were given one."""
    db = await Database.open(path)
    try:
        async with db.read() as repos:
            units = {unit.id: unit for unit in await repos.units.list()}
            points = {
                unit_id: sorted(
                    await repos.crossing_points.list_for_unit(unit_id), key=lambda p: p.id
                )
                for unit_id in units
            }
    finally:
        await db.close()
    loaded = await asyncio.to_thread(reports_with_place, path, FORMS_WITH_PLACE)
    placed = [
        demo_record(rng, report_id, FORMS[form], answers, units[unit_id], points[unit_id])
        for report_id, unit_id, form, answers in loaded
    ]
    return await asyncio.to_thread(set_places_and_routes, path, placed)
