"""The HTML validator accepts what Telegram accepts and refuses the rest with its words."""

from __future__ import annotations

import html

import pytest

from bot.standin import HtmlParseError, parse_html, utf16_len, visible_text


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("plain text", "plain text"),
        ("<b>bold <i>and italic</i></b>", "bold and italic"),
        ("<strong>s</strong><em>e</em><ins>i</ins><strike>k</strike><del>d</del>", "seikd"),
        ("&lt;b&gt; &amp; &quot;q&quot;", '<b> & "q"'),
        ("&#65;&#x42;&lt", "AB<"),
        ('<a href="https://example.com/?a=1&amp;b=2">link</a>', "link"),
        ('<span class="tg-spoiler">secret</span> <tg-spoiler>too</tg-spoiler>', "secret too"),
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1"),
        ("<blockquote expandable>quote</blockquote>", "quote"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        ("<B>upper-case tags</B>", "upper-case tags"),
        ("<b>closed by </>", "closed by "),
        ("1 > 0", "1 > 0"),
    ],
)
def test_valid_html_gives_the_visible_text(source: str, text: str) -> None:
    assert visible_text(source) == text


def test_escaped_user_text_survives() -> None:
    user_text = '<script>alert("x")</script> & R&D'
    assert visible_text(f"<b>Report:</b> {html.escape(user_text)}") == f"Report: {user_text}"


def test_entities_use_utf16_offsets() -> None:
    parsed = parse_html("😀 <b>qalay</b> <i>ahvol</i>")
    assert parsed.text == "😀 qalay ahvol"
    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 5},
        {"type": "italic", "offset": 9, "length": 5},
    ]
    assert utf16_len(parsed.text) == len(parsed.text) + 1


def test_pre_with_language_and_links() -> None:
    parsed = parse_html(
        '<pre><code class="language-sql">select 1</code></pre><a href="example.org">x</a>'
    )
    assert parsed.entities == [
        {"type": "pre", "offset": 0, "length": 8, "language": "sql"},
        {"type": "text_link", "offset": 8, "length": 1, "url": "http://example.org"},
    ]


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("Hello <foo>x</foo>", 'Unsupported start tag "foo" at byte offset 6'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("<b>never closed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("closed</b>", "Unexpected end tag at byte offset 6"),
        (
            "<b><i>x</b></i>",
            'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
        ),
        ("AT&T", "Character entity expected at byte offset 2"),
        ("&nbsp;", "Character entity expected at byte offset 0"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="x"/>', 'Empty attribute name in the tag "a" at byte offset 0'),
        ("Ўзбек <u>матн", 'Can\'t find end tag corresponding to start tag "u"'),
        ("Ўзбек <x>", 'Unsupported start tag "x" at byte offset 11'),  # bytes, not characters
        ('<tg-emoji emoji-id="abc">x</tg-emoji>', "Invalid custom emoji identifier specified"),
    ],
)
def test_invalid_html_is_refused_like_telegram(source: str, detail: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(source)
    assert caught.value.detail == detail
    assert caught.value.description == f"Bad Request: can't parse entities: {detail}"


def test_lenient_ampersand_matches_telegram_exactly() -> None:
    assert visible_text("AT&T &nbsp;", strict_ampersand=False) == "AT&T &nbsp;"
