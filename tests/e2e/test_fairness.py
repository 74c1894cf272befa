"""One person cannot slow everybody: Telegram's 429 for one chat delays that chat only."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from bot.standin import StandIn, TgUser
from tests.e2e.conftest import RunBot, SeedUser
from tests.e2e.digest_steps import COORDINATOR, OFFICER_TER, add_report, people, ru
from tests.e2e.urgent_steps import alerts_in, file_incident, seed_people, wait_alerts


async def test_a_429_for_one_chat_does_not_delay_another_chats_reply(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, caplog: pytest.LogCaptureFixture
) -> None:
    paused = await seed_user(TgUser(id=9201, first_name="Slow", language_code="en"))
    other = await seed_user(TgUser(id=9202, first_name="Other", language_code="en"))
    tg.inject_fault("429", "sendMessage", retry_after=3, chat_id=paused.id)
    with caplog.at_level(logging.WARNING, logger="bot.rate_limit"):
        async with run_bot():
            await tg.send_text(paused, "/help")
            await tg.wait_until(
                lambda: any(p.get("chat_id") == paused.id for _, p, _ in tg.failures),
                description="the 429 for the first chat",
            )
            await tg.send_text(other, "/help")
            await tg.next_message(other.id, timeout=2.5)  # well before the 3 s pause ends
            assert tg.messages(paused.id) == []  # still paused
            reply = await tg.next_message(paused.id, timeout=8)  # then retried, once
    assert "Commands:" in (reply.text or "")
    assert len(tg.messages(paused.id)) == 1
    lines = [r for r in caplog.records if r.name == "bot.rate_limit"]
    assert len(lines) == 1
    assert lines[0].exc_info is None
    assert f"chat {paused.id}" in lines[0].getMessage()


async def test_one_hung_chat_does_not_delay_the_other_coordinators_alert(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, olga, john = await seed_people(tg, seed_user)
    async with run_bot():
        tg.inject_fault("slow", "sendMessage", delay=3.0, chat_id=olga.user.id)
        await file_incident(o, urgent=True)
        await wait_alerts(tg, john.user.id, 1)
        assert alerts_in(tg, olga.user.id) == []  # hers is still on its way
        await wait_alerts(tg, olga.user.id, 1)  # and arrives, once
        await tg.wait_idle()
    assert len(alerts_in(tg, olga.user.id)) == 1
    assert len(alerts_in(tg, john.user.id)) == 1


async def test_a_second_export_while_one_is_being_made_is_told_to_wait(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await people(seed_user)
    command = "/export 01.11.2026 30.11.2026"

    def documents() -> int:
        return sum(1 for m in tg.messages(COORDINATOR.id) if m.document)

    async with run_bot() as app:
        tr = ru(app)
        wait = tr.gettext(
            "I am still preparing your previous export. Please wait until it arrives, "
            "then ask again."
        )
        await add_report(app, OFFICER_TER, date(2026, 11, 15), kg="1")
        tg.inject_fault("slow", "sendDocument", delay=2.0, chat_id=COORDINATOR.id)
        await tg.send_text(COORDINATOR, command)
        await tg.wait_until(
            lambda: bool(tg.calls_to("sendDocument")), description="the first export on its way"
        )
        await tg.send_text(COORDINATOR, command)
        await tg.wait_until(
            lambda: any(m.text == wait for m in tg.messages(COORDINATOR.id)),
            description="the second request told to wait",
        )
        await tg.wait_idle(timeout=8)  # the first file arrives
        await tg.send_text(COORDINATOR, command)  # now a new one is made
        await tg.wait_until(lambda: documents() == 2, timeout=8, description="the second file")
        await tg.wait_idle()
    texts = [m.text for m in tg.messages(COORDINATOR.id) if not m.document]
    assert texts == [wait]
    assert documents() == 2
