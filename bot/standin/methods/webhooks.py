"""Bot API webhooks: setWebhook, deleteWebhook and getWebhookInfo, checked as Telegram checks
them; the deliveries themselves are :mod:`bot.standin.deliveries`.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlparse

from ..params import Params, bad_request
from ..records import Webhook
from .base import MethodBase

__all__ = ["WebhookMethods"]

_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]*")
WEBHOOK_PORTS = (80, 88, 443, 8443)


def _check_webhook_url(url: str, allow_http: bool) -> None:
    """Telegram posts to https:// on ports 80, 88, 443 or 8443; a stand-in told so also to
    http:// on this machine, on any port."""
    try:
        parsed = urlparse(url)
        port = parsed.port
    except ValueError as exc:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known") from exc
    host = parsed.hostname or ""
    if parsed.scheme == "http" and allow_http and _loopback(host):
        return
    if parsed.scheme != "https":
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if not host:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
    if (port or 443) not in WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class WebhookMethods(MethodBase):
    """Setting, removing and describing the webhook."""

    def set_webhook(self, params: Params) -> bool:
        """setWebhook: checked as Telegram does; an empty url removes the webhook."""
        url = params.get_str("url")
        if url is None:
            if "url" in params.values:  # an empty url: "remove webhook integration"
                return self.delete_webhook(params)
            raise bad_request('parameter "url" is required')
        _check_webhook_url(url, self.state.allow_http_webhook)
        secret = params.get_str("secret_token")
        if secret is not None:
            if len(secret) > 256:
                raise bad_request("secret token is too long")
            if not _SECRET_TOKEN.fullmatch(secret):
                raise bad_request("secret token contains unallowed characters")
        connections = params.get_int("max_connections") or 40
        allowed = self.state.choose_updates(
            params.get_json("allowed_updates", "can't parse allowed_updates")
        )
        if params.get_bool("drop_pending_updates"):
            self.state.updates.clear()
        self.state.webhook = Webhook(
            url=url,
            secret_token=secret or None,
            max_connections=min(max(connections, 1), 100),
            allowed_updates=allowed,
        )
        return True

    def delete_webhook(self, params: Params) -> bool:
        """Back to getUpdates; optionally drop what is queued."""
        self.state.webhook = None
        if params.get_bool("drop_pending_updates"):
            self.state.updates.clear()
        return True

    def get_webhook_info(self, params: Params) -> dict[str, Any]:
        """The webhook and its last delivery error, or (polling) no URL; how many updates wait."""
        pending = len(self.state.updates)
        if self.state.webhook is None:
            return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}
        return self.state.webhook.info(pending)
