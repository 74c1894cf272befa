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
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from telegram import MessageEntity

from bot import access, callbacks, invitations, urgent
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
    check_moment,
    clean_text,
    decimal_places,
    parse_moment,
    parse_number,
    parse_time,
)
from bot.handlers.digest import EARLIEST_YEAR, parse_day
from bot.i18n import MAX_NUMBER_CHARS, Catalogs, NumberFormatError, parse_decimal
from bot.schedule import parse_clock
from storage import Role
from tests.property.world import TELEGRAM_COMMAND, routed_command

TASHKENT = ZoneInfo("Asia/Tashkent")
LANGUAGES = ("uz", "ru", "en")
CATALOGS = Catalogs(TASHKENT)
#: A generous bound for one call: a parser that takes longer on a 10,000-character text is
#: a denial of service waiting to happen.
PARSER = settings(max_examples=150, deadline=timedelta(seconds=1))

# --- what people (and attackers) type -----------------------------------------------------

NASTY = [
    "",
    " ",
    "\x00",
    "\u200f\u202e12,5",  # RLM and RIGHT-TO-LEFT OVERRIDE before a number
    "1e309",
    "-1e309",
    "NaN",
    "nan",
    "-NaN",
    "sNaN",
    "Infinity",
    "-0",
    "+0",
    "−0",  # U+2212
    "0e0",
    "1_000",
    "0x10",
    "٣",  # ARABIC-INDIC DIGIT THREE
    "١٢:٣٠",
    "٠١.٠١.٢٠٢٥ ١٠:٠٠",
    "𝟙𝟚:𝟛𝟜",  # mathematical digits
    "²³",
    "12:30\n",
    "12:30\x00",
    "1,5",
    "1.5",
    "1 500",
    "1\u00a0500,25",
    "1,500",
    "1.234.567,89",
    "1'000'000",
    "--5",
    "1..5",
    "9" * 40,
    "9" * 32,
    "0." + "0" * 30 + "1",
    "29.02.2023",
    "29.02.2024 23:59",
    "31.12.9999 23:59",
    "01.01.0001 00:00",
    "00.00.0000 00:00",
    "24:00",
    "23:60",
    "/start",
    "/users\nx",
    "@",
    "@a",
    "@" + "a" * 33,
    "0",
    str(2**53),
    str(2**63),
    "<b>&amp;</b>",
    "'); DROP TABLE reports; --",
    "🙂" * 50,
    "a\u0301",  # decomposed: NFC composes it
    "\u2028\u2029",
    "\x85",
    "ß",
]

unicode_text = st.text(max_size=200)
digit_soup = st.text(
    alphabet=st.sampled_from("0123456789٠١٢٣٤٥٦٧٨٩.,:-/ T\u00a0\u202f'’−+eE"), max_size=40
)
huge_text = st.builds(
    lambda unit, repeat: (unit * repeat)[:10_000],
    st.text(min_size=1, max_size=8),
    st.integers(min_value=1, max_value=10_000),
)
hostile = st.one_of(st.sampled_from(NASTY), unicode_text, digit_soup, huge_text)


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

T = TypeVar("T")
E = TypeVar("E", bound=Exception)


def attempt(call: Callable[[], T], error: type[E]) -> T | E:
    """The value, or the documented error (anything else propagates and fails the test)."""
    try:
        return call()
    except error as exc:
        return exc


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


# --- moments and clocks -------------------------------------------------------------------

NOW = datetime(2026, 11, 28, 21, 30, tzinfo=UTC)  # already the 29th in Tashkent
moment_like = st.from_regex(
    r"\A\d{1,2}[./-]\d{1,2}[./-]\d{4}([ ,T]{1,3}\d{1,2}[:.]\d{2})?\Z|\A\d{1,2}:\d{2}\Z"
)


@PARSER
@given(
    text=st.one_of(hostile, moment_like),
    now=st.datetimes(  # the server's clock: any moment of this century
        min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
    ),
)
def test_parse_moment_gives_a_moment_in_the_programme_zone_or_refuses(
    text: str, now: datetime
) -> None:
    moment = attempt(lambda: parse_moment(text, now=now, timezone=TASHKENT), AnswerError)
    if isinstance(moment, AnswerError):
        assert moment.problem.code in {"datetime.invalid", "time.invalid"}  # one message
        return
    assert isinstance(moment, datetime)
    assert moment.tzinfo is TASHKENT
    if ":" in text and not any(mark in text for mark in "./-"):  # a bare hh:mm: today
        assert moment.date() == now.astimezone(TASHKENT).date()
    # What the form does next must not blow up either, whatever the year.
    checked = attempt(
        lambda: check_moment(moment, now=now, max_age=timedelta(days=30)), AnswerError
    )
    if isinstance(checked, AnswerError):
        assert checked.problem.code in {"datetime.future", "datetime.too_old"}


