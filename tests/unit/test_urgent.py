"""The urgent lane's rules as plain functions: what is urgent, when to alert again, what may be
sent as a question or an answer, when a pending typed step stops counting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.filing import normalise
from bot.urgent import (
    MAX_TEXT,
    BadText,
    Reason,
    TextProblem,
    clean_text,
    minutes_since,
    pending_is_stale,
    realert_is_due,
    why_urgent,
)
from storage import SeizureItem

THRESHOLD = Decimal(1)
T0 = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
EVERY = timedelta(minutes=30)


@dataclass(frozen=True)
class Filed:
    urgent: bool
    items: tuple[SeizureItem, ...] = ()


def item(quantity: str, measure: str, substance: str = "heroin") -> SeizureItem:
    """An item normalised exactly as filing stores it."""
    normalised, unit = normalise(Decimal(quantity), measure)
    return SeizureItem(substance, Decimal(quantity), measure, normalised, unit)


def test_marked_urgent_is_urgent_whatever_it_holds() -> None:
    assert why_urgent(Filed(urgent=True), THRESHOLD) is Reason.MARKED


def test_nothing_marked_and_nothing_seized_is_not_urgent() -> None:
    assert why_urgent(Filed(urgent=False), THRESHOLD) is None


@pytest.mark.parametrize(
    ("quantity", "measure", "expected"),
    [
        ("1", "kg", Reason.LARGE),
        ("1.5", "kg", Reason.LARGE),
        ("999", "g", None),
        ("999.999", "g", None),
        ("1000", "g", Reason.LARGE),
        ("0.999", "kg", None),
    ],
)
def test_a_seizure_of_at_least_the_threshold_in_kg_is_urgent(
    quantity: str, measure: str, expected: Reason | None
) -> None:
    assert why_urgent(Filed(False, (item(quantity, measure),)), THRESHOLD) is expected


@pytest.mark.parametrize("measure", ["tablets", "pieces", "l", "ml"])
def test_counts_and_volumes_never_make_a_seizure_large(measure: str) -> None:
    huge = item("1000000", measure, "tramadol")
    assert why_urgent(Filed(False, (huge,)), THRESHOLD) is None


def test_one_large_item_among_small_ones_is_enough() -> None:
    filed = Filed(False, (item("10", "g"), item("5000", "tablets"), item("2", "kg", "hashish")))
    assert why_urgent(filed, THRESHOLD) is Reason.LARGE


def test_marked_and_large_says_both() -> None:
    reason = why_urgent(Filed(True, (item("3", "kg"),)), THRESHOLD)
    assert reason is Reason.MARKED_AND_LARGE
    assert reason.marked
    assert reason.large


def test_items_of_one_substance_add_up() -> None:
    """ "1 kg or more of one substance": a seizure entered as several items is still large."""
    split = Filed(False, (item("600", "g"), item("0.4", "kg")))
    assert why_urgent(split, THRESHOLD) is Reason.LARGE


def test_different_substances_do_not_add_up() -> None:
    mixed = Filed(False, (item("600", "g"), item("0.6", "kg", "hashish")))
    assert why_urgent(mixed, THRESHOLD) is None


def test_the_threshold_is_a_setting() -> None:
    filed = Filed(False, (item("600", "g"),))
    assert why_urgent(filed, Decimal("0.5")) is Reason.LARGE
    assert why_urgent(filed, Decimal("0.7")) is None


def test_reasons_know_what_they_mean() -> None:
    assert Reason.MARKED.marked and not Reason.MARKED.large
    assert Reason.LARGE.large and not Reason.LARGE.marked


# --- re-alerting ---------------------------------------------------------------------------


def due(now: datetime, *, last: datetime | None = None, repeats: int = 0, most: int = 3) -> bool:
    return realert_is_due(
        created_at=T0,
        last_sent_at=last,
        repeats=repeats,
        now=now,
        repeat_every=EVERY,
        max_repeats=most,
    )


def test_an_alert_is_not_repeated_before_its_time() -> None:
    assert not due(T0)
    assert not due(T0 + EVERY - timedelta(seconds=1))


def test_an_alert_is_repeated_once_its_time_has_come() -> None:
    assert due(T0 + EVERY)
    assert due(T0 + EVERY + timedelta(minutes=1))


def test_the_next_repeat_counts_from_the_last_sending() -> None:
    last = T0 + EVERY + timedelta(minutes=5)
    assert not due(last + EVERY - timedelta(seconds=1), last=last, repeats=1)
    assert due(last + EVERY, last=last, repeats=1)


def test_an_alert_is_repeated_at_most_the_configured_times() -> None:
    late = T0 + timedelta(days=1)
    assert due(late, last=T0, repeats=2, most=3)
    assert not due(late, last=T0, repeats=3, most=3)
    assert not due(late, last=T0, repeats=4, most=3)


def test_minutes_since_are_whole_and_never_negative() -> None:
    assert minutes_since(T0, T0 + timedelta(minutes=31, seconds=59)) == 31
    assert minutes_since(T0, T0 - timedelta(minutes=1)) == 0


# --- typed questions and answers -----------------------------------------------------------


def test_a_question_is_trimmed() -> None:
    assert clean_text("  How many persons?\n") == "How many persons?"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (None, TextProblem.NOT_TEXT),
        ("", TextProblem.EMPTY),
        ("   \n\t ", TextProblem.EMPTY),
        ("x" * 5000, TextProblem.TOO_LONG),
        ("x" * (MAX_TEXT + 1), TextProblem.TOO_LONG),
    ],
)
def test_what_cannot_be_sent_says_why(text: str | None, problem: TextProblem) -> None:
    with pytest.raises(BadText) as caught:
        clean_text(text)
    assert caught.value.problem is problem


def test_exactly_the_limit_is_fine_and_counts_characters_not_bytes() -> None:
    assert clean_text("ж" * MAX_TEXT) == "ж" * MAX_TEXT
    assert clean_text("  " + "x" * MAX_TEXT + "  ") == "x" * MAX_TEXT


def test_a_pending_step_holds_while_fresh_and_untouched() -> None:
    ttl = timedelta(hours=24)
    assert not pending_is_stale(pending_since=T0, draft_touched_at=None, now=T0, ttl=ttl)
    older_draft = T0 - timedelta(minutes=5)
    assert not pending_is_stale(
        pending_since=T0, draft_touched_at=older_draft, now=T0 + timedelta(hours=1), ttl=ttl
    )


def test_a_pending_step_lapses_after_its_time() -> None:
    ttl = timedelta(hours=24)
    later = T0 + ttl + timedelta(seconds=1)
    assert pending_is_stale(pending_since=T0, draft_touched_at=None, now=later, ttl=ttl)


def test_going_on_with_a_report_form_gives_up_the_pending_step() -> None:
    touched = T0 + timedelta(minutes=1)
    assert pending_is_stale(
        pending_since=T0, draft_touched_at=touched, now=touched, ttl=timedelta(hours=24)
    )
