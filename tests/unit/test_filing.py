"""The rules of filing: who may file, what a finished form becomes, when it may be amended."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import filing
from bot.equivalents import WEIGHT_ONLY
from bot.filing import Refusal, can_amend, may_file, new_report, normalise, report_changes
from bot.forms.definitions import DAILY_STATUS, FORMS, INCIDENT, JOINT_OPERATION, SEIZURE
from storage import Role, Unit, User
from storage.models import (
    Attachment,
    NewSeizureItem,
    Report,
    ReportStatus,
    SeizureItem,
    UnitKind,
    UserStatus,
)
from tests.unit.form_walks import DRAFT_ID, NOW, walk

TASHKENT = ZoneInfo("Asia/Tashkent")
T0 = datetime(2026, 1, 1, tzinfo=UTC)

UNIT = Unit(7, "IMT-TER", UnitKind.IMT, "Termiz", "Термез", "Termez", active=True)


def person(role: Role = Role.OFFICER, unit_id: int | None = 7, **changes: Any) -> User:
    user = User(
        id=42,
        telegram_id=100042,
        display_name="Aziz",
        username="aziz",
        role=role,
        unit_id=unit_id,
        language="uz",
        status=UserStatus.ACTIVE,
        created_at=T0,
        updated_at=T0,
    )
    return replace(user, **changes)


# -- quantities ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "measure", "expected", "unit"),
    [
        ("1500", "g", "1.5", "kg"),
        ("250", "ml", "0.25", "l"),
        ("0.001", "g", "0.000001", "kg"),
        ("2", "kg", "2", "kg"),
        ("12.5", "kg", "12.5", "kg"),
        ("1.5", "l", "1.5", "l"),
        ("999", "ml", "0.999", "l"),
        ("30", "tablets", "30", "tablets"),
        ("1", "tablets", "1", "tablets"),
        ("3", "pieces", "3", "pieces"),
    ],
)
def test_quantities_are_normalised_to_kg_l_and_counts(
    quantity: str, measure: str, expected: str, unit: str
) -> None:
    value, normalised_unit = normalise(Decimal(quantity), measure)
    assert value == Decimal(expected)
    assert normalised_unit == unit


def test_every_measure_of_the_seizure_form_can_be_normalised() -> None:
    measures = {option.key for option in SEIZURE.field_index["measure"].options}
    assert measures == set(filing.NORMALISATION)
    for measure in measures:
        value, unit = normalise(Decimal(1), measure)
        assert value > 0 and unit in {"kg", "l", "tablets", "pieces"}


def test_a_fractional_result_is_written_plainly() -> None:
    assert str(normalise(Decimal(1500), "g")[0]) == "1.5"
    assert str(normalise(Decimal(250), "ml")[0]) == "0.25"
    assert str(normalise(Decimal("0.001"), "g")[0]) == "0.000001"


@pytest.mark.parametrize(
    ("quantity", "measure", "written"),
    [("10", "tablets", "10"), ("1000", "kg", "1000"), ("20000", "g", "20")],
)
def test_whole_results_are_written_without_an_exponent(
    quantity: str, measure: str, written: str
) -> None:
    assert str(normalise(Decimal(quantity), measure)[0]) == written


# -- who may file -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "unit", "refusal"),
    [
        (person(Role.OFFICER), UNIT, None),
        (person(Role.ADMIN), UNIT, None),
        (person(Role.COORDINATOR), UNIT, Refusal.NOT_OFFICER),
        (person(Role.COORDINATOR, unit_id=None), None, Refusal.NOT_OFFICER),
        (person(Role.OFFICER, unit_id=None), None, Refusal.NO_UNIT),
        (person(Role.ADMIN, unit_id=None), None, Refusal.NO_UNIT),
        (person(Role.OFFICER, unit_id=7), None, Refusal.NO_UNIT),  # the unit is gone
        (person(Role.OFFICER, unit_id=None), UNIT, Refusal.NO_UNIT),
        (person(Role.OFFICER), replace(UNIT, active=False), Refusal.UNIT_INACTIVE),
        (person(Role.ADMIN), replace(UNIT, active=False), Refusal.UNIT_INACTIVE),
    ],
)
def test_only_officers_and_admins_of_an_active_unit_may_file(
    account: User, unit: Unit | None, refusal: Refusal | None
) -> None:
    assert may_file(account, unit) is refusal


# -- what a finished form becomes ---------------------------------------------------------------


def finished(form_key: str, style: str = "tap") -> dict[str, Any]:
    done = walk(FORMS[form_key], style)
    assert done.last.submit
    return done.engine.final_answers(done.last.draft)


def file(form_key: str, answers: dict[str, Any], now: datetime = NOW) -> Any:
    return new_report(
        FORMS[form_key],
        answers,
        draft_id=DRAFT_ID,
        author=person(),
        unit_id=7,
        now=now,
        timezone=TASHKENT,
        factors=WEIGHT_ONLY,
    )


def test_a_seizure_filed_with_buttons_becomes_these_columns() -> None:
    answers = finished("seizure")
    report = file("seizure", answers)
    assert report.form == "seizure" and report.form_code == "SZ"
    assert report.unit_id == 7 and report.author_id == 42
    assert report.idempotency_key == DRAFT_ID
    assert report.submitted_at == NOW
    assert report.local_day == date(2026, 3, 10)
    assert report.occurred_at == datetime(2026, 3, 10, 14, 0, tzinfo=TASHKENT)
    assert report.urgent is True
    assert report.place_text is None
    assert (report.latitude, report.longitude) == (37.2242, 67.2783)
    assert report.persons_detained == 2
    assert report.items == (
        NewSeizureItem("heroin", Decimal("1.5"), "g", Decimal("0.0015"), "kg", Decimal(1)),
    )
    assert report.attachments == (Attachment("AgAD-file-1", "uniq-1"),)
    assert report.attachments[0].kind == "photo"
    assert report.answers == answers


def test_a_seizure_typed_by_hand_has_a_place_name_two_items_and_no_photos() -> None:
    report = file("seizure", finished("seizure", "type"))
    assert report.place_text == "Termez, Friendship Bridge"
    assert report.latitude is None and report.longitude is None
    assert report.urgent is False
    assert report.occurred_at == datetime(2026, 3, 10, 10, 0, tzinfo=TASHKENT)
    assert [(i.substance, i.quantity, i.normalized_quantity) for i in report.items] == [
        ("heroin", Decimal(2), Decimal("0.002")),
        ("heroin", Decimal(2), Decimal("0.002")),
    ]
    assert report.attachments == ()


def test_mixed_measures_are_each_normalised() -> None:
    answers = finished("seizure")
    answers["items"] = [
        {"substance": "hashish", "qty": "1500", "measure": "g"},
        {"substance": "precursor", "qty": "250", "measure": "ml"},
        {"substance": "tramadol", "qty": "30", "measure": "tablets"},
        {"substance": "opium", "qty": "2.5", "measure": "kg"},
    ]
    items = file("seizure", answers).items
    assert [(i.substance, i.quantity, i.measure) for i in items] == [
        ("hashish", Decimal(1500), "g"),
        ("precursor", Decimal(250), "ml"),
        ("tramadol", Decimal(30), "tablets"),
        ("opium", Decimal("2.5"), "kg"),
    ]
    assert [(i.normalized_quantity, i.normalized_unit) for i in items] == [
        (Decimal("1.5"), "kg"),
        (Decimal("0.25"), "l"),
        (Decimal(30), "tablets"),
        (Decimal("2.5"), "kg"),
    ]


def test_nobody_detained_is_zero_not_unknown() -> None:
    answers = finished("seizure")
    answers["detained"] = "0"
    del answers["nations"]
    assert file("seizure", answers).persons_detained == 0


def test_a_joint_operation_occurred_at_its_start_and_detains_nobody() -> None:
    answers = finished("joint_operation", "type")
    report = file("joint_operation", answers)
    assert report.form_code == "JO"
    assert report.occurred_at == datetime(2026, 3, 9, 8, 0, tzinfo=TASHKENT)
    assert report.urgent is False
    assert report.persons_detained is None  # "persons" counts checks, not detentions
    assert report.place_text is None and report.latitude is None
    assert report.items == () and report.attachments == ()


def test_an_incident_carries_urgency_place_and_photos() -> None:
    report = file("incident", finished("incident"))
    assert report.form_code == "IN"
    assert report.urgent is True
    assert report.latitude == 37.2242
    assert report.attachments == (Attachment("AgAD-file-1", "uniq-1"),)
    assert report.items == () and report.persons_detained is None


def test_a_daily_status_has_nothing_but_its_day() -> None:
    report = file("daily_status", {})
    assert report.form_code == "DS"
    assert report.occurred_at is None
    assert report.urgent is False
    assert report.place_text is None and report.latitude is None and report.longitude is None
    assert report.persons_detained is None
    assert report.items == () and report.attachments == ()
    assert report.answers == {}


def test_the_local_day_is_the_day_in_tashkent() -> None:
    late = datetime(2026, 3, 9, 20, 30, tzinfo=UTC)  # 01:30 on 10 March in Tashkent
    assert file("daily_status", {}, now=late).local_day == date(2026, 3, 10)
    early = datetime(2026, 3, 9, 18, 59, tzinfo=UTC)  # 23:59 on 9 March
    assert file("daily_status", {}, now=early).local_day == date(2026, 3, 9)


def test_an_amendment_carries_the_same_columns() -> None:
    answers = finished("seizure", "type")
    changes = report_changes(SEIZURE, answers, WEIGHT_ONLY)
    report = file("seizure", answers)
    assert changes.answers == answers
    for column in (
        "occurred_at",
        "urgent",
        "place_text",
        "latitude",
        "longitude",
        "persons_detained",
        "items",
        "attachments",
    ):
        assert getattr(changes, column) == getattr(report, column), column


@pytest.mark.parametrize("form", [SEIZURE, JOINT_OPERATION, INCIDENT, DAILY_STATUS])
def test_every_form_walked_to_the_end_can_be_filed(form: Any) -> None:
    for style in ("tap", "type"):
        report = file(form.key, finished(form.key, style))
        assert report.form == form.key
        assert report.local_day == date(2026, 3, 10)


# -- amending -----------------------------------------------------------------------------------

WINDOW = timedelta(hours=24)
SUBMITTED = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def report(status: ReportStatus = ReportStatus.SUBMITTED) -> Report:
    return Report(
        id=1,
        number="SZ-2026-000123",
        form="seizure",
        form_code="SZ",
        unit_id=7,
        author_id=42,
        occurred_at=SUBMITTED,
        submitted_at=SUBMITTED,
        local_day=date(2026, 3, 10),
        status=status,
        urgent=False,
        version=1,
        answers={},
        place_text=None,
        latitude=None,
        longitude=None,
        persons_detained=None,
        items=(SeizureItem("heroin", Decimal(1), "kg", Decimal(1), "kg"),),
        attachments=(),
        updated_at=SUBMITTED,
    )


@pytest.mark.parametrize(
    ("after", "allowed"),
    [
        (timedelta(0), True),
        (timedelta(hours=10), True),
        (WINDOW, True),  # the last moment of the window
        (WINDOW + timedelta(seconds=1), False),
        (timedelta(days=3), False),
    ],
)
def test_a_report_can_be_amended_within_the_window(after: timedelta, allowed: bool) -> None:
    assert can_amend(report(), SUBMITTED + after, WINDOW) is allowed


def test_a_withdrawn_report_cannot_be_amended_even_at_once() -> None:
    assert can_amend(report(ReportStatus.WITHDRAWN), SUBMITTED, WINDOW) is False
    assert (
        can_amend(report(ReportStatus.WITHDRAWN), SUBMITTED + timedelta(hours=1), WINDOW) is False
    )


def test_the_window_is_the_one_configured() -> None:
    later = SUBMITTED + timedelta(hours=30)
    assert can_amend(report(), later, timedelta(hours=24)) is False
    assert can_amend(report(), later, timedelta(hours=48)) is True
