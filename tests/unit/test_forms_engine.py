"""The form engine walked as an officer would: plain events in, plain outcomes out."""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.forms.definitions import DAILY_STATUS, FORMS, INCIDENT, JOINT_OPERATION, SEIZURE
from bot.forms.engine import FormEngine
from bot.forms.model import Form, Kind
from bot.forms.state import (
    SUMMARY,
    Ask,
    AskMore,
    Clock,
    ConfirmCancel,
    Draft,
    Event,
    Located,
    Outcome,
    Photo,
    ShowSummary,
    Tapped,
    Typed,
    Unsupported,
    View,
)

TASHKENT = ZoneInfo("Asia/Tashkent")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # 14:00 on 10 March in Tashkent
CLOCK = Clock(NOW, timezone=TASHKENT, max_age=timedelta(days=30))
DRAFT_ID = "0123456789abcdef"
VIEW_TYPES = (Ask, AskMore, ShowSummary, ConfirmCancel)

# -- a driver that answers every question the way a careful officer would -----------------------

NUMBERS = {"qty": "1,5", "detained": "2", "vehicles": "40", "persons": "120"}
TYPED_MOMENTS = {
    "when": "10.03.2026 10:00",
    "start": "09.03.2026 08:00",
    "end": "09.03.2026 18:30",
}
BRIDGE = (37.2242, 67.2783)


def engine_for(form: Form, language: str = "ru", clock: Clock = CLOCK) -> FormEngine:
    return FormEngine(form, clock, language)


def auto_event(draft: Draft, view: View, style: str = "tap") -> Event:
    """The event that answers ``view`` correctly; ``style`` picks taps or typing where both work."""
    if isinstance(view, ConfirmCancel):
        return Tapped(SUMMARY, "cancel_no")
    if isinstance(view, ShowSummary):
        return Tapped(SUMMARY, "submit")
    if isinstance(view, AskMore):
        items = draft.answers.get(view.group.key) or []
        if style == "type" and len(items) < 2:
            return Tapped(view.group.key, "more", "add")
        return Tapped(view.group.key, "more", "done")
    spec = view.field
    key = spec.key
    if spec.kind is Kind.CHOICE:
        return Tapped(key, "opt", spec.options[0].key)
    if spec.kind is Kind.MULTI:
        chosen = draft.answers.get(key) or []
        if len(chosen) < 2:
            return Tapped(key, "opt", spec.options[len(chosen)].key)
        return Tapped(key, "done")
    if spec.kind is Kind.NUMBER:
        return Typed(NUMBERS[key] if style == "tap" or key != "qty" else "2")
    if spec.kind is Kind.TEXT:
        return Typed(f"{key} text")
    if spec.kind is Kind.DATETIME:
        return Tapped(key, "dt", "now") if style == "tap" else Typed(TYPED_MOMENTS[key])
    if spec.kind is Kind.PLACE:
        return Located(*BRIDGE) if style == "tap" else Typed("Termez, Friendship Bridge")
    if spec.kind is Kind.PHOTOS:
        if style == "type":
            return Tapped(key, "skip")
        if not draft.answers.get(key):
            return Photo("AgAD-file-1", "uniq-1")
        return Tapped(key, "done")
    if spec.kind is Kind.YES_NO:
        return Tapped(key, "opt", "yes" if style == "tap" else "no")
    raise AssertionError(spec.kind)


def through_json(draft: Draft) -> Draft:
    """The draft as the handlers store it between updates, and read it back."""
    restored = Draft.from_json(json.loads(json.dumps(draft.to_json())))
    assert restored == draft
    return restored


def step(engine: FormEngine, draft: Draft, event: Event) -> Outcome:
    """One update: the engine must never touch the draft it is given."""
    before = copy.deepcopy(draft.to_json())
    outcome = engine.handle(draft, event)
    assert draft.to_json() == before
    assert isinstance(outcome.view, VIEW_TYPES)
    return outcome


