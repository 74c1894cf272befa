"""Where a report puts its seizure on a map: coordinates and how closely they place it.

The officer answers the place question in one of three ways, and each gives coordinates of its
own precision (storage.Precision):

- a shared location is where it happened: ``exact``;
- a crossing point chosen by button has the coordinates its admin gave it: ``point`` (a point
  given none falls back to the unit's);
- a typed place is only a name, which no gazetteer turns into coordinates here: the unit's
  location stands in for it, ``unit``;

and ``none`` when the fallback, the unit, has no coordinates either. Decided here, once, when a
report is filed or amended, and stored with it: the export and the map read the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.forms.model import Form
from storage import Coordinates, Precision, Repositories


@dataclass(frozen=True)
class Placement:
    """A report's coordinates (None only with precision ``none``) and their precision."""

    coordinates: Coordinates | None
    precision: Precision


def _at_unit(unit: Coordinates | None) -> Placement:
    if unit is None:
        return Placement(None, Precision.NONE)
    return Placement(unit, Precision.UNIT)


def place_of(
    answer: dict[str, Any] | None,
    *,
    unit: Coordinates | None,
    point: Coordinates | None = None,
) -> Placement:
    """The placement of a place answer (engine values: ``{"type": "location" | "point" |
    "text", …}``); ``unit``: the unit's coordinates; ``point``: the chosen point's, if any."""
    kind = answer.get("type") if answer else None
    if answer and kind == "location":
        return Placement(Coordinates(float(answer["lat"]), float(answer["lon"])), Precision.EXACT)
    if kind == "point" and point is not None:
        return Placement(point, Precision.POINT)
    return _at_unit(unit)


def chosen_point_id(answer: dict[str, Any] | None) -> int | None:
    """The crossing point a place answer names by button, if any (its id, as stored)."""
    if not answer or answer.get("type") != "point":
        return None
    try:
        return int(answer["id"])
    except (KeyError, TypeError, ValueError):
        return None


async def placement(
    repos: Repositories, form: Form, answers: dict[str, Any], unit_id: int
) -> Placement | None:
    """The placement of a report on ``form`` filed (or amended) for ``unit_id``, from the
    unit's and the point's coordinates as they are now; None for a form without a place.

    A point of another unit (an answer the unit's own list did not offer) counts as no point.
    """
    if form.place_field is None:
        return None
    answer = answers.get(form.place_field)
    unit = await repos.units.get(unit_id)
    point_id = chosen_point_id(answer)
    point = await repos.crossing_points.get(point_id) if point_id is not None else None
    return place_of(
        answer,
        unit=unit.coordinates if unit is not None else None,
        point=point.coordinates if point is not None and point.unit_id == unit_id else None,
    )
