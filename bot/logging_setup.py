"""Logging that never prints the bot token or what people wrote, whatever library logs it.

Two guards:
- the token: :class:`RedactingFormatter` removes it from every formatted line (httpx logs URLs);
- content: libraries log what passes through them at DEBUG — python-telegram-bot every Bot API
  call's parameters and result and every update, httpx/httpcore request lines, aiosqlite every
  statement's parameters, aiohttp (the webhook server) request lines. :func:`guard_content`
  rewrites their records as they are made, whatever handler later sees them: the message
  template stays, values that can carry content (texts, names, phone numbers, invitation
  tokens, callback data) become placeholders; Bot API methods, ids, counts, status codes and
  timings stay.
"""

from __future__ import annotations

import http
import inspect
import logging
import sys
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any
from urllib.parse import urlsplit

REDACTED = "[REDACTED]"

#: Loggers (and their children) whose records are rewritten by :func:`guard_content`.
GUARDED_LOGGERS = ("telegram", "httpx", "httpcore", "aiohttp", "aiosqlite")

#: Parameter names whose values are ids, counts or timings, never content.
_ID_KEYS = frozenset(
    {"offset", "limit", "timeout", "update_id", "retry_after", "ok", "error_code", "date"}
)


#: How python-telegram-bot names its polling and start-up loops in log lines.
_RETRY_LOOP = "Network Retry Loop ("


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then removes every secret from the message and the traceback."""

    def __init__(self, secrets: Iterable[str], fmt: str | None = None) -> None:
        super().__init__(fmt)
        self._secrets = [secret for secret in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def configure_logging(level: str, secrets: Iterable[str]) -> None:
    guard_content()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter(secrets, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The request line of every Bot API call, with its URL (which holds the token), is logged at
    # INFO on this logger (bot/telegram_http.py, as httpx did).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


# --- content --------------------------------------------------------------------------------


def guard_content() -> None:
    """Install the rewriting of library records (idempotent; the bot calls it at build time).

    A record factory rather than a logging.Filter: a filter on the ``telegram`` logger never
    sees records of ``telegram.Bot`` (filters do not apply to records propagated from child
    loggers), and a filter on our handler would not protect any other handler.
    """
    current = logging.getLogRecordFactory()
    if getattr(current, "guards_content", False):
        return
    logging.setLogRecordFactory(_guarding(current))


def _guarding(make: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        if guarded(record.name):
            scrub(record)
        return record

    factory.guards_content = True  # type: ignore[attr-defined]
    return factory


def guarded(logger_name: str) -> bool:
    return any(
        logger_name == name or logger_name.startswith(name + ".") for name in GUARDED_LOGGERS
    )


def scrub(record: logging.LogRecord) -> None:
    """Keep the record's template; replace every value that could carry content."""
    if record.exc_info and record.name.startswith("aiohttp"):
        _without_quoted_request(record)
    if not isinstance(record.msg, str):
        record.msg, record.args = f"<{type(record.msg).__name__}>", ()
        return
    if not record.args:
        if record.name.startswith("httpcore"):
            # "receive_response_headers.complete return_value=(…)": keep the event's name.
            record.msg = record.msg.split(" ", 1)[0]
        elif record.name.startswith("aiohttp.access"):
            record.msg = "access log line (request line and headers not logged)"
        return
    if isinstance(record.args, Mapping):
        record.args = {key: safe_value(value, str(key)) for key, value in record.args.items()}
    else:
        record.args = tuple(safe_value(value) for value in record.args)


def _without_quoted_request(record: logging.LogRecord) -> None:
    """aiohttp's errors about a request it could not parse (the webhook server's) quote the
    offending bytes, a header line or the body: only the kind of error is kept."""
    from aiohttp.http_exceptions import HttpProcessingError

    error = record.exc_info[1] if record.exc_info else None
    if isinstance(error, HttpProcessingError):
        if isinstance(record.msg, str):
            record.msg = f"{record.msg} ({type(error).__name__}, {error.code})"
        record.exc_info = None
        record.exc_text = None


def safe_value(value: object, key: str = "") -> object:
    """What of ``value`` may be logged: numbers and known words as they are, else its shape."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        if value in _known_words():
            return value
        if value.startswith(_RETRY_LOOP) and "):" in value:
            # PTB's "Network Retry Loop (Polling Updates):" — what failed, for the operator.
            head, _, rest = value.partition("):")
            return head + "):" + (" …" if rest else "")
        return _url(value) if "://" in value else f"<str: {len(value)} chars>"
    if type(value).__name__ == "URL":  # httpx.URL
        return _url(str(value))
    if isinstance(value, Mapping):
        return _mapping(value)
    if isinstance(value, list | tuple | set | frozenset):
        if all(isinstance(item, int) and not isinstance(item, bool) for item in value):
            return list(value)  # getUpdates' update ids
        return f"<{type(value).__name__} of {len(value)}>"
    if isinstance(value, BaseException):
        return f"<{type(value).__name__}>"
    ids = [
        f"{name}={found}"
        for name in ("update_id", "message_id")
        if isinstance(found := getattr(value, name, None), int)
    ]
    return "<" + " ".join([type(value).__name__, *ids]) + ">"


def _mapping(value: Mapping[Any, Any]) -> str:
    parts = []
    for key, item in value.items():
        name = str(key)
        if _is_id(name, item):
            parts.append(f"{name}={item}")
        else:
            parts.append(f"{name}=…")
    return "{" + ", ".join(parts) + "}"


def _is_id(name: str, value: object) -> bool:
    if not (name in _ID_KEYS or name == "id" or name.endswith("_id")):
        return False
    if isinstance(value, bool | int):
        return True
    # chat_id may be "-100123"; callback_query_id is digits; "@channel" or anything else: no.
    return isinstance(value, str) and value.lstrip("-").isdigit() and value.isascii()


def _url(value: str) -> str:
    """Only the Bot API method of a URL (the rest holds the token, a file path, a query)."""
    try:
        last = urlsplit(value).path.rsplit("/", 1)[-1]
    except ValueError:
        return "<url>"
    return f"<url …/{last}>" if last in _known_words() else "<url>"


@cache
def _known_words() -> frozenset[str]:
    """Bot API method names, HTTP methods, versions and reason phrases: never content."""
    from telegram import Bot  # here: logging is configured before the bot is built

    methods = {
        name for name, _ in inspect.getmembers(Bot) if name[:1].islower() and name != name.lower()
    }
    methods |= {name.lower() for name in methods}
    phrases = {status.phrase for status in http.HTTPStatus}
    verbs = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"}
    versions = {"HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/3"}
    return frozenset(methods | phrases | verbs | versions)
