"""Random sequences of updates, as in test_stateful.py, on a network that fails and repeats.

Every step may make some of the bot's Bot API calls fail (500, 502, 400, 403, 429, a timeout, a
dropped connection: the refusal, the answer to a tap, the next question, the receipt…), and the
sequences also hold two things Telegram does on its own: an update delivered again with the
same ``update_id`` (the bot died before confirming it) and an edited message.

After every step:
  * a person whose role (read from the database before the step) may not do what they asked,
    a stranger and a blocked person change nothing in the database but the audit log, whatever
    failed while they were refused, and are shown nothing but the refusal or the denial;
  * nobody changes another officer's reports;
  * an update delivered again, and an edited message, change nothing: every answer is recorded
    once, and an edit never answers the current question;
  * the error handler and the apology appear only when a call was made to fail, and then only
    for a Telegram error; no tap is left unanswered unless its answer was made to fail; no call
    was refused that the bot made by its own fault.
At the end: every receipt the bot sent names a report that is stored (once: numbers are
unique), and the database is intact.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiosqlite
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from telegram.error import TelegramError

from storage import Role
from tests.property.observations import outgoing
from tests.property.stateful_actions import Action, actions_of, actor, message_text
from tests.property.stateful_model import (
    APOLOGY,
    DENIED,
    HANDLED_FAILURES,
    INVITATION_REFUSED,
    REFUSED,
    SUSPENDED,
    check_database,
    play,
    restricted,
    standings,
)
from tests.property.world import PEOPLE, Person, World, running_world
from tests.support.memory_bot_api import FAULT_KINDS

#: Tables whose rows record that something happened rather than what the state is: the audit
#: log, PTB's own persistence and the record of handled updates.
BOOKKEEPING = frozenset({"audit_log", "ptb_state", "ptb_conversations"})
#: Columns that record when or what was last shown, not what anybody answered.
BOOKKEEPING_COLUMNS = {
    "drafts": frozenset({"shown_step", "shown_message_id"}),
    "users": frozenset({"updated_at"}),
    # A repeated "Ask for details" starts the wait for the typed question again, on purpose.
    "pending_replies": frozenset({"created_at"}),
}


@dataclass(frozen=True)
class Redeliver:
    """Telegram delivers the person's last update again (same ``update_id``)."""

    who: Person


@dataclass(frozen=True)
class Edit:
    """The person edits the last text message they sent."""

    who: Person
    text: str


Move = Action | Redeliver | Edit


@dataclass(frozen=True)
class Step:
    move: Move
    #: The n-th Bot API call made while the step is played fails this way.
    faults: dict[int, str]


def moves_of(who: Person) -> st.SearchStrategy[Move]:
    return st.one_of(
        actions_of(who),
        actions_of(who),
        actions_of(who),
        st.builds(Redeliver, st.just(who)),
        st.builds(Edit, st.just(who), message_text),
    )


faults = st.one_of(
    st.just({}),
    st.just({}),
    st.dictionaries(st.integers(0, 3), st.sampled_from(FAULT_KINDS), min_size=1, max_size=2),
)
bursts = actor.flatmap(
    lambda who: st.lists(st.builds(Step, moves_of(who), faults), min_size=1, max_size=6)
)
sequences = st.lists(bursts, min_size=2, max_size=8).map(
    lambda groups: [step for group in groups for step in group]
)


