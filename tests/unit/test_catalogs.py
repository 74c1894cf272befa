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
LANGUAGES = ("uz", "ru", "en")
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
