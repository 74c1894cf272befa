"""The stand-in delivers to a webhook like Telegram: setWebhook checked, the secret header,
update_id order, retries until a 2xx, getUpdates refused meanwhile, getWebhookInfo's errors."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, Conflict

from bot.standin import StandIn, TgUser

from .conftest import TOKEN, plain_http

SECRET = "hook-Secret_42"


@dataclass
class Receiver:
    """A webhook that answers with the status a test chooses, and keeps what it got."""

    statuses: list[int] = field(default_factory=list)  # next answers; 200 when empty
    got: list[tuple[int, str | None]] = field(default_factory=list)  # (update_id, secret)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        self.got.append((body["update_id"], request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


@pytest.fixture
async def tg() -> AsyncIterator[StandIn]:
    async with StandIn(token=TOKEN, allow_http_webhook=True) as standin:
        standin.webhook_retry_delay = 0.01
        yield standin


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    got = Receiver()
    app = web.Application()
    app.router.add_post("/hook", got.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    got.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield got
    await runner.cleanup()


@pytest.fixture
async def bot(tg: StandIn) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=tg.base_url, request=plain_http()) as client:
        yield client


async def test_updates_are_posted_in_order_with_the_secret_header(
    tg: StandIn, bot: Bot, receiver: Receiver, alice: TgUser, bob: TgUser
) -> None:
    first = await tg.send_text(alice, "one")  # queued before the webhook: delivered too
    assert await bot.set_webhook(receiver.url, secret_token=SECRET, allowed_updates=["message"])
    second = await tg.send_text(bob, "two")
    await tg.wait_idle()
    assert receiver.got == [(first["update_id"], SECRET), (second["update_id"], SECRET)]
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.max_connections) == (receiver.url, 0, 40)
    assert info.allowed_updates == ("message",) and info.has_custom_certificate is False
    assert info.last_error_date is None


async def test_an_update_stays_queued_until_a_2xx_and_the_error_is_reported(
    tg: StandIn, bot: Bot, receiver: Receiver, alice: TgUser
) -> None:
    receiver.statuses = [500, 403]
    sent = await tg.send_text(alice, "retry me")
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    await tg.wait_idle()
    assert [uid for uid, _ in receiver.got] == [sent["update_id"]] * 3
    assert [status for _, status in tg.deliveries] == [500, 403, 200]
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 403 Forbidden"
    assert info.pending_update_count == 0


async def test_a_lost_answer_or_a_refused_connection_means_the_update_is_posted_again(
    tg: StandIn, bot: Bot, receiver: Receiver, alice: TgUser
) -> None:
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    tg.inject_delivery_fault("refused")
    tg.inject_delivery_fault("lost_answer")
    tg.inject_delivery_fault("timeout")
    sent = await tg.send_text(alice, "again")
    await tg.wait_idle()
    assert [uid for uid, _ in receiver.got] == [sent["update_id"]] * 3
    assert [status for _, status in tg.deliveries] == ["refused", 200, 200, 200]
    assert tg.webhook is not None
    assert tg.webhook["last_error_message"] == "Read timeout expired"


async def test_get_updates_is_refused_while_a_webhook_is_set(
    tg: StandIn, bot: Bot, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url)
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()
    assert (await bot.get_webhook_info()).url == ""


@pytest.mark.parametrize(
    ("url", "secret", "refusal"),
    [
        ("http://example.org/hook", None, "An HTTPS URL must be provided for webhook"),
        ("https://example.org:8080/hook", None, "only on ports 80, 88, 443 or 8443"),
        ("https://example.org/hook", "bad secret!", "secret token contains unallowed characters"),
        ("https://example.org/hook", "x" * 257, "secret token is too long"),
    ],
)
async def test_set_webhook_is_refused_like_telegram(
    tg: StandIn, bot: Bot, url: str, secret: str | None, refusal: str
) -> None:
    with pytest.raises(BadRequest, match=f"(?i){refusal}"):
        await bot.set_webhook(url, secret_token=secret)
    assert tg.webhook is None


async def test_plain_http_on_this_machine_needs_the_stand_in_told_so(
    receiver: Receiver,
) -> None:
    async with (
        StandIn(token=TOKEN) as strict,
        Bot(TOKEN, base_url=strict.base_url, request=plain_http()) as client,
    ):
        with pytest.raises(BadRequest, match=r"(?i)https url must be provided"):
            await client.set_webhook(receiver.url)
        strict.state.allow_http_webhook = True
        assert await client.set_webhook("https://example.org/hook")


async def test_a_bot_that_is_not_listening_gets_its_updates_once_it_is(
    tg: StandIn, bot: Bot, receiver: Receiver, alice: TgUser
) -> None:
    """A restarted bot: the old address fails; a new setWebhook is tried at once, not after
    the backoff."""
    tg.webhook_retry_delay = tg.webhook_retry_max = 30.0  # only a new webhook can end the wait
    await bot.set_webhook(receiver.url.replace("/hook", "/gone"), secret_token=SECRET)
    sent = await tg.send_text(alice, "while restarting")
    await tg.wait_until(lambda: bool(tg.deliveries), description="a failed delivery")
    assert tg.deliveries == [(sent["update_id"], 404)]
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    await tg.wait_idle()
    assert receiver.got == [(sent["update_id"], SECRET)]
