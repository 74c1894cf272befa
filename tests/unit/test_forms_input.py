"""What an officer types that a form must read or refuse: bad input and why, moments and their
bounds, text kept as typed, numbers the way each language writes them."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.forms.definitions import FORMS, JOINT_OPERATION, SEIZURE
from bot.forms.state import (
    SUMMARY,
    Ask,
    Clock,
    Event,
    Located,
    Photo,
    Tapped,
    Typed,
    Unsupported,
)
from tests.unit.form_walks import (
    BRIDGE,
    DRAFT_ID,
    TASHKENT,
    asked,
    assert_refused,
    engine_for,
    reach,
    step,
)

BAD_INPUT = [
    # number questions
    ("seizure", "detained", Typed("abc"), "number.invalid", {"integer": True}),
    ("seizure", "detained", Typed("two"), "number.invalid", {"integer": True}),
    ("seizure", "detained", Typed(""), "number.invalid", {"integer": True}),
    ("seizure", "detained", Typed("-1"), "number.too_small", {"minimum": Decimal(0)}),
    ("seizure", "detained", Typed("1e309"), "number.invalid", {"integer": True}),
    ("seizure", "detained", Typed("2,5"), "number.not_integer", {}),
    ("seizure", "detained", Typed("501"), "number.too_large", {"maximum": Decimal(500)}),
    (
        "seizure",
        "detained",
        Typed("12345678901234567890"),
        "number.too_large",
        {"maximum": Decimal(500)},
    ),
    ("seizure", "qty", Typed("abc"), "number.invalid", {"integer": False}),
    ("seizure", "qty", Typed("-5"), "number.too_small", {"minimum": Decimal("0.001")}),
    ("seizure", "qty", Typed("0"), "number.too_small", {"minimum": Decimal("0.001")}),
    ("seizure", "qty", Typed("0,0001"), "number.too_precise", {"decimals": 3}),
    ("seizure", "qty", Typed("1e309"), "number.invalid", {"integer": False}),
    ("seizure", "qty", Typed("NaN"), "number.invalid", {"integer": False}),
    ("seizure", "qty", Typed("1000000,5"), "number.too_large", {"maximum": Decimal(1000000)}),
    ("seizure", "qty", Typed("5 kg"), "number.invalid", {"integer": False}),
    ("joint_operation", "vehicles", Typed("100001"), "number.too_large", None),
    # text questions
    ("seizure", "caseref", Typed(""), "text.empty", {}),
    ("seizure", "caseref", Typed("   \n\t "), "text.empty", {}),
    ("seizure", "caseref", Typed("\u200b\u200b"), "text.empty", {}),
    ("seizure", "caseref", Typed("A" * 65), "text.too_long", {"limit": 64, "count": 65}),
    ("seizure", "notes", Typed("x" * 5000), "text.too_long", {"limit": 1500, "count": 5000}),
    ("joint_operation", "result", Typed("é" * 1501), "text.too_long", None),
    ("seizure", "place", Typed("  "), "text.empty", {}),
    ("seizure", "place", Typed("p" * 201), "text.too_long", {"limit": 200, "count": 201}),
    # date and time
    ("seizure", "when", Typed("31.02.2026 10:00"), "datetime.invalid", {}),
    ("seizure", "when", Typed("25:00"), "time.invalid", {}),
    ("seizure", "when", Typed("10.03.2026 24:00"), "time.invalid", {}),
    ("seizure", "when", Typed("10.03.2026"), "datetime.invalid", {}),
    ("seizure", "when", Typed("yesterday"), "datetime.invalid", {}),
    ("seizure", "when", Typed("2026-03-10 10:00"), "datetime.invalid", {}),
    ("seizure", "when", Typed("11.03.2026 10:00"), "datetime.future", {}),
    ("seizure", "when", Typed("14:06"), "datetime.future", {}),
    ("seizure", "when", Typed("10.03.2025 10:00"), "datetime.too_old", {"days": 30}),
    ("seizure", "when", Typed("08.02.2026 13:59"), "datetime.too_old", {"days": 30}),
    # buttons expected
    ("seizure", "substance", Typed("heroin"), "choice.use_buttons", {}),
    ("seizure", "conceal", Typed("Cargo"), "choice.use_buttons", {}),
    ("seizure", "agencies", Typed("SSS"), "choice.use_buttons", {}),
    ("seizure", "urgent", Typed("yes"), "choice.use_buttons", {}),
    ("seizure", "items", Typed("done"), "choice.use_buttons", {}),
    ("seizure", "agencies", Tapped("agencies", "done"), "multi.choose_one", {}),
    ("seizure", "photos", Typed("photo attached"), "photos.send_photo", {}),
    (SUMMARY, SUMMARY, Typed("send it"), "summary.use_buttons", {}),
    # the wrong kind of message
    ("seizure", "caseref", Photo("AgAD-x", "uniq-x"), "input.unexpected_photo", {"kind": "text"}),
    ("seizure", "detained", Photo("AgAD-x", "uniq-x"), "input.unexpected_photo", None),
    ("seizure", "caseref", Unsupported("sticker"), "input.unsupported", {"kind": "text"}),
    ("seizure", "substance", Unsupported("voice"), "input.unsupported", {"kind": "choice"}),
    ("seizure", "notes", Located(*BRIDGE), "input.unexpected_location", {"kind": "text"}),
    ("seizure", "when", Located(*BRIDGE), "input.unexpected_location", {"kind": "datetime"}),
    ("seizure", "place", Located(91.0, 10.0), "place.invalid_location", {}),
    ("seizure", "place", Located(10.0, -180.5), "place.invalid_location", {}),
    ("seizure", "place", Located(math.nan, 10.0), "place.invalid_location", {}),
    ("seizure", "place", Photo("AgAD-x", "uniq-x"), "input.unexpected_photo", {"kind": "place"}),
]


@pytest.mark.parametrize(
    ("form_key", "key", "event", "code", "params"),
    BAD_INPUT,
    ids=[f"{key}-{code}-{i}" for i, (_, key, _e, code, _p) in enumerate(BAD_INPUT)],
)
def test_bad_input_keeps_the_question_and_says_why(
    form_key: str, key: str, event: Event, code: str, params: dict[str, Any] | None
) -> None:
    form = SEIZURE if form_key == SUMMARY else FORMS[form_key]
    engine, at = reach(form, key)
    assert_refused(engine, at, event, code, params)


def test_the_end_of_a_joint_operation_cannot_be_before_its_start() -> None:
    engine, at_end = reach(JOINT_OPERATION, "end", "type")
    assert at_end.draft.answers["start"] == "2026-03-09T08:00:00+05:00"
    refused = assert_refused(engine, at_end, Typed("09.03.2026 07:59"), "datetime.before_start")
    assert refused.problem is not None
    assert refused.problem.params == {"start": datetime(2026, 3, 9, 8, 0, tzinfo=TASHKENT)}
    same_moment = step(engine, at_end.draft, Typed("09.03.2026 08:00"))
    assert same_moment.problem is None
    assert asked(engine, same_moment.draft) == "agencies"


def test_a_moment_a_few_minutes_ahead_is_tolerated() -> None:
    engine = engine_for(SEIZURE)
    start = engine.start(DRAFT_ID)
    ahead = step(engine, start.draft, Typed("14:05"))  # the clock says 14:00
    assert ahead.problem is None
    assert ahead.draft.answers["when"] == "2026-03-10T14:05:00+05:00"


def test_the_oldest_moment_accepted_is_exactly_max_age_ago() -> None:
    engine = engine_for(SEIZURE)
    start = engine.start(DRAFT_ID)
    oldest = step(engine, start.draft, Typed("08.02.2026 14:00"))
    assert oldest.problem is None
    assert oldest.draft.answers["when"] == "2026-02-08T14:00:00+05:00"


@pytest.mark.parametrize(
    ("day", "typed", "expected"),
    [
        ("today", "10:30", "2026-03-10T10:30:00+05:00"),
        ("today", "0:05", "2026-03-10T00:05:00+05:00"),
        ("yesterday", "23:59", "2026-03-09T23:59:00+05:00"),
    ],
)
def test_today_and_yesterday_take_a_typed_time(day: str, typed: str, expected: str) -> None:
    engine = engine_for(SEIZURE)
    start = engine.start(DRAFT_ID)
    pending = step(engine, start.draft, Tapped("when", "dt", day))
    assert pending.view == Ask(SEIZURE.field("when"), pending_day=day)
    stored = step(engine, pending.draft, Typed(typed))
    assert stored.problem is None
    assert stored.draft.answers["when"] == expected
    assert stored.draft.pending_day is None
    assert asked(engine, stored.draft) == "place"


@pytest.mark.parametrize(
    ("typed", "code"),
    [("15:00", "datetime.future"), ("25:00", "time.invalid"), ("10.03.2026 10:00", "time.invalid")],
)
def test_a_bad_time_after_today_keeps_the_time_prompt(typed: str, code: str) -> None:
    engine = engine_for(SEIZURE)
    pending = step(engine, engine.start(DRAFT_ID).draft, Tapped("when", "dt", "today"))
    assert_refused(engine, pending, Typed(typed), code)


def test_a_day_boundary_follows_tashkent_not_utc() -> None:
    late = Clock(datetime(2026, 3, 9, 20, 30, tzinfo=UTC), TASHKENT, timedelta(days=30))
    engine = engine_for(SEIZURE, clock=late)  # 01:30 on 10 March in Tashkent
    pending = step(engine, engine.start(DRAFT_ID).draft, Tapped("when", "dt", "yesterday"))
    stored = step(engine, pending.draft, Typed("22:15"))
    assert stored.draft.answers["when"] == "2026-03-09T22:15:00+05:00"


# -- text is taken as typed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Граница 🚚 Termiz – Хайратон, Oʻzbekiston", "Граница 🚚 Termiz – Хайратон, Oʻzbekiston"),
        ("<b>bold</b> </i> & <script>", "<b>bold</b> </i> & <script>"),
        ("  padded  ", "padded"),
        ("tab\tand\nnew line", "tab\tand\nnew line"),
        ("zero\u200bwidth\x00", "zerowidth"),
        ("e\u0301", "é"),  # NFC
        ("x" * 64, "x" * 64),
    ],
)
def test_text_answers_are_stored_verbatim_apart_from_cleaning(typed: str, stored: str) -> None:
    engine, at = reach(SEIZURE, "caseref")
    answered = step(engine, at.draft, Typed(typed))
    assert answered.problem is None
    assert answered.draft.answers["caseref"] == stored


def test_a_long_note_up_to_the_limit_is_kept_whole() -> None:
    engine, at = reach(SEIZURE, "notes")
    note = "Маршрут: " + "ж" * 1491
    assert len(note) == 1500
    answered = step(engine, at.draft, Typed(note))
    assert answered.problem is None
    assert answered.draft.answers["notes"] == note


# -- numbers per language -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "key", "typed", "expected"),
    [
        ("ru", "qty", "1,5", Decimal("1.5")),
        ("uz", "qty", "1,5", Decimal("1.5")),
        ("en", "qty", "1.5", Decimal("1.5")),
        ("ru", "qty", "1,500", Decimal("1.5")),
        ("en", "qty", "1,500", Decimal("1500")),
        ("ru", "qty", "1 500,25", Decimal("1500.25")),
        ("en", "qty", "0.001", Decimal("0.001")),
        ("ru", "qty", "1000000", Decimal("1000000")),
        ("en", "detained", "500", Decimal(500)),
        ("en", "detained", "3.0", Decimal(3)),
        ("ru", "detained", "+4", Decimal(4)),
    ],
)
def test_numbers_are_read_the_way_each_language_writes_them(
    language: str, key: str, typed: str, expected: Decimal
) -> None:
    engine, at = reach(SEIZURE, key, language=language)
    answered = step(engine, at.draft, Typed(typed))
    assert answered.problem is None
    stored = answered.draft.item[key] if key == "qty" else answered.draft.answers[key]
    assert isinstance(stored, str)
    assert Decimal(stored) == expected


def test_an_integer_answer_is_stored_without_decimals() -> None:
    engine, at = reach(JOINT_OPERATION, "vehicles", language="en")
    answered = step(engine, at.draft, Typed("1,500"))
    assert answered.draft.answers["vehicles"] == "1500"
