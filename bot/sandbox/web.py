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
"""

from __future__ import annotations

import asyncio
import html
import mimetypes
import urllib.parse
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.i18n import Catalogs
from bot.standin import StandIn
from storage import Database

from .cast import Cast, CastMember
from .people import (
    TELEGRAM_LANGUAGES,
    PersonView,
    full_name,
    label,
    person_view,
)
from .web_events import stream_events
from .web_security import (
    COOKIE,
    SESSION_LIFETIME,
    BadInput,
    Guard,
    error_response,
    json_response,
    read_body,
    read_json,
)
from .web_texts import LANGUAGE_NAMES, TOO_MANY_TRIES, choose_ui_language, page_texts
from .web_views import (
    IMAGE_LIMIT,
    chat_messages,
    find_message,
    image_kind,
    refusals_in,
)

__all__ = ["SandboxWeb"]

STATIC = Path(__file__).resolve().parent / "static"
STATIC_FILES = {
    "app.js": "text/javascript",
    "actions.js": "text/javascript",
    "core.js": "text/javascript",
    "text.js": "text/javascript",
    "app.css": "text/css",
}
TEXT_LIMIT = 4096  # what Telegram lets a person type in one message
LOGIN_LIMIT = 4096  # the sign-in form's body: a password and little else
#: Event streams open at once from one address (a tab each) and in all: each holds a
#: connection and a queue of up to a thousand events, so a script cannot open them unbounded.
STREAMS_PER_ADDRESS = 16
STREAMS_IN_ALL = 256
#: What the stand-in keeps in memory of all files at most before photo uploads are refused
#: (until a reset): a script cannot fill the machine's memory ten megabytes at a time.
FILES_HELD_LIMIT = 256 * 1024 * 1024


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
            web.get("/login", self._login_page),
            web.post("/login", self._login),
            web.post("/logout", self._logout),
            web.get("/static/{name}", self._static),
            web.get("/api/ui", self._ui),
            web.get("/api/people", self._people),
            web.get(r"/api/chats/{chat_id:-?\d{1,20}}/messages", self._messages),
            web.post(r"/api/chats/{chat_id:-?\d{1,20}}/messages", self._send_text),
            web.post(r"/api/chats/{chat_id:-?\d{1,20}}/taps", self._tap),
            web.post(r"/api/chats/{chat_id:-?\d{1,20}}/locations", self._location),
            web.post(r"/api/chats/{chat_id:-?\d{1,20}}/photos", self._photo),
            web.post(r"/api/chats/{chat_id:-?\d{1,20}}/language", self._set_language),
            web.get(r"/api/chats/{chat_id:-?\d{1,20}}/commands", self._commands),
            web.get(r"/api/files/{file_id:[A-Za-z0-9_-]{1,100}}", self._file),
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

    # --- who is who -----------------------------------------------------------------------

    def _view(self, request: web.Request) -> PersonView:
        member = self._cast.member(int(request.match_info["chat_id"]))
        if member is None:
            raise web.HTTPNotFound(reason="No such person")
        return person_view(self._cast, member, self._languages)

    def _language_of(self, member: CastMember) -> str:
        return self._languages.get(member.telegram_id, member.language)

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

    async def _login_page(
        self, request: web.Request, *, failed: bool = False, throttled: bool = False
    ) -> web.Response:
        if not self._guard.needs_login:
            raise web.HTTPSeeOther("/")
        language = self._ui_language(request)
        tr = self._catalogs.translator(language)
        words = {k: html.escape(tr.gettext(k)) for k in ("FieldReport sandbox", "Password")}
        problem = None
        if throttled:
            problem = tr.gettext(TOO_MANY_TRIES)
        elif failed:
            problem = tr.gettext("Wrong password.")
        error = f'<p class="login-error" role="alert">{html.escape(problem)}</p>' if problem else ""
        page = (
            f'<!doctype html><html lang="{html.escape(language.replace("_", "-"))}"><head>'
            '<meta charset="utf-8"><meta name="viewport" content="width=device-width,'
            f'initial-scale=1"><title>{words["FieldReport sandbox"]}</title>'
            '<link rel="stylesheet" href="/static/app.css"></head><body class="login">'
            f'<form method="post" action="/login" class="login-form"><h1>'
            f'{words["FieldReport sandbox"]}</h1>{error}<label for="password">'
            f'{words["Password"]}</label><input id="password" name="password" type="password" '
            'autocomplete="current-password" required autofocus>'
            f'<button type="submit">{html.escape(tr.gettext("Sign in"))}</button></form>'
            "</body></html>"
        )
        status = 429 if throttled else 401 if failed else 200
        return web.Response(text=page, content_type="text/html", status=status)

    async def _login(self, request: web.Request) -> web.StreamResponse:
        if not self._guard.needs_login:
            raise web.HTTPSeeOther("/")
        address = request.remote or ""
        if self._guard.login_throttled(address):
            return await self._login_page(request, throttled=True)
        # Read here, bounded: request.post() would take a body without a length up to
        # client_max_size (the photos' 11 MB) from anyone, signed in or not.
        raw = await read_body(request, LOGIN_LIMIT)
        try:
            fields = urllib.parse.parse_qs(raw.decode("utf-8", "replace"), max_num_fields=10)
        except ValueError as exc:  # more fields than a sign-in form has
            raise BadInput("the form is malformed") from exc
        given = next(iter(fields.get("password") or []), None)
        if not isinstance(given, str) or not self._guard.check_password(given):
            self._guard.login_failed(address)
            return await self._login_page(request, failed=True)
        response = web.HTTPSeeOther("/")
        response.set_cookie(
            COOKIE,
            self._guard.new_session(),
            httponly=True,
            samesite="Strict",
            path="/",
            max_age=SESSION_LIFETIME,
            secure=request.secure,
        )
        raise response

    async def _logout(self, request: web.Request) -> web.StreamResponse:
        """Sign out: the session ends on the server, not only in this browser."""
        self._guard.end_session(request)
        response = web.HTTPSeeOther("/login" if self._guard.needs_login else "/")
        response.del_cookie(COOKIE, path="/")
        raise response

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
                "language": self._language_of(member),
                "places": [
                    {"label": p.label, "latitude": p.latitude, "longitude": p.longitude}
                    for p in member.places
                ],
            }
            for member in self._cast.members
        ]
        return json_response({"people": people})

    # --- one person's chat ----------------------------------------------------------------

    async def _messages(self, request: web.Request) -> web.Response:
        view = self._view(request)
        return json_response(
            {
                "messages": chat_messages(self._standin, view.chat.id),
                "refusals": refusals_in(self._standin, view.chat.id),
                "language": self._language_of(view.member),
            }
        )

    async def _send_text(self, request: web.Request) -> web.Response:
        view = self._view(request)
        text = (await read_json(request)).get("text")
        if not isinstance(text, str) or not text.strip():
            raise BadInput("text must be a non-empty string")
        if len(text.encode("utf-16-le")) // 2 > TEXT_LIMIT:
            raise BadInput("text is longer than 4096 characters")
        update = await self._standin.send_text(view.sender, text, chat=view.chat)
        return json_response({"ok": True, "message_id": update["message"]["message_id"]})

    async def _tap(self, request: web.Request) -> web.Response:
        view = self._view(request)
        body = await read_json(request)
        message_id, data = body.get("message_id"), body.get("data")
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            raise BadInput("message_id must be a number")
        if not isinstance(data, str) or not data:
            raise BadInput("data must be a non-empty string")
        message = find_message(self._standin, view.chat.id, message_id)
        if message is None:
            raise web.HTTPNotFound(reason="No such message")
        if data not in message.callback_data:
            raise BadInput("the message has no such button now")
        query_id = await self._standin.tap(view.sender, message, data)
        return json_response({"ok": True, "callback_query_id": query_id})

    async def _location(self, request: web.Request) -> web.Response:
        view = self._view(request)
        body = await read_json(request)
        latitude, longitude = body.get("latitude"), body.get("longitude")
        for value, low, high in ((latitude, -90, 90), (longitude, -180, 180)):
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise BadInput("latitude and longitude must be numbers")
            if not low <= value <= high:
                raise BadInput("latitude or longitude out of range")
        assert isinstance(latitude, int | float) and isinstance(longitude, int | float)
        update = await self._standin.send_location(
            view.sender, float(latitude), float(longitude), chat=view.chat
        )
        return json_response({"ok": True, "message_id": update["message"]["message_id"]})

    async def _photo(self, request: web.Request) -> web.Response:
        view = self._view(request)
        try:
            content = await read_body(request, IMAGE_LIMIT)
        except web.HTTPRequestEntityTooLarge:
            return error_response(413, "the photo is larger than 10 MB")
        if image_kind(content) is None:
            return error_response(415, "only JPEG, PNG or WebP photos can be sent")
        if self._files_held() + len(content) > FILES_HELD_LIMIT:
            return error_response(507, "the sandbox holds too many files: reset it")
        update = await self._standin.send_photo(view.sender, chat=view.chat, content=content)
        return json_response({"ok": True, "message_id": update["message"]["message_id"]})

    async def _set_language(self, request: web.Request) -> web.Response:
        view = self._view(request)
        language = (await read_json(request)).get("language")
        if language not in TELEGRAM_LANGUAGES:
            raise BadInput("language must be uz, ru or en")
        assert isinstance(language, str)
        speaker = view.sender.id
        self._languages[speaker] = language
        self._languages[view.member.telegram_id] = language
        return json_response({"ok": True, "language": language})

    async def _commands(self, request: web.Request) -> web.Response:
        view = self._view(request)
        found = self._standin.commands_for(view.chat.id, view.sender.id, view.sender.language_code)
        return json_response({"commands": [{"command": c, "description": d} for c, d in found]})

    async def _file(self, request: web.Request) -> web.StreamResponse:
        stored = self._standin.state.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound(reason="No such file")
        if stored.kind == "photo":
            mime = image_kind(stored.content) or "application/octet-stream"
            return web.Response(body=stored.content, content_type=mime)
        guessed = stored.mime_type or mimetypes.guess_type(stored.file_name or "")[0]
        name = stored.file_name or "file"
        disposition = "attachment; filename*=UTF-8''" + urllib.parse.quote(name, safe="")
        return web.Response(
            body=stored.content,
            content_type=guessed or "application/octet-stream",
            headers={"Content-Disposition": disposition},
        )

    def _files_held(self) -> int:
        """Bytes of every file the stand-in keeps (a photo's sizes share one content)."""
        contents = {id(f.content): len(f.content) for f in self._standin.state.files.values()}
        return sum(contents.values())

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
