"""How a form's summary reads: typed text escaped, every answer in form order with its label, what
is missing named, the largest reports in one message, and each value read back."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from bot import filing
from bot.config import LANGUAGES
from bot.equivalents import WEIGHT_ONLY
from bot.forms.definitions import DAILY_STATUS, JOINT_OPERATION, SEIZURE
from bot.forms.readback import item_text, summary_lines, value_text
from bot.forms.render import render
from bot.forms.state import (
    SUMMARY,
    AskMore,
    Draft,
    ShowSummary,
)
from bot.i18n import Catalogs, Translator
from bot.urgent import Reason
from tests.unit.form_screens import ALLOWED_TAGS, TELEGRAM_TEXT_LIMIT, F, datas, tags, visible
from tests.unit.form_walks import DRAFT_ID, summary_of

LARGE_ITEM = {"substance": "heroin", "qty": "2.5", "measure": "kg"}

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
