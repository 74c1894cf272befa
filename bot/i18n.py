"""Catalogs, the per-user translator, and locale-aware formatting and parsing of numbers and dates.

Messages are written in English in the code and translated through gettext catalogs in
``locales/<lang>/LC_MESSAGES/bot.po``; ``N_`` marks text defined as data (menus, form labels)
so extraction finds it, and the translation happens when it is shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from functools import cached_property
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.config import LANGUAGES
from bot.translit import latin_to_cyrillic

if TYPE_CHECKING:
    from bot.forms.model import Option
    from storage.models import ReferenceName

DOMAIN = "bot"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated later, where it is shown."""
    return message


CONTEXT_SEPARATOR = "\x04"


def NP_(context: str, message: str) -> str:
    """Mark ``message`` with a context for extraction, like ``N_``, for a word that means
    different things in different lists ("Other" concealment, "Other" transport).

    The result is gettext's own key for a message in a context, so ``Translator.gettext``
    finds its translation without the caller knowing that it has a context.
    """
    return f"{context}{CONTEXT_SEPARATOR}{message}"


def resolve_language(stored: str | None, telegram_code: str | None, default: str) -> str:
    """The user's stored choice, else Telegram's language if we speak it, else the default."""
    if stored in LANGUAGES:
        return stored
    if telegram_code:
        primary = telegram_code.replace("_", "-").split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return default


def load_translations(language: str, locales_dir: Path = LOCALES_DIR) -> Translations:
    """The compiled catalog, or the .po compiled in memory when the .mo is missing or stale."""
    messages_dir = locales_dir / language / "LC_MESSAGES"
    po_path = messages_dir / f"{DOMAIN}.po"
    mo_path = messages_dir / f"{DOMAIN}.mo"
    if mo_path.exists() and (
        not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
    ):
        with mo_path.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    if not po_path.exists():
        raise FileNotFoundError(f"no catalog for {language!r} in {messages_dir}")
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


# The project owns its date patterns: Babel's own give "27/11/26" and "27-noyabr, 2026" in
# Uzbek and "11/27/26" in English, while the region writes day.month.year everywhere. Only
# month names come from Babel.
SHORT_DATE_PATTERN = "dd.MM.yyyy"
TIME_PATTERN = "HH:mm"
DAY_MONTH_PATTERN = "dd.MM"  # a chart's axis: 27.11, never 11/27
LONG_DATE_PATTERNS = {
    "ru": "d MMMM y'\u00a0г.'",  # 27 ноября 2026 г. (a no-break space before г.)
    "uz": "y-'yil' d-MMMM",  # 2026-yil 27-noyabr
    "en": "d MMMM y",  # 27 November 2026
}


#: Formatted numbers a translator keeps; past this many it starts again.
NUMBERS_KEPT = 4096


@dataclass(frozen=True)
class Translator:
    """Everything language-dependent for one user: messages, numbers, dates."""

    language: str
    translations: Translations = field(repr=False)
    timezone: tzinfo = field(repr=False)
    #: Reference names (agencies, substances) in this language by (kind, key), from the
    #: database; see :meth:`Catalogs.use_reference_names`.
    reference_names: Mapping[tuple[str, str], str] = field(default_factory=dict, repr=False)
    #: Numbers already formatted, by type and value: a screen formats the same few again and
    #: again (a question's example, the quantities typed), and Babel takes ~20 µs a number.
    _numbers: dict[tuple[type, int | float | str], str] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @cached_property
    def locale(self) -> Locale:
        return Locale.parse(self.language)

    def gettext(self, message: str) -> str:
        translated = self.translations.ugettext(message)
        # An untranslated NP_ message comes back as its key: show the message, not the context.
        return translated.rpartition(CONTEXT_SEPARATOR)[2]

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ungettext(singular, plural, n)

    def label(self, option: Option) -> str:
        """An option as shown: a reference list's name from the database, else its catalog label."""
        if option.reference is not None:
            name = self.reference_names.get((option.reference, option.key))
            if name:
                return name
        return self.gettext(option.label)

    def pgettext(self, context: str, message: str) -> str:
        return self.translations.upgettext(context, message)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return self.translations.unpgettext(context, singular, plural, n)

    def format_number(self, value: int | float | Decimal) -> str:
        """``1 234,5`` in Russian and Uzbek, ``1,234.5`` in English."""
        # Decimal("1.5") == Decimal("1.50") but they are written differently: keyed by text.
        key = (type(value), str(value) if isinstance(value, Decimal) else value)
        written = self._numbers.get(key)
        if written is None:
            if len(self._numbers) >= NUMBERS_KEPT:
                self._numbers.clear()
            written = self._numbers[key] = babel_numbers.format_decimal(
                value, locale=self.locale, decimal_quantization=False
            )
        return written

    def format_date(self, value: date, fmt: str = "medium") -> str:
        """``27.11.2026`` (short, medium), ``27.11`` (day_month) or the long form (long, full)."""
        if self.language == "uz_Cyrl" and fmt in ("long", "full"):
            # Babel's Cyrillic Uzbek months lack the soft sign ("ноябр"): the Latin date,
            # transliterated like the catalog, gives "2026-йил 27-ноябрь".
            latin = babel_dates.format_date(
                value, format=LONG_DATE_PATTERNS["uz"], locale=Locale.parse("uz")
            )
            return latin_to_cyrillic(latin)
        return babel_dates.format_date(value, format=self._date_pattern(fmt), locale=self.locale)

    def format_datetime(self, value: datetime, fmt: str = "medium") -> str:
        """A moment in the configured time zone: ``27.11.2026 14:05`` in every language."""
        pattern = f"{self._date_pattern(fmt)} {TIME_PATTERN}"
        return babel_dates.format_datetime(
            value, format=pattern, tzinfo=self.timezone, locale=self.locale
        )

    def format_time(self, value: datetime, fmt: str = "short") -> str:
        """``14:05``: the 24-hour clock the region uses, also in English."""
        return babel_dates.format_time(
            value, format=TIME_PATTERN, tzinfo=self.timezone, locale=self.locale
        )

    def _date_pattern(self, fmt: str) -> str:
        if fmt in ("short", "medium"):
            return SHORT_DATE_PATTERN
        if fmt == "day_month":
            return DAY_MONTH_PATTERN
        if fmt in ("long", "full"):
            return LONG_DATE_PATTERNS.get(self.language, LONG_DATE_PATTERNS["en"])
        raise ValueError(f"unknown date format {fmt!r}: short, medium, day_month, long or full")

    def parse_decimal(self, text: str) -> Decimal:
        return parse_decimal(text, self.language)


