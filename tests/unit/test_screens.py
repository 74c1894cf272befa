"""Long screens split the way Telegram counts: between lines, by visible characters."""

from __future__ import annotations

from html import escape

from bot.handlers.common import split_html, visible_length


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
