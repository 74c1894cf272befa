"""The stand-in's HTTP control side: a bot in another process is driven over ``/_standin/…``.

Tests that start the bot as its own process (and /work/shared/tools/container-check, which
runs it in a container) cannot call :class:`~bot.standin.server.StandIn`'s Python methods, so
the person side and the observing side are offered over HTTP as well:

- ``POST /_standin/text`` ``{"user", "chat"?, "text"}`` — a person sends text
- ``POST /_standin/tap`` ``{"user", "chat_id", "message_id", "data", "forge"?}`` — taps a button
- ``POST /_standin/update`` (a raw update) — queued as it is
- ``GET  /_standin/chats/{chat_id}/messages`` — the bot's messages in that chat
- ``GET  /_standin/calls`` — every Bot API call so far

The control side takes no token, so :func:`no_web_pages` keeps every web page away from it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .core import json_response
from .models import TgChat, TgUser
from .params import ApiError, jsonable

if TYPE_CHECKING:
    from .server import StandIn

__all__ = ["ControlSide", "no_web_pages"]


class ControlSide:
    """The ``/_standin/…`` routes over one stand-in."""

    def __init__(self, standin: StandIn) -> None:
        self._standin = standin

    def routes(self) -> list[web.RouteDef]:
        """The control side's routes, for the stand-in's application."""
        return [
            web.post("/_standin/text", self._text),
            web.post("/_standin/tap", self._tap),
            web.post("/_standin/update", self._update),
            web.get(r"/_standin/chats/{chat_id:-?\d+}/messages", self._messages),
            web.get("/_standin/calls", self._calls),
        ]

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError as exc:
            raise web.HTTPBadRequest(text="JSON body expected") from exc
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="JSON object expected")
        return body

    async def _text(self, request: web.Request) -> web.StreamResponse:
        body = await self._body(request)
        try:
            user = TgUser.from_dict(body["user"])
            chat = TgChat.from_dict(body["chat"]) if body.get("chat") else None
            update = await self._standin.send_text(user, str(body["text"]), chat=chat)
        except (KeyError, TypeError, ValueError) as exc:
            return json_response({"ok": False, "description": f"bad control request: {exc!r}"}, 400)
        return json_response({"ok": True, "result": update}, 200)

    async def _tap(self, request: web.Request) -> web.StreamResponse:
        body = await self._body(request)
        try:
            user = TgUser.from_dict(body["user"])
            chat_id, message_id = int(body["chat_id"]), int(body["message_id"])
            message = self._standin.bot_message(chat_id, message_id)
            if message is None:
                raise AssertionError(f"the bot sent no message {message_id} to chat {chat_id}")
            query_id = await self._standin.tap(
                user, message, str(body["data"]), forge=bool(body.get("forge"))
            )
        except (KeyError, TypeError, ValueError, AssertionError) as exc:
            return json_response({"ok": False, "description": str(exc)}, 400)
        return json_response({"ok": True, "result": {"callback_query_id": query_id}}, 200)

    async def _update(self, request: web.Request) -> web.StreamResponse:
        body = await self._body(request)
        return json_response({"ok": True, "result": await self._standin.send_update(body)}, 200)

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        chat_id = int(request.match_info["chat_id"])
        return json_response([m.to_dict() for m in self._standin.messages(chat_id)], 200)

    async def _calls(self, request: web.Request) -> web.StreamResponse:
        calls = self._standin.state.calls
        return json_response([[name, jsonable(params)] for name, params in calls], 200)


@web.middleware
async def no_web_pages(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Only programs talk to the stand-in, never a web page. It listens on 127.0.0.1 and its
    control side (/_standin/...) takes no token, so any page a developer or trainer visits
    could post updates as anyone (a form's POST needs no CORS preflight) or, by DNS
    rebinding, read every chat. Browsers mark a page's requests (Origin, Sec-Fetch-Site);
    an address typed into the address bar (Sec-Fetch-Site: none) still works."""
    site = request.headers.get("Sec-Fetch-Site")
    if "Origin" in request.headers or (site is not None and site != "none"):
        return json_response(
            ApiError(403, "Forbidden: the stand-in answers no web page").body(), 403
        )
    return await handler(request)
