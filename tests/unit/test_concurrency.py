"""The update processor: a person's queue never takes the slots other people need, and flood
control drops an ignored update before it waits for anything."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Update

from bot import flood
from bot.concurrency import PerPersonUpdateProcessor
from bot.flood import FloodGuard, Verdict


def _update(update_id: int, person: int) -> Update:
    user = {"id": person, "is_bot": False, "first_name": "P"}
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": person, "type": "private"},
                "from": user,
                "text": "hello",
            },
        },
        None,
    )


async def test_a_queued_burst_holds_one_slot_and_others_go_past_it() -> None:
    processor = PerPersonUpdateProcessor(2)
    release = asyncio.Event()
    order: list[int] = []

    async def noisy(n: int) -> None:
        order.append(n)
        await release.wait()

    served = asyncio.Event()

    async def quiet() -> None:
        served.set()

    burst = [
        asyncio.create_task(processor.process_update(_update(n, 1), noisy(n))) for n in range(10)
    ]
    other = asyncio.create_task(processor.process_update(_update(99, 2), quiet()))
    await asyncio.wait_for(served.wait(), 5)  # not stuck behind the nine queued updates
    await other
    assert processor.current_concurrent_updates == 1  # the noisy person's running update only
    release.set()
    await asyncio.gather(*burst)
    assert order == list(range(10))  # the person's own updates stay in order
    assert processor.current_concurrent_updates == 0


async def test_flood_control_decides_at_arrival_and_an_ignored_update_never_runs() -> None:
    clock = [100.0]
    guard = FloodGuard(limit=2, window=10.0, cooldown=60.0)
    processor = PerPersonUpdateProcessor(4, flood_guard=guard, clock=lambda: clock[0])
    seen: list[Verdict | None] = []

    async def handle() -> None:
        seen.append(flood.verdict_taken())

    coroutines = [handle() for _ in range(5)]
    for n, coroutine in enumerate(coroutines):
        await processor.process_update(_update(n, 7), coroutine)
    assert seen == [Verdict.SERVE, Verdict.SERVE, Verdict.WARN]  # two dropped, never run
    assert all(c.cr_frame is None for c in coroutines)  # every coroutine closed: no warning
    assert flood.verdict_taken() is None  # the verdict does not leak past its update
    clock[0] += 61
    await processor.process_update(_update(9, 7), handle())
    assert seen[-1] is Verdict.SERVE  # the cooldown is over


async def test_every_update_whose_processing_ended_is_reported_but_not_a_cancelled_one() -> None:
    """Webhook mode marks an update's durable record handled on this report (bot/update_journal)."""
    guard = FloodGuard(limit=1, window=10.0, cooldown=60.0)
    processor = PerPersonUpdateProcessor(4, flood_guard=guard, clock=lambda: 100.0)
    ended: list[int] = []
    processor.on_finished = lambda update: ended.append(update.update_id)  # type: ignore[attr-defined]

    async def fine() -> None:
        pass

    async def broken() -> None:
        raise RuntimeError("a handler's bug reaches PTB's error handler, not here")

    await processor.process_update(_update(1, 7), fine())
    await processor.process_update(_update(2, 7), fine())  # flood control: warned
    await processor.process_update(_update(3, 7), fine())  # flood control: dropped unseen
    with pytest.raises(RuntimeError):
        await processor.process_update(_update(4, 8), broken())
    running, stuck = asyncio.Event(), asyncio.Event()

    async def endless() -> None:
        running.set()
        await stuck.wait()

    task = asyncio.create_task(processor.process_update(_update(5, 9), endless()))
    await running.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert ended == [1, 2, 3, 4]  # 5 was cancelled: it stays unhandled, applied after a restart
