"""The form engine: one state machine that walks any :class:`Form`.

``handle(draft, event)`` takes plain values and returns plain values (the new draft, what to
show next, what was wrong; bot/forms/state.py), so the whole conversation is tested without
Telegram. The draft is JSON: the handlers store it in the database after every step, so it
survives a restart.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.forms.model import Field, Form, Kind
from bot.forms.parsing import (
    AnswerError,
    Problem,
    check_moment,
    clean_text,
    combine,
    parse_moment,
    parse_number,
    parse_time,
)
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
    askable,
)

PLACE_TEXT_LIMIT = 200


class FormEngine:
    def __init__(self, form: Form, clock: Clock, language: str) -> None:
        self.form = form
        self.clock = clock
        self.language = language  # numbers are parsed the way this language writes them

    # -- starting and looking ------------------------------------------------------------
    def start(self, draft_id: str, places: list[list[str]] | None = None) -> Outcome:
        draft = Draft(draft_id=draft_id, form=self.form.key, places=list(places or []))
        if not self.form.summary_first:
            draft.cursor = self._next_field(draft, after=None)
            self._enter(draft)
        return Outcome(draft, self.view(draft), changed=True)

    def view(self, draft: Draft) -> View:
        if draft.cancelling:
            return ConfirmCancel()
        if draft.cursor is None:
            return ShowSummary(self.missing(draft))
        top = self._field(draft.cursor)
        if top.kind is Kind.GROUP:
            if draft.sub == "more":
                return AskMore(top)
            sub = top.subfield(draft.sub or top.subfields[0].key)
            assert sub is not None
            return Ask(sub, group=top)
        return Ask(top, pending_day=draft.pending_day)

    def asked_key(self, draft: Draft) -> str:
        """The key that buttons of the current question carry."""
        view = self.view(draft)
        if isinstance(view, Ask):
            return view.field.key
        if isinstance(view, AskMore):
            return view.group.key
        return SUMMARY

    def askable(self, draft: Draft, spec: Field) -> bool:
        return askable(draft.answers, spec)

    def missing(self, draft: Draft) -> tuple[str, ...]:
        return tuple(
            spec.key
            for spec in self.form.fields
            if self.askable(draft, spec)
            and not spec.optional
            and draft.answers.get(spec.key) in (None, [], "")
        )

    def final_answers(self, draft: Draft) -> dict[str, Any]:
        """The answers that count: those of fields asked under the current conditions."""
        return {
            spec.key: draft.answers[spec.key]
            for spec in self.form.fields
            if self.askable(draft, spec) and draft.answers.get(spec.key) not in (None, [], "")
        }

    # -- events ------------------------------------------------------------------------------
    def handle(self, draft: Draft, event: Event, *, seen: bool = True) -> Outcome:
        """Apply ``event``; ``seen``: the person had the current question on screen when they
        typed (see bot/once.py, typed_at_current_step). Taps carry their question anyway."""
        draft = Draft.from_json(draft.to_json())  # never mutate the caller's copy
        if isinstance(event, Typed) and not seen:
            # The answer was typed looking at an earlier question (the next one never
            # reached the screen): it must not answer a question the person did not see.
            return Outcome(draft, self.view(draft), unseen=True)
        outcome = self._handle(draft, event)
        if outcome.changed:
            outcome.draft.step += 1
        return outcome

    def _handle(self, draft: Draft, event: Event) -> Outcome:
        if isinstance(event, Tapped):
            # A tap can be refused too: "Now" for a start after the end already given.
            try:
                return self._tap(draft, event)
            except AnswerError as error:
                return self._refuse(draft, error.problem)
        view = self.view(draft)
        if isinstance(view, ConfirmCancel):
            return self._refuse(draft, Problem("cancel.use_buttons"))
        if isinstance(view, ShowSummary):
            return self._refuse(draft, Problem("summary.use_buttons"))
        if isinstance(view, AskMore):
            return self._refuse(draft, Problem("choice.use_buttons"))
        try:
            return self._answer(draft, view, event)
        except AnswerError as error:
            return self._refuse(draft, error.problem)

    def _refuse(self, draft: Draft, problem: Problem) -> Outcome:
        return Outcome(draft, self.view(draft), problem=problem)

    def _answer(self, draft: Draft, view: Ask, event: Event) -> Outcome:
        spec = view.field
        if isinstance(event, Unsupported):
            raise AnswerError(Problem("input.unsupported", {"kind": spec.kind.value}))
        if isinstance(event, Located):
            if spec.kind is not Kind.PLACE:
                raise AnswerError(Problem("input.unexpected_location", {"kind": spec.kind.value}))
            if not (-90 <= event.latitude <= 90 and -180 <= event.longitude <= 180):
                raise AnswerError(Problem("place.invalid_location"))
            value: Any = {"type": "location", "lat": event.latitude, "lon": event.longitude}
            return self._store(draft, spec, view.group, value)
        if isinstance(event, Photo):
            if spec.kind is not Kind.PHOTOS:
                raise AnswerError(Problem("input.unexpected_photo", {"kind": spec.kind.value}))
            photos = list(draft.answers.get(spec.key) or [])
            if any(p["file_unique_id"] == event.file_unique_id for p in photos):
                return Outcome(draft, self.view(draft))  # the same photo again: already there
            if len(photos) >= spec.max_photos:
                raise AnswerError(Problem("photos.too_many", {"limit": spec.max_photos}))
            photos.append({"file_id": event.file_id, "file_unique_id": event.file_unique_id})
            draft.answers[spec.key] = photos
            return Outcome(draft, self.view(draft), changed=True)
        assert isinstance(event, Typed)
        text = event.text
        if spec.kind in (Kind.CHOICE, Kind.MULTI, Kind.YES_NO):
            raise AnswerError(Problem("choice.use_buttons"))
        if spec.kind is Kind.PHOTOS:
            raise AnswerError(Problem("photos.send_photo"))
        if spec.kind is Kind.NUMBER:
            number = parse_number(text, spec, self.language)
            return self._store(draft, spec, view.group, str(number))
        if spec.kind is Kind.TEXT:
            return self._store(draft, spec, view.group, clean_text(text, spec))
        if spec.kind is Kind.PLACE:
            place = clean_text(text, replace(spec, max_length=PLACE_TEXT_LIMIT))
            return self._store(draft, spec, view.group, {"type": "text", "text": place})
        if spec.kind is Kind.DATETIME:
            if draft.pending_day is not None:
                day = self.clock.now.astimezone(self.clock.timezone).date()
                if draft.pending_day == "yesterday":
                    day -= timedelta(days=1)
                moment = combine(day, parse_time(text), self.clock.timezone)
            else:
                moment = parse_moment(text, now=self.clock.now, timezone=self.clock.timezone)
            return self._store_moment(draft, spec, moment)
        raise AssertionError(f"unhandled kind {spec.kind}")  # pragma: no cover

    def _store_moment(self, draft: Draft, spec: Field, moment: datetime) -> Outcome:
        not_before = None
        if spec.not_before and draft.answers.get(spec.not_before):
            not_before = datetime.fromisoformat(draft.answers[spec.not_before])
        check_moment(moment, now=self.clock.now, max_age=self.clock.max_age, not_before=not_before)
        for later in self.form.fields:
            if later.not_before == spec.key and draft.answers.get(later.key):
                end = datetime.fromisoformat(draft.answers[later.key])
                if end < moment:
                    raise AnswerError(Problem("datetime.after_end", {"end": end}))
        draft.pending_day = None
        return self._store(draft, spec, None, moment.isoformat())

    def _store(self, draft: Draft, spec: Field, group: Field | None, value: Any) -> Outcome:
        if group is None:
            draft.answers[spec.key] = value
            self._advance(draft)
            return Outcome(draft, self.view(draft), changed=True)
        draft.item[spec.key] = value
        keys = [sub.key for sub in group.subfields]
        position = keys.index(spec.key)
        if position + 1 < len(keys):
            draft.sub = keys[position + 1]
        else:
            items = list(draft.answers.get(group.key) or [])
            items.append(dict(draft.item))
            draft.answers[group.key] = items
            draft.item = {}
            draft.sub = "more"
        return Outcome(draft, self.view(draft), changed=True)

    # -- taps --------------------------------------------------------------------------------
    def _tap(self, draft: Draft, tap: Tapped) -> Outcome:
        view = self.view(draft)
        if tap.action == "cancel":
            draft.cancelling = True
            return Outcome(draft, self.view(draft), changed=True)
        if isinstance(view, ConfirmCancel):
            if tap.action == "cancel_yes":
                return Outcome(draft, view, cancelled=True)
            if tap.action == "cancel_no":
                draft.cancelling = False
                return Outcome(draft, self.view(draft), changed=True)
            return Outcome(draft, view, stale=True)
        if tap.field != self.asked_key(draft):
            return Outcome(draft, view, stale=True)
        if isinstance(view, ShowSummary):
            return self._summary_tap(draft, view, tap)
        if tap.action == "back":
            self._back(draft)
            return Outcome(draft, self.view(draft), changed=True)
        if isinstance(view, AskMore):
            return self._more_tap(draft, view.group, tap)
        spec = view.field
        if tap.action == "skip" and spec.optional:
            draft.answers.pop(spec.key, None)
            draft.pending_day = None
            self._advance(draft)
            return Outcome(draft, self.view(draft), changed=True)
        route = self.form.route_fields
        if tap.action == "skip_route" and route is not None and spec.key == route[0]:
            # An officer who knows nothing of the route leaves it in one tap, not four.
            for key in route:
                draft.answers.pop(key, None)
            self._advance(draft, after=route[-1])
            return Outcome(draft, self.view(draft), changed=True)
        if tap.action == "opt" and spec.kind is Kind.CHOICE and spec.option(tap.arg):
            return self._store(draft, spec, view.group, tap.arg)
        if tap.action == "opt" and spec.kind is Kind.PLACE:
            name = next((n for key, n in draft.places if key == tap.arg), None)
            if name is not None:
                return self._store(
                    draft, spec, None, {"type": "point", "id": tap.arg, "text": name}
                )
        if tap.action == "opt" and spec.kind is Kind.YES_NO and tap.arg in ("yes", "no"):
            return self._store(draft, spec, None, tap.arg == "yes")
        if tap.action == "opt" and spec.kind is Kind.MULTI and spec.option(tap.arg):
            chosen = list(draft.answers.get(spec.key) or [])
            if tap.arg in chosen:
                chosen.remove(tap.arg)
            else:
                tapped = spec.option(tap.arg)
                assert tapped is not None
                alone = {o.key for o in spec.options if o.alone}
                # "Unknown" and a country contradict each other: the newest choice wins.
                chosen = [] if tapped.alone else [key for key in chosen if key not in alone]
                chosen.append(tap.arg)
            draft.answers[spec.key] = [o.key for o in spec.options if o.key in chosen]
            return Outcome(draft, view, changed=True, refresh=True)
        if tap.action == "done" and spec.kind in (Kind.MULTI, Kind.PHOTOS):
            if not draft.answers.get(spec.key) and not spec.optional:
                return self._refuse(draft, Problem("multi.choose_one"))
            self._advance(draft)
            return Outcome(draft, self.view(draft), changed=True)
        if tap.action == "clear" and spec.kind is Kind.PHOTOS:
            draft.answers.pop(spec.key, None)
            return Outcome(draft, self.view(draft), changed=True)
        if tap.action == "dt" and spec.kind is Kind.DATETIME:
            if tap.arg == "now":
                return self._store_moment(
                    draft, spec, self.clock.now.astimezone(self.clock.timezone)
                )
            if tap.arg in ("today", "yesterday"):
                draft.pending_day = tap.arg
                return Outcome(draft, self.view(draft), changed=True)
        return Outcome(draft, view, stale=True)

    def _more_tap(self, draft: Draft, group: Field, tap: Tapped) -> Outcome:
        items = list(draft.answers.get(group.key) or [])
        if tap.action == "more" and tap.arg == "add":
            if len(items) >= group.max_items:
                return self._refuse(draft, Problem("group.too_many", {"limit": group.max_items}))
            draft.sub = group.subfields[0].key
            draft.item = {}
            return Outcome(draft, self.view(draft), changed=True)
        if tap.action == "more" and tap.arg == "drop" and items:
            items.pop()
            draft.answers[group.key] = items
            return Outcome(draft, self.view(draft), changed=True)
        if tap.action == "more" and tap.arg == "done":
            if not items:
                return self._refuse(draft, Problem("group.empty"))
            draft.sub = None
            self._advance(draft)
            return Outcome(draft, self.view(draft), changed=True)
        return Outcome(draft, self.view(draft), stale=True)

    def _summary_tap(self, draft: Draft, view: ShowSummary, tap: Tapped) -> Outcome:
        if tap.action == "submit":
            if view.missing:
                return self._refuse(draft, Problem("summary.incomplete"))
            return Outcome(draft, view, submit=True)
        if tap.action == "edit":
            spec = self.form.field(tap.arg)
            if spec is None or not self.askable(draft, spec):
                return Outcome(draft, view, stale=True)
            draft.editing = True
            draft.cursor = spec.key
            self._enter(draft)
            if spec.kind is Kind.GROUP and draft.answers.get(spec.key):
                draft.sub = "more"
            return Outcome(draft, self.view(draft), changed=True)
        return Outcome(draft, view, stale=True)

    # -- moving ------------------------------------------------------------------------------
    def _field(self, key: str) -> Field:
        spec = self.form.field(key)
        if spec is None:
            raise KeyError(key)
        return spec

    def _enter(self, draft: Draft) -> None:
        """Prepare the question at ``cursor``."""
        draft.pending_day = None
        draft.item = {}
        draft.sub = None
        if draft.cursor is not None:
            spec = self._field(draft.cursor)
            if spec.kind is Kind.GROUP:
                draft.sub = "more" if draft.answers.get(spec.key) else spec.subfields[0].key

    def _next_field(self, draft: Draft, after: str | None) -> str | None:
        start = 0 if after is None else self.form.position(after) + 1
        for spec in self.form.fields[start:]:
            if self.askable(draft, spec):
                given = draft.answers.get(spec.key) not in (None, [], "")  # "No" is given
                if draft.editing and (spec.optional or given):
                    continue  # when editing, only fill what is still missing
                return spec.key
        return None

    def _advance(self, draft: Draft, *, after: str | None = None) -> None:
        """To the next question after the current one (or after ``after``, skipping those
        between); Back returns to the current one."""
        if draft.cursor is not None:
            draft.history.append(draft.cursor)
        draft.cursor = self._next_field(draft, after or draft.cursor)
        if draft.cursor is None:
            draft.editing = False
            draft.history.clear()
        self._enter(draft)

    def _back(self, draft: Draft) -> None:
        if draft.pending_day is not None:
            draft.pending_day = None  # from "at what time?" back to the date buttons
            return
        if draft.cursor is not None:
            top = self._field(draft.cursor)
            if top.kind is Kind.GROUP and draft.sub not in (None, "more"):
                keys = [sub.key for sub in top.subfields]
                position = keys.index(draft.sub)
                if position > 0:
                    draft.sub = keys[position - 1]
                    draft.item.pop(draft.sub, None)
                    return
                if draft.answers.get(top.key):
                    draft.sub, draft.item = "more", {}
                    return
        draft.pending_day = None
        if draft.editing or not draft.history:
            if draft.editing:
                draft.cursor = None
                draft.editing = False
                draft.history.clear()
                self._enter(draft)
            return
        draft.cursor = draft.history.pop()
        self._enter(draft)
