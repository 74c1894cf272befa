"""Lists of units in dictionary order for each reader, not in code-point order."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.collation import collated, sort_key, units_in_order
from storage.models import Unit, UnitKind

UNIT = Unit(1, "IMT-X", UnitKind.IMT, "x", "x", "x", True)


def named(unit_id: int, uz: str, ru: str, en: str) -> Unit:
    return replace(UNIT, id=unit_id, code=f"IMT-{unit_id}", name_uz=uz, name_ru=ru, name_en=en)


@pytest.mark.parametrize(
    ("language", "names", "expected"),
    [
        # Code points put Ё (U+0401) before every other capital and Ў (U+040E) before А.
        ("ru", ["Ель", "Ёлка", "Андижан", "Ежевика"], ["Андижан", "Ежевика", "Ёлка", "Ель"]),
        ("ru", ["Уфа", "Ўзбекистон", "Андижан"], ["Андижан", "Ўзбекистон", "Уфа"]),
        # The tutuq is not a letter for English and Russian readers: G‘ozal sorts as Gozal.
        ("en", ["Guliston", "G‘ozal", "Angren"], ["Angren", "G‘ozal", "Guliston"]),
        # Uzbek dictionaries: Oʻ and Gʻ come after Z, however the tutuq is typed.
        (
            "uz",
            ["Oʻzbekiston", "Olot", "Zarafshon", "Andijon"],
            ["Andijon", "Olot", "Zarafshon", "Oʻzbekiston"],
        ),
        ("uz", ["G‘uzor", "Guliston", "O'rta", "Zomin"], ["Guliston", "Zomin", "O'rta", "G‘uzor"]),
        # Uzbek Cyrillic: Ў, Қ, Ғ, Ҳ after Я.
        ("uz", ["Ўрта", "Янгиер", "Урганч", "Қарши"], ["Урганч", "Янгиер", "Ўрта", "Қарши"]),
        # Case does not decide the order, letters do.
        ("en", ["Termez", "Samarkand", "bukhara"], ["bukhara", "Samarkand", "Termez"]),
    ],
)
def test_names_in_the_readers_order(language: str, names: list[str], expected: list[str]) -> None:
    assert collated(names, language, str) == expected
    assert sorted(names) != expected  # code-point order would be wrong


def test_units_are_ordered_by_their_name_in_the_readers_language() -> None:
    units = [
        named(1, "Oʻzbekiston", "Ёлка", "Yolka"),
        named(2, "Olot", "Ель", "Yel"),
        named(3, "Andijon", "Ўзбекистан", "Andijan"),
    ]
    assert [u.id for u in units_in_order(units, "uz")] == [3, 2, 1]
    assert [u.id for u in units_in_order(units, "ru")] == [1, 2, 3]
    assert [u.id for u in units_in_order(units, "en")] == [3, 2, 1]


def test_equal_names_keep_a_stable_total_order() -> None:
    assert sort_key("Termez", "en") < sort_key("termez", "en") or sort_key(
        "termez", "en"
    ) < sort_key("Termez", "en")
