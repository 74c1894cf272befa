"""The rules of filing a report, over plain values: who may file, what gets stored, amending."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bot.equivalents import Factors
from bot.forms.model import Form
from bot.forms.parsing import plain_decimal
from bot.locating import Placement
from bot.urgent import Reason, why_urgent
from storage import Role, Unit, User
from storage.models import (
    Attachment,
    NewReport,
    NewSeizureItem,
    Report,
    ReportChanges,
    ReportStatus,
    Route,
)

#: Quantities are summed per substance in these units.
NORMALISATION: dict[str, tuple[Decimal, str]] = {
    "g": (Decimal("0.001"), "kg"),
    "kg": (Decimal(1), "kg"),
    "ml": (Decimal("0.001"), "l"),
    "l": (Decimal(1), "l"),
    "tablets": (Decimal(1), "tablets"),
    "pieces": (Decimal(1), "pieces"),
}


def normalise(quantity: Decimal, measure: str) -> tuple[Decimal, str]:
    """``1500 g`` → ``1.5 kg``; ``250 ml`` → ``0.25 l``; tablets and pieces are counted."""
    factor, unit = NORMALISATION[measure]
    return plain_decimal(quantity * factor), unit


class Refusal(StrEnum):
    NOT_OFFICER = "not_officer"
    NO_UNIT = "no_unit"
    UNIT_INACTIVE = "unit_inactive"


def may_file(account: User, unit: Unit | None) -> Refusal | None:
    """Active officers and admins of an active unit file reports; nobody else."""
    if not account.is_active or account.role is Role.COORDINATOR:
        return Refusal.NOT_OFFICER
    if account.unit_id is None or unit is None:
        return Refusal.NO_UNIT
    if not unit.active:
        return Refusal.UNIT_INACTIVE
    return None


def route_of(form: Form, answers: dict[str, Any]) -> Route | None:
    """The route as answered (a skipped question stays empty); None: the form asks none."""
    if form.route_fields is None:
        return None
    origin, departure, transit, destination = form.route_fields
    return Route(
        origin=answers.get(origin),
        departure=answers.get(departure),
        transit=tuple(answers.get(transit) or ()),
        destination=answers.get(destination),
    )


def _structured(
    form: Form, answers: dict[str, Any], factors: Factors, placement: Placement | None = None
) -> dict[str, Any]:
    """The columns the digest aggregates and the records hand on, taken out of the answers;
    each item with the factor to kilograms in force (``factors``), stored with it;
    ``placement``: where the report is (bot/locating.py), for a form with a place."""
    occurred = answers.get(form.occurred_field) if form.occurred_field else None
    place = answers.get(form.place_field) if form.place_field else None
    detained = answers.get(form.detained_field) if form.detained_field else None
    items: list[NewSeizureItem] = []
    for item in answers.get(form.items_field, []) if form.items_field else []:
        quantity = Decimal(item["qty"])
        normalised, unit = normalise(quantity, item["measure"])
        factor = factors.factor(item["substance"], unit)
        items.append(
            NewSeizureItem(item["substance"], quantity, item["measure"], normalised, unit, factor)
        )
    photos = answers.get(form.photos_field, []) if form.photos_field else []
    latitude = place.get("lat") if place and place.get("type") == "location" else None
    longitude = place.get("lon") if place and place.get("type") == "location" else None
    if placement is not None:
        where = placement.coordinates
        latitude = where.latitude if where is not None else None
        longitude = where.longitude if where is not None else None
    return {
        "occurred_at": datetime.fromisoformat(occurred) if occurred else None,
        "urgent": bool(answers.get(form.urgent_field)) if form.urgent_field else False,
        "place_text": place.get("text") if place and place.get("type") != "location" else None,
        "latitude": latitude,
        "longitude": longitude,
        "precision": placement.precision if placement is not None else None,
        "route": route_of(form, answers),
        "persons_detained": int(detained) if detained is not None else None,
        "items": tuple(items),
        "attachments": tuple(Attachment(p["file_id"], p["file_unique_id"]) for p in photos),
    }


def new_report(
    form: Form,
    answers: dict[str, Any],
    *,
    draft_id: str,
    author: User,
    unit_id: int,
    now: datetime,
    timezone: tzinfo,
    factors: Factors,
    placement: Placement | None = None,
) -> NewReport:
    return NewReport(
        form=form.key,
        form_code=form.code,
        unit_id=unit_id,
        author_id=author.id,
        idempotency_key=draft_id,
        submitted_at=now,
        local_day=now.astimezone(timezone).date(),
        answers=answers,
        **_structured(form, answers, factors, placement),
    )


def report_changes(
    form: Form, answers: dict[str, Any], factors: Factors, placement: Placement | None = None
) -> ReportChanges:
    """An amendment's state; ``factors`` should keep the amended report's own
    (:meth:`Factors.keeping`) so amending does not move its kilogram equivalents."""
    return ReportChanges(answers=answers, **_structured(form, answers, factors, placement))


def urgency(
    form: Form, answers: dict[str, Any], threshold_kg: Decimal, factors: Factors
) -> Reason | None:
    """Why these answers, once filed, reach coordinators as urgent (None: they do not): the
    same rule as the alert's, so the summary says what the coordinators will see."""
    return why_urgent(report_changes(form, answers, factors), threshold_kg)


def can_amend(report: Report, now: datetime, window: timedelta) -> bool:
    return report.status is ReportStatus.SUBMITTED and now - report.submitted_at <= window
