"""How forms look: every screen of every form fits Telegram and the engine, and each kind of
question shows its text and keyboard."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot import callbacks
from bot.config import LANGUAGES
from bot.forms.definitions import FORMS, JOINT_OPERATION, SEIZURE
from bot.forms.engine import FormEngine
from bot.forms.model import Form, Kind
from bot.forms.render import render
from bot.forms.state import (
    SUMMARY,
    Ask,
    AskMore,
    ConfirmCancel,
    Draft,
    Photo,
    ShowSummary,
    Tapped,
    View,
)
from bot.i18n import Catalogs, Translator
from tests.unit.form_screens import ALLOWED_TAGS, TELEGRAM_TEXT_LIMIT, buttons, datas, tags, visible
from tests.unit.form_walks import reach, step, summary_of, walk

# -- every view of every form -------------------------------------------------------------------


def every_view() -> Iterator[tuple[Form, FormEngine, Draft, View]]:
    """Every screen an officer meets on the ways through every form, odd corners included."""
    for form in FORMS.values():
        for style in ("tap", "type"):
            done = walk(form, style)
            for outcome in done.outcomes:
                yield form, done.engine, outcome.draft, outcome.view
                cancel = step(done.engine, outcome.draft, Tapped(SUMMARY, "cancel"))
                yield form, done.engine, cancel.draft, cancel.view
    for form in (SEIZURE, JOINT_OPERATION):
        key = "when" if form is SEIZURE else "start"
        engine, at = reach(form, key)
        for day in ("today", "yesterday"):
            pending = step(engine, at.draft, Tapped(key, "dt", day))
            yield form, engine, pending.draft, pending.view
    engine, summary = summary_of(SEIZURE)
    editing = step(engine, summary.draft, Tapped(SUMMARY, "edit", "items"))
    empty = step(engine, editing.draft, Tapped("items", "more", "drop"))
    yield SEIZURE, engine, empty.draft, empty.view  # no items left
    back = step(engine, empty.draft, Tapped("items", "back"))
    yield SEIZURE, engine, back.draft, back.view  # a summary with a missing answer
    amending = replace(summary.draft, amends=7, amends_number="SZ-2026-000123")
    yield SEIZURE, engine, amending, engine.view(amending)
    engine, at_agencies = reach(SEIZURE, "agencies")
    chosen = step(engine, at_agencies.draft, Tapped("agencies", "opt", "prosecutor"))
    yield SEIZURE, engine, chosen.draft, chosen.view


Screen = tuple[Form, FormEngine, Draft, View]


@pytest.fixture(scope="module")
def views() -> list[Screen]:
    return list(every_view())


def test_the_walk_meets_every_kind_of_screen(views: list[Screen]) -> None:
    kinds = {type(view) for *_, view in views}
    assert kinds == {Ask, AskMore, ShowSummary, ConfirmCancel}
    asked_kinds = {view.field.kind for *_, view in views if isinstance(view, Ask)}
    assert asked_kinds == set(Kind) - {Kind.GROUP}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_button_fits_telegram_and_is_understood_by_the_engine(
    catalogs: Catalogs, views: list[Screen], language: str
) -> None:
    tr = catalogs.translator(language)
    for form, engine, draft, view in views:
        text, markup = render(form, draft, view, tr)
        assert text.strip()
        assert buttons(markup), f"{form.key}: {view} has no buttons"
        for button in buttons(markup):
            assert button.text.strip()
            data = button.callback_data
            assert isinstance(data, str)
            assert len(data.encode()) <= callbacks.MAX_BYTES
            draft_id, key, action, arg = callbacks.unpack(data, "f", 4)
            assert draft_id == draft.draft_id
            tapped = engine.handle(draft, Tapped(key, action, arg))
            assert not tapped.stale, f"{form.key}: {button.text!r} ({data}) on {view} is stale"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_screen_fits_in_one_message_and_uses_only_bold(
    catalogs: Catalogs, views: list[Screen], language: str
) -> None:
    tr = catalogs.translator(language)
    for form, _engine, draft, view in views:
        text, _markup = render(form, draft, view, tr)
        assert len(visible(text)) <= TELEGRAM_TEXT_LIMIT
        assert tags(text) <= ALLOWED_TAGS


def test_every_question_has_back_and_cancel_and_the_summary_submit_and_cancel(
    ru: Translator, views: list[Screen]
) -> None:
    for form, _engine, draft, view in views:
        actions = [action for _key, action, _arg in datas(render(form, draft, view, ru)[1])]
        if isinstance(view, (Ask, AskMore)):
            assert actions[-2:] == ["back", "cancel"]
        elif isinstance(view, ShowSummary):
            assert actions[-2:] == ["submit", "cancel"]
        else:
            assert actions == ["cancel_yes", "cancel_no"]


# -- questions ----------------------------------------------------------------------------------


def test_a_choice_offers_every_option_in_two_columns(ru: Translator) -> None:
    _engine, at = reach(SEIZURE, "substance")
    text, markup = render(SEIZURE, at.draft, at.view, ru)
    assert ru.gettext("Which substance?") in text
    assert ru.gettext("Item {number}").format(number=1) in text
    option_rows = markup.inline_keyboard[:-1]
    assert all(len(row) <= 2 for row in option_rows)
    assert option_rows[0][0].text == "Героин"
    assert [d for d in datas(markup) if d[1] == "opt"] == [
        ("substance", "opt", option.key) for option in SEIZURE.field_index["substance"].options
    ]


def test_a_multiple_choice_marks_what_is_chosen(ru: Translator) -> None:
    engine, at = reach(SEIZURE, "agencies")
    chosen = step(engine, at.draft, Tapped("agencies", "opt", "customs"))
    _text, markup = render(SEIZURE, chosen.draft, chosen.view, ru)
    marks = {callbacks.unpack(b.callback_data, "f", 4)[3]: b.text[0] for b in buttons(markup)[:6]}
    assert marks == {
        "sss": "▫",
        "mia": "▫",
        "customs": "✅",
        "ncdc": "▫",
        "border": "▫",
        "prosecutor": "▫",
    }
    assert ("agencies", "done", "-") in datas(markup)


@pytest.mark.parametrize(("language", "example"), [("ru", "1,5"), ("uz", "1,5"), ("en", "1.5")])
def test_a_number_question_shows_an_example_written_the_local_way(
    catalogs: Catalogs, language: str, example: str
) -> None:
    tr = catalogs.translator(language)
    _engine, at = reach(SEIZURE, "qty", language=language)
    text, _markup = render(SEIZURE, at.draft, at.view, tr)
    assert tr.gettext("Type a number, for example {example}.").format(example=example) in text


def test_a_text_question_states_its_limit(en: Translator) -> None:
    _engine, at = reach(SEIZURE, "caseref", language="en")
    text, markup = render(SEIZURE, at.draft, at.view, en)
    assert "Type your answer (up to 64 characters)." in text
    assert ("caseref", "skip", "-") in datas(markup)  # optional


def test_the_date_buttons_disappear_while_a_time_is_awaited(en: Translator) -> None:
    engine, at = reach(SEIZURE, "when", language="en")
    _text, markup = render(SEIZURE, at.draft, at.view, en)
    assert [d for d in datas(markup) if d[1] == "dt"] == [
        ("when", "dt", "now"),
        ("when", "dt", "today"),
        ("when", "dt", "yesterday"),
    ]
    pending = step(engine, at.draft, Tapped("when", "dt", "yesterday"))
    text, markup = render(SEIZURE, pending.draft, pending.view, en)
    assert "Yesterday at what time?" in text
    assert [d for d in datas(markup) if d[1] == "dt"] == []


def test_photos_received_replace_skip_with_done_and_remove(en: Translator) -> None:
    engine, at = reach(SEIZURE, "photos", language="en")
    _text, markup = render(SEIZURE, at.draft, at.view, en)
    assert [d[1] for d in datas(markup)] == ["skip", "back", "cancel"]
    two = step(engine, step(engine, at.draft, Photo("a", "ua")).draft, Photo("b", "ub"))
    text, markup = render(SEIZURE, two.draft, two.view, en)
    assert "2 photos received." in text
    assert [d[1] for d in datas(markup)] == ["done", "clear", "back", "cancel"]


def test_the_item_list_shows_each_item_and_offers_removal_only_when_there_is_one(
    ru: Translator,
) -> None:
    engine, summary = summary_of(SEIZURE, "type")  # two items: heroin 2 g, twice
    editing = step(engine, summary.draft, Tapped(SUMMARY, "edit", "items"))
    text, markup = render(SEIZURE, editing.draft, editing.view, ru)
    assert "1. Героин — 2\u00a0г" in text and "2. Героин — 2\u00a0г" in text
    assert [d[2] for d in datas(markup) if d[1] == "more"] == ["add", "drop", "done"]
    one = step(engine, editing.draft, Tapped("items", "more", "drop"))
    empty = step(engine, one.draft, Tapped("items", "more", "drop"))
    text, markup = render(SEIZURE, empty.draft, empty.view, ru)
    assert text == ru.gettext("No items yet.")
    assert [d[2] for d in datas(markup) if d[1] == "more"] == ["add"]
