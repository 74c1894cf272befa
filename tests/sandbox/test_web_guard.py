"""The training room's door: sign-ins that end (sign-out, lifetime), wrong passwords slowed
down per address, any cookie a client makes up refused without a crash, and event streams
bounded per address."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from unittest import mock

import aiohttp
import pytest
from aiohttp.test_utils import make_mocked_request
from aiohttp.web import Request

from bot.sandbox import web_chat
from bot.sandbox.cast import CastMember
from bot.sandbox.web import STREAMS_PER_ADDRESS
from bot.sandbox.web_security import (
    COOKIE,
    LOGIN_ATTEMPTS,
    LOGIN_WINDOW,
    SESSION_LIFETIME,
    Guard,
)
from bot.standin import TINY_PNG, TgUser
from tests.sandbox.cast import COORDINATOR, OFFICER
from tests.sandbox.conftest import Sandbox, running_sandbox

PASSWORD = "correct horse"


async def sign_in(sandbox: Sandbox, password: str = PASSWORD) -> aiohttp.ClientResponse:
    async with sandbox.http.post(
        sandbox.url("/login"), data={"password": password}, allow_redirects=False
    ) as response:
        await response.read()
        return response


async def status_of(sandbox: Sandbox, path: str, **headers: str) -> int:
    async with sandbox.http.get(
        sandbox.url(path), headers=headers, allow_redirects=False
    ) as response:
        text = await response.text()
        assert "Traceback" not in text
        return response.status


async def test_a_cookie_of_any_bytes_is_refused_not_a_crash(tmp_path: Path) -> None:
    async with running_sandbox(tmp_path, password=PASSWORD) as sandbox:
        assert (await sign_in(sandbox)).status == 303  # someone is signed in: a token to compare
        for made_up in ("été", "x" * 5000, "", "%00"):
            sandbox.http.cookie_jar.clear()
            status = await status_of(sandbox, "/api/people", Cookie=f"{COOKIE}={made_up}")
            assert status == 401, made_up


async def test_sign_out_ends_the_session_for_every_copy_of_the_cookie(tmp_path: Path) -> None:
    async with running_sandbox(tmp_path, password=PASSWORD) as sandbox:
        response = await sign_in(sandbox)
        assert response.status == 303
        cookie = response.headers["Set-Cookie"]
        assert f"Max-Age={SESSION_LIFETIME}" in cookie
        token = response.cookies[COOKIE].value
        assert await status_of(sandbox, "/api/people") == 200
        async with sandbox.http.post(
            sandbox.url("/logout"), data=b"", allow_redirects=False
        ) as out:
            assert out.status == 303 and out.headers["Location"] == "/login"
        sandbox.http.cookie_jar.clear()
        # the token copied before signing out opens nothing any more
        assert await status_of(sandbox, "/api/people", Cookie=f"{COOKIE}={token}") == 401


async def test_wrong_passwords_are_slowed_down_per_address(tmp_path: Path) -> None:
    async with running_sandbox(tmp_path, password=PASSWORD) as sandbox:
        for _ in range(LOGIN_ATTEMPTS):
            assert (await sign_in(sandbox, "wrong guess")).status == 401
        # even the right password waits now: a guesser cannot tell it was right
        async with sandbox.http.post(
            sandbox.url("/login"),
            data={"password": PASSWORD},
            headers={"Accept-Language": "ru"},
            allow_redirects=False,
        ) as throttled:
            page = await throttled.text()
        assert throttled.status == 429 and COOKIE not in throttled.cookies
        assert "подождите минуту" in page and 'role="alert"' in page
        assert await status_of(sandbox, "/api/people") == 401


def test_the_login_window_and_the_session_lifetime_pass() -> None:
    now = [1000.0]
    guard = Guard(PASSWORD, clock=lambda: now[0])
    for _ in range(LOGIN_ATTEMPTS):
        assert not guard.login_throttled("10.0.0.7")
        guard.login_failed("10.0.0.7")
    assert guard.login_throttled("10.0.0.7") and not guard.login_throttled("10.0.0.8")
    now[0] += LOGIN_WINDOW
    assert not guard.login_throttled("10.0.0.7")

    token = guard.new_session()
    request = make_mocked_request("GET", "/api/people", headers={"Cookie": f"{COOKIE}={token}"})
    assert guard.signed_in(request)
    now[0] += SESSION_LIFETIME
    assert not guard.signed_in(request)


async def test_one_address_cannot_open_event_streams_without_end(tmp_path: Path) -> None:
    async with running_sandbox(tmp_path) as sandbox, contextlib.AsyncExitStack() as streams:
        for _ in range(STREAMS_PER_ADDRESS):
            stream = await streams.enter_async_context(sandbox.http.get(sandbox.url("/api/events")))
            assert (await stream.content.readline()).startswith(b"retry:")
        async with sandbox.http.get(sandbox.url("/api/events")) as refused:
            assert refused.status == 429
            assert (await refused.json())["ok"] is False
        assert sandbox.standin.feed.subscribers == STREAMS_PER_ADDRESS


async def test_photo_uploads_stop_before_the_memory_fills(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = TINY_PNG + b"\x00" * 1000
    chat = f"/api/chats/{OFFICER.telegram_id}/photos"
    monkeypatch.setattr(web_chat, "FILES_HELD_LIMIT", 3 * len(photo))
    async with sandbox.http.post(sandbox.url(chat), data=photo) as first:
        assert first.status == 200
    await sandbox.standin.wait_idle()
    held = len(sandbox.standin.state.files)
    async with sandbox.http.post(sandbox.url(chat), data=photo * 3) as refused:
        assert refused.status == 507 and (await refused.json())["ok"] is False
    assert len(sandbox.standin.state.files) == held


async def test_an_open_event_stream_ends_with_the_sign_in(tmp_path: Path) -> None:
    async with running_sandbox(tmp_path, password=PASSWORD) as sandbox:
        assert (await sign_in(sandbox)).status == 303
        async with sandbox.http.get(sandbox.url("/api/events")) as stream:
            assert (await stream.content.readline()).startswith(b"retry:")
            async with sandbox.http.post(sandbox.url("/logout"), allow_redirects=False) as out:
                assert out.status == 303
            await sandbox.standin.send_text(_user(OFFICER), "after sign-out")
            rest = await asyncio.wait_for(stream.content.read(), 5)
        assert b"after sign-out" not in rest and rest.strip() == b""


def _user(member: CastMember) -> TgUser:
    return TgUser(id=member.telegram_id, first_name=member.first_name, language_code="uz")


async def test_a_photo_of_megabytes_arrives_whole(sandbox: Sandbox) -> None:
    """A phone's photo comes in many packets: all of them are the photo, not the first few."""
    photo = TINY_PNG + bytes(range(256)) * (12 * 1024)  # about 3 MB

    async def packets() -> AsyncIterator[bytes]:
        for start in range(0, len(photo), 64 * 1024):
            yield photo[start : start + 64 * 1024]

    chat = f"/api/chats/{OFFICER.telegram_id}/photos"
    async with sandbox.http.post(sandbox.url(chat), data=packets()) as response:
        assert response.status == 200, await response.text()
    assert {f.content for f in sandbox.standin.state.files.values()} == {photo}

    async def too_many() -> AsyncIterator[bytes]:
        yield TINY_PNG
        for _ in range(11):
            yield b"\x00" * (1024 * 1024)

    async with sandbox.http.post(sandbox.url(chat), data=too_many()) as refused:
        assert refused.status == 413


