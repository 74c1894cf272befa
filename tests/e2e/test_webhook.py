"""Webhook mode keeps step 6's promises: only Telegram's requests are taken, each update is
recorded before the 200 and applied once, and one recorded before a crash is applied after it.

Every other e2e test runs in webhook mode too (see conftest); these are about the webhook.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest

from bot.config import Settings
from bot.standin import StandIn, TgUser
from bot.update_journal import MAX_START_REPLAYS
from bot.webhook import MAX_BODY, SECRET_HEADER, CannotListen
from storage import Database
from storage.clock import utc_now
from tests.e2e.conftest import WEBHOOK_SECRET, RunBot, SeedUser
from tests.e2e.draft_steps import PERSONS, at_the_vehicles, stored_draft
from tests.support.driver import Officer

pytestmark = pytest.mark.parametrize("mode", ["webhook"], indirect=True)

OFFICER = TgUser(id=8601, first_name="Sardor", language_code="en")
HELP = "/help"
DISTINCTIVE = "Qashqadaryo-warehouse-5531"


def webhook_url(tg: StandIn) -> str:
    assert tg.webhook is not None, "the bot set no webhook"
    return str(tg.webhook["url"])


def message_update(update_id: int, user: TgUser, text: str, message_id: int) -> dict[str, Any]:
    """An update as Telegram would post it: ``user`` typed ``text`` in their private chat."""
    message: dict[str, Any] = {
        "message_id": message_id,
        "from": user.to_dict(),
        "chat": user.private_chat().to_dict(),
        "date": int(time.time()),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": update_id, "message": message}


async def post(url: str, body: bytes, secret: str | None, method: str = "POST") -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, data=body, headers=headers) as response,
    ):
        return response.status


async def received(path: Path, update_id: int) -> bool:
    db = await Database.open(path)
    try:
        async with db.read() as repos:
            return await repos.received_updates.was_received(update_id)
    finally:
        await db.close()


async def test_requests_without_the_secret_token_are_refused_and_nothing_is_applied(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: Settings
) -> None:
    user = await seed_user(OFFICER)
    update = json.dumps(message_update(700001, user, HELP, 900)).encode()
    async with run_bot():
        url = webhook_url(tg)
        assert await post(url, update, None) == 403
        assert await post(url, update, "not-the-secret") == 403
        assert await post(url, update, WEBHOOK_SECRET[:-1]) == 403
        await tg.wait_idle()
        assert tg.messages(user.id) == []
        assert not await received(settings.database_path, 700001)
        # The server keeps serving Telegram's own posts.
        assert "/report" in (await Officer(tg, user).say(HELP)).text


async def test_requests_that_are_not_updates_are_refused_and_leave_no_trace(
    tg: StandIn,
    run_bot: RunBot,
    seed_user: SeedUser,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = await seed_user(OFFICER)
    caplog.set_level(logging.DEBUG)
    good = message_update(700002, user, DISTINCTIVE, 901)
    async with run_bot():
        url = webhook_url(tg)
        body = json.dumps(good).encode()
        assert await post(url, body, WEBHOOK_SECRET, method="GET") == 405
        assert await post(url, body, WEBHOOK_SECRET, method="PUT") == 405
        assert await post(url.rsplit("/", 1)[0] + "/elsewhere", body, WEBHOOK_SECRET) == 404
        assert await post(url, b'{"update_id": 700002, "message": ', WEBHOOK_SECRET) == 400
        assert await post(url, b"\xff\xfe not text", WEBHOOK_SECRET) == 400
        assert await post(url, b"[1, 2, 3]", WEBHOOK_SECRET) == 400
        no_id = json.dumps({"message": good["message"]}).encode()
        assert await post(url, no_id, WEBHOOK_SECRET) == 400
        for odd_id in ("7", True, -1, 2**64, 1.5):
            odd = json.dumps(good | {"update_id": odd_id}).encode()
            assert await post(url, odd, WEBHOOK_SECRET) == 400, odd_id
        huge = json.dumps(good | {"padding": "x" * MAX_BODY}).encode()
        assert await post(url, huge, WEBHOOK_SECRET) == 413
        await tg.wait_idle()
        assert tg.messages(user.id) == []
        assert not await received(settings.database_path, 700002)
        assert "/report" in (await Officer(tg, user).say(HELP)).text
    logged = [record.getMessage() for record in caplog.records]
    assert any("refused" in line for line in logged)
    leaks = [line for line in logged if DISTINCTIVE in line or WEBHOOK_SECRET in line]
    assert not leaks, leaks[:3]


async def test_an_update_whose_answer_was_lost_is_posted_again_and_applied_once(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: Settings
) -> None:
    o = Officer(tg, await seed_user(OFFICER))
    async with run_bot():
        await at_the_vehicles(o)
        tg.inject_delivery_fault("lost_answer")
        sent = await tg.send_text(o.user, "14")
        assert PERSONS in (await tg.next_message(o.user.id)).text
        await tg.wait_idle()
        update_id = int(sent["update_id"])
        # Posted twice, answered 200 twice (the first answer never reached "Telegram")…
        assert [status for uid, status in tg.deliveries if uid == update_id] == [200, 200]
        assert tg.webhook is not None and tg.webhook["last_error_message"]
        # …applied once: one answer, the next question still the current one.
        (current,) = o.with_buttons()
        assert PERSONS in current.text
        assert tg.skip_messages(o.user.id) == []
        assert (await stored_draft(settings.database_path, o.user.id))["vehicles"] == "14"
        assert "What was the result?" in (await o.say("120")).text


async def test_updates_recorded_before_a_crash_are_applied_at_the_next_start_once(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: Settings
) -> None:
    """The process answered 200 (so Telegram forgot the update) and died before handling it."""
    user = await seed_user(OFFICER)
    update = message_update(700010, user, HELP, 910)
    tg.state.chats[user.id].next_message_id = 911
    db = await Database.open(settings.database_path)
    try:
        async with db.transaction() as repos:
            assert await repos.received_updates.record(700010, json.dumps(update), utc_now())
    finally:
        await db.close()
    async with run_bot():
        reply = await tg.next_message(user.id)
        assert "/report" in reply.text
        # Telegram posts it again as well (the 200 was lost with the process): not applied.
        await tg.send_update(update)
        await tg.wait_idle()
        assert [status for uid, status in tg.deliveries if uid == 700010] == [200]
        assert tg.skip_messages(user.id) == []
    db = await Database.open(settings.database_path)
    try:
        async with db.read() as repos:
            assert await repos.received_updates.unhandled() == []
            assert await repos.received_updates.was_received(700010)
    finally:
        await db.close()
    async with run_bot():  # handled and marked: not applied a second time
        await tg.wait_idle()
        assert tg.skip_messages(user.id) == []


async def test_an_update_that_every_start_died_on_is_set_aside_and_the_bot_starts(
    tg: StandIn,
    run_bot: RunBot,
    seed_user: SeedUser,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Applied at three starts and never finished: the likely cause of the crashes. The fourth
    start sets it aside (logged by id) instead of dying again; one applied at fewer starts is
    applied once more."""
    user = await seed_user(OFFICER)
    poison = message_update(700030, user, HELP, 930)
    survivor = message_update(700031, user, HELP, 931)
    tg.state.chats[user.id].next_message_id = 940
    db = await Database.open(settings.database_path)
    try:
        async with db.transaction() as repos:
            await repos.received_updates.record(700030, json.dumps(poison), utc_now())
            await repos.received_updates.record(700031, json.dumps(survivor), utc_now())
            for _ in range(MAX_START_REPLAYS):
                await repos.received_updates.count_start_replay([700030])
            for _ in range(MAX_START_REPLAYS - 1):
                await repos.received_updates.count_start_replay([700031])
    finally:
        await db.close()
    with caplog.at_level(logging.ERROR, logger="bot.update_journal"):
        async with run_bot():
            reply = await tg.next_message(user.id)  # the survivor's answer, the only one
            assert "/report" in reply.text
            await tg.wait_idle()
            assert tg.skip_messages(user.id) == []
    assert any("700030" in r.getMessage() and "set aside" in r.getMessage() for r in caplog.records)
    db = await Database.open(settings.database_path)
    try:
        async with db.read() as repos:
            assert await repos.received_updates.unhandled() == []
    finally:
        await db.close()


