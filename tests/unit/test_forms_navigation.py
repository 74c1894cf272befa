"""Moving about a form: the question asked only when someone was detained, back, editing one answer
or the items from the summary, and cancelling."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from bot.forms.definitions import FORMS, INCIDENT, JOINT_OPERATION, SEIZURE
from bot.forms.model import Form
from bot.forms.state import (
    SUMMARY,
    Ask,
    AskMore,
    ConfirmCancel,
    ShowSummary,
    Tapped,
    Typed,
)
from tests.unit.form_walks import (
    DRAFT_ID,
    TASHKENT,
    asked,
    assert_refused,
    auto_event,
    engine_for,
    reach,
    step,
    summary_of,
    walk,
)

# -- the conditional question -------------------------------------------------------------------


def test_nationalities_are_asked_only_when_someone_was_detained() -> None:
    engine, at_detained = reach(SEIZURE, "detained")
    nobody = step(engine, at_detained.draft, Typed("0"))
    assert asked(engine, nobody.draft) == "agencies"
    two = step(engine, at_detained.draft, Typed("2"))
    assert asked(engine, two.draft) == "nations"


def test_nationalities_are_dropped_when_detained_is_changed_to_zero_from_the_summary() -> None:
    engine, summary = summary_of(SEIZURE)
    assert engine.final_answers(summary.draft)["nations"] == ["uz", "af"]
    editing = step(engine, summary.draft, Tapped(SUMMARY, "edit", "detained"))
    assert asked(engine, editing.draft) == "detained"
    zero = step(engine, editing.draft, Typed("0"))
    assert zero.view == ShowSummary(missing=())
    final = engine.final_answers(zero.draft)
    assert final["detained"] == "0"
    assert "nations" not in final
    sent = step(engine, zero.draft, Tapped(SUMMARY, "submit"))
    assert sent.submit is True


def test_nationalities_are_asked_when_detained_is_raised_from_zero_at_the_summary() -> None:
    engine, at_detained = reach(SEIZURE, "detained")
    outcome = step(engine, at_detained.draft, Typed("0"))
    while not isinstance(outcome.view, ShowSummary):
        outcome = step(engine, outcome.draft, auto_event(outcome.draft, outcome.view))
    editing = step(engine, outcome.draft, Tapped(SUMMARY, "edit", "detained"))
    three = step(engine, editing.draft, Typed("3"))
    assert asked(engine, three.draft) == "nations"
    assert engine.view(three.draft) != ShowSummary(missing=())
    chosen = step(engine, three.draft, Tapped("nations", "opt", "tj"))
    done = step(engine, chosen.draft, Tapped("nations", "done"))
    assert done.view == ShowSummary(missing=())
    assert engine.final_answers(done.draft)["nations"] == ["tj"]


def test_editing_nationalities_while_nobody_is_detained_is_a_stale_button() -> None:
    engine, at_detained = reach(SEIZURE, "detained")
    outcome = step(engine, at_detained.draft, Typed("0"))
    while not isinstance(outcome.view, ShowSummary):
        outcome = step(engine, outcome.draft, auto_event(outcome.draft, outcome.view))
    tapped = step(engine, outcome.draft, Tapped(SUMMARY, "edit", "nations"))
    assert tapped.stale is True
    assert tapped.draft == outcome.draft


# -- back ---------------------------------------------------------------------------------------


def test_back_returns_to_the_previous_question_and_keeps_its_answer() -> None:
    engine, at_items = reach(SEIZURE, "substance")
    assert at_items.draft.answers["place"]["type"] == "location"
    back = step(engine, at_items.draft, Tapped("substance", "back"))
    assert isinstance(back.view, Ask) and back.view.field.key == "place"
    assert back.draft.answers == at_items.draft.answers
    again = step(engine, back.draft, Tapped("place", "back"))
    assert isinstance(again.view, Ask) and again.view.field.key == "when"
    assert again.draft.answers["when"] == "2026-03-10T14:00:00+05:00"


def test_back_from_the_first_question_stays_there() -> None:
    engine = engine_for(SEIZURE)
    start = engine.start(DRAFT_ID)
    back = step(engine, start.draft, Tapped("when", "back"))
    assert back.view == start.view
    assert back.draft.answers == {}
    assert asked(engine, back.draft) == "when"


def test_back_inside_the_seized_item_goes_to_the_previous_part_of_the_item() -> None:
    engine, at_measure = reach(SEIZURE, "measure")
    assert at_measure.draft.item == {"substance": "heroin", "qty": "1.5"}
    to_qty = step(engine, at_measure.draft, Tapped("measure", "back"))
    assert isinstance(to_qty.view, Ask)
    assert to_qty.view.field.key == "qty" and to_qty.view.group is SEIZURE.field("items")
    assert to_qty.draft.item == {"substance": "heroin"}
    to_substance = step(engine, to_qty.draft, Tapped("qty", "back"))
    assert isinstance(to_substance.view, Ask) and to_substance.view.field.key == "substance"
    to_place = step(engine, to_substance.draft, Tapped("substance", "back"))
    assert isinstance(to_place.view, Ask) and to_place.view.field.key == "place"
    assert "items" not in to_place.draft.answers


def test_back_from_the_item_list_and_forward_again_keeps_the_items() -> None:
    engine, at_more = reach(SEIZURE, "items")
    assert isinstance(at_more.view, AskMore)
    items = at_more.draft.answers["items"]
    back = step(engine, at_more.draft, Tapped("items", "back"))
    assert asked(engine, back.draft) == "place"
    forward = step(engine, back.draft, Typed("Hairatan"))
    assert isinstance(forward.view, AskMore)
    assert forward.draft.answers["items"] == items
    assert forward.draft.answers["place"] == {"type": "text", "text": "Hairatan"}


def test_back_while_adding_a_second_item_returns_to_the_item_list() -> None:
    engine, at_more = reach(SEIZURE, "items")
    adding = step(engine, at_more.draft, Tapped("items", "more", "add"))
    assert isinstance(adding.view, Ask) and adding.view.field.key == "substance"
    back = step(engine, adding.draft, Tapped("substance", "back"))
    assert isinstance(back.view, AskMore)
    assert back.draft.answers["items"] == at_more.draft.answers["items"]


def test_back_from_the_time_prompt_of_the_first_question_returns_to_its_buttons() -> None:
    engine = engine_for(SEIZURE)
    start = engine.start(DRAFT_ID)
    today = step(engine, start.draft, Tapped("when", "dt", "today"))
    assert today.view == Ask(SEIZURE.field("when"), pending_day="today")
    back = step(engine, today.draft, Tapped("when", "back"))
    assert back.view == Ask(SEIZURE.field("when"))


def test_back_from_the_time_prompt_of_a_later_question_returns_to_its_buttons() -> None:
    engine, at_when = reach(INCIDENT, "when")  # the second question of an incident
    today = step(engine, at_when.draft, Tapped("when", "dt", "today"))
    back = step(engine, today.draft, Tapped("when", "back"))
    assert back.view == Ask(INCIDENT.field("when"))


# -- editing from the summary ---------------------------------------------------------------------


def test_editing_one_answer_from_the_summary_asks_only_that_question() -> None:
    engine, summary = summary_of(SEIZURE)
    before = dict(summary.draft.answers)
    editing = step(engine, summary.draft, Tapped(SUMMARY, "edit", "place"))
    assert isinstance(editing.view, Ask) and editing.view.field.key == "place"
    changed = step(engine, editing.draft, Typed("Hairatan river port"))
    assert changed.view == ShowSummary(missing=())
    assert changed.draft.answers == {
        **before,
        "place": {"type": "text", "text": "Hairatan river port"},
    }


def test_back_while_editing_returns_to_the_summary_unchanged() -> None:
    engine, summary = summary_of(SEIZURE)
    editing = step(engine, summary.draft, Tapped(SUMMARY, "edit", "transport"))
    back = step(engine, editing.draft, Tapped("transport", "back"))
    assert back.view == ShowSummary(missing=())
    assert back.draft.answers == summary.draft.answers


def test_skipping_an_optional_answer_while_editing_clears_it() -> None:
    engine, summary = summary_of(SEIZURE)
    editing = step(engine, summary.draft, Tapped(SUMMARY, "edit", "caseref"))
    skipped = step(engine, editing.draft, Tapped("caseref", "skip"))
    assert skipped.view == ShowSummary(missing=())
    assert "caseref" not in engine.final_answers(skipped.draft)


def test_editing_items_shows_the_current_items() -> None:
    engine, summary = summary_of(SEIZURE)
    editing = step(engine, summary.draft, Tapped(SUMMARY, "edit", "items"))
    assert editing.view == AskMore(SEIZURE.field("items"))
    assert editing.draft.answers["items"] == [{"substance": "heroin", "qty": "1.5", "measure": "g"}]
    done = step(engine, editing.draft, Tapped("items", "more", "done"))
    assert done.view == ShowSummary(missing=())


def test_adding_an_item_from_the_summary() -> None:
    engine, summary = summary_of(SEIZURE)
    outcome = step(engine, summary.draft, Tapped(SUMMARY, "edit", "items"))
    for event in (
        Tapped("items", "more", "add"),
        Tapped("substance", "opt", "hashish"),
        Typed("12,5"),
        Tapped("measure", "opt", "kg"),
    ):
        outcome = step(engine, outcome.draft, event)
        assert outcome.problem is None
    assert isinstance(outcome.view, AskMore)
    assert outcome.draft.answers["items"][1] == {
        "substance": "hashish",
        "qty": "12.5",
        "measure": "kg",
    }
    done = step(engine, outcome.draft, Tapped("items", "more", "done"))
    assert done.view == ShowSummary(missing=())
    assert len(engine.final_answers(done.draft)["items"]) == 2


def test_drop_removes_the_last_item_and_done_without_items_is_refused() -> None:
    engine, summary = summary_of(SEIZURE, "type")  # two items
    editing = step(engine, summary.draft, Tapped(SUMMARY, "edit", "items"))
    assert len(editing.draft.answers["items"]) == 2
    first = editing.draft.answers["items"][0]
    dropped = step(engine, editing.draft, Tapped("items", "more", "drop"))
    assert dropped.draft.answers["items"] == [first]
    assert isinstance(dropped.view, AskMore)
    empty = step(engine, dropped.draft, Tapped("items", "more", "drop"))
    assert empty.draft.answers["items"] == []
    refused = step(engine, empty.draft, Tapped("items", "more", "done"))
    assert refused.problem is not None and refused.problem.code == "group.empty"
    assert refused.view == AskMore(SEIZURE.field("items"))
    assert refused.changed is False
    nothing_to_drop = step(engine, empty.draft, Tapped("items", "more", "drop"))
    assert nothing_to_drop.stale is True


def test_at_most_twenty_items() -> None:
    engine, at_more = reach(SEIZURE, "items")
    draft = at_more.draft
    draft.answers["items"] = [{"substance": "heroin", "qty": "1", "measure": "g"}] * 20
    refused = step(engine, draft, Tapped("items", "more", "add"))
    assert refused.problem is not None
    assert refused.problem.code == "group.too_many" and refused.problem.params == {"limit": 20}
    assert refused.view == AskMore(SEIZURE.field("items"))


def test_moving_the_start_after_the_end_from_the_summary_cannot_be_submitted() -> None:
    engine, summary = summary_of(JOINT_OPERATION, "type")  # 08:00 → 18:30 on 9 March
    editing = step(engine, summary.draft, Tapped(SUMMARY, "edit", "start"))
    moved = step(engine, editing.draft, Typed("09.03.2026 20:00"))
    sent = step(engine, moved.draft, Tapped(SUMMARY, "submit"))
    if sent.submit:
        answers = engine.final_answers(sent.draft)
        assert datetime.fromisoformat(answers["end"]) >= datetime.fromisoformat(answers["start"])


def test_the_start_cannot_be_moved_after_the_end() -> None:
    engine, summary = summary_of(JOINT_OPERATION, "type")
    editing = step(engine, summary.draft, Tapped(SUMMARY, "edit", "start"))
    refused = assert_refused(engine, editing, Typed("09.03.2026 18:31"), "datetime.after_end")
    assert refused.problem is not None
    assert refused.problem.params == {"end": datetime(2026, 3, 9, 18, 30, tzinfo=TASHKENT)}
    moved = step(engine, editing.draft, Typed("09.03.2026 18:30"))  # the same moment is fine
    assert moved.view == ShowSummary(missing=())
    assert moved.draft.answers["start"] == "2026-03-09T18:30:00+05:00"


def test_now_for_a_start_after_the_end_is_refused_not_an_error() -> None:
    """From the summary, "Now" for the start of an operation that ended yesterday."""
    engine, summary = summary_of(JOINT_OPERATION, "type")  # ended 18:30 on 9 March; now 10 March
    editing = step(engine, summary.draft, Tapped(SUMMARY, "edit", "start"))
    refused = assert_refused(engine, editing, Tapped("start", "dt", "now"), "datetime.after_end")
    assert refused.draft.answers["start"] == summary.draft.answers["start"]


# -- cancelling ---------------------------------------------------------------------------------


@pytest.mark.parametrize("form", list(FORMS.values()), ids=list(FORMS))
def test_cancel_at_any_step_asks_first_and_no_loses_nothing(form: Form) -> None:
    done = walk(form, "tap")
    engine = done.engine
    for outcome in done.outcomes[:-1]:
        draft = outcome.draft
        key = asked(engine, draft)
        confirm = step(engine, draft, Tapped(key, "cancel"))
        assert confirm.view == ConfirmCancel()
        assert confirm.cancelled is False
        typed = step(engine, confirm.draft, Typed("yes"))
        assert typed.problem is not None and typed.problem.code == "cancel.use_buttons"
        assert typed.view == ConfirmCancel()
        kept = step(engine, confirm.draft, Tapped(SUMMARY, "cancel_no"))
        assert kept.view == outcome.view
        assert kept.draft == replace(draft, step=draft.step + 2)  # two changes, no loss
        gone = step(engine, confirm.draft, Tapped(SUMMARY, "cancel_yes"))
        assert gone.cancelled is True


def test_cancel_keeps_a_half_built_item_and_a_pending_day() -> None:
    engine, at_measure = reach(SEIZURE, "measure")
    confirm = step(engine, at_measure.draft, Tapped("measure", "cancel"))
    kept = step(engine, confirm.draft, Tapped(SUMMARY, "cancel_no"))
    assert kept.draft.item == {"substance": "heroin", "qty": "1.5"}
    assert kept.view == at_measure.view

    engine = engine_for(SEIZURE)
    today = step(engine, engine.start(DRAFT_ID).draft, Tapped("when", "dt", "today"))
    kept = step(
        engine, step(engine, today.draft, Tapped("when", "cancel")).draft, Tapped("_", "cancel_no")
    )
    assert kept.view == Ask(SEIZURE.field("when"), pending_day="today")


def test_confirm_buttons_outside_the_confirmation_are_stale() -> None:
    engine = engine_for(SEIZURE)
    start = engine.start(DRAFT_ID)
    for action in ("cancel_yes", "cancel_no"):
        tapped = step(engine, start.draft, Tapped(SUMMARY, action))
        assert tapped.stale is True and tapped.cancelled is False
        assert tapped.draft == start.draft
