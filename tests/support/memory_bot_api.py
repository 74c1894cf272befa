"""PTB's request interface answered in this process: the real Application, no HTTP, no sockets.

Feeding updates to ``application.process_update`` and answering its Bot API calls from memory
runs the whole bot at in-memory speed. Two answerers share the interface, because two needs
pull apart:

- :class:`InMemoryRequest` (the benchmarks) answers cheaply, just as Telegram's JSON looks, so
  a figure measures our code and PTB's and nothing of the stand-in: it keeps each chat's
  messages so a benchmark can read the screen and tap, and refuses what Telegram refuses on
  edits (an unknown message, no change).
- :class:`StandInRequest` (tests/property) hands every call to the stand-in's own Bot API, which
  validates it exactly as over HTTP (Telegram's HTML parser, text limits, one answer per
  callback query, edits of missing messages…) and can fail a chosen call as Telegram would.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.standin import StandIn
from bot.standin.api import CANONICAL_NAMES
from bot.standin.params import ApiError, Params, Upload, decode_form_value

JsonDict = dict[str, Any]


class MemoryRequest(BaseRequest):
    """A ``BaseRequest`` with no connection to open, close or wait for."""

    __slots__ = ()

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


# --- cheap answers (the benchmarks) ------------------------------------------------------

#: Never resolvable (RFC 2606): even a request that escaped from memory could not reach Telegram.
FAKE_API_URL = "http://bot-api.invalid"
FAKE_TOKEN = "123456:benchmark-token"
BOT_USER: JsonDict = {
    "id": 123456,
    "is_bot": True,
    "first_name": "FieldReport",
    "username": "fieldreport_bench_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
#: Bot API methods that carry a ``chat_id``: the ones the bot's rate limiter (bot/rate_limit.py)
#: counts against its overall budget (``answerCallbackQuery`` and ``setMyCommands`` carry none).
#: A chat action is no message for Telegram, but the limiter counts it all the same.
CHAT_METHODS = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "sendDocument",
        "sendPhoto",
        "sendChatAction",
    }
)
#: The methods that send a file: answered with the ``Message`` carrying the file.
FILE_METHODS = frozenset({"sendDocument", "sendPhoto"})
NOT_FOUND = "Bad Request: message to edit not found"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


@dataclass(slots=True)
class ShownMessage:
    """A bot message as the chat shows it now (after any edits)."""

    message_id: int
    chat_id: int
    date: int
    text: str
    #: The keyboard exactly as the bot sent it (JSON), parsed only when somebody reads it.
    reply_markup: str | None

    def buttons(self) -> list[tuple[str, str]]:
        """``(text, callback_data)`` of every inline button, row by row."""
        if self.reply_markup is None:
            return []
        markup = json.loads(self.reply_markup)
        return [
            (button["text"], button["callback_data"])
            for row in markup.get("inline_keyboard", [])
            for button in row
            if "callback_data" in button
        ]

    def as_json(self) -> JsonDict:
        """The Bot API ``Message``, as a callback query on one of its buttons carries it."""
        message: JsonDict = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": {"id": self.chat_id, "type": "private" if self.chat_id > 0 else "group"},
            "from": BOT_USER,
            "text": self.text,
        }
        if self.reply_markup is not None:
            message["reply_markup"] = json.loads(self.reply_markup)
        return message


@dataclass(frozen=True, slots=True)
class Call:
    """One Bot API call as :class:`InMemoryRequest` received it (kept only when recording)."""

    at: float  # time.perf_counter() when it arrived
    method: str
    chat_id: int | None
    #: ``sendDocument``/``sendPhoto``: the file's name and size; ``sendMessage``: the text's size.
    name: str = ""
    size: int = 0
    caption: str = ""


class InMemoryRequest(MemoryRequest):
    """Answers Bot API methods in memory with valid JSON and counts the calls per method.

    The request parameters are JSON-encoded as PTB's HTTPX client would, so the encoding cost
    stays in the figures; only the transport is removed. ``sendMessage``, ``editMessageText``
    and ``editMessageReplyMarkup`` answer with the ``Message`` as Telegram would, and keep each
    chat's bot messages (text and keyboard) so a benchmark can read the screen and tap what a
    person would see; an edit of an unknown message, or one that changes nothing, fails with
    Telegram's ``400`` error. ``sendDocument`` and ``sendPhoto`` read the uploaded file (as a
    client building the multipart body would) and answer with the ``Message`` carrying it.
    Every other method (``sendChatAction`` too) answers ``true``. With ``record=True`` every call
    is also kept, in order, with its arrival time (:attr:`log`).
    """

    __slots__ = (
        "_message_id",
        "callback_answers",
        "calls",
        "chats",
        "last_text",
        "log",
        "record",
        "texts",
    )

    def __init__(self, *, record: bool = False) -> None:
        self.calls: Counter[str] = Counter()
        #: The text of the latest ``sendMessage``, to check a benchmark took the path it meant.
        self.last_text = ""
        #: Every text sent or edited in, oldest first (to look for an error apology).
        self.texts: list[str] = []
        #: The parameters of every ``answerCallbackQuery`` (an alert text means a refusal).
        self.callback_answers: list[JsonDict] = []
        #: chat id -> message id -> the bot's message as shown now, in the order sent.
        self.chats: dict[int, dict[int, ShownMessage]] = {}
        self.record = record
        #: Every call, oldest first, when ``record`` is set.
        self.log: list[Call] = []
        self._message_id = 0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        self.calls[endpoint] += 1
        params: JsonDict = {}
        encoded: dict[str, str] = {}
        if request_data is not None:
            encoded = request_data.json_parameters  # the encoding a real client performs
            params = request_data.parameters
        result: Any = True
        if endpoint == "getMe":
            result = BOT_USER
        elif endpoint == "sendMessage":
            result = self._message(params, encoded)
        elif endpoint in FILE_METHODS and request_data is not None:
            result = self._file_message(endpoint, params, request_data)
        elif endpoint in ("editMessageText", "editMessageReplyMarkup"):
            result = self._edit(endpoint, params, encoded)
            if isinstance(result, str):
                error = {"ok": False, "error_code": 400, "description": result}
                return 400, json.dumps(error).encode()
        elif endpoint == "answerCallbackQuery":
            self.callback_answers.append(params)
        if self.record:
            self._record(endpoint, params, result)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _record(self, endpoint: str, params: JsonDict, result: Any) -> None:
        chat_id = int(params["chat_id"]) if "chat_id" in params else None
        name, size = "", 0
        if endpoint == "sendMessage":
            size = len(str(params.get("text", "")))
        elif endpoint == "sendDocument" and isinstance(result, dict):
            name, size = result["document"]["file_name"], result["document"]["file_size"]
        elif endpoint == "sendPhoto" and isinstance(result, dict):
            name, size = "photo", result["photo"][-1]["file_size"]
        caption = str(params.get("caption", ""))
        self.log.append(Call(time.perf_counter(), endpoint, chat_id, name, size, caption))

    def _file_message(self, endpoint: str, params: JsonDict, request_data: RequestData) -> JsonDict:
        """The ``Message`` Telegram returns for an uploaded document or photo."""
        self._message_id += 1
        chat_id = int(params["chat_id"])
        field_name = "document" if endpoint == "sendDocument" else "photo"
        uploaded = request_data.multipart_data.get(field_name)  # reads the file, as a client does
        file_name, content = ("", b"") if uploaded is None else (uploaded[0], uploaded[1])
        size = len(content) if isinstance(content, bytes) else 0
        unique = f"{chat_id}x{self._message_id}"
        message: JsonDict = {
            "message_id": self._message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT_USER,
        }
        if "caption" in params:
            message["caption"] = params["caption"]
        if field_name == "document":
            message["document"] = {
                "file_id": f"BQACAgIAAxkBAAI{unique}",
                "file_unique_id": f"AgAD{unique}",
                "file_name": file_name,
                "mime_type": "application/octet-stream",
                "file_size": size,
            }
        else:
            message["photo"] = [
                {
                    "file_id": f"AgACAgIAAxkBAAI{unique}x{side}",
                    "file_unique_id": f"AQAD{unique}{side}",
                    "width": side,
                    "height": side // 2,
                    "file_size": size * side // 1280,
                }
                for side in (90, 320, 1280)
            ]
        return message

    def _message(self, params: JsonDict, encoded: Mapping[str, str]) -> JsonDict:
        self._message_id += 1
        text = str(params.get("text", ""))
        self.last_text = text
        self.texts.append(text)
        chat_id = int(params["chat_id"])
        shown = ShownMessage(
            self._message_id, chat_id, int(time.time()), text, encoded.get("reply_markup")
        )
        self.chats.setdefault(chat_id, {})[shown.message_id] = shown
        return self._result(shown, params)

    def _edit(self, endpoint: str, params: JsonDict, encoded: Mapping[str, str]) -> JsonDict | str:
        """The edited ``Message``, or Telegram's error description."""
        chat_id = int(params.get("chat_id", 0))
        shown = self.chats.get(chat_id, {}).get(int(params.get("message_id", 0)))
        if shown is None:
            return NOT_FOUND
        text = str(params["text"]) if endpoint == "editMessageText" else shown.text
        markup = encoded.get("reply_markup")  # none given: Telegram removes the keyboard
        if text == shown.text and markup == shown.reply_markup:
            return NOT_MODIFIED
        if endpoint == "editMessageText":
            self.texts.append(text)
        shown.text, shown.reply_markup = text, markup
        message = self._result(shown, params)
        message["edit_date"] = int(time.time())
        return message

    @staticmethod
    def _result(shown: ShownMessage, params: JsonDict) -> JsonDict:
        message: JsonDict = {
            "message_id": shown.message_id,
            "date": shown.date,
            "chat": {"id": shown.chat_id, "type": "private" if shown.chat_id > 0 else "group"},
            "from": BOT_USER,
            "text": shown.text,
        }
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message

    def screen(self, chat_id: int) -> list[ShownMessage]:
        """The bot's messages in a chat, oldest first, as they look now."""
        return list(self.chats.get(chat_id, {}).values())

    def limited_calls(self) -> int:
        """Calls so far that the rate limiter counts (those that carry a chat)."""
        calls = self.calls
        return sum(calls[method] for method in CHAT_METHODS)


