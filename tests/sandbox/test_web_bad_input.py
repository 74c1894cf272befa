"""Wrong, empty, huge, malformed and hostile requests: a short JSON refusal, never a traceback,
and nothing reaches the bot; cross-site requests, foreign Host names and strangers are refused."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.sandbox.web_security import Guard
from tests.sandbox.cast import OFFICER
from tests.sandbox.conftest import Sandbox, running_sandbox

CHAT = f"/api/chats/{OFFICER.telegram_id}"
POSTS = ("/messages", "/taps", "/locations", "/language")


async def call(
    sandbox: Sandbox, method: str, path: str, *, data: Any = None, **headers: str
) -> tuple[int, Any]:
    async with sandbox.http.request(
        method, sandbox.url(path), data=data, headers=headers, allow_redirects=False
    ) as response:
        text = await response.text()
        assert "Traceback" not in text
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, text


def assert_refused(status: int, body: Any, expected: int) -> None:
    assert status == expected, body
    assert body["ok"] is False and 0 < len(body["error"]) < 100


async def test_unknown_people_and_files_are_404(sandbox: Sandbox) -> None:
    for tail in POSTS:
        status, body = await call(sandbox, "POST", f"/api/chats/424242{tail}", data=b"{}")
        assert_refused(status, body, 404)
    for tail in ("/messages", "/commands"):
        status, body = await call(sandbox, "GET", f"/api/chats/-5{tail}")
        assert_refused(status, body, 404)
    status, body = await call(sandbox, "GET", "/api/files/NOPE")
    assert_refused(status, body, 404)
    status, body = await call(sandbox, "GET", "/api/chats/1" + "0" * 40 + "/messages")
    assert_refused(status, body, 404)
    status, body = await call(sandbox, "GET", "/api/nothing")
    assert_refused(status, body, 404)


@pytest.mark.parametrize(
    "raw",
    [b"", b"not json", b"[1, 2]", b'"text"', b"\xff\xfe", b"{", b"null", b"1e999999"],
)
async def test_malformed_bodies_are_400_for_every_endpoint(sandbox: Sandbox, raw: bytes) -> None:
    for tail in POSTS:
        status, body = await call(sandbox, "POST", CHAT + tail, data=raw)
        assert_refused(status, body, 400)
    assert sandbox.standin.pending_updates() == 0


async def test_huge_bodies_are_413(sandbox: Sandbox) -> None:
    huge = b'{"text": "' + b"x" * 100_000 + b'"}'
    for tail in (*POSTS, "/../../api/reset"):
        status, body = await call(sandbox, "POST", CHAT + tail, data=huge)
        assert status in (404, 413), tail
    status, body = await call(sandbox, "POST", CHAT + "/messages", data=huge)
    assert_refused(status, body, 413)
    big_photo = b"\x89PNG\r\n\x1a\n" + b"\0" * (10 * 1024 * 1024)
    status, body = await call(sandbox, "POST", CHAT + "/photos", data=big_photo)
    assert_refused(status, body, 413)
    assert sandbox.standin.pending_updates() == 0


@pytest.mark.parametrize(
    ("tail", "body"),
    [
        ("/messages", {}),
        ("/messages", {"text": ""}),
        ("/messages", {"text": "   "}),
        ("/messages", {"text": 5}),
        ("/messages", {"text": ["a"]}),
        ("/messages", {"text": "ы" * 4097}),
        ("/messages", {"text": "😀" * 2049}),
        ("/taps", {"message_id": "1", "data": "x"}),
        ("/taps", {"message_id": True, "data": "x"}),
        ("/taps", {"message_id": 1}),
        ("/taps", {"message_id": 1, "data": ""}),
        ("/locations", {"latitude": "37", "longitude": 67}),
        ("/locations", {"latitude": 91, "longitude": 67}),
        ("/locations", {"latitude": 37, "longitude": -181}),
        ("/locations", {"latitude": True, "longitude": 67}),
        ("/locations", {"latitude": None, "longitude": None}),
        ("/language", {"language": "de"}),
        ("/language", {"language": "uz_Cyrl"}),
        ("/language", {"language": None}),
    ],
)
async def test_wrong_values_are_400_and_reach_nobody(
    sandbox: Sandbox, tail: str, body: dict[str, Any]
) -> None:
    status, answer = await call(sandbox, "POST", CHAT + tail, data=aiohttp.JsonPayload(body))
    assert_refused(status, answer, 400)
    assert sandbox.standin.pending_updates() == 0


async def test_taps_on_missing_messages_or_buttons_are_refused(sandbox: Sandbox) -> None:
    tg = sandbox.standin
    status, body = await call(
        sandbox, "POST", CHAT + "/taps", data=aiohttp.JsonPayload({"message_id": 99, "data": "x"})
    )
    assert_refused(status, body, 404)
    await call(sandbox, "POST", CHAT + "/messages", data=aiohttp.JsonPayload({"text": "/report"}))
    await tg.wait_until(lambda: any(m.buttons for m in tg.messages(OFFICER.telegram_id)))
    await tg.wait_idle()
    chooser = next(m for m in tg.messages(OFFICER.telegram_id) if m.buttons)
    forged = {"message_id": chooser.message_id, "data": "adm:v1:promote:1"}
    status, body = await call(sandbox, "POST", CHAT + "/taps", data=aiohttp.JsonPayload(forged))
    assert_refused(status, body, 400)
    assert tg.pending_updates() == 0


async def test_photos_must_be_jpeg_png_or_webp_by_their_bytes(sandbox: Sandbox) -> None:
    for fake in (b"", b"GIF89a....", b"<svg onload=alert(1)>", b"%PDF-1.4", b"RIFF0000WAVE"):
        status, body = await call(sandbox, "POST", CHAT + "/photos", data=fake)
        assert_refused(status, body, 415)
    assert sandbox.standin.pending_updates() == 0


async def test_hostile_text_is_kept_as_text_and_out_of_the_logs(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    hostile = '<img src=x onerror=alert(1)> &amp; </li><script>alert("x")</script>'
    status, _ = await call(
        sandbox, "POST", CHAT + "/messages", data=aiohttp.JsonPayload({"text": hostile})
    )
    assert status == 200
    _, chat = await call(sandbox, "GET", CHAT + "/messages")
    assert chat["messages"][0]["text"] == hostile
    await sandbox.standin.wait_idle()
    assert "onerror" not in caplog.text


async def test_cross_site_writes_and_foreign_hosts_are_refused(sandbox: Sandbox) -> None:
    body = aiohttp.JsonPayload({"text": "/start"})
    status, answer = await call(
        sandbox, "POST", CHAT + "/messages", data=body, Origin="http://evil.example"
    )
    assert_refused(status, answer, 403)
    status, answer = await call(
        sandbox, "POST", "/api/reset", data=b"{}", **{"Sec-Fetch-Site": "cross-site"}
    )
    assert_refused(status, answer, 403)
    status, answer = await call(sandbox, "POST", "/api/reset", data=b"{}", Origin="null")
    assert_refused(status, answer, 403)
    for host in (
        "evil.example",
        f"evil.example:{sandbox.web.url.rsplit(':', 1)[1]}",
        "127.0.0.1:1",
    ):
        status, answer = await call(sandbox, "GET", "/api/people", Host=host)
        assert_refused(status, answer, 421)
    port = sandbox.web.url.rsplit(":", 1)[1]
    same = {"Origin": f"http://localhost:{port}", "Host": f"localhost:{port}"}
    status, _ = await call(
        sandbox, "POST", CHAT + "/language", data=aiohttp.JsonPayload({"language": "ru"}), **same
    )
    assert status == 200
    assert sandbox.resets == [] and sandbox.standin.pending_updates() == 0


async def test_with_a_password_everything_but_the_login_page_needs_the_cookie(
    tmp_path: Path,
) -> None:
    async with running_sandbox(tmp_path, password="correct horse") as sandbox:
        status, body = await call(sandbox, "GET", "/api/people")
        assert_refused(status, body, 401)
        status, body = await call(sandbox, "GET", "/api/events")
        assert_refused(status, body, 401)
        status, _ = await call(sandbox, "GET", "/")
        assert status == 303
        status, page = await call(sandbox, "GET", "/login", **{"Accept-Language": "ru"})
        assert status == 200 and "Пароль" in page
        status, page = await call(sandbox, "POST", "/login", data={"password": "wrong"})
        assert status == 401 and "Неверный" not in page and "Wrong password." in page
        status, page = await call(sandbox, "POST", "/login", data={"password": "x" * 10_000})
        assert status in (401, 413)
        async with sandbox.http.post(
            sandbox.url("/login"), data={"password": "correct horse"}, allow_redirects=False
        ) as response:
            assert response.status == 303
            cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        status, body = await call(sandbox, "GET", "/api/people")
        assert status == 200 and len(body["people"]) == 4
        status, _ = await call(sandbox, "GET", "/")
        assert status == 200


def test_host_names_allowed_are_ours_only() -> None:
    guard = Guard(password=None)
    guard.listen_host, guard.port = "127.0.0.1", 8080
    for host in ("127.0.0.1:8080", "localhost:8080", "[::1]:8080", "LOCALHOST:8080", "localhost"):
        assert guard.host_allowed(host), host
    for host in (None, "", "evil.example:8080", "127.0.0.1:8081", "192.168.1.5:8080", "[::1"):
        assert not guard.host_allowed(host), host
    guard.listen_host = "0.0.0.0"  # a training room: trainees type the machine's address
    assert guard.host_allowed("192.168.1.5:8080")
    assert not guard.host_allowed("rebind.evil.example:8080")
    guard.listen_host = "192.168.1.5"
    assert guard.host_allowed("192.168.1.5:8080") and not guard.host_allowed("10.0.0.1:8080")


async def test_stopping_ends_the_event_streams_still_open(tmp_path: Path) -> None:
    async with (
        running_sandbox(tmp_path) as sandbox,
        sandbox.http.get(sandbox.url("/api/events")) as stream,
    ):
        assert (await stream.content.readline()).startswith(b"retry:")
        await asyncio.wait_for(sandbox.web.stop(), 5)
        assert sandbox.standin.after_reset == []
