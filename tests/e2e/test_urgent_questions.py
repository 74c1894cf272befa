"""Questions and answers between one coordinator and the officer over an urgent alert, and the
taps that cannot or must not be answered."""

from __future__ import annotations

import json

from bot.standin import StandIn
from storage import Role
from storage.clock import utc_now
from tests.e2e.conftest import RunBot, SeedUser
from tests.e2e.urgent_steps import (
    JOHN,
    OFFICER,
    OLGA,
    OTHER_OFFICER,
    data_of,
    file_incident,
    number_in,
    seed_people,
    wait_alerts,
)
from tests.support.driver import Officer


async def test_a_question_reaches_the_officer_and_the_answer_reaches_only_who_asked(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, john = await seed_people(tg, seed_user)
    async with run_bot():
        receipt = await file_incident(o, urgent=True)
        number = number_in(receipt)
        await wait_alerts(tg, OLGA.id, 1)
        await wait_alerts(tg, JOHN.id, 1)
        await tg.wait_idle()
        tg.skip_messages(OLGA.id)
        tg.skip_messages(JOHN.id)
        tg.skip_messages(OFFICER.id)
        answer = await john.tap("alr", "ask")
        assert answer.get("text") in (None, "")
        prompt = await tg.next_message(JOHN.id)
        assert number in prompt.text
        assert "1,000 characters" in prompt.text
        confirmation = await john.say("  How many <b>trucks</b> & drivers?  ")
        question = await tg.next_message(OFFICER.id)
        assert confirmation.text == (
            f"Your question was sent to the officer who filed report {number}."
        )
        assert "How many <b>trucks</b> & drivers?" in question.text
        assert "&lt;b&gt;trucks&lt;/b&gt; &amp; drivers?" in (question.html or "")
        assert "John Smith" in question.text
        assert number in question.text
        await o.tap("ans", "reply")
        answer_prompt = await tg.next_message(OFFICER.id)
        assert number in answer_prompt.text
        assert question.buttons  # "Reply" stays until the answer went
        thanks = await o.say("Ikkita yuk mashinasi <i>va</i> 3 haydovchi")
        delivered = await tg.next_message(JOHN.id)
        await tg.wait_idle()
    # Answered: neither the question's "Reply" nor the prompt's "Cancel" is left to tap.
    assert question.buttons == [] and answer_prompt.buttons == []
    assert [m for m in tg.messages(OFFICER.id) if m.buttons] == []
    assert "John Smith" in thanks.text
    assert number in delivered.text
    assert "Bekzod Rakhimov" in delivered.text
    assert "Question: How many <b>trucks</b> & drivers?" in delivered.text
    assert "Answer: Ikkita yuk mashinasi <i>va</i> 3 haydovchi" in delivered.text
    assert "&lt;i&gt;va&lt;/i&gt;" in (delivered.html or "")
    # Olga did not ask: she gets neither the question nor the answer.
    assert tg.skip_messages(OLGA.id) == []


async def test_a_reply_button_that_could_not_be_removed_still_loses_no_answer(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    """Removing "Reply" is best effort: Telegram failing that edit loses no answer, and a later
    tap on the button left there says the question is answered and takes the button off."""
    o, _olga, john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        uz = app.services.catalogs.translator("uz")
        await file_incident(o, urgent=True)
        await wait_alerts(tg, JOHN.id, 1)
        await tg.wait_idle()
        await john.tap("alr", "ask")
        await john.say("Which crossing?")
        await tg.wait_idle()
        question, reply_data = o.find("ans", "reply")
        await o.tap("ans", "reply")
        await tg.wait_idle()
        tg.skip_messages(JOHN.id)
        tg.inject_fault("500", method="editMessageReplyMarkup", chat_id=OFFICER.id, count=2)
        await o.say("At Ayritom.")
        delivered = await tg.next_message(JOHN.id)
        await tg.wait_idle()
        assert "At Ayritom." in delivered.text
        assert question.buttons  # the edit failed: the button is still there
        again = await tg.wait_callback_answer(await tg.tap(OFFICER, question, reply_data))
        await tg.wait_idle()
    assert again["text"] == uz.gettext("You have already answered this question.")
    assert question.buttons == []
    assert tg.skip_messages(JOHN.id) == []  # the tap sent nothing more


async def test_bad_typed_input_is_explained_and_the_question_still_goes(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, john = await seed_people(tg, seed_user)
    async with run_bot():
        await file_incident(o, urgent=True)
        await wait_alerts(tg, JOHN.id, 1)
        await tg.wait_idle()
        tg.skip_messages(JOHN.id)
        tg.skip_messages(OFFICER.id)
        await john.tap("alr", "ask")
        await tg.next_message(JOHN.id)
        photo = await john.photo()
        assert photo.text == "Please type your question as a text message."
        await tg.send_sticker(JOHN)
        sticker = await tg.next_message(JOHN.id)
        assert sticker.text == "Please type your question as a text message."
        too_long = await john.say("x" * 5000)
        assert too_long.text == (
            "That is too long: please keep it within 1,000 characters and send it again."
        )
        await tg.wait_idle()
        assert tg.skip_messages(OFFICER.id) == []  # nothing reached the officer meanwhile
        sent = await john.say("Which crossing exactly?")
        assert sent.text.startswith("Your question was sent")
        question = await tg.next_message(OFFICER.id)
    assert "Which crossing exactly?" in question.text


async def test_cancel_button_gives_up_the_question(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, john = await seed_people(tg, seed_user)
    async with run_bot():
        await file_incident(o, urgent=True)
        await wait_alerts(tg, JOHN.id, 1)
        await tg.wait_idle()
        tg.skip_messages(JOHN.id)
        await john.tap("alr", "ask")
        prompt = await tg.next_message(JOHN.id)
        await john.tap("alr", "stop")
        assert prompt.text == "Your question was not sent."
        stop = john.find("alr", "ask")[1].replace(":ask:", ":stop:")
        again = await tg.wait_callback_answer(await tg.tap(JOHN, prompt, stop, forge=True))
        assert again["text"] == "There is nothing to cancel."
        after = await john.say("Hello?")
        await tg.wait_idle()
    assert "I did not understand that" in after.text
    assert not any("Hello?" in (m.text or "") for m in tg.messages(OFFICER.id))


async def test_slash_cancel_gives_up_a_pending_question_or_answer_first(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        await file_incident(o, urgent=True)
        await wait_alerts(tg, JOHN.id, 1)
        await tg.wait_idle()
        await john.tap("alr", "ask")
        tg.skip_messages(JOHN.id)
        given_up = await john.say("/cancel")
        await john.tap("alr", "ask")
        await john.say("Which crossing?")
        await tg.wait_idle()
        await o.tap("ans", "reply")
        tg.skip_messages(OFFICER.id)
        answer_given_up = await o.say("/cancel")
        nothing = await o.say("/cancel")
        uz = app.services.catalogs.translator("uz")
    assert given_up.text == "Your question was not sent."
    assert answer_given_up.text == uz.gettext("Your answer was not sent.")
    # With nothing pending, /cancel is the report form's again.
    assert nothing.text == uz.gettext("There is nothing to cancel.")


async def test_an_officer_going_on_with_a_form_is_not_taken_for_an_answer(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        await file_incident(o, urgent=True)
        await wait_alerts(tg, JOHN.id, 1)
        await tg.wait_idle()
        await john.tap("alr", "ask")
        await john.say("Which crossing?")
        await tg.wait_idle()
        await o.tap("ans", "reply")
        tg.skip_messages(OFFICER.id)
        await o.start_form("incident")
        await o.tap_form("category", "opt", "intel")
        await o.tap_form("when", "dt", "now")
        tg.skip_messages(JOHN.id)
        await o.say("Olot")  # the place, for the form
        await tg.wait_idle()
        async with app.services.db.read() as repos:
            user = await repos.users.get_by_telegram_id(OFFICER.id)
            assert user is not None
            draft = await repos.drafts.get(user.id)
            pending = await repos.alerts.get_pending(user.id)
    assert tg.skip_messages(JOHN.id) == []
    assert draft is not None
    assert "Olot" in json.dumps(draft.data, ensure_ascii=False)
    assert pending is None


async def test_unanswerable_taps_are_refused_clearly(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, john = await seed_people(tg, seed_user)
    other = Officer(tg, await seed_user(OTHER_OFFICER, Role.OFFICER, "IMT-TER", language="en"))
    async with run_bot() as app:
        receipt = await file_incident(o, urgent=True)
        (en,) = await wait_alerts(tg, JOHN.id, 1)
        await tg.wait_idle()
        await john.tap("alr", "ask")
        await john.say("Which crossing?")
        await tg.wait_idle()
        question, reply_data = o.find("ans", "reply")
        await other.say("/help")
        not_theirs = await tg.wait_callback_answer(
            await tg.tap(OTHER_OFFICER, other.last(), reply_data, forge=True)
        )
        await o.tap("ans", "reply")
        tg.skip_messages(OFFICER.id)
        await o.say("At Ayritom.")
        await tg.wait_idle()
        assert question.buttons == []  # answered: its "Reply" went
        answered_twice = await tg.wait_callback_answer(
            await tg.tap(OFFICER, question, reply_data, forge=True)
        )
        # The report is withdrawn: nobody can ask about it any more.
        async with app.services.db.transaction() as repos:
            report = await repos.reports.get_by_number(number_in(receipt))
            assert report is not None
            await repos.reports.withdraw(report.id, now=utc_now())
        withdrawn = await tg.wait_callback_answer(await tg.tap(JOHN, en, data_of(en, "ask")))
        uz = app.services.catalogs.translator("uz")
        await tg.wait_idle()
    assert not_theirs["text"] == "This question was sent to another officer."
    assert answered_twice["text"] == uz.gettext("You have already answered this question.")
    assert withdrawn["text"] == f"Report {number_in(receipt)} was withdrawn by its author."


async def test_forged_buttons_are_refused(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        tr = app.services.catalogs.translator
        await o.say("/help")
        await john.say("/help")
        officer_message, coordinator_message = o.last(), john.last()
        answers = {}
        for data in ("alr:v1:ack:1", "alr:v1:ask:1"):
            query = await tg.tap(OFFICER, officer_message, data, forge=True)
            answers[("officer", data)] = await tg.wait_callback_answer(query)
        query = await tg.tap(JOHN, coordinator_message, "ans:v1:reply:1", forge=True)
        answers[("coordinator", "ans")] = await tg.wait_callback_answer(query)
        for data in (
            "alr:v1:ack:999999",
            "alr:v1:ask:999999",
            "alr:v1:ack:abc",
            "alr:v1:nuke:1",
            "alr:v2:ack:1",
            "alr:v1:ack",
        ):
            query = await tg.tap(JOHN, coordinator_message, data, forge=True)
            answers[("stale", data)] = await tg.wait_callback_answer(query)
        query = await tg.tap(OFFICER, officer_message, "ans:v1:reply:424242", forge=True)
        answers[("stale", "ans")] = await tg.wait_callback_answer(query)
        await tg.wait_idle()
    coordination_only = tr("uz").gettext("This is for coordinators and administrators.")
    for data in ("alr:v1:ack:1", "alr:v1:ask:1"):
        assert answers[("officer", data)]["text"] == coordination_only
    assert answers[("coordinator", "ans")]["text"] == (
        "Reports are filed by officers. Coordinators receive them in the digest."
    )
    stale = "This button no longer works. Please start again."
    for key, answer in answers.items():
        if key[0] == "stale":
            wanted = tr("uz").gettext(stale) if key[1] == "ans" else stale
            assert answer["text"] == wanted
            assert answer["show_alert"] is True
