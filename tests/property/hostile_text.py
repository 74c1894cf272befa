"""Hostile text for the parser tests: what people (and attackers) type as Hypothesis strategies, the
form fields that read it, the per-call bound every parser test runs under, and ``attempt``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from hypothesis import settings
from hypothesis import strategies as st

TASHKENT = ZoneInfo("Asia/Tashkent")

#: A generous bound for one call: a parser that takes longer on a 10,000-character text is
#: a denial of service waiting to happen.
PARSER = settings(max_examples=150, deadline=timedelta(seconds=1))
# --- what people (and attackers) type -----------------------------------------------------

NASTY = [
    "",
    " ",
    "\x00",
    "\u200f\u202e12,5",  # RLM and RIGHT-TO-LEFT OVERRIDE before a number
    "1e309",
    "-1e309",
    "NaN",
    "nan",
    "-NaN",
    "sNaN",
    "Infinity",
    "-0",
    "+0",
    "−0",  # U+2212
    "0e0",
    "1_000",
    "0x10",
    "٣",  # ARABIC-INDIC DIGIT THREE
    "١٢:٣٠",
    "٠١.٠١.٢٠٢٥ ١٠:٠٠",
    "𝟙𝟚:𝟛𝟜",  # mathematical digits
    "²³",
    "12:30\n",
    "12:30\x00",
    "1,5",
    "1.5",
    "1 500",
    "1\u00a0500,25",
    "1,500",
    "1.234.567,89",
    "1'000'000",
    "--5",
    "1..5",
    "9" * 40,
    "9" * 32,
    "0." + "0" * 30 + "1",
    "29.02.2023",
    "29.02.2024 23:59",
    "31.12.9999 23:59",
    "01.01.0001 00:00",
    "00.00.0000 00:00",
    "24:00",
    "23:60",
    "/start",
    "/users\nx",
    "@",
    "@a",
    "@" + "a" * 33,
    "0",
    str(2**53),
    str(2**63),
    "<b>&amp;</b>",
    "'); DROP TABLE reports; --",
    "🙂" * 50,
    "a\u0301",  # decomposed: NFC composes it
    "\u2028\u2029",
    "\x85",
    "ß",
]
unicode_text = st.text(max_size=200)
digit_soup = st.text(
    alphabet=st.sampled_from("0123456789٠١٢٣٤٥٦٧٨٩.,:-/ T\u00a0\u202f'’−+eE"), max_size=40
)
huge_text = st.builds(
    lambda unit, repeat: (unit * repeat)[:10_000],
    st.text(min_size=1, max_size=8),
    st.integers(min_value=1, max_value=10_000),
)
hostile = st.one_of(st.sampled_from(NASTY), unicode_text, digit_soup, huge_text)

T = TypeVar("T")
E = TypeVar("E", bound=Exception)


def attempt(call: Callable[[], T], error: type[E]) -> T | E:
    """The value, or the documented error (anything else propagates and fails the test)."""
    try:
        return call()
    except error as exc:
        return exc


# --- callback data ------------------------------------------------------------------------

IDENTIFIER = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-",
    min_size=1,
    max_size=40,
)
