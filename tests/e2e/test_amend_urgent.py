"""Amending a report re-evaluates the urgent lane: an amendment that makes the report urgent
alerts the coordinators like a new report, once."""

from __future__ import annotations

from bot.standin import StandIn
from tests.e2e.conftest import RunBot, SeedUser
from tests.e2e.flood_limit import unhurried
from tests.e2e.urgent_steps import (
    JOHN,
    OLGA,
    alerts_in,
    file_incident,
    file_seizure,
    seed_people,
    wait_alerts,
)
from tests.support.driver import Officer


async def start_amending(o: Officer) -> None:
    await o.say("/myreports")
    await o.tap("my", "open")
    await o.tap("my", "amend")


async def submit_amendment(o: Officer) -> str:
    await o.tap_form("_", "submit")
    receipt = await o.tg.next_message(o.user.id)
    return receipt.text or ""


async def amend_quantity(o: Officer, quantity: str) -> str:
    await start_amending(o)
    await o.tap_form("_", "edit", "items")
    await o.tap_form("items", "more", "drop")
    await o.tap_form("items", "more", "add")
    await o.tap_form("substance", "opt", "heroin")
    await o.say(quantity)
    await o.tap_form("measure", "opt", "kg")
    await o.tap_form("items", "more", "done")
    if any(":urgent:opt:no" in d for d in o.last().callback_data):
        await o.tap_form("urgent", "opt", "no")  # "no" is asked again: only what is missing
    return await submit_amendment(o)


async def test_an_amendment_over_the_threshold_alerts_once(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, _john = await seed_people(tg, seed_user)
    async with run_bot(setup=unhurried):
        await file_seizure(o, "0,4", "kg", urgent=False)
        await tg.wait_idle()
        assert alerts_in(tg, JOHN.id) == []  # 0.4 kg: under the threshold
        await amend_quantity(o, "1,2")
        (en,) = await wait_alerts(tg, JOHN.id, 1)
        await wait_alerts(tg, OLGA.id, 1)
        assert "Heroin — 1.2\u00a0kg" in en.text
        assert "large seizure" in en.text
        # A further amendment that keeps it urgent alerts nobody again.
        await amend_quantity(o, "1,5")
        await tg.wait_idle()
    assert len(alerts_in(tg, JOHN.id)) == 1
    assert len(alerts_in(tg, OLGA.id)) == 1


async def test_an_amendment_marking_a_report_urgent_alerts_once_and_an_alerted_one_not_again(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, _john = await seed_people(tg, seed_user)
    async with run_bot(setup=unhurried):
        await file_incident(o, urgent=False)
        await tg.wait_idle()
        assert alerts_in(tg, JOHN.id) == []
        await start_amending(o)
        await o.tap_form("_", "edit", "urgent")
        await o.tap_form("urgent", "opt", "yes")
        await submit_amendment(o)
        (en,) = await wait_alerts(tg, JOHN.id, 1)
        assert "marked urgent" in en.text
        # Amended again, still urgent: the report has its alert, nobody is alerted twice.
        await start_amending(o)
        await o.tap_form("_", "edit", "descr")
        await o.say("Two tractors, one with a double floor.")
        await submit_amendment(o)
        await tg.wait_idle()
    assert len(alerts_in(tg, JOHN.id)) == 1
    assert len(alerts_in(tg, OLGA.id)) == 1
