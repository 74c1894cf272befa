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
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

__all__ = [
    "COOKIE",
    "Guard",
    "error_response",
    "json_response",
    "read_json",
]

log = logging.getLogger(__name__)

COOKIE = "sandbox_session"
#: The largest JSON body any endpoint takes (a message is at most 4096 characters).
JSON_LIMIT = 32 * 1024
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_OPEN_PATHS = ("/login", "/static/")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
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
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    raw = await request.content.read(limit + 1)
    if len(raw) > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(raw))
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadInput("the body is not JSON") from exc
    if not isinstance(body, dict):
        raise BadInput("a JSON object is expected")
    return body


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

    def __init__(self, password: str | None) -> None:
        self._password = password
        self._sessions: set[str] = set()
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

    def new_session(self) -> str:
        token = secrets.token_urlsafe(32)
        self._sessions.add(token)
        return token

    def signed_in(self, request: web.Request) -> bool:
        if self._password is None:
            return True
        token = request.cookies.get(COOKIE, "")
        return any(hmac.compare_digest(token, known) for known in self._sessions)

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
