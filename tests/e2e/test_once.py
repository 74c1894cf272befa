"""Every update applied once: a redelivered update changes nothing, a typed answer counts only
for the question the officer saw.

Telegram delivers an update again when the getUpdates that would confirm it never reached it
(the bot crashed in between); the stand-in's ``redeliver`` queues the very same message or tap
again (under a fresh update_id, since this running bot's offset is past the old one; the
resilience suite kills a real process for the same-id case).
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.standin import StandIn
from tests.e2e.conftest import RunBot, SeedUser
from tests.e2e.draft_steps import OFFICER, PERSONS, at_the_vehicles, stored_draft
from tests.e2e.flood_limit import unhurried
from tests.e2e.urgent_steps import JOHN, file_incident, seed_people, wait_alerts
from tests.support.driver import Officer

#: A redelivered tap carries the message as it was before the crash: Telegram refuses the
#: repeated edit and the second answer, as it would after a real crash.
REDELIVERED_TAP = "a redelivered tap repeats an edit and an answer made before the crash"
APOLOGY = "Sorry, something went wrong on our side. Please try again in a moment."

VEHICLES = "How many vehicles were inspected?"


async def test_a_redelivered_typed_answer_is_applied_once(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: Any
) -> None:
    o = Officer(tg, await seed_user(OFFICER))
    async with run_bot():
        await at_the_vehicles(o)
        sent = await tg.send_text(o.user, "14")
        assert PERSONS in (await tg.next_message(o.user.id)).text
        await tg.redeliver(int(sent["update_id"]), fresh_id=True)
        await tg.wait_idle()
        # Nothing answered with it: the current question is still the one with buttons.
        (current,) = o.with_buttons()
        assert PERSONS in current.text
        answers = await stored_draft(settings.database_path)
        assert answers["vehicles"] == "14"
        assert "persons" not in answers
        assert "What was the result?" in (await o.say("120")).text
        assert (await stored_draft(settings.database_path))["persons"] == "120"
        assert [m.text for m in o.chat if m.text == APOLOGY] == []


@pytest.mark.expect_refusals(REDELIVERED_TAP)
async def test_a_redelivered_tick_is_not_undone(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: Any
) -> None:
    o = Officer(tg, await seed_user(OFFICER))
    async with run_bot():
        await o.start_form("joint_operation")
        await o.tap_form("start", "dt", "now")
        await o.tap_form("end", "dt", "now")
        update_id = tg.state.next_update_id  # tap() queues it before its first await
        await o.tap_form("agencies", "opt", "mia")
        assert (await stored_draft(settings.database_path))["agencies"] == ["mia"]
        await tg.redeliver(update_id, fresh_id=True)
        await tg.wait_idle()
        assert (await stored_draft(settings.database_path))["agencies"] == ["mia"]
        message, _ = o.find("f", "agencies", "opt", "mia")
        ticked = [label for row in message.buttons for label, _ in row if label.startswith("✅")]
        assert len(ticked) == 1, message.buttons
        assert [m.text for m in o.chat if m.text == APOLOGY] == []  # nor a second answer


@pytest.mark.expect_refusals(REDELIVERED_TAP)
async def test_a_redelivered_new_form_tap_shows_the_draft_it_started(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: Any
) -> None:
    o = Officer(tg, await seed_user(OFFICER))
    async with run_bot():
        await o.say("/report")
        update_id = tg.state.next_update_id
        await o.tap("rep", "new", "joint_operation")
        first = o.last().text
        await tg.redeliver(update_id, fresh_id=True)
        await tg.wait_idle()
        assert o.last().text == first
        alerts = [c for name, c in tg.calls if name == "answerCallbackQuery" and c.get("text")]
        assert alerts == []  # not "finish or discard your unfinished report first"


async def test_an_answer_typed_again_after_a_failed_question_does_not_answer_the_next(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: Any
) -> None:
    """The next question could not be sent: the officer still sees the old one and types the
    answer again, as the apology says. It must not answer the question they never saw."""
    o = Officer(tg, await seed_user(OFFICER))
    async with run_bot():
        await at_the_vehicles(o)
        tg.inject_fault("500", method="sendMessage")  # the persons question
        assert (await o.say("14")).text == APOLOGY
        assert (await stored_draft(settings.database_path))["vehicles"] == "14"
        shown = await o.say("14")
        assert "Your previous answer was saved." in shown.text
        assert PERSONS in shown.text
        assert "persons" not in await stored_draft(settings.database_path)
        # Now that the question is on screen, an answer counts.
        assert "What was the result?" in (await o.say("120")).text
        assert (await stored_draft(settings.database_path))["persons"] == "120"


async def test_an_answer_typed_twice_while_the_bot_is_slow_answers_one_question(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: Any
) -> None:
    """Telegram is slow to take the next question; the officer, still looking at the old one,
    types the answer again. The second message was typed before the next question came: it
    does not answer it (the question is shown again instead)."""
    o = Officer(tg, await seed_user(OFFICER))
    async with run_bot():
        await at_the_vehicles(o)
        tg.inject_fault("slow", method="sendMessage", delay=1.0)  # the persons question
        start = len(tg.calls)
        await tg.send_text(o.user, "14")
        await tg.wait_until(
            lambda: any(name == "sendMessage" for name, _ in tg.calls[start:]),
            description="the persons question on its way",
        )
        await tg.send_text(o.user, "14")  # typed while the persons question is on its way
        await tg.wait_idle(timeout=10)
        answers = await stored_draft(settings.database_path)
        assert answers["vehicles"] == "14"
        assert "persons" not in answers
        assert "Your previous answer was saved." in o.last().text
        assert PERSONS in o.last().text


async def test_a_tap_whose_screen_failed_keeps_typed_text_off_the_next_question(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: Any
) -> None:
    """Editing the message into the next question failed after a tap: text typed then is
    not an answer to that unseen question."""
    o = Officer(tg, await seed_user(OFFICER))
    async with run_bot():
        await o.start_form("joint_operation")
        await o.tap_form("start", "dt", "now")
        await o.tap_form("end", "dt", "now")
        await o.tap_form("agencies", "opt", "mia")
        tg.inject_fault("500", method="editMessageText")  # the vehicles question
        await o.tap_form("agencies", "done")
        await tg.wait_idle()
        assert o.last().text == APOLOGY
        tg.skip_messages(o.user.id)
        shown = await o.say("14")
        assert "Your previous answer was saved." in shown.text
        assert VEHICLES in shown.text
        assert "vehicles" not in await stored_draft(settings.database_path)


async def test_a_redelivered_answer_to_a_coordinator_is_neither_sent_again_nor_a_form_answer(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: Any
) -> None:
    """The officer answers a coordinator's question while a form waits at a typed question:
    the same message again must not reach the coordinator twice, nor answer the form."""
    o, _olga, john = await seed_people(tg, seed_user)
    async with run_bot(setup=unhurried):
        await file_incident(o, urgent=True)
        await wait_alerts(tg, JOHN.id, 1)
        await tg.wait_idle()
        await john.tap("alr", "ask")
        await john.say("How many trucks?")
        await tg.wait_idle()
        tg.skip_messages(o.user.id)
        await at_the_vehicles(o)
        await o.tap("ans", "reply")
        await tg.wait_idle()
        tg.skip_messages(JOHN.id)
        sent = await tg.send_text(o.user, "14")  # the answer to John, not the vehicles
        await tg.next_message(JOHN.id)
        await tg.wait_idle()
        await tg.redeliver(int(sent["update_id"]), fresh_id=True)
        await tg.wait_idle()
        assert tg.skip_messages(JOHN.id) == []  # the answer went once
        answers = await stored_draft(settings.database_path, o.user.id)
        assert "vehicles" not in answers