def asked(engine: FormEngine, draft: Draft) -> str:
    return engine.asked_key(draft)


@dataclass
class Walk:
    engine: FormEngine
    outcomes: list[Outcome]
    asked: list[str]  # the question keys in the order they were shown, repeats collapsed

    @property
    def last(self) -> Outcome:
        return self.outcomes[-1]


def walk(form: Form, style: str = "tap", language: str = "ru", *, until: str | None = None) -> Walk:
    """Answer every question until the report is submitted (or ``until`` is asked)."""
    engine = engine_for(form, language)
    outcome = engine.start(DRAFT_ID)
    outcomes = [outcome]
    keys = [asked(engine, outcome.draft)]
    for _ in range(200):
        if until is not None and keys[-1] == until:
            return Walk(engine, outcomes, keys)
        draft = through_json(outcome.draft)
        outcome = step(engine, draft, auto_event(draft, outcome.view, style))
        assert outcome.problem is None, (keys[-1], outcome.problem)
        assert not outcome.stale
        outcomes.append(outcome)
        if outcome.submit:
            assert until is None, f"{until} was never asked"
            return Walk(engine, outcomes, keys)
        key = asked(engine, outcome.draft)
        if key != keys[-1]:
            keys.append(key)
    raise AssertionError("the walk did not finish")


def reach(
    form: Form, key: str, style: str = "tap", language: str = "ru"
) -> tuple[FormEngine, Outcome]:
    done = walk(form, style, language, until=key)
    return done.engine, done.last


def summary_of(form: Form, style: str = "tap", language: str = "ru") -> tuple[FormEngine, Outcome]:
    return reach(form, SUMMARY, style, language)


# -- complete walks -------------------------------------------------------------------------------

EXPECTED_ORDER = {
    "seizure": [
        "when", "place", "substance", "qty", "measure", "items", "conceal", "transport",
        "origin", "departure", "transit", "destination", "detained", "nations", "agencies",
        "caseref", "notes", "photos", "urgent", SUMMARY,
    ],
    "joint_operation": [
        "start", "end", "agencies", "vehicles", "persons", "result", "notes", SUMMARY,
    ],
    "incident": ["category", "when", "place", "descr", "urgent", "photos", SUMMARY],
    "daily_status": [SUMMARY],
}  # fmt: skip


@pytest.mark.parametrize("style", ["tap", "type"])
@pytest.mark.parametrize("form", list(FORMS.values()), ids=list(FORMS))
def test_every_form_walks_from_start_to_a_submitted_report(form: Form, style: str) -> None:
    done = walk(form, style)
    order = EXPECTED_ORDER[form.key]
    if style == "type" and form.key == "seizure":  # a second item is added
        order = [*order[:6], "substance", "qty", "measure", "items", *order[6:]]
    assert done.asked == order
    assert done.last.submit is True
    assert done.last.view == ShowSummary(missing=())
    answers = done.engine.final_answers(done.last.draft)
    required = {
        f.key for f in form.fields if not f.optional and done.engine.askable(done.last.draft, f)
    }
    assert required <= set(answers)


def test_a_seizure_walked_with_buttons_holds_exactly_what_was_answered() -> None:
    done = walk(SEIZURE, "tap")
    assert done.engine.final_answers(done.last.draft) == {
        "when": "2026-03-10T14:00:00+05:00",
        "place": {"type": "location", "lat": 37.2242, "lon": 67.2783},
        "items": [{"substance": "heroin", "qty": "1.5", "measure": "g"}],
        "conceal": "vehicle",
        "transport": "car",
        "origin": "af",
        "departure": "af",
        "transit": ["af", "ir"],
        "destination": "af",
        "detained": "2",
        "nations": ["uz", "af"],
        "agencies": ["sss", "mia"],
        "caseref": "caseref text",
        "notes": "notes text",
        "photos": [{"file_id": "AgAD-file-1", "file_unique_id": "uniq-1"}],
        "urgent": True,
    }


