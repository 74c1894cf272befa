"""getUpdates behaves like Telegram's: long polling, offsets, redelivery, conflicts."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from telegram import Bot
from telegram.error import Conflict

from bot.standin import StandIn, StandInTimeout, TgUser

from .conftest import TOKEN, plain_http


async def test_long_poll_answers_as_soon_as_an_update_arrives(
    tg: StandIn, bot: Bot, alice: TgUser
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await tg.wait_until(lambda: len(tg.calls_to("getUpdates")) == 1, description="bot polls")
    started = time.monotonic()
    await tg.send_text(alice, "salom")
    updates = await asyncio.wait_for(poll, timeout=2)
    assert time.monotonic() - started < 1.0
    assert [u.message.text for u in updates if u.message] == ["salom"]
    assert tg.calls_to("getUpdates")[0]["timeout"] == 10


async def test_empty_long_poll_waits_out_its_timeout(tg: StandIn, http: httpx.AsyncClient) -> None:
    started = time.monotonic()
    response = await http.get(f"/bot{TOKEN}/getUpdates", params={"timeout": "0.2"})
    assert response.json() == {"ok": True, "result": []}
    assert time.monotonic() - started >= 0.2


async def test_offset_confirms_and_unconfirmed_updates_are_redelivered(
    tg: StandIn, bot: Bot, alice: TgUser
) -> None:
    first = await tg.send_text(alice, "bir")
    second = await tg.send_text(alice, "ikki")
    assert second["update_id"] == first["update_id"] + 1
    assert tg.pending_updates() == 2

    delivered = await bot.get_updates()
    again = await bot.get_updates()  # nothing confirmed: the same updates come again
    assert [u.update_id for u in delivered] == [u.update_id for u in again]
    assert [u.message.text for u in again if u.message] == ["bir", "ikki"]

    rest = await bot.get_updates(offset=first["update_id"] + 1)
    assert [u.update_id for u in rest] == [second["update_id"]]
    assert tg.pending_updates() == 1
    assert await bot.get_updates(offset=second["update_id"] + 1) == ()
    assert tg.pending_updates() == 0


async def test_limit_and_negative_offset(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    for word in ("a", "b", "c"):
        await tg.send_text(alice, word)
    assert [u.message.text for u in await bot.get_updates(limit=2) if u.message] == ["a", "b"]
    last = await bot.get_updates(offset=-1)
    assert [u.message.text for u in last if u.message] == ["c"]
    assert tg.pending_updates() == 1


async def test_send_update_keeps_or_refreshes_ids(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    original = await tg.send_text(alice, "takror")
    await bot.get_updates(offset=original["update_id"] + 1)
    # Re-sending the same payload: with its old id it is already confirmed, so a redelivery
    # after the bot moved on needs a fresh id; the message inside stays the same.
    replay = await tg.send_update(original, fresh_id=True)
    assert replay["update_id"] > original["update_id"]
    assert replay["message"] == original["message"]
    updates = await bot.get_updates()
    assert updates[0].message is not None and updates[0].message.text == "takror"
    custom = await tg.send_update({"update_id": 500, "message": original["message"]})
    assert custom["update_id"] == 500
    assert (await tg.send_text(alice, "next"))["update_id"] == 501


async def test_allowed_updates_filter_what_is_queued(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    await bot.get_updates(allowed_updates=["callback_query"])
    await tg.send_text(alice, "ignored")
    assert tg.pending_updates() == 0
    await bot.get_updates(allowed_updates=[])  # [] means Telegram's default set again
    await tg.send_text(alice, "seen")
    assert tg.pending_updates() == 1


async def test_a_second_poller_terminates_the_first(tg: StandIn, http: httpx.AsyncClient) -> None:
    url = f"/bot{TOKEN}/getUpdates"
    first = asyncio.create_task(http.post(url, data={"timeout": "5"}))
    await tg.wait_until(lambda: len(tg.calls_to("getUpdates")) == 1)
    second = asyncio.create_task(http.post(url, data={"timeout": "0.1"}))
    answer = await asyncio.wait_for(first, timeout=2)
    assert answer.status_code == 409
    assert answer.json()["description"] == (
        "Conflict: terminated by other getUpdates request; make sure that only one bot "
        "instance is running"
    )
    assert (await second).json() == {"ok": True, "result": []}


async def test_conflict_reaches_ptb_as_conflict(tg: StandIn, bot: Bot) -> None:
    async with Bot(
        TOKEN, base_url=tg.base_url, request=plain_http(), get_updates_request=plain_http()
    ) as other:
        first = asyncio.create_task(bot.get_updates(timeout=5))
        await tg.wait_until(lambda: len(tg.calls_to("getUpdates")) == 1)
        second = asyncio.create_task(other.get_updates(timeout=1))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(first, timeout=2)
        second.cancel()


async def test_stop_releases_a_waiting_long_poll() -> None:
    standin = StandIn(token=TOKEN)
    await standin.start()
    async with httpx.AsyncClient(base_url=standin.api_url, verify=False) as http:
        poll = asyncio.create_task(http.get(f"/bot{TOKEN}/getUpdates", params={"timeout": 30}))
        await standin.wait_until(lambda: len(standin.calls_to("getUpdates")) == 1)
        started = time.monotonic()
        await standin.stop()
        response = await asyncio.wait_for(poll, timeout=2)
    assert response.json() == {"ok": True, "result": []}
    assert time.monotonic() - started < 1.0


async def test_wait_idle_waits_for_confirmation(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    update = await tg.send_text(alice, "salom")
    with pytest.raises(StandInTimeout, match="1 update\\(s\\) unconfirmed"):
        await tg.wait_idle(timeout=0.05)
    await bot.get_updates()
    with pytest.raises(StandInTimeout):  # fetched is not confirmed
        await tg.wait_idle(timeout=0.05)
    await bot.get_updates(offset=update["update_id"] + 1)
    await tg.wait_idle(timeout=1)


async def test_webhook_info_and_drop_pending(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    await tg.send_text(alice, "old")
    info = await bot.get_webhook_info()
    assert info.url == "" and info.pending_update_count == 1
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert tg.pending_updates() == 0


async def test_an_update_can_be_redelivered_as_it_was(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    """As Telegram does when the confirming getUpdates never reached it (a crash): the next
    process (offset 0) gets the same update; a running bot gets it under a fresh id."""
    sent = await tg.send_text(alice, "14")
    (first,) = await bot.get_updates()
    assert await bot.get_updates(offset=first.update_id + 1) == ()
    await tg.redeliver(int(sent["update_id"]))
    (again,) = await bot.get_updates()
    assert again.update_id == first.update_id
    assert again.message is not None and first.message is not None
    assert again.message.message_id == first.message.message_id
    assert again.message.text == "14"
    assert await bot.get_updates(offset=first.update_id + 1) == ()
    await tg.redeliver(int(sent["update_id"]), fresh_id=True)
    (fresh,) = await bot.get_updates(offset=first.update_id + 1)
    assert fresh.update_id > first.update_id
    assert fresh.message is not None and fresh.message.message_id == first.message.message_id
    with pytest.raises(KeyError):
        await tg.redeliver(999)
