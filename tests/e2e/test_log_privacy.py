"""Data protection in the log: at DEBUG, with every library logging, nothing people wrote.

A registration through an invitation, a seizure report with distinctive typed answers, an
urgent alert, a coordinator's question and the officer's answer — then every record the
process logged is searched (its message, its arguments, its traceback) for any of it.
"""

from __future__ import annotations

import logging

import pytest

from bot.standin import StandIn, TgUser
from storage import Role
from tests.e2e.conftest import ADMIN, TOKEN, WEBHOOK_SECRET, RunBot, SeedUser
from tests.e2e.invite_steps import invite_via_buttons
from tests.e2e.urgent_steps import number_in, wait_alerts
from tests.support.driver import Officer

INVITEE = TgUser(
    id=7401,
    first_name="Zulfiyaxon",
    last_name="Qodirova-Noyob",
    username="zulfiya_noyob_77",
    language_code="en",
)
COORDINATOR = TgUser(id=7402, first_name="Rustamjon", last_name="Mirzayev", language_code="en")
PLACE = "Oybek-Zarafshon-7731"
QUANTITY = "987,654"
PERSONS = "13"
CASE = "CASE-QX-4417"
NOTES = "Driver Ulugbek Tursunov, tel +998 90 765 43 21, hid it in the spare wheel"
QUESTION = "Which warehouse in Sherobod did Tursunov name?"
ANSWER = "Warehouse number 19 behind the Sherobod cotton gin"
NUMBERS = ("998907654321", "90 765 43 21")


def distinctive(invite_token: str) -> list[str]:
    words = [
        TOKEN,
        TOKEN.split(":", 1)[1],
        WEBHOOK_SECRET,
        invite_token,
        INVITEE.first_name,
        "Qodirova",
        "zulfiya_noyob",
        COORDINATOR.first_name,
        "Mirzayev",
        PLACE,
        QUANTITY,
        CASE,
        "Ulugbek",
        "Tursunov",
        "spare wheel",
        "Sherobod",
        "cotton gin",
        *NUMBERS,
    ]
    return words


def texts_of(record: logging.LogRecord) -> list[str]:
    args = record.args if isinstance(record.args, tuple) else (record.args,)
    texts = [record.getMessage(), repr(args), str(record.msg)]
    texts.append(logging.Formatter("%(message)s").format(record))  # with the traceback
    texts += [repr(value) for key, value in vars(record).items() if key not in ("args", "msg")]
    return texts


async def file_seizure(o: Officer) -> str:
    await o.start_form("seizure")
    await o.tap_form("when", "dt", "now")
    await o.say(PLACE)
    await o.tap_form("substance", "opt", "heroin")
    await o.say(QUANTITY)
    await o.tap_form("measure", "opt", "kg")
    await o.tap_form("items", "more", "done")
    await o.tap_form("conceal", "skip")
    await o.tap_form("transport", "skip")
    await o.skip_route()
    await o.say(PERSONS)
    await o.tap_form("nations", "opt", "af")
    await o.tap_form("nations", "done")
    await o.tap_form("agencies", "opt", "customs")
    await o.tap_form("agencies", "done")
    await o.say(CASE)
    await o.say(NOTES)
    await o.tap_form("photos", "skip")
    await o.tap_form("urgent", "opt", "yes")
    await o.tap_form("_", "submit")
    receipt = await o.tg.next_message(o.user.id)
    return receipt.text or ""


async def test_nothing_people_wrote_reaches_the_log_even_at_debug(
    tg: StandIn,
    run_bot: RunBot,
    seed_user: SeedUser,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    """In both modes: polling, and a webhook whose server gets every update's content."""
    await seed_user(COORDINATOR, Role.COORDINATOR, None, language="en")  # the test's own doing
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # as talkative as it gets
    officer = Officer(tg, INVITEE)
    coordinator = Officer(tg, COORDINATOR)
    async with run_bot() as app:
        _link, invite_token = await invite_via_buttons(app, tg, "Сотрудник", "Термез")
        await tg.send_text(INVITEE, f"/start {invite_token}")
        await tg.next_message(INVITEE.id)
        await tg.wait_idle()
        tg.skip_messages(INVITEE.id)
        number = number_in(await file_seizure(officer))
        await wait_alerts(tg, COORDINATOR.id, 1)
        await tg.wait_idle()
        tg.skip_messages(COORDINATOR.id)
        tg.skip_messages(INVITEE.id)
        await coordinator.tap("alr", "ask")
        await tg.next_message(COORDINATOR.id)
        await coordinator.say(QUESTION)
        question = await tg.next_message(INVITEE.id)
        await officer.tap("ans", "reply")
        await tg.next_message(INVITEE.id)
        await officer.say(ANSWER)
        delivered = await tg.next_message(COORDINATOR.id)
        await tg.wait_idle()
    # It all happened, and the bot said it in the chats…
    assert QUESTION in (question.text or "") and number in (question.text or "")
    assert ANSWER in (delivered.text or "")
    assert ADMIN.id in tg.state.chats
    # …and Bot API calls, updates, SQL and HTTP requests were logged at DEBUG…
    names = {record.name for record in caplog.records}
    assert {"telegram.ext.ExtBot", "telegram.ext.Application", "aiosqlite", "httpx"} <= names
    assert any("sendMessage" in record.getMessage() for record in caplog.records)
    if mode == "webhook":  # every update came through the bot's webhook server
        assert tg.deliveries and not tg.calls_to("getUpdates")
    # …without a word of it.
    secrets = distinctive(invite_token)
    leaks = [
        (record.name, secret, text[:200])
        for record in caplog.records
        for text in texts_of(record)
        for secret in secrets
        if secret in text
    ]
    assert not leaks, leaks[:5]
