from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import Catalogs, NumberFormatError, parse_decimal, resolve_language

TASHKENT = ZoneInfo("Asia/Tashkent")


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs(TASHKENT)


@pytest.mark.parametrize(
    ("stored", "telegram", "expected"),
    [
        ("uz", "en", "uz"),
        (None, "uz", "uz"),
        (None, "en-GB", "en"),
        (None, "ru_RU", "ru"),
        (None, "de", "ru"),
        (None, None, "ru"),
        ("xx", "kk", "ru"),
    ],
)
def test_language_resolution(stored: str | None, telegram: str | None, expected: str) -> None:
    assert resolve_language(stored, telegram, "ru") == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("uz", "Tilni tanlang:"), ("ru", "Выберите язык:"), ("en", "Choose your language:")],
)
def test_messages_come_from_each_catalog(catalogs: Catalogs, language: str, expected: str) -> None:
    assert catalogs.translator(language).gettext("Choose your language:") == expected


def test_context_disambiguates_short_labels(catalogs: Catalogs) -> None:
    assert catalogs.translator("ru").pgettext("role", "officer") == "сотрудник"
    assert catalogs.translator("uz").pgettext("role", "officer") == "xodim"


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("ru", Decimal("1234.5"), "1\u00a0234,5"),
        ("uz", Decimal("1234.5"), "1\u00a0234,5"),
        ("en", Decimal("1234.5"), "1,234.5"),
        ("ru", Decimal("0.125"), "0,125"),
    ],
)
def test_numbers_are_formatted_per_locale(
    catalogs: Catalogs, language: str, value: Decimal, expected: str
) -> None:
    assert catalogs.translator(language).format_number(value) == expected


def test_dates_are_shown_in_tashkent_time_and_the_users_language(catalogs: Catalogs) -> None:
    moment = datetime(2026, 11, 28, 3, 5, tzinfo=UTC)  # 08:05 in Tashkent
    assert "08:05" in catalogs.translator("ru").format_datetime(moment)
    assert "ноя" in catalogs.translator("ru").format_datetime(moment)
    assert "noy" in catalogs.translator("uz").format_datetime(moment)
    assert "8:05" in catalogs.translator("en").format_datetime(moment)
    assert catalogs.translator("en").format_time(moment) == "8:05\u202fAM"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("1,5", "ru", "1.5"),
        ("1,5", "uz", "1.5"),
        ("1.5", "ru", "1.5"),
        ("1.5", "en", "1.5"),
        ("1 500", "ru", "1500"),
        ("1\u00a0500,25", "uz", "1500.25"),
        ("1,500", "en", "1500"),
        ("1,500", "ru", "1.5"),
        ("1,234,567.5", "en", "1234567.5"),
        ("1.234.567,5", "ru", "1234567.5"),
        (" 42 ", "en", "42"),
        ("-3", "ru", "-3"),
        ("0,001", "ru", "0.001"),
    ],
)
def test_decimals_are_parsed_as_each_locale_writes_them(
    text: str, language: str, expected: str
) -> None:
    assert parse_decimal(text, language) == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "1e309",
        "NaN",
        "inf",
        "1,,5",
        "1.2.3",
        "1,",
        ",5",
        "--1",
        "12kg",
        "１２",
        "1" * 40,
        "<b>1</b>",
        "1;DROP TABLE users",
        "🙂",
    ],
)
@pytest.mark.parametrize("language", ["uz", "ru", "en"])
def test_malformed_numbers_are_refused(text: str, language: str) -> None:
    with pytest.raises(NumberFormatError):
        parse_decimal(text, language)
