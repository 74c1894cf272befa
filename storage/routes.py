"""A seizure's route in the reports table: five columns, because a route not asked (a report
filed before routes were asked, or a form without one) differs from one asked and skipped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storage.columns import Field
from storage.models import Route

#: The columns, in this order, that :func:`route_params` writes and :func:`route_of` reads.
ROUTE_COLUMNS = (
    "route_asked",
    "route_origin",
    "route_departure",
    "route_transit",
    "route_destination",
)


def route_params(
    route: Route | None,
) -> tuple[int, str | None, str | None, str | None, str | None]:
    """The values of :data:`ROUTE_COLUMNS`; transit countries joined by commas ('' for none)."""
    if route is None:
        return 0, None, None, None, None
    return 1, route.origin, route.departure, ",".join(route.transit), route.destination


def route_of(values: Sequence[Any]) -> Route | None:
    """The route from the values of :data:`ROUTE_COLUMNS`; None when it was not asked."""
    asked, origin, departure, transit, destination = values
    if not asked:
        return None
    countries = tuple(key for key in str(transit or "").split(",") if key)
    return Route(origin=origin, departure=departure, transit=countries, destination=destination)


#: A report's ``route`` field in its table's mapping (storage/report_tables.py).
ROUTE = Field("route", ROUTE_COLUMNS, route_of, route_params)


def route_json(route: Route | None) -> dict[str, Any] | None:
    """The route in a version's snapshot (storage/report_tables.py)."""
    if route is None:
        return None
    return {
        "origin": route.origin,
        "departure": route.departure,
        "transit": list(route.transit),
        "destination": route.destination,
    }