def test_a_joint_operation_typed_by_hand_keeps_the_typed_moments_in_tashkent_time() -> None:
    done = walk(JOINT_OPERATION, "type")
    answers = done.engine.final_answers(done.last.draft)
    assert answers["start"] == "2026-03-09T08:00:00+05:00"
    assert answers["end"] == "2026-03-09T18:30:00+05:00"
    assert answers["vehicles"] == "40"
    assert answers["persons"] == "120"
    assert "notes" in answers and answers["result"] == "result text"


def test_an_incident_typed_by_hand_has_a_text_place_and_no_photos() -> None:
    done = walk(INCIDENT, "type")
    answers = done.engine.final_answers(done.last.draft)
    assert answers["place"] == {"type": "text", "text": "Termez, Friendship Bridge"}
    assert answers["urgent"] is False
    assert "photos" not in answers
    assert answers["category"] == "smuggling"


def test_the_daily_status_opens_at_the_summary_and_is_sent_with_one_tap() -> None:
    engine = engine_for(DAILY_STATUS)
    start = engine.start(DRAFT_ID)
    assert start.view == ShowSummary(missing=())
    sent = step(engine, start.draft, Tapped(SUMMARY, "submit"))
    assert sent.submit is True
    assert engine.final_answers(sent.draft) == {}


def test_the_daily_status_remarks_can_be_added_from_the_summary() -> None:
    engine = engine_for(DAILY_STATUS)
    start = engine.start(DRAFT_ID)
    editing = step(engine, start.draft, Tapped(SUMMARY, "edit", "remarks"))
    assert isinstance(editing.view, Ask) and editing.view.field.key == "remarks"
    typed = step(engine, editing.draft, Typed("  All quiet at the post.  "))
    assert typed.view == ShowSummary(missing=())
    assert engine.final_answers(typed.draft) == {"remarks": "All quiet at the post."}


def test_submitting_an_incomplete_report_is_refused() -> None:
    engine, summary = summary_of(SEIZURE)
    editing = step(engine, summary.draft, Tapped(SUMMARY, "edit", "items"))
    emptied = step(engine, editing.draft, Tapped("items", "more", "drop"))
    back = step(engine, emptied.draft, Tapped("items", "back"))
    assert back.view == ShowSummary(missing=("items",))
    refused = step(engine, back.draft, Tapped(SUMMARY, "submit"))
    assert refused.submit is False
    assert refused.problem is not None and refused.problem.code == "summary.incomplete"
    assert refused.draft == back.draft


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


# -- bad input ----------------------------------------------------------------------------------


def assert_refused(
    engine: FormEngine, at: Outcome, event: Event, code: str, params: dict[str, Any] | None = None
) -> Outcome:
    refused = step(engine, at.draft, event)
    assert refused.problem is not None, f"{event} was accepted"
    assert refused.problem.code == code
    if params is not None:
        assert refused.problem.params == params
    assert refused.view == at.view
    assert refused.draft == at.draft
    assert refused.changed is False
    return refused


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


# -- the draft as JSON --------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["tap", "type"])
@pytest.mark.parametrize("form", list(FORMS.values()), ids=list(FORMS))
def test_the_draft_survives_json_at_every_step(form: Form, style: str) -> None:
    done = walk(form, style)  # walk() stores every draft as JSON and reads it back
    for outcome in done.outcomes:
        text = json.dumps(outcome.draft.to_json())
        assert Draft.from_json(json.loads(text)) == outcome.draft
        assert done.engine.view(Draft.from_json(json.loads(text))) == outcome.view


def test_handle_never_mutates_the_draft_it_is_given() -> None:
    engine, at = reach(SEIZURE, "measure")
    before = copy.deepcopy(at.draft)
    engine.handle(at.draft, Tapped("measure", "opt", "kg"))
    engine.handle(at.draft, Tapped("measure", "back"))
    engine.handle(at.draft, Tapped("measure", "cancel"))
    assert at.draft == before
    engine, at = reach(SEIZURE, "agencies")
    before = copy.deepcopy(at.draft)
    engine.handle(at.draft, Tapped("agencies", "opt", "sss"))
    assert at.draft == before


