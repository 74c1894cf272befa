"""The stand-in server: the Bot API over real HTTP for the bot, a person's side for tests.

:class:`StandIn` is assembled from rooms, each a module of its own: the shared state and the
condition every change wakes (:mod:`.core`), acting as a person (:mod:`.person`), observing the
bot (:mod:`.observing`), fault injection (:mod:`.faults`), webhook deliveries
(:mod:`.deliveries`) and the HTTP control side for a bot in another process (:mod:`.control`).
The Bot API methods themselves are in :mod:`.api` and :mod:`.methods`. This module holds what
binds them: the HTTP routes, the lifecycle, getUpdates' long poll and a reset of everything.
"""

from __future__ import annotations

import asyncio
import copy
import mimetypes
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from .api import CANONICAL_NAMES
from .control import ControlSide, no_web_pages
from .core import json_response
from .deliveries import WebhookDeliveries
from .feed import FeedEvent
from .observing import ObservingSide
from .params import ApiError, Params, read_params
from .person import PersonSide

__all__ = ["StandIn"]

_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)


class StandIn(PersonSide, ObservingSide, WebhookDeliveries):
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
        super().__init__(
            token,
            bot_username,
            bot_name=bot_name,
            strict_ampersand=strict_ampersand,
            allow_http_webhook=allow_http_webhook,
            calls_kept=calls_kept,
        )
        #: Called at the end of every :meth:`reset` (the sandbox makes its people known again).
        self.after_reset: list[Callable[[], None]] = []
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._address: str | None = None
        self._poll_generation = 0
        self._polls_waiting = 0
        self._control = ControlSide(self)

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
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[no_web_pages])
        app.router.add_route("*", r"/bot{token:[^/]*}/{method:[^/]+}", self._handle_api)
        app.router.add_get(r"/file/bot{token:[^/]*}/{path:.+}", self._handle_file)
        app.add_routes(self._control.routes())
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        host, port = runner.addresses[0][:2]
        self._runner = runner
        self._address = f"http://{host}:{port}"
        self._start_delivering()

    async def stop(self) -> None:
        """Release waiting long polls and slow answers, then close every connection."""
        if self._runner is None:
            return
        self._stopping = True
        self._stop_event.set()
        await self._notify()
        await self._stop_delivering()
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

    # --- the Bot API over HTTP ------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.state.token:
            return json_response(ApiError(401, "Unauthorized").body(), 401)
        given = request.match_info["method"]
        method = given.lower()
        polling = method == "getupdates"  # a waiting long poll is not "work in flight"
        if not polling:
            self._in_flight += 1
        try:
            try:
                values = await read_params(request)
            except ApiError as exc:
                return json_response(exc.body(), exc.status)
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
                return json_response(exc.body(), exc.status)
            self.feed.observe(name, values, result)
            return json_response({"ok": True, "result": result}, 200)
        finally:
            if not polling:
                self._in_flight -= 1
                await self._notify()

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

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.state.token:
            return json_response(ApiError(401, "Unauthorized").body(), 401)
        stored = self.state.files_by_path.get(request.match_info["path"])
        if stored is None:
            return json_response(ApiError(404, "Not Found").body(), 404)
        mime = stored.mime_type or mimetypes.guess_type(stored.file_path)[0]
        return web.Response(body=stored.content, content_type=mime or "application/octet-stream")

    async def _handle_unknown(self, request: web.Request) -> web.StreamResponse:
        return json_response(ApiError(404, "Not Found").body(), 404)

    # --- starting over --------------------------------------------------------------------

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
