"""Hostile text against the parsers of what an update carries: callback data packed and unpacked,
commands and the access table, and invitation payloads."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from telegram import MessageEntity

from bot import access, callbacks, invitations
from storage import Role
from tests.property.hostile_text import IDENTIFIER, PARSER, attempt, hostile
from tests.property.world import TELEGRAM_COMMAND, routed_command

FULL_PART = re.compile(r"[A-Za-z0-9_.\-]{1,40}")


@PARSER
@given(
    prefix=st.one_of(IDENTIFIER, hostile),
    parts=st.lists(st.one_of(IDENTIFIER, hostile, st.integers()), max_size=6),
)
def test_pack_builds_short_data_or_refuses(prefix: str, parts: list[str | int]) -> None:
    data = attempt(lambda: callbacks.pack(prefix, *parts), ValueError)
    if isinstance(data, ValueError):
        return
    assert len(data.encode()) <= callbacks.MAX_BYTES
    assert data.split(":")[:2] == [prefix, callbacks.VERSION]


@PARSER
@given(prefix=IDENTIFIER, parts=st.lists(st.one_of(IDENTIFIER, st.integers()), max_size=6))
def test_what_pack_builds_unpack_reads_back(prefix: str, parts: list[str | int]) -> None:
    data = attempt(lambda: callbacks.pack(prefix, *parts), ValueError)
    if isinstance(data, ValueError):  # over Telegram's 64 bytes: refused on building
        assert len(":".join([prefix, callbacks.VERSION, *map(str, parts)]).encode()) > 64
        return
    assert callbacks.unpack(data, prefix, len(parts)) == tuple(str(p) for p in parts)
    with pytest.raises(callbacks.CallbackDataError):
        callbacks.unpack(data, prefix, len(parts) + 1)
    with pytest.raises(callbacks.CallbackDataError):
        callbacks.unpack(data, prefix + "x", len(parts))


forged_data = st.one_of(
    st.none(),
    hostile,
    st.builds(
        lambda prefix, parts: ":".join([prefix, "v1", *parts]),
        st.sampled_from(sorted(access.CALLBACKS)),
        st.lists(st.one_of(IDENTIFIER, hostile), max_size=5),
    ),
)


@PARSER
@given(
    data=forged_data,
    prefix=st.sampled_from(sorted(access.CALLBACKS)),
    arity=st.integers(0, 5),
)
def test_unpack_returns_the_parts_or_refuses(data: str | None, prefix: str, arity: int) -> None:
    parts = attempt(lambda: callbacks.unpack(data, prefix, arity), callbacks.CallbackDataError)
    if isinstance(parts, callbacks.CallbackDataError):
        return
    assert isinstance(parts, tuple) and len(parts) == arity
    assert all(isinstance(part, str) and part for part in parts)


@PARSER
@given(
    data=forged_data,
    prefix=st.sampled_from(sorted(access.CALLBACKS)),
    arity=st.integers(0, 5),
)
@example(data="rep:v1:new:seizure\n", prefix="rep", arity=2)
def test_unpacked_parts_are_whole_identifiers(data: str | None, prefix: str, arity: int) -> None:
    parts = attempt(lambda: callbacks.unpack(data, prefix, arity), callbacks.CallbackDataError)
    if isinstance(parts, callbacks.CallbackDataError):
        return
    assert all(FULL_PART.fullmatch(part) for part in parts), parts


# --- commands and access ------------------------------------------------------------------

BOT = "fieldreport_bot"


def telegram_entities(text: str | None) -> list[MessageEntity]:
    """The bot_command entity Telegram puts on the text, if any (as the stand-in does)."""
    match = TELEGRAM_COMMAND.match(text or "")
    return [MessageEntity("bot_command", 0, match.end())] if match else []


@PARSER
@given(text=st.one_of(st.none(), hostile, st.builds("/{}".format, hostile)))
def test_parse_command_gives_a_lower_case_name_and_trimmed_arguments(text: str | None) -> None:
    parsed = access.parse_command(text, telegram_entities(text), BOT)
    if parsed is None:
        return
    name, rest = parsed
    assert text is not None and text.startswith("/")
    assert name and name == name.lower()
    assert not any(c.isspace() or c == "@" for c in name)
    assert rest == rest.strip()


@PARSER
@given(
    role=st.sampled_from(list(Role)),
    command=st.one_of(st.sampled_from(sorted(access.COMMANDS)), hostile),
    prefix=st.one_of(st.sampled_from(sorted(access.CALLBACKS)), hostile),
)
def test_decide_follows_the_access_table(role: Role, command: str, prefix: str) -> None:
    allowed = access.COMMANDS.get(command)
    denial = access.decide(role, access.Request(command=command))
    assert (denial is None) == (allowed is None or role in allowed)
    allowed = access.CALLBACKS.get(prefix)
    denial = access.decide(role, access.Request(callback_prefix=prefix))
    assert (denial is None) == (allowed is None or role in allowed)
    assert access.decide(role, access.Request()) is None


@PARSER
@given(
    command=st.sampled_from(sorted(access.COMMANDS)),
    separator=st.sampled_from(["\n", "\t", "\u00a0", ",", ".", "!", "-", "?", "#", "\u2028"]),
    rest=st.text(max_size=20),
)
@example(command="users", separator="\n", rest="x")
def test_the_gate_sees_the_command_telegram_marks(command: str, separator: str, rest: str) -> None:
    text = f"/{command}{separator}{rest}"
    routed = routed_command(text, BOT)
    if routed is None:
        return
    parsed = access.parse_command(text, telegram_entities(text)[:1], BOT)
    assert parsed is not None and parsed[0] == routed, (text, parsed)


# --- invitations --------------------------------------------------------------------------


@PARSER
@given(payload=st.one_of(hostile, IDENTIFIER))
def test_looks_like_token_is_a_plain_yes_or_no(payload: str) -> None:
    assert isinstance(invitations.looks_like_token(payload), bool)


def test_every_new_token_looks_like_a_token() -> None:
    for _ in range(200):
        token = invitations.new_token()
        assert invitations.looks_like_token(token)
        assert not invitations.looks_like_token(token + "/")


@PARSER
@given(payload=st.one_of(hostile, IDENTIFIER, IDENTIFIER.map(lambda s: (s * 16)[:64] + "\n")))
@example(payload="A" * 32 + "\n")
def test_looks_like_token_only_for_what_a_link_can_carry(payload: str) -> None:
    expected = re.fullmatch(r"[A-Za-z0-9_-]{16,64}", payload) is not None
    assert invitations.looks_like_token(payload) is expected, payload
