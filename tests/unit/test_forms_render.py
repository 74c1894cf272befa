"""How forms look: question texts, keyboards, the summary, problem messages."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram import InlineKeyboardMarkup

from bot import callbacks, filing
from bot.config import LANGUAGES
from bot.equivalents import WEIGHT_ONLY
from bot.forms.definitions import DAILY_STATUS, FORMS, JOINT_OPERATION, SEIZURE
from bot.forms.engine import FormEngine
from bot.forms.model import Form, Kind
from bot.forms.parsing import Problem
from bot.forms.problems import problem_text
from bot.forms.readback import item_text, summary_lines, value_text
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
    Typed,
    View,
)
from bot.i18n import Catalogs, Translator
from bot.urgent import Reason
from tests.unit.form_walks import DRAFT_ID, reach, step, summary_of, walk

TASHKENT = ZoneInfo("Asia/Tashkent")
LARGE_ITEM = {"substance": "heroin", "qty": "2.5", "measure": "kg"}
ROOT = Path(__file__).resolve().parents[2]
TELEGRAM_TEXT_LIMIT = 4096
ALLOWED_TAGS = {"b"}


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs(TASHKENT)


@pytest.fixture(scope="module")
def ru(catalogs: Catalogs) -> Translator:
    return catalogs.translator("ru")


@pytest.fixture(scope="module")
def en(catalogs: Catalogs) -> Translator:
    return catalogs.translator("en")


def buttons(markup: InlineKeyboardMarkup) -> list[Any]:
    return [button for row in markup.inline_keyboard for button in row]


def datas(markup: InlineKeyboardMarkup) -> list[tuple[str, ...]]:
    return [callbacks.unpack(button.callback_data, "f", 4)[1:] for button in buttons(markup)]


def visible(text: str) -> str:
    """What the officer reads: the HTML tags gone and the entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def tags(text: str) -> set[str]:
    return set(re.findall(r"</?([A-Za-z][A-Za-z0-9]*)", text))


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


# -- the summary --------------------------------------------------------------------------------

HOSTILE = "<b>Boss</b> & <i>co</i> </b> &amp; <a href='x'>"


def test_typed_text_is_escaped_in_the_summary(ru: Translator) -> None:
    _engine, summary = summary_of(SEIZURE)
    draft = summary.draft
    draft.answers["caseref"] = "<b>&"
    draft.answers["notes"] = HOSTILE
    draft.answers["place"] = {"type": "text", "text": "Termez <Hairatan> & Co"}
    text, _markup = render(SEIZURE, draft, ShowSummary(), ru)
    assert "&lt;b&gt;&amp;" in text
    assert html.escape(HOSTILE) in text
    assert "Termez &lt;Hairatan&gt; &amp; Co" in text
    assert "<b>&" not in text
    assert tags(text) <= ALLOWED_TAGS
    assert "<b>Boss</b> & <i>co</i> </b> &amp; <a href='x'>" in visible(text)


def test_typed_text_is_escaped_in_the_amending_title(ru: Translator) -> None:
    _engine, summary = summary_of(DAILY_STATUS)
    draft = replace(summary.draft, amends=1, amends_number="DS-2026-000001")
    text, _markup = render(DAILY_STATUS, draft, ShowSummary(), ru)
    assert visible(text).startswith(
        ru.gettext("Amending report {number}").format(number="DS-2026-000001")
    )


def test_the_summary_shows_the_whole_of_a_long_answer(ru: Translator) -> None:
    _engine, summary = summary_of(SEIZURE)
    draft = summary.draft
    draft.answers["notes"] = "&" * 1500
    text, _markup = render(SEIZURE, draft, ShowSummary(), ru)
    assert "&amp;" * 1500 in text
    assert "…" not in text
    assert draft.answers["notes"] == "&" * 1500


