"""The stand-in's webhook deliveries: queued updates posted to the bot, retried like Telegram.

While a webhook is set (setWebhook, :mod:`bot.standin.methods.webhooks`), one task posts the
queued updates in update_id order; an update leaves the queue only on a 2xx answer, others are
retried with a doubling delay. Faults from :class:`~bot.standin.faults.FaultInjection` make a
delivery fail the ways a network does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from .faults import FaultInjection
from .records import Webhook

__all__ = ["SECRET_HEADER", "WebhookDeliveries"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookDeliveries(FaultInjection):
    """Posts queued updates to the webhook the bot set, and remembers every attempt."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deliverer: asyncio.Task[None] | None = None
        #: The first retry waits this long, each next one twice as long.
        self.webhook_retry_delay = 0.05
        self.webhook_retry_max = 1.0
        #: How long a delivery waits for the webhook's answer.
        self.webhook_timeout = 10.0
        #: Every webhook delivery attempt: (update_id, HTTP status, or what failed).
        self.deliveries: list[tuple[int, int | str]] = []
        #: Told of every delivery attempt as it ends (tests kill a bot process right after it
        #: answered 200, before it could handle the update).
        self.on_delivered: Callable[[int, int | str], None] | None = None

    def _start_delivering(self) -> None:
        """Start the one task that delivers (the server does, once it listens)."""
        self._deliverer = asyncio.get_running_loop().create_task(self._deliver_forever())

    async def _stop_delivering(self) -> None:
        """Stop delivering (the server does, as it stops)."""
        if self._deliverer is not None:
            self._deliverer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._deliverer
            self._deliverer = None

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
        fault = self._take_delivery_fault()
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

    @property
    def webhook(self) -> dict[str, Any] | None:
        """What getWebhookInfo would answer, or None while the bot polls."""
        if self.state.webhook is None:
            return None
        return self.state.webhook.info(len(self.state.updates))
