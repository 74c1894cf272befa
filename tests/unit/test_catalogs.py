"""The catalogs are complete, current and safe to format: a stale or sloppy catalog fails here."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
LANGUAGES = ("uz", "uz_Cyrl", "ru", "en")
PLACEHOLDER = re.compile(r"\{([a-z_]*)[^{}]*\}")
TAG = re.compile(r"</?([a-z]+)[^>]*>")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _keys(catalog: Catalog) -> set[tuple[str | None, str]]:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


@pytest.fixture(scope="module")
def fresh_template(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """What extraction finds in the code right now."""
    output = tmp_path_factory.mktemp("pot") / "bot.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "extract", "-o", str(output)], cwd=ROOT, check=True, capture_output=True
    )
    return _read(output)


def test_template_is_current(fresh_template: Catalog) -> None:
    committed = _keys(_read(LOCALES / "bot.pot"))
    fresh = _keys(fresh_template)
    assert fresh - committed == set(), "run `make i18n`: new messages are not in locales/bot.pot"
    assert committed - fresh == set(), "run `make i18n`: locales/bot.pot has removed messages"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_exactly_the_templates_messages(language: str, fresh_template: Catalog) -> None:
    catalog = _read(LOCALES / language / "LC_MESSAGES" / "bot.po", language)
    assert _keys(catalog) == _keys(fresh_template), f"run `make i18n` and translate {language}"


def _translations(language: str) -> list[Message]:
    catalog = _read(LOCALES / language / "LC_MESSAGES" / "bot.po", language)
    return [message for message in catalog if message.id]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_not_fuzzy(language: str) -> None:
    for message in _translations(language):
        assert not message.fuzzy, f"{language}: fuzzy translation of {message.id!r}"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert strings, f"{language}: {message.id!r} has no translation"
        assert all(s.strip() for s in strings), f"{language}: {message.id!r} is untranslated"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_and_html_tags_match_the_source(language: str) -> None:
    for message in _translations(language):
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(sources[-1]))
        tags = sorted(TAG.findall(sources[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == expected, (
                f"{language}: placeholders differ in {string!r} (source {sources[-1]!r})"
            )
            assert sorted(TAG.findall(string)) == tags, (
                f"{language}: HTML tags differ in {string!r}"
            )
            string.format(**{name: "x" for name in expected})  # formats without error


def test_russian_has_three_plural_forms() -> None:
    catalog = _read(LOCALES / "ru" / "LC_MESSAGES" / "bot.po", "ru")
    assert catalog.num_plurals == 3
    for message in catalog:
        if message.id and isinstance(message.id, tuple):
            assert len(message.string) == 3, f"ru: {message.id[0]!r} needs three forms"


def test_uzbek_is_latin_with_proper_o_and_g() -> None:
    for message in _translations("uz"):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert not re.search(r"[\u0400-\u04ff]", string), f"uz: Cyrillic in {string!r}"
            assert not re.search(r"[oOgG]['`ʼ]", string), (
                f"uz: write o‘ and g‘ with ‘ in {string!r}"
            )


def test_russian_is_russian() -> None:
    for message in _translations("ru"):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            letters = re.sub(r"\{[^}]*\}|/\w+|<[^>]+>", "", string)
            if re.search(r"[A-Za-z]{4,}", letters):
                assert re.search(r"[\u0400-\u04ff]", letters), f"ru: not translated: {string!r}"


# -- the glossary (/work/shared/GLOSSARY.md) ------------------------------------------------------
# One English term has one translation everywhere; these words are known mistranslations.
FORBIDDEN: dict[str, dict[str, str]] = {
    "uz": {
        r"tasdiql": "acknowledge is “qabul qilish” (receipt), not approval",
        r"\bIMT\b": "write “idoralararo mobil guruh”, never the Latin IMT",
        r"\bBLO\b|\bPOS\b": "write “chegara aloqa idorasi”, never the Latin BLO",
        r"\bNCDC\b": "write “Narkotiklarni nazorat qilish milliy markazi”",
        r"xulosa": "the digest is “kunlik yig‘ma ma’lumot”",
        r"musodara": "a seizure is “olib qo‘yish”, not court confiscation",
        r"kunlik holat": "the daily status is “kunlik axborot”",
        r"o‘tish punkt": "a crossing point is “chegara o‘tkazish punkti”",
        r"kechikkan": "a late report is “kechikib yuborilgan hisobot”",
        r"^(✅ )?Hisobot(ingiz)? (<b>)?\{number\}": "Uzbek order: “{number} raqamli hisobot”",
        r"[“”\"]": "Uzbek quotes are «»",
    },
    "ru": {
        r"\bIMT\b": "write «межведомственная мобильная группа (ММГ)»",
        r"\bBLO\b|\bPOS\b": "write «пограничный офис связи (ПОС)»",
        r"\bNCDC\b|Наццентр": "write «Национальный центр по контролю за наркотиками»",
        r"контрол\w* над\s+наркотик": "one preposition everywhere: «по контролю за наркотиками»",
        r"ППО": "the border liaison office is ПОС",
        r"запоздал": "a late report is «отчёт, поданный с опозданием»",
        r"замечани": "remarks are «комментарии» («замечания» reads as a reprimand)",
        r"координационн": "the coordination team is «группа координации»",
        r"[“”\"]": "Russian quotes are «»",
        r"\bеще\b|\bотчет": "ё is written: «ещё», «отчёт»",
        r"(?<=[^.!?…:]\s)В(ы|ас|аш\w*|ам|ами)\b": "«вы» is lowercase inside a sentence",
        r"\b[Яя]\b|\bмне\b|\bменя\b|\bмной\b|понял\b": "the bot has no gender: no «я понял»",
    },
}


@pytest.mark.parametrize("language", sorted(FORBIDDEN))
def test_no_translation_uses_a_word_the_glossary_forbids(language: str) -> None:
    problems = [
        f"{string!r}: {why}"
        for message in _translations(language)
        for string in (message.string if isinstance(message.string, tuple) else (message.string,))
        for pattern, why in FORBIDDEN[language].items()
        if re.search(pattern, string)
    ]
    assert problems == [], f"{language}:\n" + "\n".join(problems)


UNIT_WORD = (
    r"(kg|кг|g|г|L|l|л|ml|мл|tablets?|tabletka|таблет\w*|табл\.|pieces?|dona|шту\w*|\{measure\})"
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_number_and_its_unit_never_break_across_lines(language: str) -> None:
    """A no-break space between a quantity and its unit: “1,5 кг”, never “1,5” / “кг”."""
    broken = re.compile(r"\}[ \t]" + UNIT_WORD + r"(?![\w])")
    for message in _translations(language):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert not broken.search(string), f"{language}: use a no-break space in {string!r}"


# A number that counts something needs ngettext, in every language ("1 tablet", "2 tablets").
COUNT_PLACEHOLDERS = {"count", "n", "limit", "days", "hours", "minutes", "decimals", "total"}
COUNT_PLACEHOLDERS |= {"filed", "shown", "pages"}
# Singular-only messages with a count, each with the reason it may stay so. A message that
# needs ngettext but would need a msgid change is listed here until its owner changes it.
NOT_PLURAL_AWARE = {
    "{form}: {count}": "a label and a bare number: no noun follows the number",
    "Officers: {count}": "a label and a bare number (Russian «Сотрудников: 3» reads in any case)",
    "Page {page} of {pages}.": "a page position, not a quantity of a noun",
    "Usage: /audit or /audit N, where N is a number from 1 to {limit}.": "a range of numbers",
    "{count} kg seized (average {average} kg; {change})": (
        "{count} is a weight before an abbreviation that does not inflect; should be renamed"
        " {quantity} when the digest's wording changes"
    ),
}


def test_every_message_that_counts_something_is_plural_aware(fresh_template: Catalog) -> None:
    offenders = set()
    for message in fresh_template:
        if not message.id or isinstance(message.id, tuple):
            continue
        names = set(PLACEHOLDER.findall(message.id))
        if names & COUNT_PLACEHOLDERS or any(name.startswith("number_of") for name in names):
            offenders.add(message.id)
    assert offenders - set(NOT_PLURAL_AWARE) == set(), "use ngettext for these"
    assert set(NOT_PLURAL_AWARE) - offenders == set(), "fixed: remove them from the allow-list"


ABBREVIATION = re.compile(r"\b(IMT|BLO|NCDC|POS)\b")
AMBIGUOUS = {("button", "Acknowledge")}


def test_every_abbreviation_and_ambiguous_word_has_a_translator_comment(
    fresh_template: Catalog,
) -> None:
    """Translators see what IMT or “Acknowledge” means before they choose a word for it."""
    for message in fresh_template:
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        if ABBREVIATION.search(source) or (message.context, source) in AMBIGUOUS:
            comments = " ".join(message.auto_comments)
            assert "Translators:" in comments, f"add a # Translators: comment for {source!r}"
