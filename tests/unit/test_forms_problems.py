"""The problem messages an officer meets: one for each of the engine's problems, in every language,
carrying its values."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.config import LANGUAGES
from bot.forms.definitions import SEIZURE
from bot.forms.parsing import Problem
from bot.forms.problems import problem_text
from bot.forms.readback import item_text
from bot.forms.state import (
    Typed,
)
from bot.i18n import Catalogs, Translator
from tests.unit.form_screens import F
from tests.unit.form_walks import reach

ROOT = Path(__file__).resolve().parents[2]

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