@PARSER
@given(
    moment=st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)),
    separator=st.sampled_from([" ", ", ", "T", "  "]),
    mark=st.sampled_from("./-"),
)
def test_a_written_moment_reads_back(moment: datetime, separator: str, mark: str) -> None:
    text = (
        f"{moment.day:02d}{mark}{moment.month:02d}{mark}{moment.year:04d}"
        f"{separator}{moment.hour:02d}:{moment.minute:02d}"
    )
    expected = moment.replace(second=0, microsecond=0, tzinfo=TASHKENT)
    assert parse_moment(text, now=NOW, timezone=TASHKENT) == expected


@PARSER
@given(text=st.one_of(hostile, moment_like))
def test_parse_time_gives_a_clock_time_or_refuses(text: str) -> None:
    value = attempt(lambda: parse_time(text), AnswerError)
    if isinstance(value, AnswerError):
        assert value.problem.code == "time.invalid"
        return
    assert isinstance(value, time)
    assert value.second == 0 and value.microsecond == 0 and value.tzinfo is None


@PARSER
@given(hour=st.integers(0, 23), minute=st.integers(0, 59), padded=st.booleans())
def test_a_written_time_reads_back(hour: int, minute: int, padded: bool) -> None:
    text = f"{hour:02d}:{minute:02d}" if padded else f"{hour}:{minute:02d}"
    assert parse_time(text) == time(hour, minute)


@PARSER
@given(text=st.one_of(hostile, moment_like))
def test_parse_clock_gives_a_time_or_none(text: str) -> None:
    value = parse_clock(text)
    assert value is None or (isinstance(value, time) and value.second == 0)


@PARSER
@given(hour=st.integers(0, 23), minute=st.integers(0, 59), mark=st.sampled_from(":."))
def test_a_written_clock_reads_back(hour: int, minute: int, mark: str) -> None:
    assert parse_clock(f"{hour:02d}{mark}{minute:02d}") == time(hour, minute)
    assert parse_clock(f" {hour}{mark}{minute:02d} ") == time(hour, minute)


@PARSER
@given(
    text=st.one_of(hostile, moment_like),
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(9998, 12, 31)),
)
def test_parse_day_gives_a_day_of_the_programme_or_none(text: str, today: date) -> None:
    day = parse_day(text, today)
    assert day is None or (isinstance(day, date) and day.year >= EARLIEST_YEAR)


@PARSER
@given(
    day=st.dates(min_value=date(EARLIEST_YEAR, 1, 1), max_value=date(9999, 12, 31)),
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(9999, 12, 31)),
)
def test_a_written_day_reads_back(day: date, today: date) -> None:
    for text in (day.strftime("%d.%m.%Y"), day.isoformat(), day.strftime("%d/%m/%Y")):
        assert parse_day(text, today) == day, text
    try:
        this_year: date | None = day.replace(year=today.year)
    except ValueError:  # the 29th of February, and this is no leap year
        this_year = None
    assert parse_day(day.strftime("%d.%m"), today) == this_year


# --- callback data ------------------------------------------------------------------------

IDENTIFIER = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-",
    min_size=1,
    max_size=40,
)
FULL_PART = re.compile(r"[A-Za-z0-9_.\-]{1,40}")


@PARSER
@given(
    prefix=st.one_of(IDENTIFIER, hostile),
    parts=st.lists(st.one_of(IDENTIFIER, hostile, st.integers()), max_size=6),
)
def test_pack_builds_short_data_or_refuses(prefix: str, parts: list[str | int]) -> None:
    data = attempt(lambda: callbacks.pack(prefix, *parts), ValueError)
    if isinstance(data, ValueError):
        return
    assert len(data.encode()) <= callbacks.MAX_BYTES
    assert data.split(":")[:2] == [prefix, callbacks.VERSION]


@PARSER
@given(prefix=IDENTIFIER, parts=st.lists(st.one_of(IDENTIFIER, st.integers()), max_size=6))
def test_what_pack_builds_unpack_reads_back(prefix: str, parts: list[str | int]) -> None:
    data = attempt(lambda: callbacks.pack(prefix, *parts), ValueError)
    if isinstance(data, ValueError):  # over Telegram's 64 bytes: refused on building
        assert len(":".join([prefix, callbacks.VERSION, *map(str, parts)]).encode()) > 64
        return
    assert callbacks.unpack(data, prefix, len(parts)) == tuple(str(p) for p in parts)
    with pytest.raises(callbacks.CallbackDataError):
        callbacks.unpack(data, prefix, len(parts) + 1)
    with pytest.raises(callbacks.CallbackDataError):
        callbacks.unpack(data, prefix + "x", len(parts))


