"""The sign of life `python -m bot health` judges, and the health command's two questions."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import pytest
from telegram.error import Conflict, NetworkError, RetryAfter

from bot.__main__ import main
from bot.concurrency import PerPersonUpdateProcessor
from bot.liveness import (
    STALE_AFTER,
    STUCK_AFTER,
    BeatingRequest,
    Heartbeat,
    heartbeat_path,
    judge,
    keep_serving_alive,
    probe_address,
)
from bot.webhook import WebhookServer


def test_a_fresh_sign_is_alive_a_stale_one_is_not_and_none_means_no_bot(tmp_path: Path) -> None:
    sign = heartbeat_path(tmp_path / "bot.sqlite3")
    assert sign.parent == tmp_path  # on the database's own volume
    assert "no bot is running" in (judge(sign) or "")
    sign.touch()
    now = sign.stat().st_mtime
    assert judge(sign, now=now + 1) is None
    assert judge(sign, now=now + STALE_AFTER - 1) is None  # a quiet night's long polls
    stale = judge(sign, now=now + STALE_AFTER + 60)
    assert stale is not None
    assert "neither polled Telegram nor answered on its webhook for 240 s" in stale


def test_a_sign_that_cannot_be_written_is_said_once_and_never_fatal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    heartbeat = Heartbeat(tmp_path / "missing-directory" / "bot.sqlite3.alive")
    with caplog.at_level(logging.WARNING, logger="bot.liveness"):
        heartbeat.beat()
        heartbeat.stop()  # forgets when it last beat: the next beat tries again
        heartbeat.beat()
    assert len(caplog.records) == 1
    assert "sign of life" in caplog.records[0].getMessage()


class _Telegram:
    """A getUpdates client that checks, while each request is under way, that the sign is fresh."""

    def __init__(self, sign: Path) -> None:
        self.sign = sign
        self.fresh_while_polling: list[bool] = []
        self.shut_down = False

    read_timeout = 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        self.shut_down = True

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        self.fresh_while_polling.append(judge(self.sign) is None)
        return 200, b'{"ok": true, "result": []}'


async def test_each_long_poll_refreshes_the_sign_and_a_clean_stop_removes_it(
    tmp_path: Path,
) -> None:
    sign = heartbeat_path(tmp_path / "bot.sqlite3")
    inner = _Telegram(sign)
    request = BeatingRequest(inner, Heartbeat(sign))  # type: ignore[arg-type]
    await request.initialize()
    old = time.time() - STALE_AFTER * 2
    sign.touch()
    os.utime(sign, (old, old))  # left by a bot that stopped polling long ago
    assert judge(sign) is not None
    assert await request.post("https://api.telegram.org/bot1:x/getUpdates") == []
    assert inner.fresh_while_polling == [True]
    assert judge(sign) is None
    await request.shutdown()
    assert inner.shut_down
    assert not sign.exists()


class _Answering(_Telegram):
    """A getUpdates client that gets one HTTP status from Telegram each time, or no answer."""

    def __init__(self, sign: Path, status: int | None) -> None:
        super().__init__(sign)
        self.status = status

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if self.status is None:
            raise NetworkError("connection refused")
        if self.status == 200:
            return 200, b'{"ok": true, "result": []}'
        body = {"ok": False, "error_code": self.status, "description": "Conflict"}
        if self.status == 429:
            body["parameters"] = {"retry_after": 1}
        return self.status, json.dumps(body).encode()


def _age(sign: Path) -> None:
    sign.touch()
    old = time.time() - STALE_AFTER * 2
    os.utime(sign, (old, old))


async def test_a_poll_telegram_keeps_refusing_leaves_the_sign_to_go_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """409: a webhook another deployment set, or another process polling with the token. PTB
    retries it for ever and no update ever comes: that bot is not serving."""
    monkeypatch.setattr("bot.liveness.MIN_INTERVAL", 0.0)
    sign = heartbeat_path(tmp_path / "bot.sqlite3")
    request = BeatingRequest(_Answering(sign, 409), Heartbeat(sign))  # type: ignore[arg-type]
    with pytest.raises(Conflict):
        await request.post("https://api.telegram.org/bot1:x/getUpdates")
    _age(sign)
    for _ in range(3):  # PTB's retries
        with pytest.raises(Conflict):
            await request.post("https://api.telegram.org/bot1:x/getUpdates")
    assert judge(sign) is not None
    request._inner.status = 200  # type: ignore[attr-defined]  # the webhook was deleted
    assert await request.post("https://api.telegram.org/bot1:x/getUpdates") == []
    assert judge(sign) is None


@pytest.mark.parametrize("status", [None, 502, 429])
async def test_a_telegram_outage_keeps_the_sign_fresh_while_polling_retries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, status: int | None
) -> None:
    monkeypatch.setattr("bot.liveness.MIN_INTERVAL", 0.0)
    sign = heartbeat_path(tmp_path / "bot.sqlite3")
    request = BeatingRequest(_Answering(sign, status), Heartbeat(sign))  # type: ignore[arg-type]
    for _ in range(2):
        _age(sign)
        with pytest.raises((NetworkError, RetryAfter)):
            await request.post("https://api.telegram.org/bot1:x/getUpdates")
        assert judge(sign) is None


def test_health_ready_asks_only_about_the_database_health_also_about_the_bot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    database = tmp_path / "bot.sqlite3"
    monkeypatch.setenv("DATABASE_PATH", str(database))
    assert main(["health", "--ready"]) == 1
    assert "no database" in capsys.readouterr().err
    assert main(["migrate"]) == 0
    capsys.readouterr()
    assert main(["health", "--ready"]) == 0
    assert capsys.readouterr().out.strip() == "ready"
    # Right after migrate no bot runs: ready, not healthy.
    assert main(["health"]) == 1
    assert "no bot is running" in capsys.readouterr().err
    sign = heartbeat_path(database)
    sign.touch()
    assert main(["health"]) == 0
    assert capsys.readouterr().out.strip() == "healthy"
    old = time.time() - STALE_AFTER - 30
    os.utime(sign, (old, old))
    assert main(["health"]) == 1
    assert "neither polled Telegram nor answered on its webhook" in capsys.readouterr().err
    assert main(["health", "--ready"]) == 0  # the database is as ready as before


class _Watched(Heartbeat):
    """A heartbeat a test can wait on."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.beaten = asyncio.Event()

    def beat(self) -> None:
        super().beat()
        self.beaten.set()


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.said = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.said.set()


