"""The authorization matrix: every command and every button prefix × every kind of person.

The expectations are written out here, not read from bot/access.py, so a change to the access
table that nobody meant shows up as a failing test.
"""

from __future__ import annotations

import pytest

from bot.standin import StandIn, TgUser
from storage import Role
from tests.e2e.conftest import RunBot, SeedUser

STRANGER = "Sorry, this bot serves the field units"
SUSPENDED = "Your access to this bot is suspended"
ADMINS_ONLY = "This is for administrators only."
OFFICERS_ONLY = "Reports are filed by officers."

ALL_COMMANDS = [
    "start",
    "help",
    "language",
    "report",
    "myreports",
    "cancel",
    "invite",
    "invites",
    "users",
    "user",
    "units",
    "names",
    "audit",
    "bindgroup",
    "unbindgroup",
    "settings",
    "digest",
    "export",
]
FILER_COMMANDS = {"report", "myreports"}
ADMIN_COMMANDS = {
    "invite",
    "invites",
    "users",
    "user",
    "units",
    "names",
    "audit",
    "bindgroup",
    "unbindgroup",
    "settings",
}
COORDINATION_COMMANDS = {"digest", "export"}
COORDINATION_ONLY = "This is for coordinators and administrators."

CALLBACKS = {
    "lang": "lang:v1:en",
    "rep": "rep:v1:new:daily_status",
    "f": "f:v1:0123456789abcdef:_:submit:-",
    "my": "my:v1:page:0:0",
    "inv": "inv:v1:role:officer",
    "usr": "usr:v1:page:0",
    "unt": "unt:v1:list",
    "alr": "alr:v1:ack:1",
    "ans": "ans:v1:reply:1",
    "grp": "grp:v1:lang:en",
    "ref": "ref:v1:ed:agency:customs:-",
}
FILER_PREFIXES = {"rep", "f", "my", "ans"}
ADMIN_PREFIXES = {"inv", "usr", "unt", "grp", "ref"}
COORDINATION_PREFIXES = {"alr"}


REFUSALS = (STRANGER, SUSPENDED, ADMINS_ONLY, OFFICERS_ONLY, COORDINATION_ONLY)


def expected_refusal(kind: str, name: str, is_command: bool) -> str | None:
    admin_only = ADMIN_COMMANDS if is_command else ADMIN_PREFIXES
    filer_only = FILER_COMMANDS if is_command else FILER_PREFIXES
    if kind == "stranger":
        return STRANGER
    if kind == "blocked":
        return SUSPENDED
    if name in admin_only and kind != "admin":
        return ADMINS_ONLY
    coordination_only = COORDINATION_COMMANDS if is_command else COORDINATION_PREFIXES
    if name in coordination_only and kind not in ("coordinator", "admin"):
        return COORDINATION_ONLY
    if name in filer_only and kind == "coordinator":
        return OFFICERS_ONLY
    return None


PEOPLE = {
    "stranger": (9001, None, None),
    "blocked": (9002, Role.OFFICER, "IMT-TER"),
    "officer": (9003, Role.OFFICER, "IMT-TER"),
    "coordinator": (9004, Role.COORDINATOR, None),
    "admin": (9005, Role.ADMIN, "IMT-TAS"),
}


@pytest.mark.parametrize("kind", list(PEOPLE))
async def test_every_command_for_every_kind_of_person(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, kind: str
) -> None:
    user_id, role, unit = PEOPLE[kind]
    person = TgUser(id=user_id, first_name="Test", language_code="en")
    if role is not None:
        await seed_user(person, role, unit, blocked=kind == "blocked")
    async with run_bot() as app:
        for command in ALL_COMMANDS:
            await tg.send_text(person, f"/{command}")
            reply = await tg.next_message(person.id)
            refusal = expected_refusal(kind, command, is_command=True)
            if refusal is None:
                assert not reply.text.startswith(REFUSALS), (
                    f"{kind} was refused /{command}: {reply.text!r}"
                )
            else:
                assert reply.text.startswith(refusal), f"{kind} /{command}: {reply.text!r}"
            if command == "digest" and refusal is None:  # no report today: one line
                assert reply.text.startswith("No reports on"), reply.text
            tg.skip_messages(person.id)  # a command may answer with more than one message
        async with app.services.db.read() as repos:
            audit = await repos.audit.latest(200)
    denied = [e for e in audit if e.action in ("access.denied", "access.refused")]
    expected = sum(expected_refusal(kind, c, True) is not None for c in ALL_COMMANDS)
    assert len(denied) == expected


@pytest.mark.parametrize("kind", list(PEOPLE))
async def test_every_button_prefix_for_every_kind_of_person(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, kind: str
) -> None:
    user_id, role, unit = PEOPLE[kind]
    person = TgUser(id=user_id, first_name="Test", language_code="en")
    if role is not None:
        await seed_user(person, role, unit, blocked=kind == "blocked")
    async with run_bot() as app:
        await tg.send_text(person, "/language")
        carrier = await tg.next_message(person.id)  # any message of the bot carries the taps
        for prefix, data in CALLBACKS.items():
            answer = await tg.wait_callback_answer(await tg.tap(person, carrier, data, forge=True))
            text = str(answer.get("text") or "")
            refusal = expected_refusal(kind, prefix, is_command=False)
            if refusal is None:
                assert not text.startswith(REFUSALS), f"{kind} was refused {prefix}: {text!r}"
            else:
                assert text.startswith(refusal), f"{kind} {prefix}: {text!r}"
        async with app.services.db.read() as repos:
            audit = await repos.audit.latest(200)
    forged_admin_taps = [
        e for e in audit if e.action == "access.denied" and '"callback": "inv:' in (e.details or "")
    ]
    assert len(forged_admin_taps) == (1 if kind in ("officer", "coordinator") else 0)


async def test_in_a_group_only_binding_commands_are_answered(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    from bot.standin import TgChat

    group = TgChat(id=-100555, type="supergroup", title="OCT Situation Centre")
    officer = await seed_user(TgUser(id=9010, first_name="Test", language_code="en"))
    boss = TgUser(id=9011, first_name="Boss", language_code="en")
    admin = await seed_user(boss, Role.ADMIN, None)
    async with run_bot():
        for text in ("/start", "/help", "/report", "hello", "/audit"):
            await tg.send_text(officer, text, chat=group)
            await tg.send_text(admin, text, chat=group)
        await tg.send_text(admin, "/bindgroup", chat=group)
        bound = await tg.next_message(group.id)
    assert "OCT Situation Centre" in bound.text
    assert tg.messages(group.id) == [bound]  # nothing else was said in the group