async def test_a_person_taps_only_in_their_own_chat(sandbox: Sandbox) -> None:
    """The officer's button, tapped through the coordinator's chat, reaches nobody."""
    tg = sandbox.standin
    officer = f"/api/chats/{OFFICER.telegram_id}"
    async with sandbox.http.post(sandbox.url(officer + "/messages"), json={"text": "/report"}):
        pass
    await tg.wait_until(lambda: any(m.buttons for m in tg.messages(OFFICER.telegram_id)))
    await tg.wait_idle()
    button = next(m for m in tg.messages(OFFICER.telegram_id) if m.buttons)
    data = button.buttons[0][0][1]
    before = tg.state.next_update_id
    async with sandbox.http.post(
        sandbox.url(f"/api/chats/{COORDINATOR.telegram_id}/taps"),
        json={"message_id": button.message_id, "data": data},
    ) as refused:
        assert refused.status in (400, 404) and (await refused.json())["ok"] is False
    assert tg.state.next_update_id == before and tg.pending_updates() == 0


async def test_a_sign_in_body_without_a_length_is_bounded_too(tmp_path: Path) -> None:
    async def endless_form() -> AsyncIterator[bytes]:
        yield b"password="
        for _ in range(64):
            yield b"x" * 1024

    async with running_sandbox(tmp_path, password=PASSWORD) as sandbox:
        async with sandbox.http.post(
            sandbox.url("/login"),
            data=endless_form(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
        ) as refused:
            assert refused.status == 413
        async with sandbox.http.post(
            sandbox.url("/login"), data="&".join(["a=1"] * 50), allow_redirects=False
        ) as crowded:
            assert crowded.status == 400
        assert (await sign_in(sandbox)).status == 303


def _from(address: str) -> Request:
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (
        (address, 50000) if name == "peername" else default
    )
    return make_mocked_request("POST", "/api/reset", transport=transport)


def test_in_a_training_room_only_the_trainers_computer_resets() -> None:
    room = Guard(PASSWORD)
    assert room.may_reset(_from("127.0.0.1")) and room.may_reset(_from("::1"))
    assert not room.may_reset(_from("192.168.1.23"))  # a trainee's phone
    assert Guard(None).may_reset(_from("127.0.0.1"))


async def test_the_page_is_told_whether_it_may_reset(tmp_path: Path) -> None:
    async with running_sandbox(tmp_path, password=PASSWORD) as sandbox:
        assert (await sign_in(sandbox)).status == 303
        async with sandbox.http.get(sandbox.url("/api/ui")) as answer:
            assert (await answer.json())["can_reset"] is True  # the tests run on loopback


async def test_text_that_is_no_unicode_is_refused_not_a_crash(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    chat = f"/api/chats/{OFFICER.telegram_id}/messages"
    async with sandbox.http.post(sandbox.url(chat), data=b'{"text": "a\\ud800b"}') as refused:
        assert refused.status == 400 and (await refused.json())["ok"] is False
    assert sandbox.standin.pending_updates() == 0 and "internal error" not in caplog.text
