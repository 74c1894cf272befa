"""The urgent lane end to end: alerts in each reader's language, acknowledgement on every copy,
questions and answers between one coordinator and the officer, re-alerts moved by time."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.context import FieldReportApplication
from bot.handlers.urgent.alert_send import alert_if_urgent, realert_due
from bot.standin import SentMessage, StandIn, TgChat, TgUser
from storage import Role
from storage.alerts import DeliveryStatus
from storage.bot_settings import COORDINATION_GROUP
from storage.clock import utc_now
from tests.e2e.conftest import RunBot, SeedUser
from tests.support.driver import Officer

OFFICER = TgUser(id=8101, first_name="Bekzod", last_name="Rakhimov", language_code="uz")
OTHER_OFFICER = TgUser(id=8102, first_name="Sardor", language_code="en")
OLGA = TgUser(id=7001, first_name="Olga", last_name="Ivanova", language_code="ru")
JOHN = TgUser(id=7002, first_name="John", last_name="Smith", language_code="en")
GROUP = TgChat(id=-1001234567, type="supergroup", title="OCT <duty>")

PRIVATE_TITLE = "Тракторы <b>с двойным дном</b> & «источник»"


async def seed_people(tg: StandIn, seed_user: SeedUser) -> tuple[Officer, Officer, Officer]:
    """An Uzbek-speaking officer of Termez, and two coordinators (Russian, English) who have
    opened their chats with the bot, as registering through an invitation makes them do."""
    officer = await seed_user(OFFICER, Role.OFFICER, "IMT-TER", language="uz")
    olga = await seed_user(OLGA, Role.COORDINATOR, None, language="ru")
    john = await seed_user(JOHN, Role.COORDINATOR, None, language="en")
    for person in (officer, olga, john):
        tg.add_chat(person)
    return Officer(tg, officer), Officer(tg, olga), Officer(tg, john)


async def bind_group(app: FieldReportApplication, tg: StandIn) -> None:
    tg.add_chat(GROUP)
    async with app.services.db.transaction() as repos:
        await repos.settings.set(
            COORDINATION_GROUP,
            json.dumps({"chat_id": GROUP.id, "title": GROUP.title}, ensure_ascii=False),
            by=None,
        )


async def file_incident(o: Officer, *, urgent: bool, description: str = PRIVATE_TITLE) -> str:
    await o.start_form("incident")
    await o.tap_form("category", "opt", "smuggling")
    await o.tap_form("when", "dt", "now")
    await o.say("Ayritom <gate 2>")
    await o.say(description)
    await o.tap_form("urgent", "opt", "yes" if urgent else "no")
    await o.tap_form("photos", "skip")
    await o.tap_form("_", "submit")
    receipt = await o.tg.next_message(o.user.id)
    return receipt.text or ""


async def file_seizure(o: Officer, quantity: str, measure: str, *, urgent: bool) -> str:
    await o.start_form("seizure")
    await o.tap_form("when", "dt", "now")
    await o.say("Oybek")
    await o.tap_form("substance", "opt", "heroin")
    await o.say(quantity)
    await o.tap_form("measure", "opt", measure)
    await o.tap_form("items", "more", "done")
    await o.tap_form("conceal", "skip")
    await o.tap_form("transport", "skip")
    await o.skip_route()
    await o.say("2")
    await o.tap_form("nations", "opt", "af")
    await o.tap_form("nations", "done")
    await o.tap_form("agencies", "opt", "customs")
    await o.tap_form("agencies", "done")
    await o.tap_form("caseref", "skip")
    await o.tap_form("notes", "skip")
    await o.tap_form("photos", "skip")
    await o.tap_form("urgent", "opt", "yes" if urgent else "no")
    await o.tap_form("_", "submit")
    receipt = await o.tg.next_message(o.user.id)
    return receipt.text or ""


def alerts_in(tg: StandIn, chat_id: int) -> list[SentMessage]:
    """The alert copies the bot sent to a chat (they carry the ``alr`` buttons or did)."""
    return [m for m in tg.messages(chat_id) if "🚨" in (m.text or "")]


async def wait_alerts(tg: StandIn, chat_id: int, count: int) -> list[SentMessage]:
    await tg.wait_until(
        lambda: len(alerts_in(tg, chat_id)) >= count, description=f"{count} alert(s) in {chat_id}"
    )
    return alerts_in(tg, chat_id)


def number_in(receipt: str) -> str:
    return next(word for word in receipt.split() if word.count("-") == 2)


def data_of(message: SentMessage, action: str) -> str:
    return next(d for d in message.callback_data if d.startswith(f"alr:v1:{action}:"))


async def test_an_urgent_incident_reaches_every_coordinator_and_the_group_in_their_language(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, _john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        await bind_group(app, tg)
        receipt = await file_incident(o, urgent=True)
        number = number_in(receipt)
        (ru,) = await wait_alerts(tg, OLGA.id, 1)
        (en,) = await wait_alerts(tg, JOHN.id, 1)
        (group,) = await wait_alerts(tg, GROUP.id, 1)
        async with app.services.db.read() as repos:
            report = await repos.reports.get_by_number(number)
        assert report is not None
        catalogs = app.services.catalogs
        # Submitting again (a retried submit) never alerts twice.
        assert not await alert_if_urgent(app.services, app.bot, report, utc_now())
        await tg.wait_idle()
    for copy in (ru, en, group):
        assert number in copy.text
        assert [d.split(":")[2] for d in copy.callback_data] == ["ack", "ask"]
        # Typed by the officer: shown as text, never as markup.
        assert PRIVATE_TITLE in copy.text
        assert "&lt;b&gt;с двойным дном&lt;/b&gt; &amp;" in (copy.html or "")
        assert "Ayritom <gate 2>" in copy.text
    assert report.occurred_at is not None
    assert "Происшествие или оперативные сведения" in ru.text
    assert "Термез" in ru.text
    assert "Попытка контрабанды" in ru.text
    assert catalogs.translator("ru").format_datetime(report.occurred_at, "short") in ru.text
    assert "Incident or intelligence" in en.text
    assert "Termez" in en.text
    assert "Smuggling attempt" in en.text
    assert "Why urgent: marked urgent by the officer" in en.text
    assert catalogs.translator("en").format_datetime(report.occurred_at, "short") in en.text
    assert en.button_texts == ["✅ Acknowledge", "❓ Ask for details"]
    assert "Термез" in group.text  # the group reads the default language (Russian)
    assert [len(alerts_in(tg, chat)) for chat in (OLGA.id, JOHN.id, GROUP.id)] == [1, 1, 1]
    assert alerts_in(tg, OFFICER.id) == []


async def test_acknowledging_edits_every_copy_tells_the_officer_and_a_late_tap_is_told(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        await bind_group(app, tg)
        receipt = await file_incident(o, urgent=True)
        (ru,) = await wait_alerts(tg, OLGA.id, 1)
        (en,) = await wait_alerts(tg, JOHN.id, 1)
        (group,) = await wait_alerts(tg, GROUP.id, 1)
        await tg.wait_idle()
        stale_ack = data_of(en, "ack")
        answer = await john.tap("alr", "ack")
        assert answer["text"] == "Acknowledged. The officer will be told."
        await tg.wait_until(lambda: all(c.edits for c in (ru, en, group)), description="edits")
        notice = await tg.next_message(OFFICER.id)
        # Olga's client still shows the old keyboard: her tap is told who was first.
        late = await tg.wait_callback_answer(await tg.tap(OLGA, ru, stale_ack, forge=True))
        async with app.services.db.read() as repos:
            report = await repos.reports.get_by_number(number_in(receipt))
            assert report is not None
            alert = await repos.alerts.get_by_report(report.id)
        assert alert is not None
        assert alert.acknowledged_at is not None
        catalogs = app.services.catalogs
        await tg.wait_idle()
    for copy in (ru, en, group):
        assert [d.split(":")[2] for d in copy.callback_data] == ["ask"]
        assert "John Smith" in copy.text
    assert "Acknowledged by John Smith at" in en.text
    assert catalogs.translator("ru").format_datetime(alert.acknowledged_at, "short") in ru.text
    assert number_in(receipt) in notice.text
    assert "John Smith" in notice.text
    uz_time = catalogs.translator("uz").format_datetime(alert.acknowledged_at, "short")
    assert uz_time in notice.text  # the officer reads it in Uzbek
    assert late["show_alert"] is True
    assert "John Smith" in str(late["text"])
    assert alert.acknowledged_by is not None
    # Only the first acknowledgement counted, and the officer was told once.
    assert len([m for m in tg.messages(OFFICER.id) if "John Smith" in (m.text or "")]) == 1


async def test_a_large_seizure_alerts_even_when_not_marked_urgent(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, _john = await seed_people(tg, seed_user)
    async with run_bot():
        await file_seizure(o, "1,5", "kg", urgent=False)
        (en,) = await wait_alerts(tg, JOHN.id, 1)
        (ru,) = await wait_alerts(tg, OLGA.id, 1)
    assert "Heroin — 1.5\u00a0kg" in en.text
    assert "Героин" in ru.text
    assert "1,5" in ru.text
    assert "large seizure: 1\u00a0kg or more of one substance" in en.text
    assert "marked urgent" not in en.text
    assert "Persons detained: 2" in en.text


async def test_a_small_seizure_not_marked_urgent_alerts_nobody(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, _john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        await bind_group(app, tg)
        await file_seizure(o, "999", "g", urgent=False)
        await tg.wait_idle()
        assert await realert_due(app.services, app.bot, utc_now() + timedelta(days=1)) == 0
        await tg.wait_idle()
    assert tg.messages(OLGA.id) == []
    assert tg.messages(JOHN.id) == []
    assert tg.messages(GROUP.id) == []


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


async def test_an_unacknowledged_alert_is_sent_again_at_most_the_configured_times(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, john = await seed_people(tg, seed_user)
    async with run_bot(alert_max_repeats=2) as app:
        await bind_group(app, tg)
        await file_incident(o, urgent=True)
        await wait_alerts(tg, GROUP.id, 1)
        await tg.wait_idle()
        repeat = app.services.settings.alert_repeat
        now = utc_now()
        assert await realert_due(app.services, app.bot, now) == 0  # not yet
        first = now + repeat + timedelta(minutes=1)
        assert await realert_due(app.services, app.bot, first) == 3
        assert await realert_due(app.services, app.bot, first) == 0  # the same pass again
        second = first + repeat + timedelta(minutes=1)
        assert await realert_due(app.services, app.bot, second) == 3
        third = second + repeat + timedelta(minutes=1)
        assert await realert_due(app.services, app.bot, third) == 0  # max 2 repeats
        await tg.wait_idle()
        counts = [len(alerts_in(tg, chat)) for chat in (OLGA.id, JOHN.id, GROUP.id)]
        reminder = alerts_in(tg, JOHN.id)[1]
        assert "Reminder: nobody has acknowledged this alert for 31 minutes." in reminder.text
        # Acknowledging edits every copy of every round.
        await john.tap("alr", "ack")
        await tg.wait_until(
            lambda: all(
                m.edits for chat in (OLGA.id, JOHN.id, GROUP.id) for m in alerts_in(tg, chat)
            ),
            description="every copy edited",
        )
    assert counts == [3, 3, 3]


async def test_an_acknowledged_alert_is_not_sent_again(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, olga, _john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        await file_incident(o, urgent=True)
        await wait_alerts(tg, OLGA.id, 1)
        await tg.wait_idle()
        await olga.tap("alr", "ack")
        later = utc_now() + app.services.settings.alert_repeat + timedelta(minutes=1)
        assert await realert_due(app.services, app.bot, later) == 0
        await tg.wait_idle()
    assert len(alerts_in(tg, JOHN.id)) == 1


@pytest.mark.expect_refusals("a coordinator blocked the bot: Telegram refuses their alert")
async def test_a_coordinator_who_blocked_the_bot_does_not_stop_the_others(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, _john = await seed_people(tg, seed_user)
    tg.block_bot(OLGA.id, notify=False)
    async with run_bot() as app:
        await bind_group(app, tg)
        await file_incident(o, urgent=True)
        await wait_alerts(tg, JOHN.id, 1)
        await wait_alerts(tg, GROUP.id, 1)
        await tg.wait_idle()
        later = utc_now() + app.services.settings.alert_repeat + timedelta(minutes=1)
        assert await realert_due(app.services, app.bot, later) == 2
        async with app.services.db.read() as repos:
            (alert,) = await repos.alerts.unacknowledged(max_repeats=99)
            deliveries = await repos.alerts.deliveries(alert.id)
        await tg.wait_idle()
    assert alerts_in(tg, OLGA.id) == []
    assert len(alerts_in(tg, JOHN.id)) == 2
    blocked = {(d.round_no, d.status) for d in deliveries if d.chat_id == OLGA.id}
    assert blocked == {(0, DeliveryStatus.BLOCKED), (1, DeliveryStatus.BLOCKED)}


async def test_a_passing_network_error_is_left_for_the_next_pass(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, _john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        await file_incident(o, urgent=True)
        await wait_alerts(tg, OLGA.id, 1)
        await wait_alerts(tg, JOHN.id, 1)
        await tg.wait_idle()
        # Make the first delivery fail again, as a network failure would, then run a pass.
        async with app.services.db.transaction() as repos:
            (alert,) = await repos.alerts.unacknowledged(max_repeats=99)
            await repos.alerts._conn.execute(
                "UPDATE alert_deliveries SET status = 'pending', lease_until = NULL"
                " WHERE chat_id = ?",
                (JOHN.id,),
            )
        tg.inject_fault("502", "sendMessage")
        assert await realert_due(app.services, app.bot, utc_now()) == 0
        async with app.services.db.read() as repos:
            (still,) = [d for d in await repos.alerts.deliveries(alert.id) if d.chat_id == JOHN.id]
        assert still.status is DeliveryStatus.PENDING
        tg.clear_faults()
        assert await realert_due(app.services, app.bot, utc_now()) == 1
        await tg.wait_idle()
    assert len(alerts_in(tg, JOHN.id)) == 2
    assert len(alerts_in(tg, OLGA.id)) == 1


async def test_a_coordinator_acts_on_the_groups_copy(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, _john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        await bind_group(app, tg)
        await file_incident(o, urgent=True)
        (group,) = await wait_alerts(tg, GROUP.id, 1)
        (ru,) = await wait_alerts(tg, OLGA.id, 1)
        await tg.wait_idle()
        tg.skip_messages(JOHN.id)
        asked = await tg.wait_callback_answer(await tg.tap(JOHN, group, data_of(group, "ask")))
        prompt = await tg.next_message(JOHN.id)  # typed in private, never in the group
        acked = await tg.wait_callback_answer(await tg.tap(JOHN, group, data_of(group, "ack")))
        await tg.wait_until(lambda: bool(group.edits and ru.edits), description="edits")
        await tg.wait_idle()
    assert asked.get("text") in (None, "")
    assert prompt.text.startswith("Type your question about report")
    assert acked["text"] == "Acknowledged. The officer will be told."
    assert "John Smith" in group.text
    assert [d.split(":")[2] for d in group.callback_data] == ["ask"]
    assert len(tg.messages(GROUP.id)) == 1  # nothing else was said in the group


async def test_the_realert_job_runs_every_minute_and_sends_what_is_owed(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, _john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        assert app.job_queue is not None
        (job,) = app.job_queue.get_jobs_by_name("urgent-realert")
        assert job.job.trigger.interval == timedelta(seconds=60)  # type: ignore[attr-defined]
        await file_incident(o, urgent=True)
        await wait_alerts(tg, JOHN.id, 1)
        await tg.wait_idle()
        async with app.services.db.transaction() as repos:  # as if John's copy had failed
            await repos.alerts._conn.execute(
                "UPDATE alert_deliveries SET status = 'pending', lease_until = NULL"
                " WHERE chat_id = ?",
                (JOHN.id,),
            )
        await job.run(app)
        await wait_alerts(tg, JOHN.id, 2)
        await tg.wait_idle()
    assert len(alerts_in(tg, OLGA.id)) == 1
