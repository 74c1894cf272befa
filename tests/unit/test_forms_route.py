"""The seizure's route questions in the form engine: the countries offered, "Unknown" against a
country, the whole route skipped in one tap, and what the summary says was not given."""

from __future__ import annotations

from bot.forms.definitions import INCIDENT, SEIZURE
from bot.forms.record_view import route_gap_line, route_not_given
from bot.forms.render import render
from bot.forms.state import SUMMARY, Ask, ShowSummary, Tapped, Typed
from bot.i18n import Catalogs
from tests.unit.form_walks import reach, step, summary_of

ROUTE = ("origin", "departure", "transit", "destination")


def test_every_route_question_offers_the_region_first_then_other_and_unknown() -> None:
    for key in ROUTE:
        spec = SEIZURE.field(key)
        assert spec is not None and spec.optional
        assert [o.key for o in spec.options] == [
            "af", "ir", "pk", "tj", "kg", "kz", "tm", "uz", "ru", "cn", "tr", "eu",
            "other", "unknown",
        ]  # fmt: skip
    assert SEIZURE.route_fields == ROUTE
    assert INCIDENT.route_fields is None


def test_unknown_and_a_country_exclude_each_other_in_the_transit() -> None:
    engine, outcome = reach(SEIZURE, "transit")
    draft = outcome.draft
    for tap, chosen in [
        ("ir", ["ir"]),
        ("tm", ["ir", "tm"]),
        ("unknown", ["unknown"]),  # "Unknown" clears the countries…
        ("kz", ["kz"]),  # …and a country clears "Unknown"
        ("kz", []),  # a second tap takes it back
        ("unknown", ["unknown"]),
        ("unknown", []),
    ]:
        outcome = step(engine, draft, Tapped("transit", "opt", tap))
        assert outcome.refresh and outcome.problem is None
        draft = outcome.draft
        assert draft.answers.get("transit", []) == chosen
    # Done with nothing chosen is allowed: the question is optional.
    done = step(engine, draft, Tapped("transit", "done"))
    assert isinstance(done.view, Ask) and done.view.field.key == "destination"


def test_a_typed_answer_to_a_route_question_is_refused_and_changes_nothing() -> None:
    engine, outcome = reach(SEIZURE, "origin")
    for text in ("Afghanistan", "", "af", "🙂" * 300):
        refused = step(engine, outcome.draft, Typed(text))
        assert refused.problem is not None and refused.problem.code == "choice.use_buttons"
        assert refused.draft.answers == outcome.draft.answers
        assert engine.asked_key(refused.draft) == "origin"


def test_one_tap_skips_the_whole_route_and_back_returns_to_its_first_question() -> None:
    engine, outcome = reach(SEIZURE, "origin")
    skipped = step(engine, outcome.draft, Tapped("origin", "skip_route"))
    assert isinstance(skipped.view, Ask) and skipped.view.field.key == "detained"
    assert not set(ROUTE) & set(skipped.draft.answers)
    back = step(engine, skipped.draft, Tapped("detained", "back"))
    assert engine.asked_key(back.draft) == "origin"
    # Only the first route question has that button: elsewhere the tap is stale.
    _engine, at_departure = reach(SEIZURE, "departure")
    stale = step(engine, at_departure.draft, Tapped("departure", "skip_route"))
    assert stale.stale and not stale.changed


def test_skipping_the_route_while_editing_clears_it_and_returns_to_the_summary() -> None:
    engine, summary = summary_of(SEIZURE)
    assert summary.draft.answers["destination"] == "af"
    editing = step(engine, summary.draft, Tapped(SUMMARY, "edit", "origin"))
    cleared = step(engine, editing.draft, Tapped("origin", "skip_route"))
    assert cleared.view == ShowSummary(missing=())
    assert not set(ROUTE) & set(cleared.draft.answers)
    assert route_not_given(SEIZURE, cleared.draft.answers) == ROUTE


def test_editing_from_the_summary_does_not_ask_again_a_question_answered_no() -> None:
    engine, summary = summary_of(SEIZURE, style="type")  # typed style answers "urgent: no"
    assert summary.draft.answers["urgent"] is False
    editing = step(engine, summary.draft, Tapped(SUMMARY, "edit", "destination"))
    changed = step(engine, editing.draft, Tapped("destination", "opt", "ru"))
    assert changed.view == ShowSummary(missing=())


def test_the_summary_names_the_route_questions_not_given(catalogs: Catalogs) -> None:
    engine, outcome = reach(SEIZURE, "origin")
    draft = step(engine, outcome.draft, Tapped("origin", "opt", "unknown")).draft
    draft = step(engine, draft, Tapped("departure", "skip")).draft
    draft = step(engine, draft, Tapped("transit", "done")).draft
    draft = step(engine, draft, Tapped("destination", "opt", "eu")).draft
    assert route_not_given(SEIZURE, draft.answers) == ("departure", "transit")
    ru = catalogs.translator("ru")
    assert route_gap_line(SEIZURE, draft.answers, ru) == (
        "В маршруте не указано: Страна отправления, Страны транзита."
    )
    assert route_gap_line(INCIDENT, {}, ru) is None
    _engine, summary = summary_of(SEIZURE)
    text, _keyboard = render(SEIZURE, summary.draft, summary.view, catalogs.translator("en"))
    assert "Route not given" not in text  # every route question answered
    assert "<b>Country of destination:</b> Afghanistan" in text


def test_the_origin_question_carries_a_skip_and_a_skip_the_route_button(
    catalogs: Catalogs,
) -> None:
    _engine, outcome = reach(SEIZURE, "origin")
    _text, keyboard = render(SEIZURE, outcome.draft, outcome.view, catalogs.translator("uz"))
    labels = [b.text for row in keyboard.inline_keyboard for b in row]
    assert "Noma’lum" in labels and "⏭ O‘tkazib yuborish" in labels
    assert "⏭ Butun yo‘nalishni o‘tkazib yuborish" in labels
    _engine, at_departure = reach(SEIZURE, "departure")
    _text, keyboard = render(
        SEIZURE, at_departure.draft, at_departure.view, catalogs.translator("uz")
    )
    assert "⏭ Butun yo‘nalishni o‘tkazib yuborish" not in [
        b.text for row in keyboard.inline_keyboard for b in row
    ]
