"""`make run` without a token: the sandbox serves its page and the bot answers a /start typed
into it, through the web chat's own API, then stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
from pathlib import Path
from typing import Any

import aiohttp

from bot.sandbox.cast import DEMO_CAST

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (make runs the bot as its child)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(part) for part in text.split()]


def _messages(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict):
        body = body.get("messages", [])
    return [m for m in body if isinstance(m, dict)] if isinstance(body, list) else []


async def _read_address(process: asyncio.subprocess.Process, seen: list[str]) -> str:
    """The address printed, once the sentence on real Telegram has followed it."""
    assert process.stdout is not None
    address = None
    while address is None or not any("@BotFather" in line for line in seen):
        line = (await process.stdout.readline()).decode()
        assert line, "make run ended before printing the address:\n" + "".join(seen)
        seen.append(line)
        for word in line.split():
            if word.startswith("http://"):
                address = word.rstrip(":,.")
    return address


async def test_make_run_without_a_token_serves_the_sandbox(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    }
    # Empty is unset (and wins over a developer's .env).
    env.update(BOT_TOKEN="", WEBHOOK_URL="", SANDBOX_PASSWORD="", SANDBOX_PORT=str(port))
    env["DATABASE_PATH"] = str(tmp_path / "fieldreport.sqlite3")
    process = await asyncio.create_subprocess_exec(
        "make",
        "--no-print-directory",
        "run",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    seen: list[str] = []
    try:
        url = await asyncio.wait_for(_read_address(process, seen), timeout=120)
        assert url == f"http://127.0.0.1:{port}"
        assert any("BOT_TOKEN" in line and "@BotFather" in line for line in seen)
        admin = DEMO_CAST.admin.telegram_id
        headers = {"Origin": url}
        async with aiohttp.ClientSession(headers=headers) as http:
            async with http.get(url + "/") as page:
                assert page.status == 200
                assert "text/html" in page.headers["Content-Type"]
            async with http.post(
                f"{url}/api/chats/{admin}/messages", json={"text": "/start"}
            ) as sent:
                assert sent.status < 300, await sent.text()
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 30
            answers: list[dict[str, Any]] = []
            while not answers:
                assert loop.time() < deadline, "the bot did not answer /start"
                await asyncio.sleep(0.05)
                async with http.get(f"{url}/api/chats/{admin}/messages") as listed:
                    assert listed.status == 200
                    answers = [
                        m
                        for m in _messages(await listed.json())
                        if (m.get("text") or m.get("html")) and m.get("text") != "/start"
                    ]
        assert (tmp_path / "sandbox.sqlite3").exists()  # beside DATABASE_PATH, not in it
    finally:
        for pid in _children(process.pid) or [process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        try:
            rest, _ = await asyncio.wait_for(process.communicate(), timeout=30)
        except TimeoutError:
            os.killpg(process.pid, signal.SIGKILL)
            raise
        seen.append(rest.decode())
    assert process.returncode == 0, "".join(seen)
    assert "Traceback" not in "".join(seen)
