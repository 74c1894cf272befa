"""A local stand-in for the Telegram Bot API, for end-to-end tests, benchmarks and demos.

The real PTB ``Application`` talks to it over HTTP (``ApplicationBuilder().base_url(tg.base_url)
.base_file_url(tg.base_file_url)``); tests act as people and read what the bot sent. It depends
on nothing else in the bot, only on aiohttp.

Where things are: :mod:`.server` (``StandIn``: HTTP routes, lifecycle, getUpdates) is put
together from :mod:`.core` (shared state, waking waiters), :mod:`.person` (acting as people),
:mod:`.observing` (what the bot sent, waiting for it), :mod:`.faults` (fault injection),
:mod:`.deliveries` (webhook posts) and :mod:`.control` (the ``/_standin/…`` HTTP side). The
Bot API methods are :mod:`.api` over :mod:`.methods` (one module per family); what is
remembered is :mod:`.state` and :mod:`.records`; HTML parsing :mod:`.html`, request
parameters :mod:`.params`, the event feed :mod:`.feed`, command menus :mod:`.command_menu`.
"""

from .command_menu import resolve_commands
from .core import StandInTimeout
from .faults import DeliveryFaultKind, FaultKind
from .feed import EventFeed, FeedEvent, Subscription
from .html import HtmlParseError, ParsedText, parse_html, utf16_len, visible_text
from .models import SentMessage, TgChat, TgUser
from .params import ApiError, Upload
from .records import TINY_PNG
from .server import StandIn

__all__ = [
    "TINY_PNG",
    "ApiError",
    "DeliveryFaultKind",
    "EventFeed",
    "FaultKind",
    "FeedEvent",
    "HtmlParseError",
    "ParsedText",
    "SentMessage",
    "StandIn",
    "StandInTimeout",
    "Subscription",
    "TgChat",
    "TgUser",
    "Upload",
    "parse_html",
    "resolve_commands",
    "utf16_len",
    "visible_text",
]
