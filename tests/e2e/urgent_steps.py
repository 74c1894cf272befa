"""The urgent lane's people and steps shared by the e2e tests: who files and who is alerted,
filing an incident or a seizure, and waiting for the alerts that follow."""

from __future__ import annotations

import json

from bot.context import FieldReportApplication
from bot.standin import SentMessage, StandIn, TgChat, TgUser
from storage import Role
from storage.bot_settings import COORDINATION_GROUP
from tests.e2e.conftest import SeedUser
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
