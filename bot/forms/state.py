"""What the form engine takes and gives, as plain values: the draft (the conversation's whole
state, stored as JSON after every step), what to show next (a view), what the officer did
(an event) and the outcome of one step.

Kept apart from the engine's rules (bot/forms/engine.py) because the screens
(bot/forms/render.py) and the report handlers read these values without walking a form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from bot.forms.model import Field
from bot.forms.parsing import Problem

SUMMARY = "_"  # the "field" of buttons that belong to the summary or to cancelling


def askable(answers: dict[str, Any], spec: Field) -> bool:
    """Whether ``spec`` is asked at all, given the answers so far (conditional questions)."""
    if spec.ask_if_positive is None:
        return True
    value = answers.get(spec.ask_if_positive)
    return value is not None and Decimal(value) > 0


@dataclass
class Draft:
    draft_id: str
    form: str
    answers: dict[str, Any] = field(default_factory=dict)
    cursor: str | None = None  # the top-level field being asked; None: the summary
    sub: str | None = None  # inside a group: the subfield being asked, or "more"
    item: dict[str, Any] = field(default_factory=dict)  # the group item being built
    history: list[str] = field(default_factory=list)
    editing: bool = False  # answering from the summary: go back there afterwards
    pending_day: str | None = None  # "today" or "yesterday" tapped, waiting for hh:mm
    cancelling: bool = False
    amends: int | None = None  # the report this draft amends, if any
    amends_number: str | None = None
    #: The unit's crossing points when the draft started: [id, name] pairs for the place question.
    places: list[list[str]] = field(default_factory=list)
    #: An amendment's factors as its report was filed with them: [substance, normalised unit,
    #: kg per unit or None] per item not weighed, so its summary says "urgent" as the amended
    #: report will be (bot/equivalents.py, ``Factors.keeping``), not by today's factors.
    kept_factors: list[list[str | None]] = field(default_factory=list)
    #: Counts the changes: the handlers record the step the person last saw, so a typed
    #: answer is taken only for the question on the person's screen.
    step: int = 0

    def to_json(self) -> dict[str, Any]:
        """The draft as JSON values, shared with nothing of the draft (what
        ``dataclasses.asdict`` gave, for a tenth of its cost: it runs twice per update)."""
        data: dict[str, Any] = {
            "draft_id": self.draft_id,
            "form": self.form,
            "answers": _copied(self.answers),
            "cursor": self.cursor,
            "sub": self.sub,
            "item": _copied(self.item),
            "history": list(self.history),
            "editing": self.editing,
            "pending_day": self.pending_day,
            "cancelling": self.cancelling,
            "amends": self.amends,
            "amends_number": self.amends_number,
            "places": _copied(self.places),
            "step": self.step,
        }
        if self.kept_factors:  # only amendments have them: other drafts store as before
            data["kept_factors"] = _copied(self.kept_factors)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        """The draft ``to_json`` gave; a field it lacks (a draft stored before that field
        existed) takes its default, an unknown one is refused."""
        return cls(**data)


def _copied(value: Any) -> Any:
    """A JSON value with every dict and list in it copied (its strings, numbers and booleans
    are immutable, so they are shared: the cheap part of ``copy.deepcopy``)."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_copied(item) for item in value)
    return value


# What the officer should see next.
@dataclass(frozen=True)
class Ask:
    field: Field
    group: Field | None = None  # set when ``field`` is a subfield of this group
    pending_day: str | None = None


@dataclass(frozen=True)
class AskMore:
    group: Field


@dataclass(frozen=True)
class ShowSummary:
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConfirmCancel:
    pass


View = Ask | AskMore | ShowSummary | ConfirmCancel


# What the officer did.
@dataclass(frozen=True)
class Typed:
    text: str


@dataclass(frozen=True)
class Located:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Photo:
    file_id: str
    file_unique_id: str


@dataclass(frozen=True)
class Unsupported:
    what: str


@dataclass(frozen=True)
class Tapped:
    field: str
    action: str
    arg: str = ""


Event = Typed | Located | Photo | Unsupported | Tapped


@dataclass(frozen=True)
class Outcome:
    draft: Draft
    view: View
    problem: Problem | None = None
    changed: bool = False
    #: A button of another question (or a forged one): nothing changed, say so briefly.
    stale: bool = False
    #: Only the keyboard of the current question changes (a multiple-choice toggle).
    refresh: bool = False
    submit: bool = False
    cancelled: bool = False
    #: Typed text while the person had not seen the current question (sending it failed):
    #: nothing changed; show the question, saying the previous answer was saved.
    unseen: bool = False


@dataclass(frozen=True)
class Clock:
    now: datetime
    timezone: tzinfo
    max_age: timedelta
