"""Names in the order a reader of the language expects, not in code-point order.

Code points put "Ўзбек" before "Андижон" and "Ёшлик" before "Ер"; the Unicode collation
algorithm (pyuca, the default table) puts Ё with Е and Ў after У, as Russian and English
readers expect. Uzbek dictionaries go further: Oʻ and Gʻ (Latin) come after Z, and Ў, Қ, Ғ, Ҳ
(Cyrillic) after Я; those letters are mapped past every other letter for Uzbek readers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import TypeVar

from pyuca import Collator

from storage.models import Unit

T = TypeVar("T")

#: Unassigned code points weigh more than every letter in the default table: the letters Uzbek
#: dictionaries put after the alphabet's end, in their order.
_UZ_LATIN_LATE = re.compile("([og])[\u2018\u02bb'\u2019`]")
_UZ_LATE = {"o": "\ue000", "g": "\ue001"}
#: The tutuq and its look-alikes: punctuation to the default table, which would sort "G‘uzor"
#: before "Guliston"; for other readers the letter before it is just a letter.
_TUTUQ = str.maketrans("", "", "\u2018\u02bb'\u2019`")
_UZ_CYRILLIC_LATE = str.maketrans({"ў": "\ue010", "қ": "\ue011", "ғ": "\ue012", "ҳ": "\ue013"})


@cache
def _collator() -> Collator:
    return Collator()  # reads the default table once (about a tenth of a second)


def _uzbek(text: str) -> str:
    folded = _UZ_LATIN_LATE.sub(lambda m: _UZ_LATE[m.group(1)], text.casefold())
    return folded.translate(_UZ_CYRILLIC_LATE)


def sort_key(text: str, language: str) -> tuple[tuple[int, ...], str]:
    """The key that orders ``text`` for a reader of ``language`` (ties broken by the text)."""
    prepared = _uzbek(text) if language.split("_")[0] == "uz" else text.translate(_TUTUQ)
    return tuple(_collator().sort_key(prepared)), text


def collated(items: Iterable[T], language: str, name: Callable[[T], str]) -> list[T]:
    """``items`` sorted by ``name(item)`` the way a reader of ``language`` expects."""
    return sorted(items, key=lambda item: sort_key(name(item), language))


def units_in_order(units: Iterable[Unit], language: str) -> list[Unit]:
    """Units by their name in ``language``, as every list of units shows them."""
    return collated(units, language, lambda unit: unit.name(language))
