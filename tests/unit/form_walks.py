"""A driver that answers every question of a form the way a careful officer would, and the fixed
clock it answers by: walk a whole form, reach one question, take one step, read the summary."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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
