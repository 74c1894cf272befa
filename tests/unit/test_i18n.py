from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.i18n import NP_, Catalogs, NumberFormatError, parse_decimal, resolve_language


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
    for language in ("uz", "ru", "en"):
        assert catalogs.translator(language).format_datetime(moment, "short") == "28.11.2026 08:05"
        assert catalogs.translator(language).format_time(moment) == "08:05"


@pytest.mark.parametrize("language", ["uz", "ru", "en"])
@pytest.mark.parametrize("fmt", ["short", "medium"])
def test_the_short_date_is_the_regions_day_month_year_in_every_language(
    catalogs: Catalogs, language: str, fmt: str
) -> None:
    """Never Babel's "11/27/26" (English) or "27/11/26" (Uzbek): the hint asks for 05.03.2026."""
    tr = catalogs.translator(language)
    assert tr.format_date(date(2026, 3, 5), fmt) == "05.03.2026"
    afternoon = datetime(2026, 11, 27, 9, 5, tzinfo=UTC)  # 14:05 in Tashkent
    assert tr.format_datetime(afternoon, fmt) == "27.11.2026 14:05"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "27 ноября 2026\u00a0г."),
        ("uz", "2026-yil 27-noyabr"),
        ("en", "27 November 2026"),
    ],
)
def test_the_long_date_follows_each_languages_own_order(
    catalogs: Catalogs, language: str, expected: str
) -> None:
    """Month names come from Babel, the order from the project (Uzbek is year-first)."""
    tr = catalogs.translator(language)
    assert tr.format_date(date(2026, 11, 27), "long") == expected
    assert tr.format_date(date(2026, 11, 27), "full") == expected


@pytest.mark.parametrize("language", ["uz", "ru", "en"])
def test_a_charts_day_is_day_then_month(catalogs: Catalogs, language: str) -> None:
    assert catalogs.translator(language).format_date(date(2026, 11, 27), "day_month") == "27.11"


def test_an_unknown_date_format_is_refused_rather_than_guessed(catalogs: Catalogs) -> None:
    with pytest.raises(ValueError, match="unknown date format"):
        catalogs.translator("en").format_date(date(2026, 11, 27), "M/d/yy")


def test_a_word_marked_with_a_context_is_translated_in_that_context(catalogs: Catalogs) -> None:
    """The three "Other" options read differently in Russian; the caller just calls gettext."""
    ru = catalogs.translator("ru")
    assert ru.gettext(NP_("concealment", "Other")) == "Другой способ"
    assert ru.gettext(NP_("transport", "Other")) == "Другой транспорт"
    assert ru.gettext(NP_("no such context", "Other")) == "Other"


def test_active_reads_differently_for_a_unit_and_a_person(catalogs: Catalogs) -> None:
    ru = catalogs.translator("ru")
    assert ru.pgettext("unit status", "active") == "активно"
    assert ru.pgettext("person status", "active") == "активен"


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


def test_a_number_formatted_again_reads_the_same() -> None:
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from bot.i18n import Catalogs

    tr = Catalogs(ZoneInfo("Asia/Tashkent")).translator("ru")
    values = (Decimal("1.5"), Decimal("1.50"), 3, 3.0, Decimal("1234.5"), 1234567.25)
    first = [tr.format_number(value) for value in values]
    assert first == [tr.format_number(value) for value in values]
    assert first == ["1,5", "1,5", "3", "3", "1\xa0234,5", "1\xa0234\xa0567,25"]
