"""The form engine walked as an officer would: plain events in, plain outcomes out. Here: whole
walks of every form, the draft as JSON, random officers, and the crossing point chosen by button."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.forms.definitions import DAILY_STATUS, FORMS, INCIDENT, JOINT_OPERATION, SEIZURE
from bot.forms.model import Form
from bot.forms.state import (
    SUMMARY,
    Ask,
    Draft,
    Located,
    Photo,
    ShowSummary,
    Tapped,
    Typed,
    Unsupported,
)
from tests.unit.form_walks import (
    DRAFT_ID,
    auto_event,
    engine_for,
    reach,
    step,
    summary_of,
    through_json,
    walk,
)

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
