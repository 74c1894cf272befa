"""Every kind of message the bot sends arrives as HTML and reads as text, never as markup.

The bot parses only where a sent message is (bot/telegram_bot.py) and encodes its keyboards by
hand; PTB's ``Defaults(parse_mode=HTML)`` must still reach every call that carries text or a
caption: a form question, an answered question edited, a receipt, an alert and its
acknowledgement, an admin's card, a refusal, the digest's text, chart and spreadsheet.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot import delivery
from bot.standin import StandIn, TgUser
from tests.e2e.conftest import ADMIN, RunBot, SeedUser
from tests.e2e.digest_lane_steps import COORDINATOR_EN, add_report, local, setup_people
from tests.e2e.digest_lane_steps import OFFICER_TER as DIGEST_OFFICER
from tests.e2e.urgent_steps import OFFICER, file_seizure, seed_people, wait_alerts
from tests.support.driver import Officer

#: Bot API methods that carry what people read (a text or a caption).
TEXT_METHODS = {"sendMessage", "editMessageText", "sendPhoto", "sendDocument"}
MARKUP = re.compile(r"</?(b|i|u|s|code|pre|a)\b[^>]*>|&(lt|gt|amp|quot);")


def assert_every_text_went_as_html(tg: StandIn) -> set[str]:
    """Every call with a text or caption said parse_mode HTML; no chat shows a tag or an
    entity. Returns the methods seen."""
    seen = set()
    for method, params in tg.calls:
        if method in TEXT_METHODS and ("text" in params or "caption" in params):
            seen.add(method)
            assert params.get("parse_mode") == "HTML", (method, sorted(params))
    for chat_id in {params["chat_id"] for method, params in tg.calls if method in TEXT_METHODS}:
        for message in tg.messages(int(chat_id)):
            shown = message.text if message.text is not None else message.caption
            if shown is not None:
                assert message.parse_mode == "HTML", tg.describe_chat(int(chat_id))
                assert not MARKUP.search(shown), shown
    return seen


async def test_forms_receipts_alerts_cards_and_refusals_arrive_as_html(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    officer, _, john = await seed_people(tg, seed_user)
    stranger = TgUser(id=8999, first_name="Stranger", language_code="en")
    admin = Officer(tg, ADMIN)
    async with run_bot():
        receipt = await file_seizure(officer, "3", "kg", urgent=True)
        assert re.search(r"\bSZ-\d{4}-\d{6}\b", receipt)
        (alert,) = await wait_alerts(tg, john.user.id, 1)
        await john.tap("alr", "ack")
        await tg.wait_until(lambda: alert.edits > 0, description="the alert edited")
        card = await admin.say(f"/user {OFFICER.id}")
        assert "Bekzod" in (card.text or "")
        await tg.send_text(stranger, "/report")
        refusal = await tg.next_message(stranger.id)
        assert refusal.text
        await tg.wait_idle()
    answered = [m for m in tg.messages(OFFICER.id) if m.edits and not m.buttons]
    assert answered, "a typed answer's question is edited to read the answer"
    assert assert_every_text_went_as_html(tg) == {"sendMessage", "editMessageText"}


async def test_the_digest_text_chart_and_spreadsheet_arrive_as_html(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await setup_people(seed_user)
    day = date(2026, 11, 20)
    async with run_bot() as app:
        await add_report(app, DIGEST_OFFICER.id, day, "k1", submitted=local(day, 12), kg="1.5")
        now = local(day + timedelta(days=1), 8)
        await delivery.make_due_run(app.services, now)
        assert await delivery.deliver_due(app.services, app.bot, now) == 2
    assert "20 November 2026" in (tg.messages(COORDINATOR_EN.id)[0].text or "")
    assert assert_every_text_went_as_html(tg) == {"sendMessage", "sendPhoto", "sendDocument"}
