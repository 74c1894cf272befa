"""Who may use the web chat: same-origin requests to an address we serve, signed in when a
password is set; and every answer without a traceback.

A page on another site must not drive the sandbox through a trainee's browser (Origin and
Sec-Fetch-Site on every write), nor reach it by pointing its own name at 127.0.0.1 (the Host
header must be an address we listen on: DNS rebinding).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

__all__ = [
    "COOKIE",
    "Guard",
    "error_response",
    "json_response",
    "read_body",
    "read_json",
]

log = logging.getLogger(__name__)

COOKIE = "sandbox_session"
#: The largest JSON body any endpoint takes (a message is at most 4096 characters).
JSON_LIMIT = 32 * 1024
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: How long a sign-in lasts (a training day); the cookie says so too.
SESSION_LIFETIME = 12 * 60 * 60
#: Sign-ins kept at once (the oldest is forgotten first): memory stays bounded.
SESSIONS_KEPT = 1000
#: Wrong passwords one address may try per window before it must wait for the window's end.
LOGIN_ATTEMPTS = 5
LOGIN_WINDOW = 60.0
#: Addresses whose recent failures are remembered (the oldest is forgotten first).
ADDRESSES_KEPT = 10_000
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    # Not "no-referrer": under it Chromium sends "Origin: null" with a form's POST, and the
    # sign-in form (a plain form) was refused as cross-site. Other sites still learn nothing.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False), status=status, content_type="application/json"
    )


def error_response(status: int, message: str) -> web.Response:
    """``{"ok": false, "error": message}``: short, and never a traceback."""
    return json_response({"ok": False, "error": message}, status)


async def read_json(request: web.Request, limit: int = JSON_LIMIT) -> dict[str, Any]:
    """The request's JSON object, refused with 413 past ``limit`` bytes and 400 when it is not
    a JSON object."""
    raw = await read_body(request, limit)
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadInput("the body is not JSON") from exc
    if not isinstance(body, dict):
        raise BadInput("a JSON object is expected")
    try:  # "\ud800" is valid JSON but no text: it could be neither stored nor sent on
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadInput("the body holds text that is not Unicode") from exc
    return body


async def read_body(request: web.Request, limit: int) -> bytes:
    """The whole body, refused with 413 as soon as it passes ``limit`` bytes. (One
    ``content.read(n)`` returns only what has arrived so far: a photo of a few megabytes was
    cut to its first packets.)"""
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=size)
        chunks.append(chunk)
    return b"".join(chunks)


class BadInput(Exception):
    """A request the sandbox cannot act on: answered 400 with this message."""


def _host_name(host_header: str) -> tuple[str, str]:
    """("name", "port") of a Host header, IPv6 brackets removed."""
    if host_header.startswith("["):
        name, bracket, rest = host_header[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return "", ""  # malformed: matches nothing
        return name.lower(), rest.removeprefix(":")
    name, _, port = host_header.partition(":")
    return name.lower(), port


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Guard:
    """The checks every request passes, as aiohttp middleware."""

    def __init__(
        self, password: str | None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._password = password
        self._clock = clock
        #: session token -> when it stops being valid
        self._sessions: OrderedDict[bytes, float] = OrderedDict()
        #: client address -> (start of its window, wrong passwords in it)
        self._failures: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self.listen_host = "127.0.0.1"
        self.port = 0

    @property
    def needs_login(self) -> bool:
        return self._password is not None

    def host_allowed(self, host_header: str | None) -> bool:
        """Whether the Host header names this server: loopback names, the address we listen on,
        or (listening on every address) any IP address — never a DNS name of someone else's."""
        if not host_header:
            return False
        name, port = _host_name(host_header)
        if port and port != str(self.port):
            return False
        if name in _LOOPBACK_NAMES or name == self.listen_host.lower():
            return True
        return self.listen_host in ("0.0.0.0", "::", "") and _is_ip(name)

    @staticmethod
    def same_origin(request: web.Request) -> bool:
        """A write must come from our own page: Origin, when sent, is ours; a browser's
        Sec-Fetch-Site, when sent, says same-origin (or that a person typed the address)."""
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"http://{request.headers.get('Host', '')}":
            return False
        site = request.headers.get("Sec-Fetch-Site")
        return site is None or site in ("same-origin", "none")

    def check_password(self, given: str) -> bool:
        if self._password is None:
            return True
        return hmac.compare_digest(given.encode("utf-8"), self._password.encode("utf-8"))

    def may_reset(self, request: web.Request) -> bool:
        """Whether this request may start the whole sandbox over. In a training room (a
        password) only the trainer's own computer may: one trainee's tap would otherwise wipe
        every other trainee's chats mid-lesson."""
        if self._password is None:
            return True
        try:
            return ipaddress.ip_address(request.remote or "").is_loopback
        except ValueError:
            return False

    def login_throttled(self, address: str) -> bool:
        """Whether ``address`` used up its wrong passwords for now: a guesser gets a handful
        of tries a minute, a trainee who mistyped waits at most a minute."""
        seen = self._failures.get(address)
        if seen is None:
            return False
        started, count = seen
        if self._clock() - started >= LOGIN_WINDOW:
            del self._failures[address]
            return False
        return count >= LOGIN_ATTEMPTS

    def login_failed(self, address: str) -> None:
        now = self._clock()
        started, count = self._failures.pop(address, (now, 0))
        if now - started >= LOGIN_WINDOW:
            started, count = now, 0
        self._failures[address] = (started, count + 1)
        while len(self._failures) > ADDRESSES_KEPT:
            self._failures.popitem(last=False)

    def new_session(self) -> str:
        token = secrets.token_urlsafe(32)
        self._sessions[token.encode("ascii")] = self._clock() + SESSION_LIFETIME
        while len(self._sessions) > SESSIONS_KEPT:
            self._sessions.popitem(last=False)
        return token

    def end_session(self, request: web.Request) -> None:
        """Sign out: the cookie's token is worth nothing from now on, wherever it was copied."""
        known = self._session_of(request)
        if known is not None:
            del self._sessions[known]

    def _session_of(self, request: web.Request) -> bytes | None:
        """The request's live session token (compared in constant time; any bytes a client
        sends are compared, never decoded or trusted)."""
        given = request.cookies.get(COOKIE, "").encode("utf-8", "surrogateescape")
        now = self._clock()
        found = None
        for known, expires in list(self._sessions.items()):
            if expires <= now:
                del self._sessions[known]
            elif hmac.compare_digest(given, known):
                found = known
        return found

    def signed_in(self, request: web.Request) -> bool:
        if self._password is None:
            return True
        return self._session_of(request) is not None

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await self._checked(request, handler)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    async def _checked(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not self.host_allowed(request.headers.get("Host")):
            return error_response(421, "unknown host")
        if request.method not in _SAFE_METHODS and not self.same_origin(request):
            return error_response(403, "cross-site request refused")
        path = request.path
        is_open = path == "/login" or path.startswith("/static/")
        if not is_open and not self.signed_in(request):
            if path.startswith("/api/"):
                return error_response(401, "sign in first")
            raise web.HTTPSeeOther("/login")
        try:
            return await handler(request)
        except BadInput as exc:
            return error_response(400, str(exc))
        except web.HTTPRequestEntityTooLarge:
            return error_response(413, "the body is too large")
        except web.HTTPException as exc:
            if exc.status >= 400 and path.startswith("/api/"):
                return error_response(exc.status, exc.reason.lower())
            raise
        except Exception as exc:  # never a traceback to the page, never typed text in logs
            log.error("sandbox web: %s failed with %s", request.method, type(exc).__name__)
            return error_response(500, "internal error")
