"""The web chat's HTTP API as the page and the runner use it, against the real bot."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

from bot.sandbox.web_texts import PAGE_WORDS
from bot.standin import TINY_PNG
from tests.sandbox.cast import COORDINATOR, GROUP, OFFICER
from tests.sandbox.conftest import Sandbox


async def get(sandbox: Sandbox, path: str, **headers: str) -> tuple[int, Any]:
    async with sandbox.http.get(sandbox.url(path), headers=headers) as response:
        return response.status, await response.json()


async def post(sandbox: Sandbox, path: str, body: Any) -> tuple[int, Any]:
    async with sandbox.http.post(sandbox.url(path), json=body) as response:
        return response.status, await response.json()


async def test_people_are_listed_with_role_and_unit_in_the_page_language(
    sandbox: Sandbox,
) -> None:
    status, body = await get(sandbox, "/api/people?lang=ru")
    assert status == 200
    people = {p["id"]: p for p in body["people"]}
    assert list(people) == [5001, COORDINATOR.telegram_id, OFFICER.telegram_id, GROUP.telegram_id]
    officer = people[OFFICER.telegram_id]
    assert officer["name"] == "Bekzod Rakhimov"
    assert officer["label"] == "Сотрудник · Термез"
    assert officer["language"] == "uz"
    assert officer["places"][0] == {"label": "Ayritom", "latitude": 37.2336, "longitude": 67.2647}
    assert people[GROUP.telegram_id]["is_group"] is True
    _, english = await get(sandbox, "/api/people", **{"Accept-Language": "en-GB,en;q=0.8"})
    assert {p["id"]: p for p in english["people"]}[OFFICER.telegram_id]["label"] == (
        "Officer · Termez"
    )
    _, cyrillic = await get(sandbox, "/api/people?lang=uz_Cyrl")
    label = {p["id"]: p for p in cyrillic["people"]}[OFFICER.telegram_id]["label"]
    assert "Термиз" in label


async def test_the_page_words_come_translated_and_every_word_is_translated(
    sandbox: Sandbox,
) -> None:
    for language in ("uz", "uz_Cyrl", "ru"):
        status, body = await get(sandbox, f"/api/ui?lang={language}")
        assert status == 200 and body["language"] == language
        untranslated = [w for w in PAGE_WORDS if body["texts"][w] == w and w != "OK"]
        assert untranslated == [], language
    _, russian = await get(sandbox, "/api/ui", **{"Accept-Language": "ru-RU,ru;q=0.9"})
    assert russian["language"] == "ru"
    assert russian["texts"]["Send"] == "Отправить"
    _, fallback = await get(sandbox, "/api/ui", **{"Accept-Language": "de-DE"})
    assert fallback["language"] == "en"


async def test_start_typed_into_the_page_is_answered_and_the_event_stream_tells(
    sandbox: Sandbox,
) -> None:
    async with sandbox.http.get(sandbox.url("/api/events")) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        status, body = await post(
            sandbox, f"/api/chats/{OFFICER.telegram_id}/messages", {"text": "/start"}
        )
        assert status == 200 and body["ok"] is True
        events = await read_events(stream, lambda e: e["type"] == "sent")
    assert events[0]["type"] == "person" and events[0]["message"]["text"] == "/start"
    reply = events[-1]["message"]
    assert events[-1]["chat_id"] == OFFICER.telegram_id and reply["side"] == "bot"
    status, chat = await get(sandbox, f"/api/chats/{OFFICER.telegram_id}/messages")
    assert status == 200
    assert [m["side"] for m in chat["messages"]][:2] == ["person", "bot"]
    assert chat["messages"][0]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert chat["refusals"] == [] and chat["language"] == "uz"
    status, menu = await get(sandbox, f"/api/chats/{OFFICER.telegram_id}/commands")
    assert status == 200
    assert "report" in [c["command"] for c in menu["commands"]]


async def read_events(
    stream: aiohttp.ClientResponse, until: Any, limit: int = 50
) -> list[dict[str, Any]]:
    """Events from an open stream up to the first one ``until`` accepts."""
    found: list[dict[str, Any]] = []
    async with asyncio.timeout(10):
        async for raw in stream.content:
            line = raw.decode().strip()
            if not line.startswith("data: "):
                continue
            event = json.loads(line.removeprefix("data: "))
            found.append(event)
            if until(event) or len(found) >= limit:
                return found
    return found


async def test_a_tap_reaches_the_bot_and_its_answer_is_an_event(sandbox: Sandbox) -> None:
    tg = sandbox.standin
    await post(sandbox, f"/api/chats/{OFFICER.telegram_id}/messages", {"text": "/report"})
    await tg.wait_until(lambda: any(m.buttons for m in tg.messages(OFFICER.telegram_id)))
    chooser = next(m for m in tg.messages(OFFICER.telegram_id) if m.buttons)
    data = next(d for d in chooser.callback_data if d.endswith(":new:seizure"))
    async with sandbox.http.get(sandbox.url("/api/events")) as stream:
        status, body = await post(
            sandbox,
            f"/api/chats/{OFFICER.telegram_id}/taps",
            {"message_id": chooser.message_id, "data": data},
        )
        assert status == 200
        events = await read_events(stream, lambda e: e["type"] == "answered")
    answered = events[-1]
    assert answered["callback_query_id"] == body["callback_query_id"]
    assert answered["chat_id"] == OFFICER.telegram_id


async def test_location_photo_and_language_act_as_the_person(sandbox: Sandbox) -> None:
    tg = sandbox.standin
    chat = f"/api/chats/{OFFICER.telegram_id}"
    status, _ = await post(sandbox, chat + "/locations", {"latitude": 37.23, "longitude": 67.26})
    assert status == 200
    async with sandbox.http.post(sandbox.url(chat + "/photos"), data=TINY_PNG) as response:
        assert response.status == 200
    status, body = await post(sandbox, chat + "/language", {"language": "en"})
    assert status == 200 and body["language"] == "en"
    await post(sandbox, chat + "/messages", {"text": "hello"})
    await tg.wait_idle()
    _, messages = await get(sandbox, chat + "/messages")
    person = [m for m in messages["messages"] if m["side"] == "person"]
    assert person[0]["location"] == {"latitude": 37.23, "longitude": 67.26}
    photo_url = person[1]["photo"]
    async with sandbox.http.get(sandbox.url(photo_url)) as response:
        assert response.status == 200
        assert response.content_type == "image/png"
        assert await response.read() == TINY_PNG
    updates = [p for name, p in tg.calls if name == "getUpdates"]
    assert updates  # the bot polled; the last message came from an English app
    texts = [u for u in tg.state.users.values() if u.id == OFFICER.telegram_id]
    assert texts[0].language_code == "en"
    _, people = await get(sandbox, "/api/people")
    assert {p["id"]: p for p in people["people"]}[OFFICER.telegram_id]["language"] == "en"


async def test_the_group_is_typed_into_by_its_speaker(sandbox: Sandbox) -> None:
    tg = sandbox.standin
    status, _ = await post(sandbox, f"/api/chats/{GROUP.telegram_id}/messages", {"text": "hi"})
    assert status == 200
    _, chat = await get(sandbox, f"/api/chats/{GROUP.telegram_id}/messages")
    assert chat["messages"][0]["sender"] == "Olga Ivanova"
    await tg.wait_idle()


async def test_a_refused_call_shows_in_that_chat_only(sandbox: Sandbox) -> None:
    tg = sandbox.standin
    tg.inject_fault("400", "sendMessage", chat_id=OFFICER.telegram_id)
    async with sandbox.http.get(sandbox.url("/api/events")) as stream:
        await post(sandbox, f"/api/chats/{OFFICER.telegram_id}/messages", {"text": "/start"})
        events = await read_events(stream, lambda e: e["type"] == "refused")
    refused = events[-1]
    assert refused["chat_id"] == OFFICER.telegram_id
    assert refused["method"] == "sendMessage" and refused["status"] == 400
    await tg.wait_idle()
    _, officer = await get(sandbox, f"/api/chats/{OFFICER.telegram_id}/messages")
    _, coordinator = await get(sandbox, f"/api/chats/{COORDINATOR.telegram_id}/messages")
    assert officer["refusals"][-1]["method"] == "sendMessage"
    assert coordinator["refusals"] == []


async def test_documents_download_with_their_name(sandbox: Sandbox) -> None:
    tg = sandbox.standin
    bot = sandbox.app.bot
    await bot.send_document(COORDINATOR.telegram_id, b"PK\x03\x04data", filename="hisobot 1.xlsx")
    _, chat = await get(sandbox, f"/api/chats/{COORDINATOR.telegram_id}/messages")
    document = chat["messages"][-1]["document"]
    assert document["name"] == "hisobot 1.xlsx"
    async with sandbox.http.get(sandbox.url(document["url"])) as response:
        assert response.status == 200
        assert "attachment" in response.headers["Content-Disposition"]
        assert "hisobot%201.xlsx" in response.headers["Content-Disposition"]
        assert await response.read() == b"PK\x03\x04data"
    assert tg.refusals == []


async def test_reset_calls_the_runner_forgets_chats_and_tells_the_page(sandbox: Sandbox) -> None:
    tg = sandbox.standin
    await post(sandbox, f"/api/chats/{OFFICER.telegram_id}/messages", {"text": "/start"})
    await tg.wait_until(lambda: bool(tg.messages(OFFICER.telegram_id)))
    await tg.wait_idle()
    async with sandbox.http.get(sandbox.url("/api/events")) as stream:
        status, _ = await post(sandbox, "/api/reset", {})
        assert status == 200
        events = await read_events(stream, lambda e: e["type"] == "reset")
    assert events[-1]["type"] == "reset" and sandbox.resets == [1]
    _, chat = await get(sandbox, f"/api/chats/{OFFICER.telegram_id}/messages")
    assert chat["messages"] == []
    # Everyone's chat is known again: the bot can write to a coordinator who never typed.
    await sandbox.app.bot.send_message(COORDINATOR.telegram_id, "hello")
    assert tg.refusals == []


async def test_the_page_and_its_files_are_served(sandbox: Sandbox) -> None:
    for path, kind in (
        ("/", "text/html"),
        ("/static/app.js", "text/javascript"),
        ("/static/text.js", "text/javascript"),
        ("/static/app.css", "text/css"),
    ):
        async with sandbox.http.get(sandbox.url(path)) as response:
            assert response.status == 200, path
            assert response.content_type == kind
            assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    for missing in ("/static/index.html", "/static/../web.py", "/static/x.js"):
        async with sandbox.http.get(sandbox.url(missing)) as response:
            assert response.status == 404, missing