class Catalogs:
    """All languages loaded once; hands out a translator per language."""

    def __init__(self, timezone: tzinfo, locales_dir: Path = LOCALES_DIR) -> None:
        self._translators = {
            language: Translator(language, load_translations(language, locales_dir), timezone)
            for language in LANGUAGES
        }

    def translator(self, language: str) -> Translator:
        return self._translators[language]

    def use_reference_names(self, names: Iterable[ReferenceName]) -> None:
        """Show these names from now on (read once at start and again after a correction).

        Every translator is handed out here, so every screen, digest and spreadsheet made after
        this call shows the corrected names, without a query per label or per update.
        """
        names = list(names)
        self._translators = {
            language: replace(
                translator,
                reference_names={(str(name.kind), name.key): name.name(language) for name in names},
            )
            for language, translator in self._translators.items()
        }


class NumberFormatError(ValueError):
    """The text is not a number as anyone in our three languages would write it."""


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007'’]")
_NUMBER = re.compile(r"^[+-]?[0-9][0-9.,]*$")
MAX_NUMBER_CHARS = 32


def parse_decimal(text: str, language: str) -> Decimal:
    """Parse a typed number the way people write it: ``1,5`` and ``1.5``, ``1 500``, ``1,500``.

    A lone comma is a decimal comma in Russian and Uzbek; in English a comma followed by
    groups of exactly three digits is a thousands separator.
    """
    compact = _SPACES.sub("", text.strip()).replace("−", "-")
    if not compact or len(compact) > MAX_NUMBER_CHARS or not _NUMBER.match(compact):
        raise NumberFormatError(text)
    sign = ""
    if compact[0] in "+-":
        sign, compact = compact[0].replace("+", ""), compact[1:]
    if compact[-1] in ".,":
        raise NumberFormatError(text)
    commas, dots = compact.count(","), compact.count(".")
    if commas and dots:
        decimal_mark = "," if compact.rfind(",") > compact.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        integer, _, fraction = compact.rpartition(decimal_mark)
        if fraction.count(group_mark) or integer.count(decimal_mark):
            raise NumberFormatError(text)
        integer = _strip_groups(integer, group_mark, text)
    elif commas or dots:
        mark = "," if commas else "."
        parts = compact.split(mark)
        grouped = all(len(part) == 3 for part in parts[1:]) and 1 <= len(parts[0]) <= 3
        thousands_first = (mark == "," and language == "en") or len(parts) > 2
        if thousands_first and grouped:
            integer, fraction = "".join(parts), ""
        elif len(parts) == 2:
            integer, fraction = parts
        else:
            raise NumberFormatError(text)
    else:
        integer, fraction = compact, ""
    try:
        return Decimal(f"{sign}{integer}.{fraction}" if fraction else f"{sign}{integer}")
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only digits
        raise NumberFormatError(text) from exc


def _strip_groups(integer: str, group_mark: str, original: str) -> str:
    parts = integer.split(group_mark)
    if len(parts) > 1 and not (
        1 <= len(parts[0]) <= 3 and all(len(part) == 3 for part in parts[1:])
    ):
        raise NumberFormatError(original)
    return "".join(parts)