async def state_of(world: World) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table that holds state (not bookkeeping), read as it is now."""
    async with aiosqlite.connect(str(world.database_path)) as conn:
        names = [
            str(row[0])
            for row in await conn.execute_fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        found = {}
        for name in sorted(set(names) - BOOKKEEPING):
            if name.startswith(("applied_", "handled_", "processed_")):
                continue
            columns = [
                str(row[1])
                for row in await conn.execute_fetchall(f'PRAGMA table_info("{name}")')
                if str(row[1]) not in BOOKKEEPING_COLUMNS.get(name, ())
            ]
            listed = ", ".join(f'"{column}"' for column in columns)
            rows = await conn.execute_fetchall(f'SELECT {listed} FROM "{name}"')
            found[name] = sorted((tuple(row) for row in rows), key=repr)
    return found


async def reports_by_author(world: World) -> dict[int, set[tuple[Any, ...]]]:
    """The reports table's rows (whole) per author's Telegram id."""
    async with aiosqlite.connect(str(world.database_path)) as conn:
        rows = await conn.execute_fetchall(
            "SELECT u.telegram_id, r.* FROM reports r JOIN users u ON u.id = r.author_id"
        )
    found: dict[int, set[tuple[Any, ...]]] = {}
    for row in rows:
        found.setdefault(int(row[0]), set()).add(tuple(row[1:]))
    return found


def changed(before: dict[str, list[tuple[Any, ...]]], after: dict[str, Any]) -> list[str]:
    """The tables that differ, each with the rows that went and came (shortened)."""
    found = []
    for name in sorted(set(before) | set(after)):
        old, new = set(before.get(name, [])), set(after.get(name, []))
        if old != new:
            gone = [repr(row)[:400] for row in old - new]
            came = [repr(row)[:400] for row in new - old]
            found.append(f"{name}: gone {gone} came {came}")
    return found


async def perform(world: World, move: Move) -> str | None:
    if isinstance(move, Redeliver):
        await world.redeliver(move.who)
        return None
    if isinstance(move, Edit):
        await world.edit(move.who, move.text)
        return None
    return await play(world, move)


def unanswered(world: World) -> set[str]:
    return {q_id for q_id, q in world.tg.state.callback_queries.items() if q.answer is None}


@settings(
    max_examples=60,
    deadline=timedelta(seconds=20),
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(steps=sequences)
async def test_a_failing_repeating_network_breaks_no_promise(steps: list[Step]) -> None:
    with tempfile.TemporaryDirectory(prefix="fieldreport-property-") as directory:
        async with running_world(Path(directory)) as world:
            assert world.request is not None
            for step in steps:
                await check_one_step(world, step)
            await check_receipts(world)
            await check_database(world)


async def check_one_step(world: World, step: Step) -> None:
    assert world.request is not None
    move, who = step.move, step.move.who
    before_standing = await standings(world)
    before_state = await state_of(world)
    before_reports = await reports_by_author(world)
    before_unanswered = unanswered(world)
    since_calls = len(world.tg.state.calls)
    since_failures = len(world.tg.state.failures)
    since_errors = len(world.errors)

    world.request.arm(step.faults)
    try:
        data = await perform(world, move)
    finally:
        fired = list(world.request.faults_fired)
        world.request.arm({})

    label = f"{move!r} with faults {step.faults} (fired {fired}, tapped {data!r})"
    errors = world.errors[since_errors:]
    sent = outgoing(world, since_calls)
    if fired:
        odd = [e for e in errors if not isinstance(e, TelegramError)]
        assert not odd, f"{label}: not a Telegram error: {odd!r}"
    else:
        assert not errors, f"{label}: the error handler was called: {errors!r}"
        assert not [o for o in sent if o.text in APOLOGY], f"{label}: the apology was sent"
        left = unanswered(world) - before_unanswered
        assert not left, f"{label}: taps never answered"
    # A tap delivered again may have been answered the first time: Telegram refuses a second
    # answer, and the bot cannot know (the process that answered may have died right after).
    # It carries the message as it was before, so an edit made then is refused as unchanged.
    handled = (
        (*HANDLED_FAILURES, "query is too old", "message is not modified")
        if isinstance(move, Redeliver)
        else HANDLED_FAILURES
    )
    refused = [
        (name, exc.description)
        for name, _, exc in world.tg.state.failures[since_failures:]
        if not any(known in exc.description for known in handled)
    ]
    assert not refused, f"{label}: Telegram refused {refused}"

    after_state = await state_of(world)
    standing = before_standing[who.id].role
    if isinstance(move, Redeliver | Edit):
        assert not changed(before_state, after_state), (
            f"{label}: changed {changed(before_state, after_state)}"
        )
        strangers = [o for o in sent if o.chat_id != who.id]
        assert not strangers, f"{label}: somebody else was told {strangers}"
        return
    if standing is None:  # a stranger or somebody blocked
        assert not changed(before_state, after_state), (
            f"{label}: a refused person changed {changed(before_state, after_state)}"
        )
        allowed = REFUSED | INVITATION_REFUSED if who.role is None else SUSPENDED
        if fired:  # the refusal could not be sent: the apology may follow it
            allowed = allowed | APOLOGY
        wrong = [o for o in sent if o.chat_id != who.id or o.text not in allowed]
        assert not wrong, f"{label}: {who!r} got {wrong}"
    elif restricted(move, data, standing):
        assert not changed(before_state, after_state), (
            f"{label}: a denied request changed {changed(before_state, after_state)}"
        )
        said = [(o.method, o.chat_id, o.text) for o in sent]
        assert len(sent) <= 1, f"{label}: more than the denial: {said}"
        assert all(o.chat_id == who.id and o.text in DENIED for o in sent), f"{label}: {said}"

    after_reports = await reports_by_author(world)
    for person in PEOPLE:
        if person.id == who.id or person.role is not Role.OFFICER:
            continue
        assert before_reports.get(person.id, set()) == after_reports.get(person.id, set()), (
            f"{label}: {who!r} changed the reports of {person!r}"
        )


async def check_receipts(world: World) -> None:
    """Every receipt names a stored report (the receipt is sent after the commit)."""
    async with aiosqlite.connect(str(world.database_path)) as conn:
        numbers = {str(row[0]) for row in await conn.execute_fetchall("SELECT number FROM reports")}
    for shown in outgoing(world):
        if shown.method != "sendMessage" or not shown.text.startswith("✅"):
            continue
        named = [word.strip(".,:;<>/b") for word in shown.text.split() if word.count("-") == 2]
        for number in named:
            if number[:2].isalpha() and number[:2].isupper():
                assert number in numbers, f"receipt names {number}, which is not stored"
