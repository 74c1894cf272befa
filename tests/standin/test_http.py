"""The raw HTTP surface: request encodings, tokens, unknown methods and the control side."""

from __future__ import annotations

import json

import httpx
from telegram import Bot

from bot.standin import StandIn, TgUser

from .conftest import TOKEN


async def test_json_body_form_and_query_string(tg: StandIn, http: httpx.AsyncClient) -> None:
    tg.add_chat(TgUser(id=7, first_name="Q"))
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    by_json = await http.post(
        f"/bot{TOKEN}/sendMessage", json={"chat_id": 7, "text": "json", "reply_markup": markup}
    )
    by_form = await http.post(
        f"/bot{TOKEN}/SENDMESSAGE",  # method names are case-insensitive
        data={"chat_id": "7", "text": "123", "reply_markup": json.dumps(markup)},
    )
    by_query = await http.get(f"/bot{TOKEN}/sendMessage", params={"chat_id": 7, "text": "get"})
    assert [r.json()["result"]["text"] for r in (by_json, by_form, by_query)] == [
        "json",
        "123",  # text stays a string even though it looks like a number
        "get",
    ]
    assert by_form.json()["result"]["reply_markup"] == markup
    name, params = tg.calls[-2]
    assert name == "sendMessage" and params == {"chat_id": 7, "text": "123", "reply_markup": markup}


async def test_wrong_token_unknown_method_unknown_path(http: httpx.AsyncClient) -> None:
    response = await http.post("/bot999:wrong/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    response = await http.post(f"/bot{TOKEN}/sendPoll")
    assert response.status_code == 404
    assert response.json() == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found: method not found",
    }
    assert (await http.get("/favicon.ico")).status_code == 404
    assert (await http.get(f"/file/bot{TOKEN}/documents/none.pdf")).status_code == 404


async def test_control_text_tap_and_read(
    tg: StandIn, bot: Bot, http: httpx.AsyncClient, alice: TgUser
) -> None:
    user = alice.to_dict()
    response = await http.post("/_standin/text", json={"user": user, "text": "/start"})
    assert response.json()["result"]["message"]["entities"][0]["type"] == "bot_command"

    markup = {"inline_keyboard": [[{"text": "Ha", "callback_data": "yes"}]]}
    await http.post(
        f"/bot{TOKEN}/sendMessage",
        json={
            "chat_id": alice.id,
            "text": "<b>Tayyor?</b>",
            "parse_mode": "HTML",
            "reply_markup": markup,
        },
    )
    listed = (await http.get(f"/_standin/chats/{alice.id}/messages")).json()
    assert [(m["message_id"], m["text"], m["html"]) for m in listed] == [
        (2, "Tayyor?", "<b>Tayyor?</b>")
    ]
    assert listed[0]["buttons"] == [[["Ha", "yes"]]]

    tap = {"user": user, "chat_id": alice.id, "message_id": 2, "data": "yes"}
    query_id = (await http.post("/_standin/tap", json=tap)).json()["result"]["callback_query_id"]
    assert await bot.answer_callback_query(query_id, text="OK")
    assert tg.callback_answer(query_id) == {
        "text": "OK",
        "show_alert": False,
        "url": None,
        "cache_time": 0,
    }
    refused = await http.post("/_standin/tap", json=tap | {"data": "typo"})
    assert refused.status_code == 400 and "no button with callback_data 'typo'" in refused.text
    forged = await http.post("/_standin/tap", json=tap | {"data": "typo", "forge": True})
    assert forged.json()["ok"] is True


async def test_control_update_and_calls(tg: StandIn, bot: Bot, http: httpx.AsyncClient) -> None:
    raw = {
        "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "hi"}
    }
    queued = (await http.post("/_standin/update", json=raw)).json()["result"]
    assert queued["update_id"] == 1
    assert (await bot.get_updates())[0].message.text == "hi"  # type: ignore[union-attr]
    # The chat became known through the raw update, so the bot can answer in it.
    assert (await bot.send_message(5, "javob")).message_id == 2
    await bot.send_document(5, b"\x00\x01", filename="b.bin")
    calls = (await http.get("/_standin/calls")).json()
    assert [c[0] for c in calls] == ["getMe", "getUpdates", "sendMessage", "sendDocument"]
    assert calls[-1][1]["document"] == {
        "file_name": "b.bin",
        "mime_type": "application/octet-stream",
        "size": 2,
    }


async def test_simple_methods(tg: StandIn, bot: Bot, http: httpx.AsyncClient) -> None:
    for method in ("logOut", "close", "deleteWebhook"):
        assert (await http.post(f"/bot{TOKEN}/{method}")).json() == {"ok": True, "result": True}
    me = (await http.get(f"/bot{TOKEN}/getMe")).json()["result"]
    assert me["id"] == 123456 and me["is_bot"] and me["username"] == "fieldreport_bot"
    assert bot.username == "fieldreport_bot"


async def test_restart_on_the_same_object() -> None:
    standin = StandIn(token=TOKEN)
    async with standin:
        pass
    async with standin, httpx.AsyncClient(verify=False) as http:  # stopping did not stick
        response = await http.get(f"{standin.base_url}{TOKEN}/getUpdates", params={"timeout": 0.05})
        assert response.json() == {"ok": True, "result": []}


async def test_no_web_page_can_drive_or_read_the_stand_in(
    tg: StandIn, http: httpx.AsyncClient
) -> None:
    """A page the developer visits can reach 127.0.0.1: its requests (marked by the browser
    with Origin or Sec-Fetch-Site) are refused; an address typed into the browser works."""
    tg.add_chat(TgUser(id=7, first_name="Q"))
    person = {"user": {"id": 7, "first_name": "Q"}, "text": "/promote 7"}
    for page in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-origin"},  # DNS rebinding: the page's own name, our address
    ):
        refused = await http.post("/_standin/text", content=json.dumps(person), headers=page)
        assert refused.status_code == 403, page
        read = await http.get("/_standin/calls", headers=page)
        assert read.status_code == 403, page
        sent = await http.post(
            f"/bot{TOKEN}/sendMessage", data={"chat_id": "7", "text": "x"}, headers=page
        )
        assert sent.status_code == 403, page
    assert tg.pending_updates() == 0 and tg.calls == []
    typed = await http.get("/_standin/calls", headers={"Sec-Fetch-Site": "none"})
    assert typed.status_code == 200


async def test_a_long_running_stand_in_remembers_only_the_latest_calls() -> None:
    async with (
        StandIn(token=TOKEN, calls_kept=10) as tg,
        httpx.AsyncClient(base_url=tg.api_url) as http,
    ):
        for n in range(50):
            await http.post(f"/bot{TOKEN}/getMe")
            await http.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": "404", "text": str(n)})
        assert 10 <= len(tg.calls) <= 20 and 10 <= len(tg.state.failures) <= 20
        assert tg.calls[-1][1]["text"] == "49"  # the latest stay
