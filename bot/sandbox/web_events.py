"""The page's live view: the stand-in's event feed as server-sent events, one JSON object each,
carrying what the page needs to apply the change in place."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.standin import FeedEvent, StandIn, Subscription

from .web_views import message_view

__all__ = ["event_json", "stream_events"]

KEEPALIVE = 15.0  # seconds between comments that keep an idle event stream open


async def stream_events(
    request: web.Request,
    standin: StandIn,
    closing: asyncio.Event,
    allowed: Callable[[], bool] = lambda: True,
) -> web.StreamResponse:
    """``GET /api/events``: events from now on, until the page leaves, the server stops or
    ``allowed`` says no more (the session was signed out or ran out: an open stream must not
    outlive the sign-in that opened it)."""
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    async with standin.feed.subscribe() as events:
        await response.write(b"retry: 1000\n\n")
        with contextlib.suppress(ConnectionResetError, asyncio.CancelledError):
            while not closing.is_set():
                event = await next_event(events, closing)
                if not allowed():
                    break
                if event is None:
                    await response.write(b": keep-alive\n\n")
                    continue
                payload = event_json(standin, event)
                if payload is not None:
                    data = json.dumps(payload, ensure_ascii=False)
                    await response.write(f"data: {data}\n\n".encode())
    return response


async def next_event(events: Subscription, closing: asyncio.Event) -> FeedEvent | None:
    """The next event, or None after a quiet while or when the server stops."""
    getting = asyncio.ensure_future(events.get(KEEPALIVE))
    stopping = asyncio.ensure_future(closing.wait())
    try:
        await asyncio.wait((getting, stopping), return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        if not getting.done():
            getting.cancel()
    return getting.result() if getting.done() and not getting.cancelled() else None


def event_json(standin: StandIn, event: FeedEvent) -> dict[str, Any] | None:
    """What the page needs to apply an event in place (None: nothing to show)."""
    base: dict[str, Any] = {"type": event.kind, "chat_id": event.chat_id}
    if event.kind in ("sent", "edited", "person"):
        if event.chat_id is None or event.message_id is None:
            return None
        chat = standin.state.chats.get(event.chat_id)
        message = chat.live(event.message_id) if chat is not None else None
        if message is None:
            return None
        return base | {"message": message_view(message)}
    if event.kind == "deleted":
        return base | {"message_id": event.message_id}
    if event.kind == "answered":
        return base | {
            "message_id": event.message_id,
            "text": event.details.get("text"),
            "show_alert": bool(event.details.get("show_alert")),
            "callback_query_id": event.details.get("callback_query_id"),
        }
    if event.kind == "refused":
        return base | {key: event.details.get(key) for key in ("method", "status", "description")}
    return base
