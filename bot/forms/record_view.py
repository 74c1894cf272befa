"""What a seizure's record says beyond its answers: the route and what of it was not given,
and where the report sits on the map (the coordinates and how they were found).

Shown in the summary before filing, in the receipt, and in the report's view (/myreports), so
the officer sees what the programme will hand on, gaps included.
"""

from __future__ import annotations

from html import escape
from typing import Any

from bot.forms.model import Form
from bot.i18n import Translator
from storage import Precision, Report


def route_not_given(form: Form, answers: dict[str, Any]) -> tuple[str, ...]:
    """The route questions without an answer ("Unknown" is an answer); () for a form without."""
    if form.route_fields is None:
        return ()
    return tuple(key for key in form.route_fields if answers.get(key) in (None, [], ""))


def route_gap_line(form: Form, answers: dict[str, Any], tr: Translator) -> str | None:
    """``Route not given: Country of origin, Transit countries.``; None when nothing is."""
    gaps = route_not_given(form, answers)
    if not gaps:
        return None
    labels = ", ".join(tr.gettext(form.field_index[key].label) for key in gaps)
    return tr.gettext("Route not given: {questions}.").format(questions=escape(labels))


def route_lines(form: Form, answers: dict[str, Any], tr: Translator) -> list[str]:
    """The route's answers, one ``<b>Label:</b> value`` line each, as the summary shows them."""
    lines = []
    for key in form.route_fields or ():
        spec = form.field_index[key]
        given = answers.get(key) or []
        chosen = [given] if isinstance(given, str) else list(given)
        names = [tr.label(option) for option in spec.options if option.key in chosen]
        value = escape(", ".join(names)) or "—"
        lines.append(f"<b>{escape(tr.gettext(spec.label))}:</b> {value}")
    return lines


def location_line(report: Report, tr: Translator) -> str | None:
    """Where the report sits on the map and why there; None for a form without a place."""
    _ = tr.gettext
    if report.precision is None:
        return None
    if report.precision is Precision.NONE or report.latitude is None or report.longitude is None:
        return _("On the map: no coordinates (neither the place nor the unit has any).")
    where = {"latitude": f"{report.latitude:.5f}", "longitude": f"{report.longitude:.5f}"}
    if report.precision is Precision.EXACT:
        return _("On the map: {latitude}, {longitude} (the location shared).").format(**where)
    if report.precision is Precision.POINT:
        return _("On the map: {latitude}, {longitude} (the crossing point’s coordinates).").format(
            **where
        )
    return _("On the map: {latitude}, {longitude} (the unit’s location).").format(**where)


def record_lines(form: Form, report: Report, tr: Translator, *, with_route: bool) -> list[str]:
    """The record's lines for a filed report; ``with_route``: also the route's answers (the
    receipt shows no answers of its own; the report's view already lists them)."""
    lines: list[str] = []
    if form.route_fields is not None and report.route is None:
        if report.filed_before_routes:
            lines.append(tr.gettext("Route: not asked when this report was filed."))
    elif form.route_fields is not None:
        if with_route:
            lines += route_lines(form, report.answers, tr)
        gap = route_gap_line(form, report.answers, tr)
        if gap is not None:
            lines.append(gap)
    location = location_line(report, tr)
    if location is not None:
        lines.append(location)
    return lines
