"""Taps and photos a form must take or refuse: stale and forged taps, multiple-choice toggles, and
photos sent twice, over the limit, removed or skipped."""

from __future__ import annotations

import pytest

from bot.forms.definitions import SEIZURE
from bot.forms.state import (
    SUMMARY,
    Photo,
    Tapped,
)
from tests.unit.form_walks import asked, assert_refused, reach, step

# -- stale and forged taps ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "tap"),
    [
        ("place", Tapped("when", "dt", "now")),  # the previous question's button
        ("place", Tapped("when", "back")),  # Back on an older message
        ("transport", Tapped("conceal", "opt", "other")),  # an option both questions have
        ("caseref", Tapped("notes", "skip")),  # a skip meant for the next question
        ("items", Tapped("place", "more", "done")),
        ("measure", Tapped("qty", "back")),
        ("place", Tapped("urgent", "opt", "yes")),  # a later question's button
        ("place", Tapped(SUMMARY, "submit")),
        ("place", Tapped(SUMMARY, "edit", "when")),
        ("conceal", Tapped("conceal", "opt", "submarine")),  # an option that does not exist
        ("conceal", Tapped("conceal", "zap", "vehicle")),  # an action that does not exist
        ("conceal", Tapped("conceal", "done")),
        ("substance", Tapped("substance", "opt", "vehicle")),  # another question's option
        ("substance", Tapped("measure", "opt", "kg")),  # a later part of the item
        ("substance", Tapped("substance", "skip")),  # required: no skipping
        ("substance", Tapped("items", "more", "done")),
        ("items", Tapped("items", "more", "zap")),
        ("items", Tapped("items", "opt", "heroin")),
        ("urgent", Tapped("urgent", "opt", "maybe")),
        ("when", Tapped("when", "dt", "tomorrow")),
        ("when", Tapped("when", "opt", "now")),
        ("agencies", Tapped("agencies", "opt", "fbi")),
        ("detained", Tapped("detained", "opt", "3")),
        ("photos", Tapped("photos", "opt", "x")),
        (SUMMARY, Tapped(SUMMARY, "edit", "qty")),  # a part of an item is not a question
        (SUMMARY, Tapped(SUMMARY, "edit", "nope")),
        (SUMMARY, Tapped(SUMMARY, "back")),
        (SUMMARY, Tapped("urgent", "opt", "no")),
    ],
)
def test_stale_or_forged_taps_change_nothing(key: str, tap: Tapped) -> None:
    engine, at = reach(SEIZURE, key)
    tapped = step(engine, at.draft, tap)
    assert tapped.stale is True
    assert tapped.changed is False
    assert tapped.submit is False
    assert tapped.draft == at.draft
    assert tapped.view == at.view


def test_a_tap_on_an_earlier_item_question_after_moving_on_is_stale() -> None:
    engine, at_qty = reach(SEIZURE, "qty")
    tapped = step(engine, at_qty.draft, Tapped("substance", "opt", "opium"))
    assert tapped.stale is True
    assert tapped.draft.item == {"substance": "heroin"}


def test_multiple_choice_toggles_refresh_only_the_keyboard() -> None:
    engine, at = reach(SEIZURE, "agencies")
    customs = step(engine, at.draft, Tapped("agencies", "opt", "customs"))
    assert customs.refresh is True and customs.changed is True
    assert customs.view == at.view
    sss = step(engine, customs.draft, Tapped("agencies", "opt", "sss"))
    assert sss.draft.answers["agencies"] == ["sss", "customs"]  # in the order of the options
    untoggled = step(engine, sss.draft, Tapped("agencies", "opt", "customs"))
    assert untoggled.refresh is True
    assert untoggled.draft.answers["agencies"] == ["sss"]
    done = step(engine, untoggled.draft, Tapped("agencies", "done"))
    assert done.refresh is False
    assert asked(engine, done.draft) == "caseref"


def test_all_toggled_off_then_done_is_refused() -> None:
    engine, at = reach(SEIZURE, "agencies")
    on = step(engine, at.draft, Tapped("agencies", "opt", "mia"))
    off = step(engine, on.draft, Tapped("agencies", "opt", "mia"))
    assert off.draft.answers["agencies"] == []
    assert_refused(engine, off, Tapped("agencies", "done"), "multi.choose_one")


# -- photos -------------------------------------------------------------------------------------


def test_the_same_photo_sent_twice_is_stored_once() -> None:
    engine, at = reach(SEIZURE, "photos")
    first = step(engine, at.draft, Photo("AgAD-small", "uniq-a"))
    again = step(engine, first.draft, Photo("AgAD-large", "uniq-a"))
    other = step(engine, again.draft, Photo("AgAD-b", "uniq-b"))
    assert other.draft.answers["photos"] == [
        {"file_id": "AgAD-small", "file_unique_id": "uniq-a"},
        {"file_id": "AgAD-b", "file_unique_id": "uniq-b"},
    ]
    assert asked(engine, other.draft) == "photos"


def test_photos_over_the_limit_are_refused() -> None:
    engine, at = reach(SEIZURE, "photos")
    outcome = at
    for n in range(10):
        outcome = step(engine, outcome.draft, Photo(f"AgAD-{n}", f"uniq-{n}"))
        assert outcome.problem is None
    assert len(outcome.draft.answers["photos"]) == 10
    assert_refused(engine, outcome, Photo("AgAD-10", "uniq-10"), "photos.too_many", {"limit": 10})


def test_photos_can_be_removed_skipped_or_finished() -> None:
    engine, at = reach(SEIZURE, "photos")
    one = step(engine, at.draft, Photo("AgAD-a", "uniq-a"))
    cleared = step(engine, one.draft, Tapped("photos", "clear"))
    assert "photos" not in cleared.draft.answers
    assert asked(engine, cleared.draft) == "photos"
    done_without = step(engine, cleared.draft, Tapped("photos", "done"))  # optional: fine
    assert asked(engine, done_without.draft) == "urgent"
    skipped = step(engine, one.draft, Tapped("photos", "skip"))
    assert "photos" not in skipped.draft.answers
    assert asked(engine, skipped.draft) == "urgent"
