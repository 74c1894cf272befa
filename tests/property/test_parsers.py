"""Hostile text against every parser that reads what a person typed.

For any text at all (control characters, RTL marks, emoji, Arabic-Indic digits, number-looking
junk such as ``1e309`` or ``NaN``, strings of up to 10,000 characters) each parser either returns
a value of the right type within its documented bounds or raises its documented error: never
anything else, never slowly. Where a value can be written back as text, it round-trips.

The bugs these tests found are fixed and pinned by tests below, each with the input that
showed it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot import urgent
from bot.administration import (
    MAX_CODE_CHARS,
    MAX_NAME_CHARS,
    MAX_TELEGRAM_ID,
    MIN_CODE_CHARS,
    InvalidText,
    TextProblem,
    clean_code,
    clean_name,
    parse_user_reference,
)
from bot.forms.definitions import FORMS
from bot.forms.model import Field, Kind
from bot.forms.parsing import (
    AnswerError,
    clean_text,
    decimal_places,
    parse_number,
)
from bot.i18n import MAX_NUMBER_CHARS, Catalogs, NumberFormatError, parse_decimal
from tests.property.hostile_text import IDENTIFIER, PARSER, TASHKENT, attempt, hostile

LANGUAGES = ("uz", "ru", "en")
CATALOGS = Catalogs(TASHKENT)


def number_fields() -> list[Field]:
    """Every NUMBER question of every form, sub-questions included."""
    found: list[Field] = []
    for form in FORMS.values():
        for item in form.fields:
            found += [f for f in (item, *item.subfields) if f.kind is Kind.NUMBER]
    return found


def text_fields() -> list[Field]:
    return [item for form in FORMS.values() for item in form.fields if item.kind is Kind.TEXT]


NUMBER_FIELDS = number_fields()
TEXT_FIELDS = text_fields()

# --- numbers ------------------------------------------------------------------------------


@PARSER
@given(text=hostile, language=st.sampled_from(LANGUAGES))
def test_parse_decimal_gives_a_finite_bounded_decimal_or_refuses(text: str, language: str) -> None:
    value = attempt(lambda: parse_decimal(text, language), NumberFormatError)
    if isinstance(value, NumberFormatError):
        return
    assert isinstance(value, Decimal)
    assert value.is_finite()
    assert value.adjusted() < MAX_NUMBER_CHARS  # at most 32 digits before the point


@settings(max_examples=200, deadline=timedelta(seconds=1))
@given(
    value=st.decimals(
        min_value=Decimal(-(10**12)),
        max_value=Decimal(10**12),
        places=6,
        allow_nan=False,
        allow_infinity=False,
    ),
    language=st.sampled_from(LANGUAGES),
)
@example(value=Decimal("1234567.891"), language="en")
@example(value=Decimal("-1234.5"), language="ru")
@example(value=Decimal("1.234"), language="en")
@example(value=Decimal("1234"), language="uz")
def test_a_number_formatted_for_a_language_parses_back_to_itself(
    value: Decimal, language: str
) -> None:
    shown = CATALOGS.translator(language).format_number(value)
    assert parse_decimal(shown, language) == value, shown


@PARSER
@given(text=hostile, spec=st.sampled_from(NUMBER_FIELDS), language=st.sampled_from(LANGUAGES))
def test_parse_number_respects_the_question_bounds(text: str, spec: Field, language: str) -> None:
    value = attempt(lambda: parse_number(text, spec, language), AnswerError)
    if isinstance(value, AnswerError):
        assert value.problem.code in {
            "number.invalid",
            "number.not_integer",
            "number.too_precise",
            "number.too_small",
            "number.too_large",
        }
        return
    assert isinstance(value, Decimal)
    assert value.is_finite()
    assert "E" not in str(value), "stored as text: never with an exponent"
    assert not (value == 0 and value.is_signed()), "no minus zero"
    if spec.minimum is not None:
        assert value >= spec.minimum
    if spec.maximum is not None:
        assert value <= spec.maximum
    if spec.integer:
        assert value == value.to_integral_value()
    else:
        assert decimal_places(value) <= spec.max_decimals


#: Decimal's default context keeps 28 significant digits: longer typed numbers once crashed.
CONTEXT_DIGITS = 28


@PARSER
@given(
    text=st.integers(min_value=10**CONTEXT_DIGITS, max_value=10**MAX_NUMBER_CHARS - 1).map(str),
    spec=st.sampled_from(NUMBER_FIELDS),
    language=st.sampled_from(LANGUAGES),
)
@example(text="1" + "0" * CONTEXT_DIGITS, spec=NUMBER_FIELDS[0], language="en")
def test_a_huge_typed_number_is_refused_as_too_large(text: str, spec: Field, language: str) -> None:
    with pytest.raises(AnswerError) as refused:
        parse_number(text, spec, language)
    assert refused.value.problem.code == "number.too_large"


@PARSER
@given(
    number=st.integers(min_value=0, max_value=500),
    language=st.sampled_from(LANGUAGES),
)
def test_a_whole_number_typed_plainly_is_read_exactly(number: int, language: str) -> None:
    (detained,) = (f for f in NUMBER_FIELDS if f.key == "detained")
    assert parse_number(str(number), detained, language) == Decimal(number)


# --- free text ----------------------------------------------------------------------------

#: What the form cleaner promises to remove (bot/forms/parsing.py ``_CONTROL``).
REMOVED = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2028\u2029]")


@PARSER
@given(text=hostile, spec=st.sampled_from(TEXT_FIELDS))
def test_form_text_is_trimmed_bounded_and_free_of_the_removed_characters(
    text: str, spec: Field
) -> None:
    cleaned = attempt(lambda: clean_text(text, spec), AnswerError)
    if isinstance(cleaned, AnswerError):
        assert cleaned.problem.code in {"text.empty", "text.too_long"}
        return
    assert isinstance(cleaned, str)
    assert 1 <= len(cleaned) <= spec.max_length
    assert cleaned == cleaned.strip()
    assert not REMOVED.search(cleaned)


@PARSER
@given(text=hostile, spec=st.sampled_from(TEXT_FIELDS))
@example(text="Ayritom\x85gate 2", spec=TEXT_FIELDS[0])
def test_form_text_has_no_control_character_but_tab_and_line_breaks(text: str, spec: Field) -> None:
    cleaned = attempt(lambda: clean_text(text, spec), AnswerError)
    if isinstance(cleaned, AnswerError):
        return
    controls = {c for c in cleaned if unicodedata.category(c) == "Cc"} - {"\t", "\n", "\r"}
    assert not controls, f"control characters kept: {sorted(map(ascii, controls))}"


@PARSER
@given(text=st.one_of(st.none(), hostile))
def test_urgent_question_text_is_trimmed_and_bounded(text: str | None) -> None:
    cleaned = attempt(lambda: urgent.clean_text(text), urgent.BadText)
    if isinstance(cleaned, urgent.BadText):
        assert cleaned.problem in set(urgent.TextProblem)
        assert (cleaned.problem is urgent.TextProblem.NOT_TEXT) == (text is None)
        return
    assert text is not None
    assert 1 <= len(cleaned) <= urgent.MAX_TEXT
    assert cleaned == text.strip()


# --- administration -----------------------------------------------------------------------


@PARSER
@given(text=st.one_of(hostile, st.integers().map(str), st.builds("@{}".format, hostile)))
@example(text="@" + "a" * 32)
@example(text=str(MAX_TELEGRAM_ID - 1))
def test_parse_user_reference_names_exactly_one_plausible_person(text: str) -> None:
    reference = parse_user_reference(text)
    if reference is None:
        return
    assert (reference.telegram_id is None) != (reference.username is None)
    if reference.telegram_id is not None:
        assert 0 < reference.telegram_id < MAX_TELEGRAM_ID
        assert str(reference.telegram_id) == text.strip().lstrip("0")
    else:
        assert reference.username is not None
        assert re.fullmatch(r"[A-Za-z0-9_]{1,32}", reference.username)
        assert text.strip() == "@" + reference.username


@PARSER
@given(telegram_id=st.integers(1, MAX_TELEGRAM_ID - 1), username=IDENTIFIER)
def test_a_written_user_reference_reads_back(telegram_id: int, username: str) -> None:
    by_id = parse_user_reference(f" {telegram_id} ")
    assert by_id is not None and by_id.telegram_id == telegram_id
    name = re.sub(r"[^A-Za-z0-9_]", "_", username)[:32]
    by_name = parse_user_reference(f"@{name}")
    assert by_name is not None and by_name.username == name


@PARSER
@given(text=hostile)
def test_clean_name_is_single_spaced_bounded_and_idempotent(text: str) -> None:
    name = attempt(lambda: clean_name(text), InvalidText)
    if isinstance(name, InvalidText):
        assert name.problem in {TextProblem.EMPTY, TextProblem.TOO_LONG, TextProblem.CONTROL}
        return
    assert 1 <= len(name) <= MAX_NAME_CHARS
    assert name == " ".join(name.split())
    assert not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in name)
    assert clean_name(name) == name


@PARSER
@given(text=st.one_of(hostile, IDENTIFIER))
def test_clean_code_is_an_upper_case_latin_code(text: str) -> None:
    code = attempt(lambda: clean_code(text), InvalidText)
    if isinstance(code, InvalidText):
        assert code.problem in {TextProblem.EMPTY, TextProblem.BAD_CODE}
        return
    assert MIN_CODE_CHARS <= len(code) <= MAX_CODE_CHARS
    assert re.fullmatch(r"[A-Z0-9]+(?:-[A-Z0-9]+)*", code)
    assert clean_code(code) == code


@PARSER
@given(text=st.one_of(hostile, IDENTIFIER))
@example(text="ſtop")
def test_clean_code_accepts_only_what_was_typed_in_latin(text: str) -> None:
    code = attempt(lambda: clean_code(text), InvalidText)
    if isinstance(code, InvalidText):
        return
    assert code == text.strip().upper() and text.strip().isascii(), (text, code)