async def test_the_stand_in_refuses_get_updates_while_the_webhook_is_set(
    tg: StandIn, run_bot: RunBot
) -> None:
    async with run_bot() as app:
        info = await app.bot.get_webhook_info()
        assert info.url == webhook_url(tg)
        assert info.has_custom_certificate is False
        assert info.pending_update_count == 0
        assert "message" in (info.allowed_updates or ())
        refused = await post(f"{tg.base_url}{tg.token}/getUpdates", b"{}", None)
        assert refused == 409
    assert tg.failures[-1][2].description.startswith("Conflict: can't use getUpdates method")
    tg.state.failures.clear()  # provoked on purpose


async def test_an_update_the_bot_cannot_read_is_set_aside_and_the_next_one_served(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: Settings
) -> None:
    """Telegram would never post it; if it did, answering 500 would have it posted forever."""
    user = await seed_user(OFFICER)
    async with run_bot():
        odd = json.dumps({"update_id": 700020, "message": {"message_id": "not a number"}})
        assert await post(webhook_url(tg), odd.encode(), WEBHOOK_SECRET) == 200
        assert "/report" in (await Officer(tg, user).say(HELP)).text
    db = await Database.open(settings.database_path)
    try:
        async with db.read() as repos:
            assert await repos.received_updates.was_received(700020)
            assert await repos.received_updates.unhandled() == []
    finally:
        await db.close()


