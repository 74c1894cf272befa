"""A draft's JSON (bot/forms/state.py): what ``dataclasses.asdict`` gave, hand-written.

Drafts live in databases across releases: the stored text must not change, and drafts stored
by earlier releases must still load.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.forms.definitions import FORMS
from bot.forms.engine import FormEngine
from bot.forms.state import Clock, Draft, ShowSummary, Tapped
from storage import Database, Role
from storage.reports import from_json, to_json

#: A seizure draft as the release before this one stored it (near its end, urgent asked).
STORED = (
    '{"amends": null, "amends_number": null, "answers": {"agencies": ["customs", "border"],'
    ' "caseref": "TER-2025/117", "conceal": "vehicle", "detained": "2", "items":'
    ' [{"measure": "kg", "qty": "1.5", "substance": "heroin"}, {"measure": "g", "qty": "200",'
    ' "substance": "hashish"}], "nations": ["uz", "af"], "photos": [{"file_id": "AgACAgAC",'
    ' "file_unique_id": "AQAD"}], "place": {"text": "Ayritom, terminal 2", "type": "text"},'
    ' "transport": "car", "when": "2026-03-01T09:30:00+05:00"}, "cancelling": false,'
    ' "cursor": "urgent", "draft_id": "abcdef0123456789", "editing": false, "form": "seizure",'
    ' "history": ["when", "place", "items", "conceal", "transport", "detained", "nations",'
    ' "agencies", "caseref", "notes", "photos"], "item": {}, "pending_day": null, "places":'
    ' [["1", "Ayritom"], ["2", "Termez port"]], "step": 25, "sub": null}'
)

#: Stored before drafts counted their steps and carried their unit's crossing points.
STORED_EARLIER = (
    '{"amends": null, "amends_number": null, "answers": {"conceal": "vehicle"},'
    ' "cancelling": false, "cursor": "transport", "draft_id": "0123456789abcdef",'
    ' "editing": false, "form": "seizure", "history": ["conceal"], "item": {},'
    ' "pending_day": null, "sub": null}'
)

_text = st.text(max_size=12)
_scalar = st.none() | st.booleans() | _text | st.integers() | st.floats(allow_nan=False)
_json = st.recursive(
    _scalar,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=12,
)
_drafts = st.builds(
    Draft,
    draft_id=st.text(alphabet="0123456789abcdef", min_size=16, max_size=16),
    form=st.sampled_from(sorted(FORMS)),
    answers=st.dictionaries(_text, _json, max_size=6),
    cursor=st.none() | _text,
    sub=st.none() | _text,
    item=st.dictionaries(_text, _json, max_size=3),
    history=st.lists(_text, max_size=5),
    editing=st.booleans(),
    pending_day=st.sampled_from([None, "today", "yesterday"]),
    cancelling=st.booleans(),
    amends=st.none() | st.integers(min_value=1),
    amends_number=st.none() | _text,
    places=st.lists(st.lists(_text, min_size=2, max_size=2), max_size=3),
    step=st.integers(min_value=0, max_value=10_000),
)


def _mutable_parts(value: Any) -> list[int]:
    """The ids of every dict and list inside ``value``."""
    if isinstance(value, dict):
        return [id(value), *(i for item in value.values() for i in _mutable_parts(item))]
    if isinstance(value, list):
        return [id(value), *(i for item in value for i in _mutable_parts(item))]
    return []


@given(_drafts)
def test_the_json_is_what_asdict_gave(draft: Draft) -> None:
    """What asdict gave, less an empty ``kept_factors`` (only amendments store it, so other
    drafts store the same text as the release before)."""
    expected = dataclasses.asdict(draft)
    if not expected["kept_factors"]:
        del expected["kept_factors"]
    assert draft.to_json() == expected


def test_an_amendments_kept_factors_survive_the_round_trip() -> None:
    draft = Draft(
        draft_id="d", form="seizure", amends=3, kept_factors=[["tramadol", "tablets", None]]
    )
    stored = to_json(draft.to_json())
    assert Draft.from_json(from_json(stored)) == draft


@given(_drafts)
def test_a_draft_survives_the_database_round_trip(draft: Draft) -> None:
    assert Draft.from_json(from_json(to_json(draft.to_json()))) == draft


@given(_drafts)
def test_the_json_shares_nothing_mutable_with_the_draft(draft: Draft) -> None:
    data = draft.to_json()
    assert not set(_mutable_parts(vars(draft))) & set(_mutable_parts(data))


def test_a_draft_stored_by_the_previous_release_loads_and_stores_the_same_text() -> None:
    draft = Draft.from_json(from_json(STORED))
    assert draft.cursor == "urgent"
    assert draft.answers["items"][1] == {"measure": "g", "qty": "200", "substance": "hashish"}
    assert draft.places == [["1", "Ayritom"], ["2", "Termez port"]]
    assert draft.step == 25
    assert to_json(draft.to_json()) == STORED


def test_a_draft_stored_before_steps_and_places_loads_with_their_defaults() -> None:
    draft = Draft.from_json(from_json(STORED_EARLIER))
    assert (draft.step, draft.places, draft.cursor) == (0, [], "transport")
    assert json.loads(to_json(draft.to_json())) == {
        **json.loads(STORED_EARLIER),
        "places": [],
        "step": 0,
    }


async def test_a_stored_draft_of_the_previous_release_goes_on_in_the_engine(
    tmp_path: Path,
) -> None:
    """From the database, as the bot reads it: the next question is the urgency one."""
    db = await Database.open(tmp_path / "d.sqlite3")
    try:
        async with db.transaction() as repos:
            user = await repos.users.create(telegram_id=5, role=Role.OFFICER)
            stored = from_json(STORED)
            await repos.drafts.save(
                user.id,
                draft_id=stored["draft_id"],
                form="seizure",
                data=stored,
                now=user.created_at,
            )
        async with db.read() as repos:
            read = await repos.drafts.get(user.id)
    finally:
        await db.close()
    assert read is not None
    draft = Draft.from_json(read.data)
    clock = Clock(now=read.created_at, timezone=UTC, max_age=timedelta(days=3))
    engine = FormEngine(FORMS["seizure"], clock, "en")
    assert engine.asked_key(draft) == "urgent"
    outcome = engine.handle(draft, Tapped("urgent", "opt", "yes"))
    assert isinstance(outcome.view, ShowSummary) and outcome.draft.step == 26
