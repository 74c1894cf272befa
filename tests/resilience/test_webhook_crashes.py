"""Webhook mode under SIGKILL: the bot answers Telegram's POST with 200 only once the update is
recorded, so a kill between that answer and the handling loses nothing; a kill after handling
whose 200 was lost gets the same update_id posted again, which is applied once.

Same officers and checks as test_crashes.py; the bot is ``python -m bot run`` with WEBHOOK_URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import time

from bot.standin import StandInTimeout
from tests.resilience.checks import answers_not_as_planned, check_reports
from tests.resilience.conftest import FIGURES, World
from tests.resilience.filing_loop import keep_filing, plans, reraise_failures
from tests.support.bot_process import BotProcess

SEED = 20261206
KILLS = 12
WIND_DOWN = 4


def free_port() -> int:
    """A port for the bot's server that stays the same across its restarts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_bot(world: World) -> BotProcess:
    port = free_port()
    return world.bot(
        run_jobs=False,
        env={
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
            "WEBHOOK_SECRET": "resilience-webhook-secret",
        },
    )


def unhandled(world: World) -> int:
    rows = world.query("SELECT COUNT(*) FROM received_updates WHERE handled_at IS NULL")
    return int(rows[0][0])  # type: ignore[call-overload]


async def kill_after_a_200(world: World, bot: BotProcess, *, lose_it: bool) -> bool:
    """SIGKILL the bot the moment it answered a delivery 200: the update is recorded and
    (most likely) not handled yet. With ``lose_it`` the 200 never reaches "Telegram" either,
    which posts the same update again to the next process. True when a delivery was hit."""
    hit = False

    def on_delivered(update_id: int, status: int | str) -> None:
        nonlocal hit
        if status == 200 and bot.running and not hit:
            hit = True
            bot.kill()

    if lose_it:
        world.tg.inject_delivery_fault("lost_answer")
    world.tg.on_delivered = on_delivered
    with contextlib.suppress(StandInTimeout):  # officers act every second or so
        await world.tg.wait_until(lambda: hit, timeout=8, description="a delivery")
    world.tg.on_delivered = None
    world.tg.clear_delivery_faults()
    if not hit:
        bot.kill()
    return hit


async def test_officers_keep_filing_while_the_webhook_bot_is_killed(world: World) -> None:
    started = time.monotonic()
    world.tg.state.allow_http_webhook = True
    world.tg.webhook_retry_delay = 0.02
    world.tg.webhook_retry_max = 0.2
    rng = random.Random(SEED)
    bot = webhook_bot(world)
    officers = [
        world.officer(user, bot, SEED + i, patience=4.0) for i, user in enumerate(world.officers)
    ]
    stop = asyncio.Event()
    await bot.start()
    tasks = [
        asyncio.create_task(keep_filing(o, i, stop), name=f"officer-{i}")
        for i, o in enumerate(officers)
    ]
    after_200 = lost = replayed = 0
    try:
        while bot.kills < KILLS:
            reraise_failures(tasks)
            kind = bot.kills % 3
            if kind == 0:
                await asyncio.sleep(rng.uniform(0.05, 0.7))
                bot.kill()
            else:
                hit = await kill_after_a_200(world, bot, lose_it=kind == 2)
                after_200 += hit and kind == 1
                lost += hit and kind == 2
            replayed += unhandled(world)  # recorded, answered 200, not handled: applied next
            await bot.start()
            reraise_failures(tasks)
            if bot.kills >= KILLS - WIND_DOWN:
                stop.set()
        done, _ = await asyncio.wait(tasks, timeout=60, return_when=asyncio.FIRST_EXCEPTION)
        reraise_failures(tasks)
        assert len(done) == len(tasks), "officers did not finish their last report in 60 s"
        await world.tg.wait_idle(timeout=10)
        assert await bot.stop() == 0, bot.log_tail()  # SIGTERM: a clean stop
    finally:
        for task in tasks:
            task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.gather(*tasks, return_exceptions=True)
        world.tg.on_delivered = None
        bot.close()

    check_reports(world, officers)  # every receipt's report exactly once, none lost
    assert answers_not_as_planned(world, officers, plans) == []
    assert all(o.filed for o in officers)
    assert unhandled(world) == 0, "an update recorded was never handled"
    assert after_200 + lost >= 4, "too few kills right after a 200"
    assert replayed >= 2, "too few updates were recorded and unhandled at a kill"
    posted_again = sum(
        1
        for n, (uid, status) in enumerate(world.tg.deliveries)
        if status == 200 and any(u == uid and s == 200 for u, s in world.tg.deliveries[:n])
    )
    summary = (
        f"webhook: {bot.kills} kills ({after_200} right after a 200, {lost} after a 200 that "
        f"was lost), {replayed} recorded updates applied after a restart, {posted_again} "
        f"updates posted again; {sum(len(o.filed) for o in officers)} reports, "
        f"{sum(o.retries for o in officers)} retries, {time.monotonic() - started:.1f}s"
    )
    print("\n" + summary)
    FIGURES.append(summary)