async def test_a_webhook_address_already_taken_stops_the_start_with_one_sentence(
    run_bot: RunBot,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        with pytest.raises(
            CannotListen, match=rf"^Could not serve the webhook on 127\.0\.0\.1:{port}"
        ):
            async with run_bot(webhook_listen=("127.0.0.1", port)):
                pass


async def raw_request(url: str, head: bytes, body: bytes = b"") -> bytes:
    """Send bytes no HTTP client would (a malformed request) and read the answer's status line."""
    address = urlsplit(url)
    assert address.hostname is not None and address.port is not None
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    try:
        writer.write(head.replace(b"PATH", address.path.encode()) + b"\r\n\r\n" + body)
        await writer.drain()
        return await reader.readline()
    finally:
        writer.close()


async def test_malformed_requests_are_refused_without_their_bytes_in_any_log_line(
    tg: StandIn,
    run_bot: RunBot,
    seed_user: SeedUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """aiohttp refuses a request it cannot parse before the bot sees it, and logs the error
    with the offending header line or body bytes in its traceback: they must not be kept."""
    user = await seed_user(OFFICER)
    caplog.set_level(logging.DEBUG)
    secret = f"{SECRET_HEADER}: {WEBHOOK_SECRET}".encode()
    async with run_bot():
        url = webhook_url(tg)
        malformed = [
            (
                b"POST PATH HTTP/1.1\r\nHost: bot\r\n"
                + secret
                + b"\r\nX-Note: "
                + DISTINCTIVE.encode()
                + b"\x01",
                b"",
            ),
            (
                b"POST PATH HTTP/1.1\r\nHost: bot\r\n"
                + secret
                + b"\r\nContent-Length: 9"
                + DISTINCTIVE.encode(),
                b"",
            ),
            (
                b"POST PATH HTTP/1.1\r\nHost: bot\r\n" + secret + b"\r\nTransfer-Encoding: chunked",
                DISTINCTIVE.encode() + b"\r\n",
            ),
        ]
        for head, body in malformed:
            assert (await raw_request(url, head, body)).startswith(b"HTTP/1.0 400")
        assert "/report" in (await Officer(tg, user).say(HELP)).text
    assert any(record.name == "aiohttp.server" for record in caplog.records)
    assert DISTINCTIVE not in caplog.text
