"""Flood control: far more than a person can send gets one notice and is ignored a while."""

from __future__ import annotations

from bot.standin import StandIn, TgUser
from tests.e2e.conftest import RunBot, SeedUser

NOTICE = "You are sending messages faster than I can read them."


async def test_a_flood_gets_one_notice_and_everyone_else_is_still_served(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    flooder = await seed_user(TgUser(id=9101, first_name="Spam", language_code="en"))
    colleague = await seed_user(TgUser(id=9102, first_name="Calm", language_code="en"))
    async with run_bot() as app:
        for n in range(40):
            await tg.send_text(flooder, f"message {n}")
        await tg.wait_until(
            lambda: any(NOTICE in (m.text or "") for m in tg.messages(flooder.id)),
            description="the flood notice",
        )
        await tg.send_text(colleague, "/help")
        await tg.next_message(colleague.id)
        await tg.send_text(flooder, "/help")  # still inside the cooldown: ignored
        await tg.send_text(colleague, "/start")
        await tg.next_message(colleague.id)
        async with app.services.db.read() as repos:
            flood_lines = [e for e in await repos.audit.latest(100) if e.action == "access.flood"]
    texts = [m.text or "" for m in tg.messages(flooder.id)]
    assert sum(NOTICE in t for t in texts) == 1
    assert len(texts) == 31  # thirty answers, one notice, then silence
    assert not any("Commands:" in t for t in texts)
    assert len(flood_lines) == 1
