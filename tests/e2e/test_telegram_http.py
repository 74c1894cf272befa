"""The bot's HTTP client (bot/telegram_http.py) against the stand-in over real HTTP: texts and
files arrive as sent, a slow answer is PTB's TimedOut and a dropped connection its
NetworkError, as with PTB's httpx client, so every retry and apology keeps working."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.standin import StandIn, TgUser
from bot.telegram_http import AiohttpRequest

ALICE = TgUser(id=9401, first_name="Alisa", language_code="ru")


@pytest.fixture
async def bot(tg: StandIn) -> AsyncIterator[Bot]:
    tls = ssl.create_default_context()
    async with Bot(
        tg.token,
        base_url=tg.base_url,
        request=AiohttpRequest(4, ssl_context=tls, read_timeout=0.5),
        get_updates_request=AiohttpRequest(1, ssl_context=tls),
    ) as ready:
        tg.add_chat(ALICE)
        yield ready


async def test_texts_and_files_arrive_as_sent(tg: StandIn, bot: Bot) -> None:
    sent = await bot.send_message(ALICE.id, "<b>Salom</b> &amp; «dunyo»", parse_mode="HTML")
    document = await bot.send_document(
        ALICE.id, b"a,b\n1,2\n", filename="day.csv", caption="<i>kun</i>", parse_mode="HTML"
    )
    shown = tg.messages(ALICE.id)
    assert [m.message_id for m in shown] == [sent.message_id, document.message_id]
    assert shown[0].text == "Salom & «dunyo»"
    assert shown[1].caption == "kun"
    assert shown[1].document is not None and shown[1].document["file_name"] == "day.csv"
    assert tg.file_content(shown[1].document["file_id"]) == b"a,b\n1,2\n"


async def test_a_slow_answer_is_a_timeout_and_a_dropped_connection_a_network_error(
    tg: StandIn, bot: Bot
) -> None:
    tg.inject_fault("slow", method="sendMessage", delay=1.5)
    with pytest.raises(TimedOut):
        await bot.send_message(ALICE.id, "first")
    tg.inject_fault("drop", method="sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(ALICE.id, "second")
    await bot.send_message(ALICE.id, "third")
    await tg.wait_idle(timeout=5.0)
    # The slow answer may still have stored its message (as Telegram may): the dropped one not.
    assert sorted(m.text or "" for m in tg.messages(ALICE.id)) in (["third"], ["first", "third"])


def test_the_proxy_comes_from_the_environment_as_with_httpx(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    request = AiohttpRequest(1, ssl_context=ssl.create_default_context())
    proxy, _ = request._proxy_for("https://api.telegram.org/bot1:x/getMe")
    assert str(proxy) == "http://proxy.example:3128"
    assert request._proxy_for("http://127.0.0.1:8081/bot1:x/getMe") == (None, None)


def test_all_proxy_is_honoured_as_httpx_did_when_no_https_proxy_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PTB's httpx client took ALL_PROXY (and a proxy written without its http://): a server
    that reaches Telegram only through such a proxy must not be sent around it."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALL_PROXY", "user:pw@proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    request = AiohttpRequest(1, ssl_context=ssl.create_default_context())
    proxy, auth = request._proxy_for("https://api.telegram.org/bot1:x/getMe")
    assert str(proxy) == "http://proxy.example:3128"
    assert auth is not None and (auth.login, auth.password) == ("user", "pw")
    assert request._proxy_for("http://127.0.0.1:8081/bot1:x/getMe") == (None, None)
    monkeypatch.setenv("HTTPS_PROXY", "http://tls-proxy.example:3129")
    request = AiohttpRequest(1, ssl_context=ssl.create_default_context())
    proxy, _ = request._proxy_for("https://api.telegram.org/bot1:x/getMe")
    assert str(proxy) == "http://tls-proxy.example:3129"
