"""The HTTP client the bot reaches the Bot API through: aiohttp, in place of PTB's httpx.

Every update costs the bot two to four Bot API requests (its getUpdates, the answer, an edit,
the tap's answer). Through httpx and httpcore one request takes ~800 µs of the bot's CPU on
127.0.0.1, through aiohttp ~250 µs: measured side by side against one local server, 2,000
requests each. PTB asks a request class for only one thing: send this method's parameters
(and files), return the status and the body; its own wrapper turns statuses and Telegram's
answers into errors, as with httpx.

Errors map as PTB's HTTPXRequest maps httpx's: a timeout is :class:`TimedOut`, anything else
the connection does is :class:`NetworkError`. Each request is logged as httpx logged it: the same
line, at INFO, on the ``httpx`` logger, so the log settings keep working unchanged (the bot
sets that logger to WARNING; bot/logging_setup.py rewrites its records so that the URL keeps
only its Bot API method, never the token).
"""

from __future__ import annotations

import ipaddress
import logging
import ssl
from typing import Any
from urllib.parse import urlencode
from urllib.request import getproxies, proxy_bypass

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url, strip_auth_from_url
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

FORM_URLENCODED = {"Content-Type": "application/x-www-form-urlencoded"}

#: Where httpx logged each request (see the module docstring).
log = logging.getLogger("httpx")


class AiohttpRequest(BaseRequest):
    """A pool of keep-alive connections to the Bot API, with PTB's default timeouts."""

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_proxies",
        "_read_timeout",
        "_session",
        "_ssl",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        *,
        ssl_context: ssl.SSLContext,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._ssl = ssl_context
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, tuple[URL | None, aiohttp.BasicAuth | None]] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # Made here, on the loop that will use it (aiohttp binds a session to its loop).
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ssl=self._ssl),
                headers={"User-Agent": self.USER_AGENT},
                # aiohttp's trust_env looks up .netrc and the proxy settings in a thread on
                # every request (two thread hops, a quarter of the bot's busy time under load):
                # the proxy is looked up once per server instead (:meth:`_proxy_for`).
                trust_env=False,
            )

    def _proxy_for(self, url: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
        """The proxy for ``url``'s server from HTTPS_PROXY, NO_PROXY… (as httpx honoured
        them), looked up on the first request to that server."""
        server = url[: url.find("/", url.find("//") + 2)]
        found = self._proxies.get(server)
        if found is None and _is_loopback(URL(url).host):
            # A Bot API on this machine (the sandbox's stand-in): a proxy cannot reach our
            # loopback, and what people type in the sandbox must not leave the machine.
            found = (None, None)
            self._proxies[server] = found
        if found is None:
            try:
                found = get_env_proxy_for_url(URL(url))
            except LookupError:
                found = _all_proxy(URL(url))
            self._proxies[server] = found
        return found

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        body: Any = None
        headers = None
        if fields and not files:
            # Encoded here: aiohttp's FormData would also make a multipart writer (a random
            # boundary from the OS) for every request, to send the same bytes.
            body = urlencode(fields).encode()
            headers = FORM_URLENCODED
        elif files:
            form = aiohttp.FormData(fields or {}, quote_fields=False)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            body = form
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        # aiohttp has no write timeout of its own: the send is bounded by the total below.
        write = self._write_timeout if not files else self._media_write_timeout
        if not isinstance(write_timeout, DefaultValue):
            write = write_timeout
        timeout = aiohttp.ClientTimeout(
            total=None if read is None or write is None else read + write + (connect or 0),
            connect=None if connect is None else connect + (pool or 0),
            sock_connect=connect,
            sock_read=read,
        )
        proxy, proxy_auth = self._proxy_for(url)
        try:
            async with session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=timeout,
                proxy=proxy,
                proxy_auth=proxy_auth,
            ) as response:
                payload = await response.read()
        except TimeoutError as err:  # aiohttp's own timeouts are TimeoutErrors too
            raise TimedOut from err
        except aiohttp.ClientError as err:
            # The class name says what failed when the message is empty.
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
        if log.isEnabledFor(logging.INFO):
            seen = response.version
            version = f"HTTP/{seen.major}.{seen.minor}" if seen else "HTTP/1.1"
            log.info(
                'HTTP Request: %s %s "%s %d %s"',
                method,
                url,
                version,
                response.status,
                response.reason,
            )
        return response.status, payload


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _all_proxy(url: URL) -> tuple[URL | None, aiohttp.BasicAuth | None]:
    """ALL_PROXY for a server that NO_PROXY leaves to a proxy, as httpx took it (aiohttp
    reads only HTTP_PROXY and HTTPS_PROXY); a proxy without its scheme is an http:// one."""
    raw = getproxies().get("all")
    if not raw or (url.host is not None and proxy_bypass(url.host)):
        return None, None
    proxy = URL(raw if "://" in raw else f"http://{raw}")
    if proxy.scheme != "http":  # what aiohttp can speak to a proxy (httpx: also socks)
        return None, None
    return strip_auth_from_url(proxy)
