"""Fixtures for the Bot API stand-in's own tests: a running server and a real PTB Bot on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.standin import StandIn, TgUser

TOKEN = "123456:TEST-token"


@pytest.fixture
async def tg() -> AsyncIterator[StandIn]:
    """A fresh stand-in on a free port."""
    async with StandIn(token=TOKEN, bot_username="fieldreport_bot") as standin:
        yield standin


@pytest.fixture
async def bot(tg: StandIn) -> AsyncIterator[Bot]:
    """A real PTB Bot talking to the stand-in over HTTP."""
    async with Bot(
        TOKEN,
        base_url=tg.base_url,
        base_file_url=tg.base_file_url,
        request=plain_http(),
        get_updates_request=plain_http(),
    ) as client:
        yield client


def plain_http() -> HTTPXRequest:
    """PTB's HTTP client without TLS set-up (loading CA certificates costs ~30 ms a client)."""
    return HTTPXRequest(httpx_kwargs={"verify": False})


@pytest.fixture
async def http(tg: StandIn) -> AsyncIterator[httpx.AsyncClient]:
    """A raw HTTP client rooted at the stand-in."""
    async with httpx.AsyncClient(base_url=tg.api_url, timeout=5.0, verify=False) as client:
        yield client


@pytest.fixture
def alice() -> TgUser:
    """A field officer who writes to the bot in Uzbek."""
    return TgUser(id=1001, first_name="Alisher", username="alisher", language_code="uz")


@pytest.fixture
def bob() -> TgUser:
    """A second person, to keep chats apart."""
    return TgUser(id=1002, first_name="Bobur", last_name="Karimov", language_code="ru")
