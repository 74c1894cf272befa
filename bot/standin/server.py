"""The stand-in server: Bot API over real HTTP for the bot, plus a person's side for tests.

Every state change (a request, an update queued, a message stored) wakes one
:class:`asyncio.Condition`, so long polls and the test's waits react immediately instead of
polling with sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import mimetypes
import random
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, get_args

import aiohttp
from aiohttp import web

from .api import CANONICAL_NAMES, BotApi
from .command_menu import resolve_commands
from .feed import EventFeed, FeedEvent
from .models import SentMessage, TgChat, TgUser
from .params import ApiError, Params, jsonable, read_params
from .state import (
    TINY_PNG,
    CallbackQuery,
    State,
    UserMessage,
    Webhook,
)

__all__ = ["DEFAULT_RATE_KINDS", "DeliveryFaultKind", "FaultKind", "StandIn", "StandInTimeout"]

FaultKind = Literal["429", "500", "502", "slow", "drop", "400", "403"]
#: What :meth:`StandIn.set_fault_rate` draws from unless told otherwise.
DEFAULT_RATE_KINDS: tuple[FaultKind, ...] = ("429", "500", "slow", "drop")

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: What can go wrong with a webhook delivery (:meth:`StandIn.inject_delivery_fault`).
DeliveryFaultKind = Literal["lost_answer", "refused", "timeout"]


class StandInTimeout(AssertionError, TimeoutError):
    """A wait ran out; both an assertion failure and a timeout, so either ``except`` works."""


@dataclass
class _Fault:
    kind: FaultKind
    method: str | None  # lower-case method name; None = any method but getUpdates
    remaining: int
    retry_after: int
    delay: float
    chat_id: int | None = None  # only calls to this chat (None: any call)


@dataclass
class _FaultRate:
    """A probabilistic fault mode: each matching call fails with probability ``rate``."""

    rate: float
    kinds: tuple[FaultKind, ...]
    methods: frozenset[str] | None  # lower-case names; None = any method but getUpdates
    rng: random.Random
    retry_after: int
    slow_delay: tuple[float, float]

    def draw(self, method: str) -> _Fault | None:
        if self.methods is None:
            if method == "getupdates":
                return None
        elif method not in self.methods:
            return None
        if self.rng.random() >= self.rate:
            return None
        kind = self.rng.choice(self.kinds)
        delay = self.rng.uniform(*self.slow_delay) if kind == "slow" else 0.0
        return _Fault(kind, method, 1, self.retry_after, delay)


class StandIn:
    """A local Telegram Bot API for one bot token, with a control side for tests.

    Use as ``async with StandIn() as tg:`` and point PTB at ``tg.base_url`` /
    ``tg.base_file_url``. All methods run on the event loop the server was started on.
    """

    def __init__(
        self,
        token: str = "123456:TEST-token",
        bot_username: str = "standin_bot",
        *,
        bot_name: str = "Stand-in Bot",
        host: str = "127.0.0.1",
        port: int = 0,
        strict_ampersand: bool = True,
        allow_http_webhook: bool = False,
        calls_kept: int | None = None,
    ) -> None:
        """``allow_http_webhook``: accept a webhook at plain http:// on this machine (tests
        have no certificate; Telegram itself wants https). ``calls_kept``: remember about that
        many latest calls and refusals, not all (a sandbox runs for days: a long poll every
        few seconds, charts uploaded); None, as tests want, keeps every one."""
        self.calls_kept = calls_kept
        self.state = State(token, bot_username, bot_name)
        self.state.allow_http_webhook = allow_http_webhook
        self.api = BotApi(self.state, strict_ampersand=strict_ampersand)
        #: Every change a person would see, for watchers such as the sandbox's web chat.
        self.feed = EventFeed(self.state)
        #: Called at the end of every :meth:`reset` (the sandbox makes its people known again).
        self.after_reset: list[Callable[[], None]] = []
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._address: str | None = None
        self._cond = asyncio.Condition()
        self._version = 0  # bumped on every change, so waits can tell "something happened"
        self._stopping = False
        self._stop_event = asyncio.Event()
        self._in_flight = 0
        self._poll_generation = 0
        self._polls_waiting = 0
        self._faults: list[_Fault] = []
        self._fault_rate: _FaultRate | None = None
        self._faults_fired: list[tuple[str, FaultKind]] = []
        self._cursors: dict[int, int] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._queued: dict[int, dict[str, Any]] = {}  # every update ever queued, by update_id
        self._delivery_faults: list[DeliveryFaultKind] = []
        self._deliverer: asyncio.Task[None] | None = None
        #: Webhook deliveries: the first retry waits this long, each next one twice as long.
        self.webhook_retry_delay = 0.05
        self.webhook_retry_max = 1.0
        #: How long a delivery waits for the webhook's answer.
        self.webhook_timeout = 10.0
        #: Every webhook delivery attempt: (update_id, HTTP status, or what failed).
        self.deliveries: list[tuple[int, int | str]] = []
        #: Told of every delivery attempt as it ends (tests kill a bot process right after it
        #: answered 200, before it could handle the update).
        self.on_delivered: Callable[[int, int | str], None] | None = None

    # --- lifecycle ------------------------------------------------------------------------

    async def __aenter__(self) -> StandIn:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen on ``host:port`` (port 0 picks a free one)."""
        if self._runner is not None:
            raise RuntimeError("the stand-in is already running")
        self._stopping = False
        self._stop_event.clear()
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[_no_web_pages])
        app.router.add_route("*", r"/bot{token:[^/]*}/{method:[^/]+}", self._handle_api)
        app.router.add_get(r"/file/bot{token:[^/]*}/{path:.+}", self._handle_file)
        app.router.add_post("/_standin/text", self._control_text)
        app.router.add_post("/_standin/tap", self._control_tap)
        app.router.add_post("/_standin/update", self._control_update)
        app.router.add_get(r"/_standin/chats/{chat_id:-?\d+}/messages", self._control_messages)
        app.router.add_get("/_standin/calls", self._control_calls)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        host, port = runner.addresses[0][:2]
        self._runner = runner
        self._address = f"http://{host}:{port}"
        self._deliverer = asyncio.get_running_loop().create_task(self._deliver_forever())

    async def stop(self) -> None:
        """Release waiting long polls and slow answers, then close every connection."""
        if self._runner is None:
            return
        self._stopping = True
        self._stop_event.set()
        await self._notify()
        if self._deliverer is not None:
            self._deliverer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._deliverer
            self._deliverer = None
        runner, self._runner = self._runner, None
        await runner.cleanup()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    @property
    def api_url(self) -> str:
        """Root URL, what a TELEGRAM_API_URL setting would hold (the bot adds ``/bot``)."""
        if self._address is None:
            raise RuntimeError("the stand-in is not running; use `async with StandIn() as tg`")
        return self._address

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: PTB appends the token."""
        return f"{self.api_url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"{self.api_url}/file/bot"

    @property
    def token(self) -> str:
        """The one token this server accepts."""
        return self.state.token

    # --- waking waiters -------------------------------------------------------------------

    async def _notify(self) -> None:
        """Record a change of state and wake every waiter to re-check."""
        self._version += 1
        await self._wake()

    async def _wake(self) -> None:
        async with self._cond:
            self._cond.notify_all()

    def _notify_soon(self) -> None:
        """Wake waiters from synchronous code (a task, awaited on stop)."""
        try:
            task = asyncio.get_running_loop().create_task(self._notify())
        except RuntimeError:  # no loop running: nobody can be waiting either
            self._version += 1
            return
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _wait_for(self, predicate: Callable[[], bool], timeout: float | None) -> bool:
        """Wait until ``predicate()`` holds, re-checking on every change; False on timeout."""
        async with self._cond:
            try:
                await asyncio.wait_for(self._cond.wait_for(predicate), timeout)
            except TimeoutError:
                return predicate()
        return True

    # --- the Bot API over HTTP ------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.state.token:
            return _json(ApiError(401, "Unauthorized").body(), 401)
        given = request.match_info["method"]
        method = given.lower()
        polling = method == "getupdates"  # a waiting long poll is not "work in flight"
        if not polling:
            self._in_flight += 1
        try:
            try:
                values = await read_params(request)
            except ApiError as exc:
                return _json(exc.body(), exc.status)
            name = CANONICAL_NAMES.get(method, given)
            self.state.calls.append((name, values))
            self._forget_old(self.state.calls)
            await self._wake()  # lets tests wait for "the bot called X" while X still runs
            params = Params(values)
            try:
                fault = self._take_fault(method, values) or self._draw_fault(method)
                if fault is not None:
                    self._faults_fired.append((name, fault.kind))
                    await self._apply_fault(fault, request)
                if polling:
                    result: Any = await self._get_updates(params)
                else:
                    implementation = self.api.lookup(method)
                    if implementation is None:
                        raise ApiError(404, "Not Found: method not found")
                    result = implementation(params)
            except ApiError as exc:
                self.state.failures.append((name, values, exc))
                self._forget_old(self.state.failures)
                self.feed.observe_refusal(name, values, exc)
                return _json(exc.body(), exc.status)
            self.feed.observe(name, values, result)
            return _json({"ok": True, "result": result}, 200)
        finally:
            if not polling:
                self._in_flight -= 1
                await self._notify()

    async def _apply_fault(self, fault: _Fault, request: web.Request) -> None:
        """Fail the way the fault says, or (slow) just delay the normal answer."""
        if fault.kind == "slow":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop_event.wait(), fault.delay)
            return
        if fault.kind == "drop":
            if request.transport is not None:
                request.transport.close()
            raise web.HTTPServiceUnavailable()  # never reaches the client: the socket is gone
        raise _fault_error(fault)

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        """Long polling: confirm by offset, then answer as soon as something is queued."""
        if self.state.webhook is not None:
            raise ApiError(409, _WEBHOOK_ACTIVE)
        self.state.choose_updates(params.get_json("allowed_updates", "can't parse allowed_updates"))
        if self.state.confirm(params.get_int("offset") or 0):
            await self._notify()
        limit = min(max(params.get_int("limit") or 100, 1), 100)
        timeout = max(params.get_float("timeout") or 0.0, 0.0)
        self._poll_generation += 1
        generation = self._poll_generation
        if not self.state.updates and timeout > 0 and not self._stopping:
            if self._polls_waiting:
                await self._wake()  # the earlier long poll gives way with 409, like Telegram
            self._polls_waiting += 1
            try:
                await self._wait_for(
                    lambda: (
                        bool(self.state.updates)
                        or self._stopping
                        or self._poll_generation != generation
                    ),
                    timeout,
                )
            finally:
                self._polls_waiting -= 1
            if self._poll_generation != generation and not self._stopping:
                raise ApiError(409, _CONFLICT)
        return [copy.deepcopy(u) for u in self.state.updates[:limit]]

    # --- webhook deliveries ---------------------------------------------------------------

    async def _deliver_forever(self) -> None:
        """While a webhook is set, post the queued updates one at a time in update_id order;
        an update leaves the queue only on a 2xx answer, others are retried with backoff.

        (Telegram may use up to ``max_connections`` at once; one keeps every test's order.)"""
        failures = 0
        async with aiohttp.ClientSession() as session:
            while True:
                await self._wait_for(
                    lambda: self.state.webhook is not None and bool(self.state.updates), None
                )
                webhook = self.state.webhook
                assert webhook is not None
                update = self.state.updates[0]
                error = await self._deliver(session, webhook.url, webhook.secret_token, update)
                if self.on_delivered is not None:
                    self.on_delivered(*self.deliveries[-1])
                if error is None:
                    failures = 0
                    if self.state.updates and self.state.updates[0] is update:
                        self.state.updates.pop(0)
                    await self._notify()
                    continue
                webhook.last_error_date = int(time.time())
                webhook.last_error_message = error
                failures += 1
                await self._notify()
                delay = min(self.webhook_retry_delay * 2 ** (failures - 1), self.webhook_retry_max)
                # A new setWebhook (the bot restarted elsewhere) is tried at once.
                if await self._wait_for(self._webhook_replaced(webhook), delay):
                    failures = 0

    def _webhook_replaced(self, webhook: Webhook) -> Callable[[], bool]:
        return lambda: self.state.webhook is not webhook

    async def _deliver(
        self, session: aiohttp.ClientSession, url: str, secret: str | None, update: dict[str, Any]
    ) -> str | None:
        """One POST of one update; None when the webhook took it (2xx), else what failed."""
        update_id = int(update["update_id"])
        fault = self._delivery_faults.pop(0) if self._delivery_faults else None
        if fault == "refused":
            self.deliveries.append((update_id, "refused"))
            return "Connection refused"
        headers = {SECRET_HEADER: secret} if secret else {}
        try:
            async with session.post(
                url,
                data=json.dumps(update, ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json", **headers},
                timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
            ) as response:
                await response.read()
                status = response.status
                reason = response.reason or ""
        except TimeoutError:
            self.deliveries.append((update_id, "timeout"))
            return "Read timeout expired"
        except aiohttp.ClientError:
            self.deliveries.append((update_id, "connection"))
            return "Connection refused"
        self.deliveries.append((update_id, status))
        if fault is not None:  # the webhook answered; the answer never came back
            return "Read timeout expired" if fault == "timeout" else "Connection reset by peer"
        if not 200 <= status < 300:
            return f"Wrong response from the webhook: {status} {reason}".rstrip()
        return None

    def inject_delivery_fault(self, kind: DeliveryFaultKind, count: int = 1) -> None:
        """Make the next ``count`` webhook deliveries fail, each then retried like Telegram:
        "refused" never reaches the bot; "lost_answer" and "timeout" reach it and lose its
        answer (the bot took the update, Telegram does not know and posts it again)."""
        if kind not in get_args(DeliveryFaultKind):
            raise ValueError(f"unknown delivery fault kind {kind!r}")
        if count < 1:
            raise ValueError("count must be at least 1")
        self._delivery_faults.extend([kind] * count)

    def clear_delivery_faults(self) -> None:
        """Forget delivery faults that have not fired yet."""
        self._delivery_faults.clear()

    @property
    def webhook(self) -> dict[str, Any] | None:
        """What getWebhookInfo would answer, or None while the bot polls."""
        if self.state.webhook is None:
            return None
        return self.state.webhook.info(len(self.state.updates))

    def _take_fault(self, method: str, values: dict[str, Any] | None = None) -> _Fault | None:
        for fault in self._faults:
            matches = fault.method == method if fault.method else method != "getupdates"
            if matches and fault.chat_id is not None:
                matches = str((values or {}).get("chat_id")) == str(fault.chat_id)
            if matches:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _draw_fault(self, method: str) -> _Fault | None:
        return self._fault_rate.draw(method) if self._fault_rate is not None else None

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.state.token:
            return _json(ApiError(401, "Unauthorized").body(), 401)
        stored = self.state.files_by_path.get(request.match_info["path"])
        if stored is None:
            return _json(ApiError(404, "Not Found").body(), 404)
        mime = stored.mime_type or mimetypes.guess_type(stored.file_path)[0]
        return web.Response(body=stored.content, content_type=mime or "application/octet-stream")

    def _forget_old(self, remembered: list[Any]) -> None:
        """Past twice ``calls_kept``, drop the oldest down to ``calls_kept`` (rarely, so an
        append stays cheap)."""
        if self.calls_kept is not None and len(remembered) > 2 * self.calls_kept:
            del remembered[: len(remembered) - self.calls_kept]

    async def _handle_unknown(self, request: web.Request) -> web.StreamResponse:
        return _json(ApiError(404, "Not Found").body(), 404)

    # --- the HTTP control side (a bot in another process) ---------------------------------

    async def _control_body(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError as exc:
            raise web.HTTPBadRequest(text="JSON body expected") from exc
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="JSON object expected")
        return body

    async def _control_text(self, request: web.Request) -> web.StreamResponse:
        body = await self._control_body(request)
        try:
            user = TgUser.from_dict(body["user"])
            chat = TgChat.from_dict(body["chat"]) if body.get("chat") else None
            update = await self.send_text(user, str(body["text"]), chat=chat)
        except (KeyError, TypeError, ValueError) as exc:
            return _json({"ok": False, "description": f"bad control request: {exc!r}"}, 400)
        return _json({"ok": True, "result": update}, 200)

    async def _control_tap(self, request: web.Request) -> web.StreamResponse:
        body = await self._control_body(request)
        try:
            user = TgUser.from_dict(body["user"])
            chat_id, message_id = int(body["chat_id"]), int(body["message_id"])
            message = self._bot_message(chat_id, message_id)
            if message is None:
                raise AssertionError(f"the bot sent no message {message_id} to chat {chat_id}")
            query_id = await self.tap(
                user, message, str(body["data"]), forge=bool(body.get("forge"))
            )
        except (KeyError, TypeError, ValueError, AssertionError) as exc:
            return _json({"ok": False, "description": str(exc)}, 400)
        return _json({"ok": True, "result": {"callback_query_id": query_id}}, 200)

    async def _control_update(self, request: web.Request) -> web.StreamResponse:
        body = await self._control_body(request)
        return _json({"ok": True, "result": await self.send_update(body)}, 200)

    async def _control_messages(self, request: web.Request) -> web.StreamResponse:
        chat_id = int(request.match_info["chat_id"])
        return _json([m.to_dict() for m in self.messages(chat_id)], 200)

    async def _control_calls(self, request: web.Request) -> web.StreamResponse:
        return _json([[name, jsonable(params)] for name, params in self.state.calls], 200)

    # --- acting as a person ---------------------------------------------------------------

    def _user_message(
        self,
        user: TgUser,
        chat: TgChat | None,
        content: dict[str, Any],
        reply_to: SentMessage | None = None,
    ) -> dict[str, Any]:
        """Store a message a person sent and return its Bot API ``Message``."""
        self.state.users[user.id] = user
        target = chat or user.private_chat()
        chat_state = self.state.add_chat(target)
        message_id = chat_state.take_message_id()
        raw: dict[str, Any] = {
            "message_id": message_id,
            "from": user.to_dict(),
            "chat": target.to_dict(),
            "date": int(time.time()),
        }
        if reply_to is not None:
            replied = copy.deepcopy(reply_to.raw)
            replied.pop("reply_to_message", None)
            raw["reply_to_message"] = replied
        raw.update(content)
        chat_state.messages[message_id] = UserMessage(raw)
        self.feed.publish(FeedEvent("person", target.id, message_id))
        return raw

    async def send_update(
        self, update: dict[str, Any], *, fresh_id: bool = False
    ) -> dict[str, Any]:
        """Queue any raw update; ``update_id`` is assigned when missing (or ``fresh_id``).

        Chats, people and messages in it become known, so the bot can answer them.
        """
        update = copy.deepcopy(update)
        self._learn_from(update)
        queued = self.state.enqueue(update, fresh_id=fresh_id)
        self._queued[int(queued["update_id"])] = copy.deepcopy(queued)
        await self._notify()
        return queued

    async def redeliver(self, update_id: int, *, fresh_id: bool = False) -> dict[str, Any]:
        """Queue an update again exactly as it was, as Telegram does with an update whose
        confirming getUpdates never reached it (the bot crashed before): for the next process.

        A running bot's offset is already past the ``update_id``; ``fresh_id`` gives the same
        message or tap a new one, so that this bot gets it again."""
        original = self._queued.get(update_id)
        if original is None:
            raise KeyError(f"no update {update_id} was ever queued")
        queued = self.state.enqueue(copy.deepcopy(original), fresh_id=fresh_id)
        await self._notify()
        return queued

    def _learn_from(self, update: dict[str, Any]) -> None:
        """Register the chats, users and messages a raw update mentions."""
        for key, value in update.items():
            if not isinstance(value, dict):
                continue
            message = value.get("message") if key == "callback_query" else value
            sender = value.get("from")
            try:
                if isinstance(sender, dict):
                    user = TgUser.from_dict(sender)
                    self.state.users.setdefault(user.id, user)
                if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
                    continue
                chat = self.state.chats.get(int(message["chat"]["id"]))
                if chat is None:
                    chat = self.state.add_chat(TgChat.from_dict(message["chat"]))
                message_id = message.get("message_id")
                if key != "callback_query" and isinstance(message_id, int):
                    chat.messages.setdefault(message_id, UserMessage(copy.deepcopy(message)))
                    chat.next_message_id = max(chat.next_message_id, message_id + 1)
            except (KeyError, TypeError, ValueError):
                continue  # an odd raw update is still delivered as it is

    async def send_text(
        self,
        user: TgUser,
        text: str,
        chat: TgChat | None = None,
        *,
        reply_to: SentMessage | None = None,
    ) -> dict[str, Any]:
        """The user sends ``text``; a leading ``/command[@bot]`` gets a bot_command entity."""
        content: dict[str, Any] = {"text": text}
        match = _COMMAND.match(text)
        if match and not re.match(r"[\w/<>]", text[match.end() : match.end() + 1]):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": match.end()}]
        message = self._user_message(user, chat, content, reply_to)
        return await self.send_update({"message": message})

    async def send_message(
        self, user: TgUser, content: dict[str, Any], chat: TgChat | None = None
    ) -> dict[str, Any]:
        """The user sends a message with exactly this content (``text`` and ``entities``,
        ``caption`` and ``caption_entities``…): no entity is added, so tests can forge them."""
        return await self.send_update({"message": self._user_message(user, chat, content)})

    async def edit_message(
        self, user: TgUser, sent: dict[str, Any], content: dict[str, Any]
    ) -> dict[str, Any]:
        """The user edits a message they sent (``sent``: the update or message returned by a
        ``send_*`` or ``edit_message`` call): an ``edited_message`` update with the same id and
        the new ``content``.

        A ``text`` without ``entities`` gets the bot_command entity Telegram would add.
        """
        original = sent.get("message") or sent.get("edited_message") or sent
        chat = self.state.chats.get(int(original["chat"]["id"]))
        stored = chat.messages.get(int(original["message_id"])) if chat else None
        raw = copy.deepcopy(stored.raw if isinstance(stored, UserMessage) else original)
        for key in ("text", "entities", "caption", "caption_entities", "location"):
            if key in content:
                raw.pop(key, None)
        text = content.get("text")
        if isinstance(text, str) and "entities" not in content:
            raw.pop("entities", None)
            match = _COMMAND.match(text)
            if match and not re.match(r"[\w/<>]", text[match.end() : match.end() + 1]):
                raw["entities"] = [{"type": "bot_command", "offset": 0, "length": match.end()}]
        raw.update(content)
        raw["edit_date"] = int(time.time())
        if chat is not None and isinstance(stored, UserMessage):
            chat.messages[int(original["message_id"])] = UserMessage(copy.deepcopy(raw))
        self.state.users[user.id] = user
        return await self.send_update({"edited_message": raw})

    async def send_location(
        self, user: TgUser, latitude: float, longitude: float, chat: TgChat | None = None
    ) -> dict[str, Any]:
        """The user shares a location."""
        content = {"location": {"latitude": latitude, "longitude": longitude}}
        return await self.send_update({"message": self._user_message(user, chat, content)})

    async def send_photo(
        self,
        user: TgUser,
        caption: str | None = None,
        chat: TgChat | None = None,
        *,
        content: bytes | None = None,
    ) -> dict[str, Any]:
        """The user sends a photo (several sizes with unique ids, downloadable via getFile)."""
        sizes = self.state.store_photo(content if content is not None else TINY_PNG)
        body: dict[str, Any] = {"photo": [s.photo_size_dict() for s in sizes]}
        if caption:
            body["caption"] = caption
        return await self.send_update({"message": self._user_message(user, chat, body)})

    async def send_document(
        self,
        user: TgUser,
        file_name: str = "x.pdf",
        chat: TgChat | None = None,
        *,
        content: bytes | None = None,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """The user sends a file (downloadable via getFile)."""
        data = content if content is not None else b"%PDF-1.4\n% stand-in document\n%%EOF\n"
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        stored = self.state.store_file("document", data, file_name=file_name, mime_type=mime)
        body: dict[str, Any] = {"document": stored.document_dict()}
        if caption:
            body["caption"] = caption
        return await self.send_update({"message": self._user_message(user, chat, body)})

    async def send_sticker(
        self, user: TgUser, chat: TgChat | None = None, *, emoji: str = "👍"
    ) -> dict[str, Any]:
        """The user sends a sticker (something most bots should politely ignore)."""
        stored = self.state.store_file("sticker", b"RIFF\x00\x00\x00\x00WEBPVP8 ", width=512)
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.content),
        }
        return await self.send_update(
            {"message": self._user_message(user, chat, {"sticker": sticker})}
        )

    def _bot_message(self, chat_id: int, message_id: int) -> SentMessage | None:
        chat = self.state.chats.get(chat_id)
        message = chat.messages.get(message_id) if chat else None
        return message if isinstance(message, SentMessage) else None

    async def tap(self, user: TgUser, message: SentMessage, data: str, forge: bool = False) -> str:
        """The user taps a button of ``message``; returns the callback query id.

        Unless ``forge``, ``data`` must be on the message's current inline keyboard (catches
        typos in tests); ``forge=True`` sends any data, as a tampering client could.
        """
        current = self._bot_message(message.chat_id, message.message_id)
        if not forge:
            if current is None or current.deleted:
                raise AssertionError(
                    f"message {message.message_id} in chat {message.chat_id} is gone; "
                    "nobody can tap its buttons"
                )
            if data not in current.callback_data:
                raise AssertionError(
                    f"message {current.message_id} in chat {current.chat_id} has no button with "
                    f"callback_data {data!r}; its buttons now: {current.buttons}"
                )
        self.state.users[user.id] = user
        query_id = f"{self.state.bot_id}{self.state.next_callback_id:010d}"
        self.state.next_callback_id += 1
        self.state.callback_queries[query_id] = CallbackQuery(
            query_id, user.id, message.chat_id, message.message_id, data
        )
        raw = current.raw if current is not None else message.raw
        query = {
            "id": query_id,
            "from": user.to_dict(),
            "message": copy.deepcopy(raw),
            "chat_instance": f"{message.chat_id}{self.state.bot_id}",
            "data": data,
        }
        await self.send_update({"callback_query": query})
        return query_id

    async def tap_text(self, user: TgUser, message: SentMessage, text: str) -> str:
        """Tap the inline button whose visible text is ``text``."""
        current = self._bot_message(message.chat_id, message.message_id) or message
        for row in current.buttons:
            for label, target in row:
                if label == text:
                    if target is None or target not in current.callback_data:
                        raise AssertionError(f"button {text!r} opens {target!r}; it has no data")
                    return await self.tap(user, current, target)
        raise AssertionError(
            f"message {current.message_id} in chat {current.chat_id} has no button {text!r}; "
            f"its buttons now: {current.buttons}"
        )

    # --- observing the bot ----------------------------------------------------------------

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        """Every Bot API call received, in order: (method, decoded parameters)."""
        return self.state.calls

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call to ``method`` (case-insensitive)."""
        return [p for name, p in self.state.calls if name.lower() == method.lower()]

    @property
    def failures(self) -> list[tuple[str, dict[str, Any], ApiError]]:
        """Calls the stand-in refused, with the error it answered."""
        return self.state.failures

    @property
    def refusals(self) -> list[tuple[str, dict[str, Any], ApiError]]:
        """Calls refused on their merits, as Telegram would: the failures without those a
        test injected (:meth:`inject_fault`, :meth:`set_fault_rate`)."""
        return [failure for failure in self.state.failures if not failure[2].injected]

    def messages(self, chat_id: int) -> list[SentMessage]:
        """Every message the bot sent to the chat, in order, as it is now (edits applied)."""
        chat = self.state.chats.get(chat_id)
        return list(chat.sent) if chat else []

    def last_message(self, chat_id: int) -> SentMessage | None:
        """The bot's latest message in the chat, if any."""
        sent = self.messages(chat_id)
        return sent[-1] if sent else None

    async def next_message(self, chat_id: int, timeout: float = 5.0) -> SentMessage:
        """The next bot message in that chat this method has not returned yet (waits for it)."""

        def ready() -> bool:
            return self._cursors.get(chat_id, 0) < len(self.messages(chat_id))

        if not await self._wait_for(ready, timeout):
            raise StandInTimeout(
                f"the bot sent no new message to chat {chat_id} within {timeout}s.\n"
                + self.describe_chat(chat_id)
            )
        index = self._cursors.get(chat_id, 0)
        self._cursors[chat_id] = index + 1
        return self.messages(chat_id)[index]

    def skip_messages(self, chat_id: int) -> list[SentMessage]:
        """Mark every message so far as seen by next_message; returns the ones skipped."""
        index = self._cursors.get(chat_id, 0)
        sent = self.messages(chat_id)
        self._cursors[chat_id] = len(sent)
        return sent[index:]

    def describe_chat(self, chat_id: int) -> str:
        """A readable account of a chat and recent refusals, for assertion messages."""
        sent = self.messages(chat_id)
        seen = self._cursors.get(chat_id, 0)
        lines = [f"chat {chat_id}: {len(sent)} bot message(s), {seen} already returned"]
        lines += [f"  {m.describe()}" for m in sent[-10:]]
        refused = self.state.failures[-5:]
        if refused:
            lines.append("recent refused calls:")
            lines += [f"  {name} -> {exc.status} {exc.description}" for name, _, exc in refused]
        lines.append(f"updates waiting to be fetched/confirmed: {len(self.state.updates)}")
        return "\n".join(lines)

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float = 5.0, description: str = "condition"
    ) -> None:
        """Wait until ``predicate()`` is true; it is re-checked on every change of state."""
        if not await self._wait_for(predicate, timeout):
            raise StandInTimeout(
                f"{description}: still false after {timeout}s.\n"
                f"API calls so far: {[name for name, _ in self.state.calls[-15:]]}"
            )

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """What answerCallbackQuery said for that query (text, show_alert, url, cache_time)."""
        query = self.state.callback_queries.get(query_id)
        return None if query is None else query.answer

    async def wait_callback_answer(self, query_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Wait until the bot answers that callback query."""
        await self.wait_until(
            lambda: self.callback_answer(query_id) is not None,
            timeout,
            f"callback query {query_id} answered",
        )
        answer = self.callback_answer(query_id)
        assert answer is not None
        return answer

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[tuple[str, str]]:
        """What setMyCommands stored for that scope (default scope by default) and language."""
        stored = self.state.commands.get((self.state.scope_key(scope), language_code), [])
        return [(c["command"], c["description"]) for c in stored]

    def commands_for(
        self, chat_id: int, user_id: int, language_code: str | None, *, is_admin: bool = False
    ) -> list[tuple[str, str]]:
        """The menu that person sees in that chat, resolved by scope and language as Telegram
        does (see :mod:`bot.standin.command_menu`)."""
        found = resolve_commands(self.state, chat_id, user_id, language_code, is_admin=is_admin)
        return [(c["command"], c["description"]) for c in found]

    def reset(self) -> None:
        """Forget every chat, message, person, update, file, menu, callback query and call, as
        if the bot had just been created; the token, webhook and allowed updates stay."""
        self.state.forget_everything()
        self._cursors.clear()
        self._queued.clear()
        self.clear_faults()
        self._faults_fired.clear()
        self.deliveries.clear()
        for hook in list(self.after_reset):
            hook()
        self.feed.publish(FeedEvent("reset"))
        self._notify_soon()

    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by a getUpdates offset (webhook: not yet taken
        with a 2xx)."""
        return len(self.state.updates)

    def file_content(self, file_id: str) -> bytes:
        """The bytes behind any file id the stand-in knows."""
        return self.state.files[file_id].content

    async def wait_idle(self, timeout: float = 5.0, settle: float = 0.05) -> None:
        """Wait until every update was fetched and confirmed (webhook: delivered with a 2xx) and
        no API request is running.

        PTB confirms an update (next getUpdates) before its handler finishes, so the quiet
        state must also last ``settle`` seconds with no change at all. For assertions about
        what the bot sent, prefer :meth:`next_message` / :meth:`wait_until`.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout

        def idle() -> bool:
            return not self.state.updates and self._in_flight == 0

        while True:
            remaining = deadline - loop.time()
            if not await self._wait_for(idle, max(remaining, 0.0)):
                raise StandInTimeout(
                    f"the bot did not go idle within {timeout}s: {len(self.state.updates)} "
                    f"update(s) unconfirmed, {self._in_flight} request(s) running"
                )
            if settle <= 0 or not await self._wait_for(self._changed_since(self._version), settle):
                return
            if loop.time() >= deadline:
                raise StandInTimeout(f"the bot kept busy for more than {timeout}s")

    def _changed_since(self, version: int) -> Callable[[], bool]:
        return lambda: self._version != version

    # --- shaping the world ----------------------------------------------------------------

    def add_chat(self, chat: TgChat | TgUser) -> None:
        """Make a chat known before anyone wrote from it (e.g. a group the bot reports to)."""
        if isinstance(chat, TgUser):
            self.state.users[chat.id] = chat
            chat = chat.private_chat()
        self.state.add_chat(chat)

    def block_bot(self, user_id: int, *, notify: bool = True) -> None:
        """The user blocks the bot: sends then fail with 403 (and a my_chat_member update)."""
        self.state.blocked.add(user_id)
        if notify:
            self._member_update(user_id, "member", "kicked")
        self._notify_soon()

    def unblock_bot(self, user_id: int, *, notify: bool = True) -> None:
        """The user unblocks the bot."""
        self.state.blocked.discard(user_id)
        if notify:
            self._member_update(user_id, "kicked", "member")
        self._notify_soon()

    def _member_update(self, user_id: int, old: str, new: str) -> None:
        user = self.state.users.get(user_id) or TgUser(id=user_id, first_name="User")
        self.state.add_chat(user.private_chat())
        now = int(time.time())
        bot = self.state.bot_user()
        self.state.enqueue(
            {
                "my_chat_member": {
                    "chat": user.private_chat().to_dict(),
                    "from": user.to_dict(),
                    "date": now,
                    "old_chat_member": {"status": old, "user": bot},
                    "new_chat_member": {"status": new, "user": bot}
                    | ({"until_date": 0} if new == "kicked" else {}),
                }
            }
        )

    def inject_fault(
        self,
        kind: FaultKind,
        method: str | None = None,
        count: int = 1,
        retry_after: int = 1,
        delay: float = 2.0,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``count`` calls (of ``method``, or of any method but getUpdates) fail;
        with ``chat_id``, only calls to that chat.

        "429" answers Too Many Requests with ``retry_after``; "500"/"502" answer server errors;
        "400" a refusal like a group's "not enough rights", "403" a blocked bot;
        "drop" closes the connection without an answer; "slow" answers after ``delay`` seconds.
        """
        if kind not in get_args(FaultKind):
            raise ValueError(f"unknown fault kind {kind!r}")
        if count < 1:
            raise ValueError("count must be at least 1")
        self._faults.append(
            _Fault(kind, method.lower() if method else None, count, retry_after, delay, chat_id)
        )

    def set_fault_rate(
        self,
        rate: float,
        kinds: Iterable[FaultKind] = DEFAULT_RATE_KINDS,
        *,
        seed: int | None = None,
        methods: Iterable[str] | None = None,
        retry_after: int = 1,
        slow_delay: tuple[float, float] = (1.0, 2.0),
    ) -> None:
        """Make each Bot API call fail with probability ``rate`` (0 turns the mode off).

        A failing call gets one of ``kinds``, chosen at random, answered as by
        :meth:`inject_fault`: "429" with ``retry_after``, "500"/"502", "drop", or "slow" with
        a delay drawn from ``slow_delay`` (seconds, low and high). ``methods`` limits the mode
        to those Bot API methods (case-insensitive; "getUpdates" only when named); by default
        every method but getUpdates. With a ``seed`` the draws are reproducible: the same
        sequence of calls meets the same faults. Faults queued by :meth:`inject_fault` fire
        first; the control side (``/_standin/…``), file downloads and the person-side Python
        API are never affected. :meth:`clear_faults` turns the mode off as well.
        """
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        chosen = tuple(kinds)
        if not chosen:
            raise ValueError("kinds must name at least one fault kind")
        for kind in chosen:
            if kind not in get_args(FaultKind):
                raise ValueError(f"unknown fault kind {kind!r}")
        low, high = slow_delay
        if not 0.0 <= low <= high:
            raise ValueError("slow_delay must be (low, high) with 0 <= low <= high")
        if retry_after < 0:
            raise ValueError("retry_after must not be negative")
        names: frozenset[str] | None = None
        if methods is not None:
            names = frozenset(
                m.lower() for m in ((methods,) if isinstance(methods, str) else methods)
            )
            if not names:
                raise ValueError("methods must name at least one method (or be None)")
        if rate == 0.0:
            self._fault_rate = None
            return
        self._fault_rate = _FaultRate(
            rate, chosen, names, random.Random(seed), retry_after, (low, high)
        )

    @property
    def fault_rate(self) -> float:
        """The probability set by :meth:`set_fault_rate` (0.0 when the mode is off)."""
        return self._fault_rate.rate if self._fault_rate is not None else 0.0

    @property
    def faults_fired(self) -> list[tuple[str, FaultKind]]:
        """Every fault that hit a call so far, injected or drawn: (method, kind), in order."""
        return list(self._faults_fired)

    def clear_faults(self) -> None:
        """Forget faults that have not fired yet (deliveries' too), and turn a fault rate off."""
        self._faults.clear()
        self._fault_rate = None
        self._delivery_faults.clear()


def _fault_error(fault: _Fault) -> ApiError:
    if fault.kind == "429":
        return ApiError(
            429,
            f"Too Many Requests: retry after {fault.retry_after}",
            {"retry_after": fault.retry_after},
            injected=True,
        )
    if fault.kind == "500":
        return ApiError(500, "Internal Server Error", injected=True)
    if fault.kind == "400":
        return ApiError(
            400, "Bad Request: not enough rights to send text messages to the chat", injected=True
        )
    if fault.kind == "403":
        return ApiError(403, "Forbidden: bot was blocked by the user", injected=True)
    return ApiError(502, "Bad Gateway", injected=True)


@web.middleware
async def _no_web_pages(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Only programs talk to the stand-in, never a web page. It listens on 127.0.0.1 and its
    control side (/_standin/...) takes no token, so any page a developer or trainer visits
    could post updates as anyone (a form's POST needs no CORS preflight) or, by DNS
    rebinding, read every chat. Browsers mark a page's requests (Origin, Sec-Fetch-Site);
    an address typed into the address bar (Sec-Fetch-Site: none) still works."""
    site = request.headers.get("Sec-Fetch-Site")
    if "Origin" in request.headers or (site is not None and site != "none"):
        return _json(ApiError(403, "Forbidden: the stand-in answers no web page").body(), 403)
    return await handler(request)


def _json(body: Any, status: int) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )
