"""Uzbek Latin → Cyrillic: the golden word list, the exceptions list, the generated catalog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from bot.translit import (
    EXCEPTIONS_PATH,
    PROTECTED,
    Exceptions,
    default_exceptions,
    generate_catalog,
    latin_to_cyrillic,
    parse_exceptions,
    transliterate_word,
)

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "translit_uz.tsv"
LATIN_PO = ROOT / "locales" / "uz" / "LC_MESSAGES" / "bot.po"
CYRILLIC_PO = ROOT / "locales" / "uz_Cyrl" / "LC_MESSAGES" / "bot.po"
NO_EXCEPTIONS = Exceptions({}, {})
LATIN = re.compile(r"[A-Za-z]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Words the exceptions list keeps in Latin letters (as the Russian catalog does).
KEPT_LATIN = sorted(v for v in default_exceptions().words.values() if LATIN.search(v))


def _golden() -> list[tuple[str, str]]:
    pairs = []
    for line in GOLDEN.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            latin, cyrillic = line.split("\t")
            pairs.append((latin, cyrillic))
    return pairs


GOLDEN_PAIRS = _golden()


def test_golden_list_is_big_enough_and_has_no_duplicates() -> None:
    assert len(GOLDEN_PAIRS) >= 80
    latin = [pair[0] for pair in GOLDEN_PAIRS]
    assert len(latin) == len(set(latin))


@pytest.mark.parametrize(("latin", "cyrillic"), GOLDEN_PAIRS, ids=[p[0] for p in GOLDEN_PAIRS])
def test_golden_word(latin: str, cyrillic: str) -> None:
    assert latin_to_cyrillic(latin) == cyrillic


# --- the exceptions list ----------------------------------------------------------------------


def test_every_whole_word_exception_is_applied() -> None:
    table = default_exceptions()
    for latin, cyrillic in table.words.items():
        assert transliterate_word(latin) == cyrillic, latin


def test_every_stem_exception_is_applied_with_a_suffix() -> None:
    table = default_exceptions()
    for latin, cyrillic in table.stems.items():
        if latin not in table.words:
            assert transliterate_word(latin) == cyrillic, latin
        assert transliterate_word(latin + "lar") == cyrillic + "лар", latin
        assert transliterate_word(latin.capitalize() + "da") == cyrillic.capitalize() + "да"


def test_exception_entries_are_well_formed() -> None:
    table = default_exceptions()
    for latin, cyrillic in [*table.words.items(), *table.stems.items()]:
        assert re.fullmatch(r"[a-z‘’]+", latin), latin
        kept_latin = cyrillic.lower() == latin
        assert kept_latin or re.fullmatch(r"[\u0400-\u04ff]+", cyrillic), (latin, cyrillic)


def test_exceptions_parser_rejects_mistakes() -> None:
    with pytest.raises(ValueError, match="twice"):
        parse_exceptions("politsiya-\tполиция\npolitsiya-\tполиция\n")
    with pytest.raises(ValueError, match="latin<TAB>cyrillic"):
        parse_exceptions("politsiya полиция\n")
    table = parse_exceptions("# comment\n\nsentr-\tцентр\tnote\nIs’hoq\tИсҳоқ\n")
    assert table.stems == {"sentr": "центр"}
    assert table.words == {"is’hoq": "Исҳоқ"}


def test_a_stem_does_not_reach_into_uzbek_words() -> None:
    """The Uzbek "sirka" (vinegar): no stem may turn it into "цирка"."""
    assert latin_to_cyrillic("sirka sirkasi ketsa") == "сирка сиркаси кетса"


# --- placeholders, markup, commands -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "{name}",
        "{count:d}",
        "{amount:,.1f}",
        "%(count)s",
        "%s",
        "<b>",
        "</i>",
        '<a href="https://t.me/fieldreport_bot?start=abc">',
        "&amp;",
        "&#8212;",
        "https://example.org/yo‘l?sh=ch",
        "/report",
        "/settings@FieldReportBot",
        "@username",
        "🚨",
    ],
)
def test_protected_text_is_untouched(text: str) -> None:
    assert latin_to_cyrillic(f"Shoshilinch {text} hisobot") == f"Шошилинч {text} ҳисобот"


def test_a_url_ends_before_trailing_punctuation() -> None:
    assert latin_to_cyrillic("Havola: https://t.me/x.") == "Ҳавола: https://t.me/x."
    assert latin_to_cyrillic("(https://t.me/x), yoki") == "(https://t.me/x), ёки"


def test_a_slash_inside_a_word_is_not_a_command() -> None:
    assert latin_to_cyrillic("km/soat") == "км/соат"


# --- properties -------------------------------------------------------------------------------

UZBEK_LETTERS = "abdefghijklmnopqrstuvxyzcw"
SIGNS = "‘’ʻʼ'`"
PLAIN_ALPHABET = UZBEK_LETTERS + UZBEK_LETTERS.upper() + SIGNS + " .,;:!?-()«»—0123456789\n"

plain_text = st.text(alphabet=PLAIN_ALPHABET, max_size=60)
words = st.text(alphabet=UZBEK_LETTERS + "‘", min_size=1, max_size=12).filter(lambda w: w[0] != "‘")
tokens = st.one_of(
    st.from_regex(r"\{[a-z_]{1,8}(:[,.0-9]{0,4}[dfs])?\}", fullmatch=True),
    st.from_regex(r"%\([a-z_]{1,8}\)[sd]", fullmatch=True),
    st.sampled_from(["<b>", "</b>", "<i>", "</i>", "<code>", "</code>", "&amp;", "&lt;", "&gt;"]),
    st.from_regex(r'<a href="https://[a-z]{1,8}\.uz/[a-z_?=&;]{0,10}">', fullmatch=True),
    st.from_regex(r"https://t\.me/[a-z_]{1,10}", fullmatch=True),
    st.from_regex(r"/[a-z_]{1,10}", fullmatch=True),
    st.from_regex(r"@[a-z_]{3,10}", fullmatch=True),
)


@given(st.lists(st.one_of(tokens, words), max_size=12))
def test_placeholders_and_markup_survive(parts: list[str]) -> None:
    text = " ".join(parts)
    result = latin_to_cyrillic(text)
    assert PROTECTED.findall(result) == PROTECTED.findall(text)
    assert [p for p in parts if PROTECTED.fullmatch(p)] == PROTECTED.findall(text)


@given(st.lists(st.one_of(tokens, plain_text), max_size=8))
def test_no_latin_letter_is_left_outside_placeholders(parts: list[str]) -> None:
    result = latin_to_cyrillic(" ".join(parts), NO_EXCEPTIONS)
    assert not LATIN.search(PROTECTED.sub(" ", result)), result


@given(plain_text)
def test_only_listed_words_stay_latin(text: str) -> None:
    result = latin_to_cyrillic(text)
    leftover = {w for w in re.findall(r"[A-Za-z]+", result)}
    assert leftover <= set(KEPT_LATIN), result


@given(plain_text)
def test_transliterating_twice_changes_nothing(text: str) -> None:
    once = latin_to_cyrillic(text)
    assert latin_to_cyrillic(once) == once


@given(words)
def test_case_follows_the_latin(word: str) -> None:
    lower = latin_to_cyrillic(word)
    assert latin_to_cyrillic(word.upper()) == lower.upper()
    assert latin_to_cyrillic(word[0].upper() + word[1:]) == lower[0].upper() + lower[1:]


# --- the generated catalog --------------------------------------------------------------------


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _strings(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_committed_catalog_is_what_the_generator_makes(tmp_path: Path) -> None:
    target = tmp_path / "bot.po"
    generate_catalog(LATIN_PO, target)
    assert target.read_bytes() == CYRILLIC_PO.read_bytes(), (
        "locales/uz_Cyrl is stale: run `python -m bot.translit "
        "locales/uz/LC_MESSAGES/bot.po locales/uz_Cyrl/LC_MESSAGES/bot.po`"
    )


def test_generated_catalog_mirrors_the_latin_one() -> None:
    latin = _read(LATIN_PO)
    cyrillic = _read(CYRILLIC_PO)
    assert str(cyrillic.locale) == "uz_Cyrl"
    assert cyrillic.num_plurals == latin.num_plurals
    assert "GENERATED" in cyrillic.header_comment
    assert "python -m bot.translit" in cyrillic.header_comment
    pairs = [(m, cyrillic.get(m.id, m.context)) for m in latin if m.id]
    assert len(pairs) == len([m for m in cyrillic if m.id])
    for source, made in pairs:
        assert made is not None, source.id
        assert made.context == source.context
        assert made.flags == source.flags
        assert made.auto_comments == source.auto_comments
        assert made.user_comments == source.user_comments
        assert made.locations == source.locations
        assert len(_strings(made)) == len(_strings(source))
        for before, after in zip(_strings(source), _strings(made), strict=True):
            assert PROTECTED.findall(after) == PROTECTED.findall(before), after
            assert after == latin_to_cyrillic(before)
            rest = PROTECTED.sub(" ", after)
            assert set(re.findall(r"[A-Za-z]+", rest)) <= set(KEPT_LATIN), after
            assert not re.search(r"[‘ʻ]", rest), after
            words = {w.lower() for w in re.findall(r"[A-Za-z]+", PROTECTED.sub(" ", before))}
            if words - {kept.lower() for kept in KEPT_LATIN}:
                assert CYRILLIC.search(after), after


def test_exceptions_file_is_where_the_generator_reads_it() -> None:
    assert EXCEPTIONS_PATH == ROOT / "locales" / "uz_Cyrl" / "exceptions.tsv"
    assert EXCEPTIONS_PATH.exists()