# -- random officers ----------------------------------------------------------------------------

ACTIONS = [
    "opt", "done", "skip", "back", "cancel", "cancel_yes", "cancel_no", "more", "edit",
    "submit", "dt", "clear", "", "zap", "opt:x",
]  # fmt: skip
JUNK = ["", "-", "junk", "x" * 41, "_", "<b>", "0", "../", "opt"]


def form_args(form: Form) -> list[str]:
    args = {"yes", "no", "now", "today", "yesterday", "add", "drop", "done"}
    for spec in form.field_index.values():
        args.add(spec.key)
        args.update(option.key for option in spec.options)
    return sorted(args)


TEXTS = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "0", "2", "-1", "1,5", "1e309", "12345678901234567890", "14:00", "25:00",
            "10.03.2026 10:00", "31.02.2026 10:00", "01.01.0001 00:00", "31.12.9999 23:59",
            "<b>&", "  ", "x" * 2000,
        ]
    ),
)  # fmt: skip


@st.composite
def sessions(draw: st.DrawFn) -> tuple[Form, list[Any]]:
    form = draw(st.sampled_from(list(FORMS.values())))
    keys = [SUMMARY, *form.field_index, *JUNK]
    tap = st.builds(
        Tapped,
        st.sampled_from(keys),
        st.sampled_from(ACTIONS),
        st.sampled_from(form_args(form) + JUNK),
    )
    event = st.one_of(
        st.just("auto"),  # the right answer now and then, so the walk gets deep
        st.just("auto"),
        st.builds(Typed, TEXTS),
        tap,
        st.builds(Photo, st.just("AgAD"), st.sampled_from(["u1", "u2", "u3"])),
        st.builds(Located, st.floats(), st.floats()),
        st.builds(Unsupported, st.sampled_from(["sticker", "voice", "document"])),
    )
    return form, draw(st.lists(event, max_size=40))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sessions())
def test_random_sessions_never_crash_and_keep_answers_within_the_form(
    session: tuple[Form, list[Any]],
) -> None:
    form, events = session
    engine = engine_for(form)
    outcome = engine.start(DRAFT_ID)
    top_keys = {spec.key for spec in form.fields}
    for raw in events:
        draft = through_json(outcome.draft)
        event = auto_event(draft, outcome.view) if raw == "auto" else raw
        outcome = step(engine, draft, event)
        assert set(outcome.draft.answers) <= top_keys
        assert set(engine.final_answers(outcome.draft)) <= top_keys
        group = form.field(outcome.draft.cursor or "")
        allowed_in_item = {sub.key for sub in group.subfields} if group else set()
        assert set(outcome.draft.item) <= allowed_in_item
        assert outcome.draft.cursor is None or outcome.draft.cursor in top_keys
        if outcome.stale or outcome.problem is not None:
            assert outcome.draft == draft
        if outcome.submit:
            assert engine.missing(outcome.draft) == ()
        if outcome.cancelled:
            break


def test_a_crossing_point_is_chosen_by_button_and_a_forged_one_is_stale() -> None:
    engine = engine_for(FORMS["incident"], "en")
    draft = engine.start("0123456789abcdef", [["7", "Ayritom bridge"]]).draft
    draft = engine.handle(draft, Tapped("category", "opt", "intel")).draft
    draft = engine.handle(draft, Tapped("when", "dt", "now")).draft
    forged = engine.handle(draft, Tapped("place", "opt", "8"))
    assert forged.stale
    assert "place" not in forged.draft.answers
    chosen = engine.handle(draft, Tapped("place", "opt", "7"))
    assert chosen.draft.answers["place"] == {"type": "point", "id": "7", "text": "Ayritom bridge"}
