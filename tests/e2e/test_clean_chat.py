"""A clean chat: only the current question carries buttons, answered questions read their
answer, the summary shows every answer whole, and urgency reads the same everywhere.

Every step below waits until the bot is idle and counts the messages in the officer's chat that
still carry buttons: exactly one while a form is open, none once it is filed or discarded."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest

from bot.forms.readback import answered_text
from bot.i18n import Catalogs, Translator
from bot.standin import FaultKind, SentMessage, StandIn, TgUser
from tests.e2e.conftest import ADMIN, RunBot, SeedUser
from tests.e2e.flood_limit import unhurried as patient
from tests.e2e.urgent_steps import JOHN, file_incident, seed_people, wait_alerts
from tests.support.driver import Officer

QUANTITY = {"uz": "1,5", "uz_Cyrl": "1,5", "ru": "1,5", "en": "1.5"}
THOUSANDS = {"uz": "1 200", "uz_Cyrl": "1 200", "ru": "1 200", "en": "1,200"}


class Counted(Officer):
    """An officer whose every step ends with the bot idle and one message with buttons."""

    buttons_expected: int = 1

    async def settled(self) -> None:
        await self.tg.wait_idle()
        carrying = self.with_buttons()
        assert len(carrying) == self.buttons_expected, self.tg.describe_chat(self.user.id)

    async def say(self, text: str) -> SentMessage:
        reply = await super().say(text)
        await self.settled()
        return reply

    async def photo(self) -> SentMessage:
        reply = await super().photo()
        await self.settled()
        return reply

    async def tap(self, prefix: str, *parts: str | None) -> dict[str, object]:
        answer = await super().tap(prefix, *parts)
        await self.settled()
        return answer


def person(language: str) -> TgUser:
    return TgUser(id=8101, first_name="Nodira", language_code=language)


def catalog(language: str) -> Translator:
    return Catalogs(ZoneInfo("Asia/Tashkent")).translator(language)


async def walk_seizure(o: Counted, language: str, *, urgent: str, notes: str | None) -> None:
    await o.start_form("seizure")
    await o.settled()
    await o.tap_form("when", "dt", "now")
    await o.say("Ayritom, terminal 2")
    await o.tap_form("substance", "opt", "heroin")
    await o.say(QUANTITY[language])
    await o.tap_form("measure", "opt", "kg")
    await o.tap_form("items", "more", "done")
    await o.tap_form("conceal", "opt", "vehicle")
    await o.tap_form("transport", "opt", "car")
    await o.skip_route()
    await o.say("2")
    await o.tap_form("nations", "opt", "uz")
    await o.tap_form("nations", "done")
    await o.tap_form("agencies", "opt", "customs")
    await o.tap_form("agencies", "done")
    await o.say("CASE-7")
    if notes is None:
        await o.tap_form("notes", "skip")
    else:
        await o.say(notes)
    await o.photo()
    await o.tap_form("photos", "done")
    await o.tap_form("urgent", "opt", urgent)


@pytest.mark.parametrize("language", ["uz", "ru", "en"])
async def test_a_seizure_keeps_one_message_with_buttons_at_every_step(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, language: str
) -> None:
    o = Counted(tg, await seed_user(person(language)))
    tr = catalog(language)
    async with run_bot():
        await walk_seizure(o, language, urgent="yes", notes=None)
        # The typed answers read back on their questions, without buttons.
        answered = [m.text for m in o.chat if m.text.endswith(" ✓")]
        quantity = tr.gettext("Quantity")
        assert any(f"{quantity}: {QUANTITY[language]} ✓" in text for text in answered), answered
        assert len(answered) == 5  # place, quantity, detained, case number, the photo
        o.buttons_expected = 0
        await o.tap_form("_", "submit")
        assert tr.gettext("Urgent") in o.last().text


@pytest.mark.parametrize("language", ["uz", "uz_Cyrl", "ru", "en"])
async def test_every_form_keeps_one_message_with_buttons_in_every_language(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, language: str
) -> None:
    """The four forms, one after another, in each language (Cyrillic Uzbek is a choice made
    with /language, stored with the person: Telegram reports no script)."""
    user = person(language.split("_")[0])
    o = Counted(tg, await seed_user(user, language=language))
    async with run_bot(setup=patient):  # four forms in a row: faster than flood control allows
        await walk_seizure(o, language, urgent="no", notes="Under the spare wheel.")
        o.buttons_expected = 0
        await o.tap_form("_", "submit")
        tg.skip_messages(o.user.id)  # the receipt, read

        o.buttons_expected = 1
        await o.start_form("incident")
        await o.settled()
        await o.tap_form("category", "opt", "smuggling")
        await o.tap_form("when", "dt", "now")
        await o.say("Oybek")
        await o.say("A lorry waited at the border for two days.")
        await o.tap_form("urgent", "opt", "no")
        await o.tap_form("photos", "skip")
        o.buttons_expected = 0
        await o.tap_form("_", "submit")
        tg.skip_messages(o.user.id)  # the receipt, read

        o.buttons_expected = 1
        await o.start_form("joint_operation")
        await o.settled()
        await o.tap_form("start", "dt", "now")
        await o.tap_form("end", "dt", "now")
        await o.tap_form("agencies", "opt", "customs")
        await o.tap_form("agencies", "done")
        await o.say("3")
        await o.say("4")
        await o.say("Nothing found.")
        await o.tap_form("notes", "skip")
        o.buttons_expected = 0
        await o.tap_form("_", "submit")
        tg.skip_messages(o.user.id)  # the receipt, read

        o.buttons_expected = 1
        await o.start_form("daily_status")
        await o.settled()
        await o.tap_form("_", "edit", "remarks")
        await o.say("All quiet.")
        o.buttons_expected = 0
        await o.tap_form("_", "submit")
        receipts = [m.text for m in o.chat if m.text.startswith("✅")]
        assert len(receipts) == 4, receipts
        if language == "uz_Cyrl":
            assert all(re.search("[а-яўқғҳ]", text) for text in receipts), receipts


@pytest.mark.parametrize("language", ["uz", "en"])
async def test_a_joint_operation_keeps_one_message_with_buttons_at_every_step(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, language: str
) -> None:
    o = Counted(tg, await seed_user(person(language)))
    async with run_bot():
        await o.start_form("joint_operation")
        await o.settled()
        await o.tap_form("start", "dt", "today")
        await o.say("00:05")
        await o.tap_form("end", "dt", "now")
        await o.tap_form("agencies", "opt", "mia")
        await o.tap_form("agencies", "done")
        await o.say("14")
        await o.say("abc")  # a wrong answer: the question above keeps its buttons
        await o.say(THOUSANDS[language])
        await o.say("Checked the Termez–Boysun road; nothing found.")
        await o.say("/cancel")  # asks to confirm: the confirmation carries the buttons
        await o.tap_form("_", "cancel_no")
        await o.tap_form("notes", "skip")
        o.buttons_expected = 0
        await o.tap_form("_", "submit")


async def test_cancel_leaves_no_buttons_behind(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o = Counted(tg, await seed_user(person("ru")))
    async with run_bot():
        await o.start_form("joint_operation")
        await o.settled()
        await o.tap_form("start", "dt", "now")
        await o.tap_form("end", "dt", "now")
        await o.tap_form("agencies", "opt", "mia")
        await o.tap_form("agencies", "done")
        await o.say("14")
        await o.say("/cancel")
        o.buttons_expected = 0
        await o.tap_form("_", "cancel_yes")


async def test_a_resumed_draft_moves_its_buttons_to_the_resumed_question(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o = Counted(tg, await seed_user(person("en")))
    async with run_bot():
        await o.start_form("joint_operation")
        await o.settled()
        await o.tap_form("start", "dt", "now")
        await o.tap_form("end", "dt", "now")
        await o.tap_form("agencies", "opt", "mia")
        await o.tap_form("agencies", "done")
        await o.say("/report")  # the offer to continue takes the buttons
        assert o.screen() is o.last()
        await o.say("/report")
        await o.tap("rep", "resume")
        await o.say("14")


async def test_the_summary_shows_a_long_note_whole(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o = Counted(tg, await seed_user(person("ru")))
    note = "Досмотр & проверка <документов>. " * 44  # about 1 500 characters
    note = note.strip()[:1500]
    async with run_bot():
        await walk_seizure(o, "ru", urgent="yes", notes=note)
        summary_text = "\n".join(m.text for m in o.chat[-2:])
        assert note in summary_text
        assert "…" not in summary_text


async def test_a_large_seizure_reads_urgent_everywhere(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    """1,5 kg of heroin reaches coordinators as urgent (the threshold is 1 kg) although the
    officer answered "No": the summary, the receipt and /myreports say so too."""
    o = Counted(tg, await seed_user(person("en")))
    tr = catalog("en")
    large = f"{tr.gettext('Urgent')}: {tr.gettext('Yes — large seizure')}"
    async with run_bot():
        await walk_seizure(o, "en", urgent="no", notes=None)
        assert large in o.screen().text  # the summary, before filing
        o.buttons_expected = 0
        await o.tap_form("_", "submit")
        receipt = await tg.next_message(o.user.id)
        assert large in receipt.text
        o.buttons_expected = 1
        await o.say("/myreports")
        await o.tap("my", "open")
        assert large in o.screen().text


async def test_an_admins_typed_answers_leave_only_the_open_question_with_buttons(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    tg.add_chat(ADMIN)
    o = Counted(tg, ADMIN)
    async with run_bot():
        await o.say("/units")
        await o.tap("unt", "new")
        await o.tap("unt", "kind", "BLO")
        await o.say("x")  # not a code: asked again, with the reason
        await o.say("BLO-NEW")
        await o.say("Yangi post")
        await o.say("Новый пост")
        await o.say("New post")  # the unit's card, with its buttons
        await o.tap("unt", "cps")
        await o.tap("unt", "cpa")
        o.buttons_expected = 1
        await o.say("Ayritom-2")  # asked where it is: Skip and Stop
        await o.say("999, 999")  # not a place: asked again, with the reason
        await o.say("37.25, 67.1")  # the list of crossing points, with its buttons
        await o.tap("unt", "cpa")
        await o.say("Ayritom-3")
        await o.tap("unt", "cpk")  # skipped: the list again, the question lost its buttons
        await o.tap("unt", "cpa")
        o.buttons_expected = 0
        await o.say("/cancel")


def test_answered_text_is_escaped() -> None:
    """Typed values read back on the answered question stay text, never markup."""
    from bot.forms.definitions import JOINT_OPERATION
    from bot.forms.state import Ask, Draft

    tr = catalog("en")
    spec = JOINT_OPERATION.field_index["result"]
    draft = Draft("d", JOINT_OPERATION.key, answers={"result": "<b>x</b> & y"})
    text = answered_text(JOINT_OPERATION, Ask(spec), draft, tr)
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y ✓" in text


async def test_a_coordinators_prompt_loses_its_cancel_button_once_the_question_went(
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
        assert prompt.buttons
        await john.say("Which crossing exactly?")
        await tg.wait_idle()
        assert prompt.message_id not in [m.message_id for m in john.with_buttons()]
        # The officer's answer prompt goes the same way, and so does one given up by /cancel.
        await o.tap("ans", "reply")
        await tg.wait_idle()
        answer_prompt = o.last()
        assert answer_prompt.buttons
        await o.say("/cancel")
        await tg.wait_idle()
        assert answer_prompt.message_id not in [m.message_id for m in o.with_buttons()]


async def test_tapping_the_selected_filter_again_makes_no_refused_edit(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    """Telegram refuses an edit that changes nothing; the autouse check fails on it."""
    tg.add_chat(ADMIN)
    admin = Officer(tg, ADMIN)
    await seed_user(person("uz"))
    async with run_bot():
        listing = await admin.say("/users")
        selected = next(
            data
            for row in listing.buttons
            for label, data in row
            if label.startswith("✓ ") and data is not None
        )
        for _ in range(2):
            await tg.wait_callback_answer(await tg.tap(ADMIN, listing, selected))
        await tg.wait_idle()
        assert tg.refusals == []


async def test_a_joint_operations_two_long_answers_are_shown_whole(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o = Counted(tg, await seed_user(person("en")))
    result, notes = "R&" * 750, "<N>" * 500  # 1 500 characters each
    async with run_bot():
        await o.start_form("joint_operation")
        await o.settled()
        await o.tap_form("start", "dt", "now")
        await o.tap_form("end", "dt", "now")
        await o.tap_form("agencies", "opt", "mia")
        await o.tap_form("agencies", "done")
        await o.say("14")
        await o.say("120")
        await o.say(result)
        summary = await o.say(notes)
        assert result in summary.text
        assert notes in summary.text


async def test_a_report_of_long_answers_opens_whole_in_my_reports(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    """Opened from /myreports, a report longer than one message continues in new messages,
    its buttons on the last, and Telegram refuses nothing."""
    o = Counted(tg, await seed_user(person("en")))
    # 1 500 characters each, the most an answer may have; the emoji count twice for Telegram.
    result, notes = "R&" * 750, "🚨" * 1500
    async with run_bot():
        await o.start_form("joint_operation")
        await o.settled()
        await o.tap_form("start", "dt", "now")
        await o.tap_form("end", "dt", "now")
        await o.tap_form("agencies", "opt", "mia")
        await o.tap_form("agencies", "done")
        await o.say("14")
        await o.say("120")
        await o.say(result)
        await o.say(notes)
        o.buttons_expected = 0  # the receipt carries none
        await o.tap_form("_", "submit")
        o.buttons_expected = 1
        await o.say("/myreports")
        await o.tap("my", "open")
        shown = "\n".join(m.text for m in tg.messages(o.user.id)[-3:])
        assert result in shown
        assert notes in shown
        assert o.last().buttons
        assert tg.refusals == []


@pytest.mark.parametrize("fault", ["400", "500"])
async def test_a_failed_edit_of_the_answered_question_loses_nothing(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, fault: FaultKind
) -> None:
    """Taking the buttons off is best effort: the answer is kept and the next question asked."""
    o = Officer(tg, await seed_user(person("en")))
    async with run_bot():
        await o.start_form("joint_operation")
        await o.tap_form("start", "dt", "now")
        await o.tap_form("end", "dt", "now")
        await o.tap_form("agencies", "opt", "mia")
        await o.tap_form("agencies", "done")
        tg.inject_fault(fault, method="editMessageText")
        persons = await o.say("14")
        await tg.wait_idle()
        assert ("editMessageText", fault) in tg.faults_fired
        assert persons.buttons  # the next question came, with its buttons
        result = await o.say("120")  # and the answer before was kept: the form goes on
        await tg.wait_idle()
        assert result.buttons
        assert o.screen() is result
