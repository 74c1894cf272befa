"""Uzbek Latin (1995 alphabet) to Uzbek Cyrillic, and the generator of the ``uz_Cyrl`` catalog.

The Cyrillic catalog is not translated by hand: it is produced from the Latin one, so the two
never drift apart. Letters alone restore almost everything (o‘ → ў, g‘ → ғ, sh → ш, ch → ч,
yo/yu/ya/ye → ё/ю/я/е, e → э at the start of a word and after a vowel, the tutuq → ъ). What
they cannot restore — ц and ь in Russian-origin words ("litsenziya" → "лицензия", "oktabr" →
"октябрь", while the Uzbek "sirka" stays "сирка"), and the few Latin words that must stay Latin
(a button's label in Telegram, a command's argument) — is in the committed exceptions list
``locales/uz_Cyrl/exceptions.tsv``.

Placeholders (``{name}``, ``{count:d}``, ``%(x)s``), HTML tags and entities, URLs, bot commands
(``/report``) and @mentions are copied unchanged.

Regenerate the catalog after the Latin one changes::

    python -m bot.translit locales/uz/LC_MESSAGES/bot.po locales/uz_Cyrl/LC_MESSAGES/bot.po
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
EXCEPTIONS_PATH = ROOT / "locales" / "uz_Cyrl" / "exceptions.tsv"
TARGET_LOCALE = "uz_Cyrl"

# The sign of o‘ and g‘: the proper U+2018 and U+02BB, and what keyboards give instead. The right
# single quote U+2019 is the tutuq everywhere else, but after o and g it can only be a mistyped
# o‘/g‘ (Uzbek Cyrillic has no "оъ"/"гъ"), so it is read as the sign there too.
OKINA = "\u2018\u02bb'`\u2019"
# The tutuq belgisi (ъ): U+2019 and U+02BC, and the ASCII stand-ins.
TUTUQ = "\u2019\u02bc'`\u2018\u02bb"
SIGNS = frozenset(OKINA + TUTUQ)

VOWELS = frozenset("aeiou")

SINGLE = {
    "a": "а",
    "b": "б",
    "c": "ц",  # not a letter of the 1995 alphabet; only in foreign spellings
    "d": "д",
    "f": "ф",
    "g": "г",
    "h": "ҳ",
    "i": "и",
    "j": "ж",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "q": "қ",
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "v": "в",
    "w": "в",  # not a letter of the 1995 alphabet
    "x": "х",
    "z": "з",
}
Y_VOWEL = {"o": "ё", "u": "ю", "a": "я", "e": "е"}

# Text that is copied as it is: str.format placeholders, printf placeholders, HTML tags and
# entities, URLs, bot commands and @mentions.
PROTECTED = re.compile(
    r"""
      \{[^{}]*\}
    | %\([A-Za-z_]\w*\)[-#0+]*\d*(?:\.\d+)?[sdifr]
    | %[sdif](?![A-Za-z])
    | <[^<>]*>
    | &(?:[A-Za-z][A-Za-z0-9]*|\#[0-9]+|\#[xX][0-9A-Fa-f]+);
    | (?:https?://|www\.|t\.me/)[^\s<>«»"]*[^\s<>«»".,;:!?)]
    | (?<![^\s(«"“])/[A-Za-z_][A-Za-z0-9_]*(?:@\w+)?
    | (?<![\w@])@[A-Za-z0-9_]{3,}
    """,
    re.VERBOSE,
)

# A word: Latin letters, with the o‘/g‘ sign and the tutuq inside it (and o‘/g‘ at its end:
# "tog‘"). A sign that is not followed by a letter is punctuation unless it follows o or g.
_SIGN_CLASS = "".join(sorted(SIGNS))
WORD = re.compile(rf"[A-Za-z](?:[A-Za-z]|[{_SIGN_CLASS}](?=[A-Za-z])|(?<=[oOgG])[{_SIGN_CLASS}])*")


@dataclass(frozen=True)
class Exceptions:
    """Whole words and stems whose Cyrillic spelling letters alone cannot restore.

    Keys are lower-case Latin with ‘ for the o‘/g‘ sign and ’ for the tutuq.
    """

    words: Mapping[str, str]
    stems: Mapping[str, str]

    def lookup(self, key: str) -> tuple[str, str] | None:
        """(Cyrillic of the matched part, the Latin rest of the word), or None."""
        if key in self.words:
            return self.words[key], ""
        for length in range(len(key), 0, -1):
            stem = key[:length]
            if stem in self.stems:
                return self.stems[stem], key[length:]
        return None


def parse_exceptions(text: str) -> Exceptions:
    """Read the exceptions list: ``latin<TAB>cyrillic[<TAB>note]`` per line, ``#`` comments.

    A Latin key ending in ``-`` is a stem: it matches the start of a word, and the rest of the
    word (the suffixes) is transliterated by the rules.
    """
    words: dict[str, str] = {}
    stems: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        parts = [part.strip() for part in raw.split("\t")]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise ValueError(f"exceptions line {number}: expected latin<TAB>cyrillic: {raw!r}")
        latin, cyrillic = parts[0], parts[1]  # a third column is a note for people
        target = stems if latin.endswith("-") else words
        key = normalise_key(latin.rstrip("-"))
        if key in target:
            raise ValueError(f"exceptions line {number}: {latin!r} is listed twice")
        target[key] = cyrillic
    return Exceptions(words, stems)


@cache
def default_exceptions() -> Exceptions:
    return parse_exceptions(EXCEPTIONS_PATH.read_text(encoding="utf-8"))


def normalise_key(word: str) -> str:
    """Lower case, ‘ for the o‘/g‘ sign, ’ for the tutuq: the form exception keys are in."""
    out: list[str] = []
    for index, char in enumerate(word):
        if char in SIGNS:
            previous = word[index - 1].lower() if index else ""
            out.append("\u2018" if previous in ("o", "g") and char in OKINA else "\u2019")
        else:
            out.append(char.lower())
    return "".join(out)


def _with_case(cyrillic: str, latin: str) -> str:
    """Give ``cyrillic`` the case of the Latin word: all capitals, a capital first, or as is."""
    letters = [c for c in latin if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return cyrillic.upper()
    if letters and letters[0].isupper():
        return cyrillic[:1].upper() + cyrillic[1:]
    return cyrillic


def _is_okina(char: str) -> bool:
    return bool(char) and char in OKINA


def _rules(word: str, previous: str = "") -> str:
    """Transliterate one word letter by letter.

    ``previous`` is the lower-case Latin letter before ``word`` when ``word`` is the rest of a
    word after an exception's stem ("" at the start of a word).
    """
    out: list[str] = []
    lower = word.lower()
    all_caps = sum(c.isalpha() for c in word) > 1 and not any(c.islower() for c in word)
    i, n = 0, len(word)
    prev = previous  # the previous sound: a Latin vowel, "c" for a consonant, "ъ", or ""

    def emit(cyrillic: str, first: int) -> None:
        upper = word[first].isupper() or (all_caps and word[first].isalpha())
        out.append(cyrillic.upper() if upper else cyrillic)

    while i < n:
        char = lower[i]
        nxt = lower[i + 1] if i + 1 < n else ""
        after = lower[i + 2] if i + 2 < n else ""
        if char in SIGNS:
            # Is’hoq: between s and h the sign only keeps them apart (сҳ, not ш); elsewhere it is
            # the tutuq (ma’lumot → маълумот, san’at → санъат).
            if prev and not (prev == "s" and nxt == "h"):
                out.append("Ъ" if all_caps else "ъ")
                prev = "ъ"
            i += 1
            continue
        if char in ("o", "g") and _is_okina(nxt):
            emit("ў" if char == "o" else "ғ", i)
            prev = "o" if char == "o" else "c"
            i += 2
            continue
        if char == "s" and nxt == "h":
            emit("ш", i)
            prev, i = "c", i + 2
            continue
        if char == "c" and nxt == "h":
            emit("ч", i)
            prev, i = "c", i + 2
            continue
        if char == "y" and nxt in Y_VOWEL and not (nxt == "o" and _is_okina(after)):
            emit(Y_VOWEL[nxt], i)
            prev, i = nxt, i + 2
            continue
        if char == "y":
            emit("й", i)
            prev, i = "c", i + 1
            continue
        if char == "e":
            emit("э" if prev == "" or prev in VOWELS else "е", i)
            prev, i = "e", i + 1
            continue
        if char in SINGLE:
            emit(SINGLE[char], i)
            prev = char if char in VOWELS or char == "s" else "c"
            i += 1
            continue
        out.append(word[i])  # not a Latin letter: left as it is
        prev = ""
        i += 1
    return "".join(out)


def transliterate_word(word: str, exceptions: Exceptions | None = None) -> str:
    """One Latin word (letters and signs, no spaces) in Uzbek Cyrillic."""
    table = default_exceptions() if exceptions is None else exceptions
    found = table.lookup(normalise_key(word))
    if found is None:
        return _rules(word)
    cyrillic, rest = found
    if not rest:
        return _with_case(cyrillic, word)
    head = word[: len(word) - len(rest)]
    tail = word[len(word) - len(rest) :]
    last = head[-1].lower()
    previous = last if last in VOWELS else "c"
    if head.isupper() and tail.isupper():
        return cyrillic.upper() + _rules(tail, previous).upper()
    return _with_case(cyrillic, head) + _rules(tail, previous)


def _plain(text: str, exceptions: Exceptions) -> str:
    return WORD.sub(lambda match: transliterate_word(match.group(0), exceptions), text)


def latin_to_cyrillic(text: str, exceptions: Exceptions | None = None) -> str:
    """Uzbek Latin text in Uzbek Cyrillic; placeholders, markup, URLs and commands untouched."""
    table = default_exceptions() if exceptions is None else exceptions
    out: list[str] = []
    position = 0
    for match in PROTECTED.finditer(text):
        out.append(_plain(text[position : match.start()], table))
        out.append(match.group(0))
        position = match.end()
    out.append(_plain(text[position:], table))
    return "".join(out)


# --- the catalog generator -------------------------------------------------------------------

GENERATED_NOTE = """\
Uzbek (Cyrillic) translations for FieldReport.
GENERATED FILE - do not edit by hand. It is made from the Latin catalog by
python -m bot.translit locales/uz/LC_MESSAGES/bot.po locales/uz_Cyrl/LC_MESSAGES/bot.po
Change the Latin catalog, or locales/uz_Cyrl/exceptions.tsv for spellings letters alone cannot
restore (ц and ь in Russian-origin words), and generate again."""


def generate_catalog(source: Path, target: Path, exceptions: Exceptions | None = None) -> int:
    """Write the Cyrillic catalog made from the Latin one; the number of messages written."""
    table = default_exceptions() if exceptions is None else exceptions
    with source.open("rb") as handle:
        latin = read_po(handle, locale="uz")
    cyrillic = Catalog(
        locale=Locale.parse(TARGET_LOCALE),
        domain=latin.domain,
        header_comment="\n".join(f"# {line}".rstrip() for line in GENERATED_NOTE.splitlines()),
        project=latin.project,
        version=latin.version,
        copyright_holder=latin.copyright_holder,
        msgid_bugs_address=latin.msgid_bugs_address,
        creation_date=latin.creation_date,
        revision_date=latin.revision_date,
        last_translator=latin.last_translator,
        language_team=f"{TARGET_LOCALE} <LL@li.org>",
        charset="utf-8",
        fuzzy=latin.fuzzy,
    )
    count = 0
    for message in latin:
        if not message.id:
            continue
        if isinstance(message.string, tuple | list):
            string: str | tuple[str, ...] = tuple(
                latin_to_cyrillic(s, table) for s in message.string
            )
        else:
            string = latin_to_cyrillic(message.string or "", table)
        cyrillic.add(
            message.id,
            string,
            locations=message.locations,
            flags=message.flags,
            auto_comments=message.auto_comments,
            user_comments=message.user_comments,
            previous_id=message.previous_id,
            lineno=message.lineno,
            context=message.context,
        )
        count += 1
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        write_po(handle, cyrillic, width=100, include_previous=True)
    return count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.translit",
        description="Generate the Uzbek Cyrillic catalog from the Uzbek Latin one.",
    )
    parser.add_argument("source", type=Path, help="locales/uz/LC_MESSAGES/bot.po")
    parser.add_argument("target", type=Path, help="locales/uz_Cyrl/LC_MESSAGES/bot.po")
    parser.add_argument(
        "--exceptions", type=Path, default=EXCEPTIONS_PATH, help="the exceptions list (TSV)"
    )
    args = parser.parse_args(argv)
    table = parse_exceptions(args.exceptions.read_text(encoding="utf-8"))
    count = generate_catalog(args.source, args.target, table)
    print(f"{count} messages transliterated into {args.target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
