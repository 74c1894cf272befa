"""What happened in the stand-in, as a stream of events a watcher (the sandbox's web chat) follows.

The Bot API methods stay unaware of it: :meth:`EventFeed.observe` reads each finished call (its
method, parameters and result, or the refusal) and says what a person would have seen change in
which chat. Person-side messages and resets are published by the server directly.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

from .params import ApiError
from .state import State

__all__ = ["EventFeed", "EventKind", "FeedEvent", "Subscription", "chat_of_call"]

EventKind = Literal[
    "sent",  # the bot sent a message (text, photo, document, album part, copy, forward)
    "edited",  # the bot edited a message's text, caption or keyboard
    "deleted",  # a message disappeared (either side's)
    "person",  # a person sent a message
    "answered",  # the bot answered a callback query: details has text and show_alert
    "refused",  # the stand-in refused a call: details has method, status, description
    "commands",  # setMyCommands / deleteMyCommands changed a menu
    "reset",  # everything was forgotten
    "overflow",  # this subscriber fell behind and lost events: reload everything
]

#: Events a slow subscriber may have waiting before it is told to reload instead.
QUEUE_LIMIT = 1000

_SENDING = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
    }
)
_EDITING = frozenset({"editmessagetext", "editmessagecaption", "editmessagereplymarkup"})
_COMMANDS = frozenset({"setmycommands", "deletemycommands"})


@dataclass(frozen=True)
class FeedEvent:
    """One change: which chat (None when no chat is concerned) and which message."""

    kind: EventKind
    chat_id: int | None = None
    message_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


class Subscription:
    """Events for one watcher, in order; see :meth:`EventFeed.subscribe`."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[FeedEvent] = asyncio.Queue()
        self._overflowed = False

    def _put(self, event: FeedEvent) -> None:
        if self._overflowed:
            return
        if self._queue.qsize() >= QUEUE_LIMIT:
            # Losing events silently would show a wrong chat; a reload shows the right one.
            self._overflowed = True
            self._queue.put_nowait(FeedEvent("overflow"))
            return
        self._queue.put_nowait(event)

    async def get(self, timeout: float | None = None) -> FeedEvent | None:
        """The next event, or None when ``timeout`` seconds pass without one."""
        if not self._queue.empty():
            event = self._queue.get_nowait()
        elif timeout is not None and timeout <= 0:
            return None
        else:
            try:
                event = await asyncio.wait_for(self._queue.get(), timeout)
            except TimeoutError:
                return None
        if event.kind == "overflow":
            self._overflowed = False
        return event


class EventFeed:
    """Publishes stand-in events to every current subscriber."""

    def __init__(self, state: State) -> None:
        self._state = state
        self._subscribers: set[Subscription] = set()

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscription]:
        """``async with feed.subscribe() as events:`` — events published from now on."""
        subscription = Subscription()
        self._subscribers.add(subscription)
        try:
            yield subscription
        finally:
            self._subscribers.discard(subscription)

    @property
    def subscribers(self) -> int:
        """How many watchers are subscribed now."""
        return len(self._subscribers)

    def publish(self, event: FeedEvent) -> None:
        """Hand ``event`` to every subscriber (never blocks)."""
        for subscription in list(self._subscribers):
            subscription._put(event)

    # --- reading finished Bot API calls ---------------------------------------------------

    def observe(self, method: str, values: dict[str, Any], result: Any) -> None:
        """Publish what a successful call changed for people."""
        name = method.lower()
        if name in _SENDING or name in _EDITING:
            kind: EventKind = "sent" if name in _SENDING else "edited"
            for chat_id, message_id in self._messages_in(name, values, result):
                self.publish(FeedEvent(kind, chat_id, message_id))
        elif name == "deletemessage":
            deleted_in = _as_chat_id(values.get("chat_id"), self._state)
            deleted = _as_int(values.get("message_id"))
            if deleted_in is not None and deleted is not None:
                self.publish(FeedEvent("deleted", deleted_in, deleted))
        elif name == "answercallbackquery":
            query = self._state.callback_queries.get(str(values.get("callback_query_id")))
            if query is not None and query.answer is not None:
                details = {
                    "text": query.answer.get("text"),
                    "show_alert": bool(query.answer.get("show_alert")),
                    "callback_query_id": query.id,
                }
                self.publish(FeedEvent("answered", query.chat_id, query.message_id, details))
        elif name in _COMMANDS:
            self.publish(FeedEvent("commands", chat_of_call(name, values, self._state)))

    def observe_refusal(self, method: str, values: dict[str, Any], error: ApiError) -> None:
        """Publish a call the stand-in refused, with the chat it concerned (if any)."""
        if method.lower() == "getupdates":
            return  # polling's own conflicts concern no chat and no person
        details = {
            "method": method,
            "status": error.status,
            "description": error.description,
            "injected": error.injected,
        }
        self.publish(FeedEvent("refused", chat_of_call(method, values, self._state), None, details))

    def _messages_in(self, name: str, values: dict[str, Any], result: Any) -> list[tuple[int, int]]:
        items = result if isinstance(result, list) else [result]
        found: list[tuple[int, int]] = []
        for item in items:
            if not isinstance(item, dict):
                continue
            message_id = _as_int(item.get("message_id"))
            chat = item.get("chat")
            if isinstance(chat, dict):
                chat_id = _as_int(chat.get("id"))
            else:  # copyMessage answers only a MessageId
                chat_id = _as_chat_id(values.get("chat_id"), self._state)
            if chat_id is not None and message_id is not None:
                found.append((chat_id, message_id))
        return found


def chat_of_call(method: str, values: dict[str, Any], state: State) -> int | None:
    """The chat a Bot API call concerned: its chat_id, a callback query's chat, or the chat of
    a command scope; None for calls about no chat."""
    if method.lower() == "answercallbackquery":
        query = state.callback_queries.get(str(values.get("callback_query_id")))
        return query.chat_id if query is not None else None
    chat_id = _as_chat_id(values.get("chat_id"), state)
    if chat_id is not None:
        return chat_id
    scope = values.get("scope")
    if isinstance(scope, dict):
        return _as_chat_id(scope.get("chat_id"), state)
    return None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value.strip())
    return None


def _as_chat_id(value: Any, state: State) -> int | None:
    """A chat id as given (number or ``@username`` of a known chat)."""
    number = _as_int(value)
    if number is not None:
        return number
    if isinstance(value, str) and value.startswith("@"):
        chat = state.find_chat(value)
        return chat.chat.id if chat is not None else None
    return None