forged_data = st.one_of(
    st.none(),
    hostile,
    st.builds(
        lambda prefix, parts: ":".join([prefix, "v1", *parts]),
        st.sampled_from(sorted(access.CALLBACKS)),
        st.lists(st.one_of(IDENTIFIER, hostile), max_size=5),
    ),
)


@PARSER
@given(
    data=forged_data,
    prefix=st.sampled_from(sorted(access.CALLBACKS)),
    arity=st.integers(0, 5),
)
def test_unpack_returns_the_parts_or_refuses(data: str | None, prefix: str, arity: int) -> None:
    parts = attempt(lambda: callbacks.unpack(data, prefix, arity), callbacks.CallbackDataError)
    if isinstance(parts, callbacks.CallbackDataError):
        return
    assert isinstance(parts, tuple) and len(parts) == arity
    assert all(isinstance(part, str) and part for part in parts)


@PARSER
@given(
    data=forged_data,
    prefix=st.sampled_from(sorted(access.CALLBACKS)),
    arity=st.integers(0, 5),
)
@example(data="rep:v1:new:seizure\n", prefix="rep", arity=2)
def test_unpacked_parts_are_whole_identifiers(data: str | None, prefix: str, arity: int) -> None:
    parts = attempt(lambda: callbacks.unpack(data, prefix, arity), callbacks.CallbackDataError)
    if isinstance(parts, callbacks.CallbackDataError):
        return
    assert all(FULL_PART.fullmatch(part) for part in parts), parts


# --- commands and access ------------------------------------------------------------------

BOT = "fieldreport_bot"


def telegram_entities(text: str | None) -> list[MessageEntity]:
    """The bot_command entity Telegram puts on the text, if any (as the stand-in does)."""
    match = TELEGRAM_COMMAND.match(text or "")
    return [MessageEntity("bot_command", 0, match.end())] if match else []


@PARSER
@given(text=st.one_of(st.none(), hostile, st.builds("/{}".format, hostile)))
def test_parse_command_gives_a_lower_case_name_and_trimmed_arguments(text: str | None) -> None:
    parsed = access.parse_command(text, telegram_entities(text), BOT)
    if parsed is None:
        return
    name, rest = parsed
    assert text is not None and text.startswith("/")
    assert name and name == name.lower()
    assert not any(c.isspace() or c == "@" for c in name)
    assert rest == rest.strip()


@PARSER
@given(
    role=st.sampled_from(list(Role)),
    command=st.one_of(st.sampled_from(sorted(access.COMMANDS)), hostile),
    prefix=st.one_of(st.sampled_from(sorted(access.CALLBACKS)), hostile),
)
def test_decide_follows_the_access_table(role: Role, command: str, prefix: str) -> None:
    allowed = access.COMMANDS.get(command)
    denial = access.decide(role, access.Request(command=command))
    assert (denial is None) == (allowed is None or role in allowed)
    allowed = access.CALLBACKS.get(prefix)
    denial = access.decide(role, access.Request(callback_prefix=prefix))
    assert (denial is None) == (allowed is None or role in allowed)
    assert access.decide(role, access.Request()) is None


@PARSER
@given(
    command=st.sampled_from(sorted(access.COMMANDS)),
    separator=st.sampled_from(["\n", "\t", "\u00a0", ",", ".", "!", "-", "?", "#", "\u2028"]),
    rest=st.text(max_size=20),
)
@example(command="users", separator="\n", rest="x")
def test_the_gate_sees_the_command_telegram_marks(command: str, separator: str, rest: str) -> None:
    text = f"/{command}{separator}{rest}"
    routed = routed_command(text, BOT)
    if routed is None:
        return
    parsed = access.parse_command(text, telegram_entities(text)[:1], BOT)
    assert parsed is not None and parsed[0] == routed, (text, parsed)


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


# --- invitations --------------------------------------------------------------------------


@PARSER
@given(payload=st.one_of(hostile, IDENTIFIER))
def test_looks_like_token_is_a_plain_yes_or_no(payload: str) -> None:
    assert isinstance(invitations.looks_like_token(payload), bool)


def test_every_new_token_looks_like_a_token() -> None:
    for _ in range(200):
        token = invitations.new_token()
        assert invitations.looks_like_token(token)
        assert not invitations.looks_like_token(token + "/")


@PARSER
@given(payload=st.one_of(hostile, IDENTIFIER, IDENTIFIER.map(lambda s: (s * 16)[:64] + "\n")))
@example(payload="A" * 32 + "\n")
def test_looks_like_token_only_for_what_a_link_can_carry(payload: str) -> None:
    expected = re.fullmatch(r"[A-Za-z0-9_-]{16,64}", payload) is not None
    assert invitations.looks_like_token(payload) is expected, payload
