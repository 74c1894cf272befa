"""Webhook mode: Telegram posts each update to the bot's own HTTP server.

A small aiohttp server rather than python-telegram-bot's (tornado) webhook: PTB's handler
answers 200 before the update is recorded anywhere and logs raw updates at DEBUG, and it has no
place to record an update before that answer without reaching into its internals. Here each
request is checked (path, POST, the secret token in constant time, a size cap, JSON with an
``update_id``), recorded durably by :class:`bot.update_journal.UpdateJournal`, and only then
answered 200. Nothing of a request's body or headers is logged.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

from aiohttp import web
from telegram import Update
from telegram.error import NetworkError, RetryAfter

from bot.concurrency import PerPersonUpdateProcessor
from bot.context import FieldReportApplication
from bot.liveness import probe_address, signs_of_life
from bot.update_journal import UpdateJournal

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Telegram's updates are a few kilobytes (a 4,096-character text with its entities, a
#: callback query carrying its message); anything near this is not an update.
MAX_BODY = 1024 * 1024
#: What the bot asks Telegram to deliver, in both modes.
ALLOWED_UPDATES = Update.ALL_TYPES
#: Attempts at setWebhook while starting (as polling's bootstrap_retries).
SET_WEBHOOK_ATTEMPTS = 10


class CannotListen(Exception):
    """The webhook server could not bind WEBHOOK_LISTEN; the message is one sentence."""


class WebhookServer:
    """Answers Telegram's POSTs on one path; everything else is refused and nothing recorded."""

    def __init__(self, path: str, secret: str, journal: UpdateJournal) -> None:
        self._path = path
        self._secret = secret.encode()
        self._journal = journal
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, host: str, port: int) -> None:
        """Listen on ``host:port`` (port 0: a free one, then in :attr:`port`)."""
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", self._path, self._handle)
        app.router.add_route("*", "/{tail:.*}", _not_found)
        # No access log: request lines carry paths and query strings.
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=5.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:  # the port is taken, or the address is not this machine's
            await runner.cleanup()
            raise CannotListen(
                f"Could not serve the webhook on {host}:{port} (WEBHOOK_LISTEN): "
                f"{exc.strerror or exc}."
            ) from exc
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening; requests being answered finish first."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.method != "POST":
            return web.Response(status=405, headers={"Allow": "POST"})
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook: refused a request without the right secret token")
            return web.Response(status=403)
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413)
        try:
            body = await request.read()  # aiohttp refuses past client_max_size
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413)
        parsed = _update_of(body)
        if parsed is None:
            log.warning("webhook: refused a request that is not an update")
            return web.Response(status=400)
        update_id, payload, data = parsed
        try:
            new = await self._journal.receive(update_id, payload, data)
        except Exception:
            log.exception("webhook: could not record update %s; Telegram will retry", update_id)
            return web.Response(status=500)
        if not new:
            log.info("webhook: update %s was received before; not applied again", update_id)
        return web.Response(status=200)


def _update_of(body: bytes) -> tuple[int, str, dict[str, object]] | None:
    """(update_id, the body as text, the decoded object) when the body is an update."""
    try:
        payload = body.decode("utf-8")
        data = json.loads(payload)
    except ValueError:  # UnicodeDecodeError and JSONDecodeError both are
        return None
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    if not 0 <= update_id < 2**53:  # Telegram's are far smaller; a BIGINT column holds these
        return None
    return update_id, payload, data


async def _not_found(request: web.Request) -> web.StreamResponse:
    return web.Response(status=404)


@asynccontextmanager
async def serving_webhook(
    application: FieldReportApplication,
    *,
    public_url: Callable[[int], str] | None = None,
    listen: tuple[str, int] | None = None,
) -> AsyncIterator[WebhookServer]:
    """Serve the webhook of a started application until the block ends.

    Updates recorded and not handled before are applied first; then the server listens and
    setWebhook tells Telegram where to post. On the way out the server stops taking updates,
    every queued one is processed and its mark written. ``public_url`` (given the bound port)
    and ``listen`` replace the settings' (tests listen on a free port).
    """
    settings = application.services.settings
    if settings.webhook_secret is None or (settings.webhook_url is None and public_url is None):
        raise RuntimeError("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET")
    secret = settings.webhook_secret.reveal()
    journal = UpdateJournal(application)
    journal.attach()
    server = WebhookServer(settings.webhook_path, secret, journal)
    try:
        await journal.replay()
        host, port = listen or settings.webhook_listen
        await server.start(host, port)
        url = public_url(server.port) if public_url else settings.webhook_url
        assert url is not None
        await _set_webhook(application, url, secret)
        log.info("webhook: serving on %s:%d", host, server.port)
        own_page = f"http://{probe_address(host)}:{server.port}{settings.webhook_path}"
        processor = application.update_processor
        stuck_for = processor.stuck_for if isinstance(processor, PerPersonUpdateProcessor) else None
        # `python -m bot health`
        async with signs_of_life(own_page, settings.database_path, stuck_for):
            yield server
    finally:
        await server.stop()
        await application.update_queue.join()  # what was recorded gets processed now
        await journal.flush()
        journal.detach()


async def _set_webhook(application: FieldReportApplication, url: str, secret: str) -> None:
    """setWebhook, retried like polling's start-up: a passing network error must not stop us."""
    for attempt in range(1, SET_WEBHOOK_ATTEMPTS + 1):
        try:
            await application.bot.set_webhook(
                url=url,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
            return
        except RetryAfter as exc:
            if attempt == SET_WEBHOOK_ATTEMPTS:
                raise
            delay = exc.retry_after
            await asyncio.sleep(delay if isinstance(delay, int | float) else delay.total_seconds())
        except NetworkError:
            if attempt == SET_WEBHOOK_ATTEMPTS:
                raise
            await asyncio.sleep(min(2.0**attempt / 4, 5.0))


async def run_webhook(application: FieldReportApplication) -> None:
    """``python -m bot run`` with WEBHOOK_URL set: serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(signum, stop.set)
    await application.initialize()
    try:
        await application.start()
        try:
            async with serving_webhook(application):
                await stop.wait()
        finally:
            await application.stop()
    finally:
        await application.shutdown()
