"""The sandbox's web chat: a Telegram-like page where anyone acts as any person of the cast.

One aiohttp server on the sandbox's event loop serves the page (static, no build step) and a
small JSON API over the stand-in's person side; the page follows the stand-in's event feed by
server-sent events. The HTTP API (all JSON; ``{"ok": false, "error": ...}`` on failure):

- ``GET  /api/ui?lang=xx`` — the page's words in that UI language (default: Accept-Language)
- ``GET  /api/people?lang=xx`` — the cast, with labels in the UI language
- ``GET  /api/chats/{id}/messages`` — both sides of the chat, refusals for the banner
- ``POST /api/chats/{id}/messages`` ``{"text"}`` — the person sends text
- ``POST /api/chats/{id}/taps`` ``{"message_id", "data"}`` — the person taps a button
- ``POST /api/chats/{id}/locations`` ``{"latitude", "longitude"}`` — shares a location
- ``POST /api/chats/{id}/photos`` (the image's bytes as the body) — sends a photo
- ``POST /api/chats/{id}/language`` ``{"language": "uz"|"ru"|"en"}`` — the app's language
- ``GET  /api/chats/{id}/commands`` — the person's command menu
- ``GET  /api/files/{file_id}`` — a photo or document of a chat
- ``POST /api/reset`` — start the sandbox over
- ``GET  /api/events`` — server-sent events, one JSON object per event

This module holds the server itself: its lifecycle, the page and the cast, a reset and the
event streams. The sign-in is :mod:`.web_login`, one person's chat :mod:`.web_chat`, who may
call what :mod:`.web_security`, the page's words :mod:`.web_texts`, how a message looks to the
page :mod:`.web_views`, and the event stream :mod:`.web_events`.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.i18n import Catalogs
from bot.standin import StandIn
from storage import Database

from .cast import Cast
from .people import TELEGRAM_LANGUAGES, full_name, label, person_view
from .web_chat import PersonChats
from .web_events import stream_events
from .web_login import SignIn
from .web_security import Guard, error_response, json_response, read_json
from .web_texts import LANGUAGE_NAMES, choose_ui_language, page_texts
from .web_views import IMAGE_LIMIT

__all__ = ["SandboxWeb"]

STATIC = Path(__file__).resolve().parent / "static"
STATIC_FILES = {
    "app.js": "text/javascript",
    "actions.js": "text/javascript",
    "core.js": "text/javascript",
    "text.js": "text/javascript",
    "app.css": "text/css",
}
#: Event streams open at once from one address (a tab each) and in all: each holds a
#: connection and a queue of up to a thousand events, so a script cannot open them unbounded.
STREAMS_PER_ADDRESS = 16
STREAMS_IN_ALL = 256


class SandboxWeb:
    """The web chat over a running stand-in; ``reset`` starts the whole sandbox over."""

    def __init__(
        self,
        standin: StandIn,
        cast: Cast,
        *,
        reset: Callable[[], Awaitable[None]],
        password: str | None = None,
        database: Database | None = None,
    ) -> None:
        self._standin = standin
        self._cast = cast
        self._reset = reset
        self._database = database  # kept for the runner's sake; the cast names every unit
        self._guard = Guard(password)
        self._catalogs = Catalogs(ZoneInfo("UTC"))
        self._languages: dict[int, str] = {}
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._closing = asyncio.Event()
        self._resetting = asyncio.Lock()
        self._streams: Counter[str] = Counter()
        self._chats = PersonChats(standin, cast, self._languages)
        self._sign_in = SignIn(self._guard, self._catalogs)

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self, host: str, port: int) -> None:
        """Listen on ``host:port`` (0 picks a free port); every person's chat becomes known to
        the stand-in, as if each had opened it."""
        self.introduce_people()
        # Whoever resets the stand-in (the runner, before the bot starts again), the people
        # are known again at once: the bot's first messages after a reset find their chats.
        self._standin.after_reset.append(self.introduce_people)
        app = web.Application(
            client_max_size=IMAGE_LIMIT + 1024 * 1024, middlewares=[self._guard.middleware]
        )
        routes = [
            web.get("/", self._page),
            *self._sign_in.routes(),
            web.get("/static/{name}", self._static),
            web.get("/api/ui", self._ui),
            web.get("/api/people", self._people),
            *self._chats.routes(),
            web.post("/api/reset", self._reset_sandbox),
            web.get("/api/events", self._events),
        ]
        app.add_routes(routes)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        bound_host, bound_port = runner.addresses[0][:2]
        self._guard.listen_host = host
        self._guard.port = int(bound_port)
        self._runner = runner
        shown = f"[{bound_host}]" if ":" in str(bound_host) else str(bound_host)
        self._url = f"http://{shown}:{bound_port}"
        self._closing.clear()

    async def stop(self) -> None:
        """End every event stream, then close the server."""
        if self._runner is None:
            return
        self._closing.set()
        if self.introduce_people in self._standin.after_reset:
            self._standin.after_reset.remove(self.introduce_people)
        runner, self._runner = self._runner, None
        await runner.cleanup()

    @property
    def url(self) -> str:
        """Where the page is, e.g. http://127.0.0.1:8080."""
        if self._url is None:
            raise RuntimeError("the web chat is not running")
        return self._url

    def introduce_people(self) -> None:
        """Make every cast member's chat known to the stand-in (after a reset too), so the bot
        can write to people who have not typed yet, as to anyone who once pressed Start."""
        for member in self._cast.members:
            view = person_view(self._cast, member, self._languages)
            self._standin.add_chat(view.sender)
            self._standin.add_chat(view.chat)

    def _ui_language(self, request: web.Request) -> str:
        return choose_ui_language(request.query.get("lang"), request.headers.get("Accept-Language"))

    # --- the page -------------------------------------------------------------------------

    async def _page(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def _static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in STATIC_FILES:
            raise web.HTTPNotFound()
        return web.Response(
            body=(STATIC / name).read_bytes(),
            content_type=STATIC_FILES[name],
            charset="utf-8",
        )

    async def _ui(self, request: web.Request) -> web.Response:
        language = self._ui_language(request)
        tr = self._catalogs.translator(language)
        return json_response(
            {
                "language": language,
                "languages": [{"code": c, "name": n} for c, n in LANGUAGE_NAMES.items()],
                "telegram_languages": list(TELEGRAM_LANGUAGES),
                "texts": page_texts(tr),
                "password": self._guard.needs_login,
                "can_reset": self._guard.may_reset(request),
            }
        )

    async def _people(self, request: web.Request) -> web.Response:
        tr = self._catalogs.translator(self._ui_language(request))
        people = [
            {
                "id": member.telegram_id,
                "name": full_name(member),
                "label": label(self._cast, member, tr),
                "role": member.role.value if member.role is not None else None,
                "unit": member.unit_code,
                "is_group": member.is_group,
                "language": self._chats.language_of(member),
                "places": [
                    {"label": p.label, "latitude": p.latitude, "longitude": p.longitude}
                    for p in member.places
                ],
            }
            for member in self._cast.members
        ]
        return json_response({"people": people})

    # --- the whole sandbox ----------------------------------------------------------------

    async def _reset_sandbox(self, request: web.Request) -> web.Response:
        await read_json(request)
        if not self._guard.may_reset(request):
            return error_response(403, "only the trainer's computer can reset the sandbox")
        if self._resetting.locked():
            return error_response(409, "a reset is already under way")
        async with self._resetting:
            self._languages.clear()
            await self._reset()
        return json_response({"ok": True})

    async def _events(self, request: web.Request) -> web.StreamResponse:
        address = request.remote or ""
        if self._streams[address] >= STREAMS_PER_ADDRESS or self._streams.total() >= STREAMS_IN_ALL:
            return error_response(429, "too many event streams open: close a tab")
        self._streams[address] += 1
        try:
            return await stream_events(
                request, self._standin, self._closing, lambda: self._guard.signed_in(request)
            )
        finally:
            self._streams[address] -= 1
            if self._streams[address] <= 0:
                del self._streams[address]