async def test_the_webhook_server_answering_its_own_probe_refreshes_the_sign(
    tmp_path: Path,
) -> None:
    sign = tmp_path / "bot.sqlite3.alive"
    server = WebhookServer("/hook", "secret", journal=None)  # type: ignore[arg-type]
    await server.start("127.0.0.1", 0)
    heartbeat = _Watched(sign)
    probe = asyncio.create_task(
        keep_serving_alive(f"http://127.0.0.1:{server.port}/hook", heartbeat, every=60)
    )
    try:
        await asyncio.wait_for(heartbeat.beaten.wait(), 5)
    finally:
        probe.cancel()
        await server.stop()
    assert judge(sign) is None


async def test_a_webhook_server_that_no_longer_answers_leaves_the_sign_to_go_stale(
    tmp_path: Path,
) -> None:
    server = WebhookServer("/hook", "secret", journal=None)  # type: ignore[arg-type]
    await server.start("127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.port}/hook"
    await server.stop()
    heartbeat = _Watched(tmp_path / "bot.sqlite3.alive")
    records = _Records()
    logger = logging.getLogger("bot.liveness")
    logger.addHandler(records)
    probe = asyncio.create_task(keep_serving_alive(url, heartbeat, every=60))
    try:
        await asyncio.wait_for(records.said.wait(), 5)  # the probe was refused
    finally:
        probe.cancel()
        logger.removeHandler(records)
    assert not heartbeat.beaten.is_set()
    assert not heartbeat.path.exists()


@pytest.mark.parametrize(
    ("listening", "probed"),
    [("0.0.0.0", "127.0.0.1"), ("", "127.0.0.1"), ("::", "[::1]"), ("10.0.0.5", "10.0.0.5")],
)
def test_the_probe_reaches_the_server_where_it_listens(listening: str, probed: str) -> None:
    assert probe_address(listening) == probed


async def test_a_bot_whose_handlers_all_hang_lets_the_sign_go_stale_though_it_still_polls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Taking updates in is not serving them: a database that never answers leaves every
    handler waiting while getUpdates keeps returning."""
    monkeypatch.setattr("bot.liveness.MIN_INTERVAL", 0.0)
    now = [1000.0]
    processor = PerPersonUpdateProcessor(clock=lambda: now[0])
    sign = heartbeat_path(tmp_path / "bot.sqlite3")
    request = BeatingRequest(_Telegram(sign), Heartbeat(sign, processor.stuck_for))  # type: ignore[arg-type]
    started, release = asyncio.Event(), asyncio.Event()

    async def hanging_handler() -> None:
        started.set()
        await release.wait()

    handling = asyncio.create_task(processor.process_update(object(), hanging_handler()))
    await started.wait()
    now[0] += STUCK_AFTER - 1  # one slow answer: still serving
    _age(sign)
    await request.post("https://api.telegram.org/bot1:x/getUpdates")
    assert judge(sign) is None
    now[0] += 2
    _age(sign)
    await request.post("https://api.telegram.org/bot1:x/getUpdates")
    assert judge(sign) is not None
    release.set()
    await handling
    await request.post("https://api.telegram.org/bot1:x/getUpdates")
    assert judge(sign) is None
