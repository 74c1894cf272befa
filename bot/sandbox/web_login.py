"""The web chat's sign-in: the password page, signing in (throttled per address) and out.

Only when the sandbox has a password (:class:`~bot.sandbox.web_security.Guard` decides who is
signed in); without one, every sign-in address leads to the chat. The page is plain HTML in the
visitor's language, so it works before any script runs.
"""

from __future__ import annotations

import html
import urllib.parse

from aiohttp import web

from bot.i18n import Catalogs

from .web_security import COOKIE, SESSION_LIFETIME, BadInput, Guard, read_body
from .web_texts import TOO_MANY_TRIES, choose_ui_language

__all__ = ["LOGIN_LIMIT", "SignIn"]

LOGIN_LIMIT = 4096  # the sign-in form's body: a password and little else


class SignIn:
    """``GET``/``POST /login`` and ``POST /logout`` over the web chat's guard."""

    def __init__(self, guard: Guard, catalogs: Catalogs) -> None:
        self._guard = guard
        self._catalogs = catalogs

    def routes(self) -> list[web.RouteDef]:
        """The sign-in's routes, for the web chat's application."""
        return [
            web.get("/login", self._login_page),
            web.post("/login", self._login),
            web.post("/logout", self._logout),
        ]

    async def _login_page(
        self, request: web.Request, *, failed: bool = False, throttled: bool = False
    ) -> web.Response:
        if not self._guard.needs_login:
            raise web.HTTPSeeOther("/")
        language = choose_ui_language(
            request.query.get("lang"), request.headers.get("Accept-Language")
        )
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