def test_a_large_seizure_reads_urgent_in_the_summary(ru: Translator) -> None:
    _engine, summary = summary_of(SEIZURE)
    draft = summary.draft
    draft.answers["urgent"] = False
    large = filing.urgency(
        SEIZURE, {**draft.answers, "items": [LARGE_ITEM]}, Decimal(1), WEIGHT_ONLY
    )
    assert large is Reason.LARGE
    text, _markup = render(SEIZURE, draft, ShowSummary(), ru, urgency=large)
    urgent_line = next(line for line in text.split("\n") if ru.gettext("Urgent") in line)
    assert ru.gettext("Yes — large seizure") in urgent_line
    text, _markup = render(SEIZURE, draft, ShowSummary(), ru, urgency=None)
    urgent_line = next(line for line in text.split("\n") if ru.gettext("Urgent") in line)
    assert urgent_line.endswith(ru.gettext("No"))


def test_the_summary_lists_the_answers_in_form_order_with_labels(ru: Translator) -> None:
    _engine, summary = summary_of(SEIZURE)
    lines = summary_lines(SEIZURE, summary.draft.answers, ru, limit=300)
    labels = [re.match(r"<b>(.*?):</b>", line).group(1) for line in lines]  # type: ignore[union-attr]
    assert labels == [html.escape(ru.gettext(f.label)) for f in SEIZURE.fields]
    by_label = dict(zip(labels, lines, strict=True))
    assert by_label["Место"].endswith("геопозиция 37.22420, 67.27830")
    assert by_label[ru.gettext("Persons detained")].endswith(" 2")
    assert by_label[ru.gettext("Urgent")].endswith(" Да")
    assert (
        by_label[ru.gettext("Items")]
        == f"<b>{ru.gettext('Items')}:</b>\n  • Героин — 1,5\u00a0{ru.gettext('g')}"
    )
    assert by_label[ru.gettext("Photos")].endswith(
        ru.ngettext("{count} photo", "{count} photos", 1).format(count=1)
    )


def test_nationalities_leave_the_summary_when_nobody_was_detained(ru: Translator) -> None:
    _engine, summary = summary_of(SEIZURE)
    answers = dict(summary.draft.answers)
    label = f"<b>{ru.gettext('Nationalities')}:</b>"
    assert any(line.startswith(label) for line in summary_lines(SEIZURE, answers, ru, limit=None))
    answers["detained"] = "0"
    lines = summary_lines(SEIZURE, answers, ru, limit=None)
    assert not any(line.startswith(label) for line in lines)
    _text, markup = render(SEIZURE, replace(summary.draft, answers=answers), ShowSummary(), ru)
    assert (SUMMARY, "edit", "nations") not in datas(markup)
    assert (SUMMARY, "edit", "detained") in datas(markup)


def test_missing_answers_are_named_under_the_summary(en: Translator) -> None:
    draft = Draft(DRAFT_ID, "joint_operation", answers={"start": "2026-03-09T08:00:00+05:00"})
    missing = ("end", "agencies", "vehicles", "persons", "result")
    text, _markup = render(JOINT_OPERATION, draft, ShowSummary(missing), en)
    assert "Still to answer: Ended, Agencies, Vehicles inspected, Persons checked, Result." in text
    assert "<b>Ended:</b> —" in text


