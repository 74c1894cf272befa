"""The sandbox's bot talks to the stand-in on this machine only: a proxy in the environment
(HTTP_PROXY, ALL_PROXY, as offices have) never carries its calls, with what trainees type."""

from __future__ import annotations

import ssl

import pytest

from bot.telegram_http import AiohttpRequest


@pytest.mark.parametrize(
    "server", ["http://127.0.0.1:8081", "http://localhost:8081", "http://[::1]:8081"]
)
def test_a_bot_api_on_this_machine_is_reached_without_a_proxy(
    monkeypatch: pytest.MonkeyPatch, server: str
) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://proxy.example:3128")
    request = AiohttpRequest(ssl_context=ssl.create_default_context())
    assert request._proxy_for(f"{server}/bot100000:SANDBOX/getMe") == (None, None)
    # elsewhere the office's proxy is still honoured
    proxy, _ = request._proxy_for("https://api.telegram.org/bot1:x/getMe")
    assert proxy is not None and proxy.host == "proxy.example"
