"""Long screens split the way Telegram counts: between lines, by visible characters."""

from __future__ import annotations

from html import escape

from bot.handlers.common import split_html, split_lines, visible_length


def test_escapes_and_tags_count_as_telegram_counts_them() -> None:
    assert visible_length("<b>Notes:</b> " + escape("<&>")) == len("Notes: <&>")


def test_a_long_summary_splits_between_lines_under_the_limit() -> None:
    line = "<b>Notes:</b> " + escape("&" * 1500)  # 7 514 characters of HTML, 1 507 visible
    text = "\n".join(["<b>Joint operation</b>", line, line, line, "<b>Urgent:</b> No"])
    parts = split_html(text)
    assert len(parts) == 2
    assert all(visible_length(part) <= 4096 for part in parts)
    assert "\n".join(parts) == text  # nothing lost, no line cut, no escape broken


def test_a_short_screen_is_one_message() -> None:
    assert split_html("<b>Seizure</b>\nWhere?") == ["<b>Seizure</b>\nWhere?"]


def test_characters_beyond_the_basic_plane_count_twice_as_telegram_counts_them() -> None:
    """Telegram measures a message in UTF-16 code units: three answers of 1 500 emoji or 𐀀 are
    9 000 units, however few characters Python sees."""
    assert visible_length("😀𐀀a") == 5
    line = "<b>Notes:</b> " + "𐀀" * 1500
    parts = split_html("\n".join(["<b>Joint operation</b>", line, line, line]))
    assert len(parts) == 3
    assert all(visible_length(part) <= 4096 for part in parts)


def test_joined_lines_stay_under_the_limit_in_utf16_units() -> None:
    chunks = split_lines(["😀" * 1500, "😀" * 1500, "😀" * 3000])
    assert [len(c.encode("utf-16-le")) // 2 for c in chunks] == [3000, 3000, 4096]
