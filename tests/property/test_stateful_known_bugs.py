"""Known bugs the random sequences found, shown through the real application and pinned with the
input that showed each: a command name followed by a separator, a forged report id of any
length, a huge quantity, another officer's form button, a lone slash from a stranger."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st
from telegram import Update

from bot import access
from tests.property.observations import outgoing
from tests.property.stateful_model import DENIED, buttons_shown
from tests.property.world import (
    ADMIN,
    COORDINATOR,
    OFFICER_A,
    OFFICER_B,
    STRANGER,
    Person,
    file_report,
    press,
    running_world,
    translations_of,
)

# --- known bugs, shown through the real application ---------------------------------------

SEPARATORS = ["\n", "\t", ",", ".", "!", "?", "-", "#", "\u00a0"]


@settings(max_examples=25, deadline=timedelta(seconds=10))
@given(
    who=st.sampled_from([OFFICER_A, COORDINATOR]),
    command=st.sampled_from(sorted(access.COMMANDS)),
    separator=st.sampled_from(SEPARATORS),
    rest=st.sampled_from(["x", "01.01.2026 02.01.2026", "digest 09:00", ""]),
)
@example(who=OFFICER_A, command="users", separator="\n", rest="x")
async def test_no_role_runs_a_command_it_may_not_whatever_follows_the_name(
    who: Person, command: str, separator: str, rest: str
) -> None:
    assert who.role is not None
    if who.role in access.COMMANDS[command]:
        return
    text = f"/{command}{separator}{rest}"
    with tempfile.TemporaryDirectory(prefix="fieldreport-property-") as directory:
        async with running_world(Path(directory)) as world:
            since = len(world.tg.state.calls)
            await world.say(who, text)
            sent = [(o.method, o.text) for o in outgoing(world, since)]
            assert len(sent) == 1 and sent[0][1] in DENIED, (text, sent)


@settings(max_examples=15, deadline=timedelta(seconds=10))
@given(digits=st.integers(1, 36).map(lambda n: "9" * n))
@example(digits="9" * 20)
async def test_a_forged_report_id_of_any_length_is_not_found(digits: str) -> None:
    with tempfile.TemporaryDirectory(prefix="fieldreport-property-") as directory:
        async with running_world(Path(directory)) as world:
            await world.say(OFFICER_B, "/myreports")
            message = world.tg.messages(OFFICER_B.id)[-1]
            query = await world.tap(OFFICER_B, message, f"my:v1:open:{digits}:0")
            assert not world.errors, world.errors
            answer = world.tg.callback_answer(query)
            assert answer is not None and answer["text"] in translations_of("Report not found.")


@settings(max_examples=10, deadline=timedelta(seconds=10))
@given(digits=st.integers(29, 32))
@example(digits=29)
async def test_a_huge_quantity_is_refused_as_too_large(digits: int) -> None:
    with tempfile.TemporaryDirectory(prefix="fieldreport-property-") as directory:
        async with running_world(Path(directory)) as world:
            await world.say(OFFICER_B, "/report")
            assert await press(world, OFFICER_B, "rep", "new", "seizure")
            assert await press(world, OFFICER_B, "f", "when", "dt", "now")
            await world.say(OFFICER_B, "Ayritom")
            assert await press(world, OFFICER_B, "f", "substance", "opt", "heroin")
            await world.say(OFFICER_B, "9" * digits)
            assert not world.errors, world.errors
            assert "The number must be at most 1,000,000." in world.texts(OFFICER_B.id)[-1]


@settings(max_examples=3, deadline=timedelta(seconds=10))
@given(form=st.sampled_from(["incident", "daily_status"]))
@example(form="daily_status")
async def test_a_form_button_of_another_officers_report_reveals_nothing(form: str) -> None:
    with tempfile.TemporaryDirectory(prefix="fieldreport-property-") as directory:
        async with running_world(Path(directory)) as world:
            assert await file_report(world, OFFICER_B, form, {})
            receipt = world.texts(OFFICER_B.id)[-1]
            (data,) = buttons_shown(world, to=OFFICER_B.id)[-1:]  # the summary's Submit
            await world.say(OFFICER_A, "/myreports")
            query = await world.tap(OFFICER_A, world.tg.messages(OFFICER_A.id)[-1], data)
            answer = world.tg.callback_answer(query)
            assert answer is not None
            number = next(w for w in receipt.split() if w.count("-") == 2)
            assert number not in str(answer["text"]), answer


@settings(max_examples=4, deadline=timedelta(seconds=10))
@given(text=st.sampled_from(["/", "/ ", "/ x", "/\n"]))
@example(text="/")
async def test_a_lone_slash_from_a_stranger_does_not_stop_the_bot(text: str) -> None:
    with tempfile.TemporaryDirectory(prefix="fieldreport-property-") as directory:
        async with running_world(Path(directory)) as world:
            await world.app.start()  # PTB's own update loop, fed as polling would feed it
            try:
                await world.tg.send_text(STRANGER.user, text)
                await world.tg.send_text(ADMIN.user, "/help")
                for data in world.tg.state.updates:
                    await world.app.update_queue.put(Update.de_json(data, world.app.bot))
                world.tg.state.updates.clear()
                deadline = asyncio.get_running_loop().time() + 2.0
                while not world.tg.messages(ADMIN.id):
                    assert asyncio.get_running_loop().time() < deadline, "the bot stopped"
                    await asyncio.sleep(0.01)
            finally:
                await world.app.stop()