def largest_seizure() -> dict[str, Any]:
    fields = SEIZURE.field_index
    return {
        "when": "2026-03-10T14:00:00+05:00",
        "place": {"type": "text", "text": "&" * 200},
        "items": [{"substance": "precursor", "qty": "999999.999", "measure": "tablets"}] * 20,
        "conceal": "body",
        "transport": "train",
        "detained": "500",
        "nations": [o.key for o in fields["nations"].options],
        "agencies": [o.key for o in fields["agencies"].options],
        "caseref": "&" * 64,
        "notes": "&" * 1500,
        "photos": [{"file_id": f"f{n}", "file_unique_id": f"u{n}"} for n in range(10)],
        "urgent": True,
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_largest_possible_reports_fit_in_one_message(catalogs: Catalogs, language: str) -> None:
    tr = catalogs.translator(language)
    seizure = Draft(DRAFT_ID, "seizure", answers=largest_seizure())
    joint = Draft(
        DRAFT_ID,
        "joint_operation",
        answers={
            "start": "2026-03-09T08:00:00+05:00",
            "end": "2026-03-09T20:00:00+05:00",
            "agencies": [o.key for o in SEIZURE.field_index["agencies"].options],
            "vehicles": "100000",
            "persons": "100000",
            "result": "&" * 1500,
            "notes": "&" * 1500,
        },
    )
    for form, draft in ((SEIZURE, seizure), (JOINT_OPERATION, joint)):
        text, _markup = render(form, draft, ShowSummary(), tr)
        assert len(visible(text)) <= TELEGRAM_TEXT_LIMIT
    items = replace(seizure, cursor="items", sub="more")
    text, _markup = render(SEIZURE, items, AskMore(SEIZURE.field("items")), tr)
    assert len(visible(text)) <= TELEGRAM_TEXT_LIMIT


# -- values -------------------------------------------------------------------------------------

F = SEIZURE.field_index


@pytest.mark.parametrize(
    ("key", "value", "language", "expected"),
    [
        ("substance", "heroin", "ru", "Героин"),
        ("substance", "heroin", "en", "Heroin"),
        ("substance", "nonexistent", "en", "—"),
        ("nations", ["af", "uz"], "en", "Uzbekistan, Afghanistan"),  # in the order of the options
        ("nations", [], "en", "—"),
        ("urgent", True, "ru", "Да"),
        ("urgent", False, "en", "No"),
        ("qty", "1500.25", "ru", "1\u00a0500,25"),
        ("qty", "1500.25", "en", "1,500.25"),
        ("qty", "0.001", "uz", "0,001"),
        ("detained", "0", "en", "0"),
        ("caseref", "<b>&", "en", "&lt;b&gt;&amp;"),
        ("caseref", "", "en", "—"),
        ("caseref", None, "en", "—"),
        ("when", "2026-03-10T09:00:00+00:00", "en", "10.03.2026 14:00"),
        (
            "place",
            {"type": "location", "lat": 37.2242, "lon": 67.2783},
            "en",
            "location 37.22420, 67.27830",
        ),
        ("place", {"type": "text", "text": "A & B"}, "en", "A &amp; B"),
        ("photos", [{"file_id": "a", "file_unique_id": "a"}] * 3, "en", "3 photos"),
        ("photos", [{"file_id": "a", "file_unique_id": "a"}], "en", "1 photo"),
    ],
)
def test_answers_read_back(
    catalogs: Catalogs, key: str, value: Any, language: str, expected: str
) -> None:
    assert value_text(F[key], value, catalogs.translator(language)) == expected


def test_a_moment_is_read_back_in_tashkent_time(ru: Translator) -> None:
    text = value_text(F["when"], "2026-03-09T20:30:00+00:00", ru)
    assert "01:30" in text and "10.03" in text


def test_an_item_reads_as_substance_quantity_measure(ru: Translator, en: Translator) -> None:
    item = {"substance": "hashish", "qty": "12.5", "measure": "kg"}
    assert item_text(F["items"], item, en) == "Hashish — 12.5\u00a0kg"
    expected = f"{ru.gettext('Hashish')} — 12,5\u00a0{ru.gettext('kg')}"
    assert item_text(F["items"], item, ru) == expected


# -- problems -----------------------------------------------------------------------------------


def engine_codes() -> list[str]:
    source = "".join(
        (ROOT / "bot" / "forms" / name).read_text(encoding="utf-8")
        for name in ("engine.py", "parsing.py")
    )
    return sorted(set(re.findall(r'Problem\(\s*"([a-z_.]+)"', source)))


CODES = engine_codes()
PARAMS: dict[str, Any] = {
    "integer": False,
    "decimals": 3,
    "minimum": Decimal("0.001"),
    "maximum": Decimal(500),
    "limit": 1500,
    "count": 5000,
    "days": 30,
    "start": datetime(2026, 3, 9, 3, 0, tzinfo=UTC),
    "end": datetime(2026, 3, 9, 13, 30, tzinfo=UTC),
    "kind": "text",
}


def test_the_grep_finds_the_engines_problems() -> None:
    assert len(CODES) >= 20
    assert {"number.invalid", "text.too_long", "group.empty", "summary.use_buttons"} <= set(CODES)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("code", CODES)
def test_every_problem_has_its_own_message(catalogs: Catalogs, code: str, language: str) -> None:
    tr = catalogs.translator(language)
    fallback = problem_text(Problem("no.such.problem"), tr)
    message = problem_text(Problem(code, PARAMS), tr)
    assert message != fallback
    assert message.strip()
    assert "{" not in message  # every placeholder filled


@pytest.mark.parametrize(
    ("problem", "language", "expected"),
    [
        (
            Problem("text.too_long", {"limit": 1500, "count": 5000}),
            "en",
            "5000 characters, the limit is 1500",
        ),
        (Problem("number.too_small", {"minimum": Decimal("0.001")}), "ru", "0,001"),
        (Problem("number.too_large", {"maximum": Decimal(100000)}), "en", "100,000"),
        (Problem("number.too_precise", {"decimals": 3}), "en", "at most 3 digits"),
        (Problem("datetime.too_old", {"days": 30}), "en", "more than 30 days ago"),
        (Problem("photos.too_many", {"limit": 10}), "en", "at most 10 photos"),
        (Problem("group.too_many", {"limit": 20}), "en", "at most 20 items"),
        (Problem("number.invalid", {"integer": True}), "en", "not a whole number"),
        (Problem("number.invalid", {"integer": False}), "ru", "1,5"),
        (
            Problem("datetime.after_end", {"end": datetime(2026, 3, 9, 13, 30, tzinfo=UTC)}),
            "en",
            "09.03.2026 18:30",
        ),
        (
            Problem("datetime.before_start", {"start": datetime(2026, 3, 9, 3, 0, tzinfo=UTC)}),
            "en",
            "09.03.2026 08:00",
        ),
    ],
)
def test_problem_messages_carry_their_values(
    catalogs: Catalogs, problem: Problem, language: str, expected: str
) -> None:
    assert expected in problem_text(problem, catalogs.translator(language))


def test_the_problem_an_officer_meets_reads_with_its_numbers(ru: Translator) -> None:
    engine, at = reach(SEIZURE, "notes")
    refused = engine.handle(at.draft, Typed("x" * 5000))
    assert refused.problem is not None
    message = problem_text(refused.problem, ru)
    assert message != problem_text(Problem("no.such.problem"), ru)
    assert "5000" in message and "1500" in message


@pytest.mark.parametrize(
    ("qty", "expected_en", "expected_ru"),
    [
        ("1", "Tramadol — 1\u00a0tablet", "1\u00a0таблетка"),
        ("2", "Tramadol — 2\u00a0tablets", "2\u00a0таблетки"),
        ("5", "Tramadol — 5\u00a0tablets", "5\u00a0таблеток"),
        ("21", "Tramadol — 21\u00a0tablets", "21\u00a0таблетка"),
    ],
)
def test_an_items_measure_agrees_with_its_number(
    ru: Translator, en: Translator, qty: str, expected_en: str, expected_ru: str
) -> None:
    """ "1 tablets" nowhere: the item reads its quantity and measure as one plural-aware phrase."""
    item = {"substance": "tramadol", "qty": qty, "measure": "tablets"}
    assert item_text(F["items"], item, en) == expected_en
    assert item_text(F["items"], item, ru).endswith(" — " + expected_ru)


def test_an_item_still_being_entered_shows_what_is_known(en: Translator) -> None:
    assert item_text(F["items"], {"substance": "heroin"}, en) == "Heroin — —"