# --- the stand-in's Bot API, in this process ---------------------------------------------


class StandInRequest(MemoryRequest):
    """The stand-in's Bot API, validating every call, plus injected faults (tests/property)."""

    def __init__(self, standin: StandIn) -> None:
        self.standin = standin
        #: Faults to inject: the call number (counted from when they were armed) and its kind.
        self.faults: dict[int, str] = {}
        self.calls_since_armed = 0
        self.faults_fired: list[tuple[str, str]] = []

    def arm(self, faults: dict[int, str]) -> None:
        """Make the ``n``-th Bot API call from now fail the way ``faults[n]`` says."""
        self.faults = dict(faults)
        self.calls_since_armed = 0
        self.faults_fired = []

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        given = url.rsplit("/", 1)[-1]
        name = CANONICAL_NAMES.get(given.lower(), given)
        values = _values(request_data)
        state = self.standin.state
        fault = self.faults.pop(self.calls_since_armed, None)
        self.calls_since_armed += 1
        if fault is not None:
            self.faults_fired.append((name, fault))
            return _fail(fault)
        state.calls.append((name, values))
        implementation = self.standin.api.lookup(given)
        try:
            if implementation is None:
                raise ApiError(404, "Not Found: method not found")
            result = implementation(Params(values))
        except ApiError as exc:
            state.failures.append((name, values, exc))
            return exc.status, json.dumps(exc.body()).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()


#: What Telegram answers for each kind of failure a test injects (timeouts and dropped
#: connections raise, as httpx would make PTB raise them).
_FAILURES: dict[str, tuple[int, dict[str, Any]]] = {
    "500": (500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}),
    "502": (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}),
    "400": (400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}),
    "403": (
        403,
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    ),
    "429": (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        },
    ),
}
FAULT_KINDS = (*_FAILURES, "timeout", "drop")


def _fail(kind: str) -> tuple[int, bytes]:
    if kind == "timeout":
        raise TimedOut("injected timeout")
    if kind == "drop":
        raise NetworkError("injected: server disconnected without sending a response")
    status, body = _FAILURES[kind]
    return status, json.dumps(body).encode()


def _values(request_data: RequestData | None) -> dict[str, Any]:
    """The parameters as the stand-in's HTTP side would have decoded them."""
    if request_data is None:
        return {}
    values: dict[str, Any] = {
        key: decode_form_value(key, raw) for key, raw in request_data.json_parameters.items()
    }
    if request_data.contains_files:
        for key, (file_name, content, mime) in request_data.multipart_data.items():
            data = content if isinstance(content, bytes) else content.read()
            values[key] = Upload(file_name or key, mime, data)
    return values
