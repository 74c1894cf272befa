"""The in-process harness: a fake Bot API behind PTB's request interface, and update timing.

No sockets and no HTTP: :class:`InMemoryRequest` answers every Bot API call from memory, so a
figure measures our code and PTB's, never the network or Telegram.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

JsonDict = dict[str, Any]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]

#: Never resolvable (RFC 2606): even a request that escaped the harness could not reach Telegram.
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


class InMemoryRequest(BaseRequest):
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

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

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


class LimiterWaits:
    """Counts the rate limiter's deliberate waits, so a benchmark can show it timed none.

    It wraps the sleep of the application's :class:`bot.rate_limit.FairRateLimiter` (a private
    attribute; if it is renamed, :attr:`observable` is false and the summary says so). Any wait
    during a benchmark means its pacing let the limiter's spacing into the timed updates.
    """

    def __init__(self, application: AnyApplication) -> None:
        self.count = 0
        self.total_s = 0.0
        limiter = application.bot.rate_limiter
        original = getattr(limiter, "_sleep", None)
        self.observable = original is not None
        if original is None:
            return

        async def counting_sleep(delay: float) -> None:
            self.count += 1
            self.total_s += delay
            await original(delay)

        limiter._sleep = counting_sleep

    def summary(self) -> str:
        if not self.observable:
            return "rate limiter not observable"
        return f"rate limiter waited {self.count} times ({self.total_s * 1000:.0f} ms in all)"


class LimiterPacing:
    """The rest after a round that lets the rate limiter drain what the round sent.

    The bot's limiter passes a burst of ``burst`` calls, then one every ``1 / rate`` s, and is
    empty again ``calls / rate`` s after a burst of ``calls``. This counts the limited calls a
    round actually made (from the in-memory Bot API, not from what the script expects), refuses
    a round that needed more than the burst (the limiter would have made it wait inside the
    timed updates) and returns the rest: ``calls / rate`` plus ``margin_s``.
    """

    def __init__(
        self, request: InMemoryRequest, *, burst: int, rate: float, margin_s: float
    ) -> None:
        self.request = request
        self.burst = burst
        self.rate = rate
        self.margin_s = margin_s
        self._seen = request.limited_calls()
        #: Limited calls of every round so far, in order.
        self.per_round: list[int] = []

    def __call__(self) -> float:
        now = self.request.limited_calls()
        calls, self._seen = now - self._seen, now
        self.per_round.append(calls)
        if calls > self.burst:
            raise RuntimeError(
                f"a round made {calls} rate-limited calls, more than the limiter's burst of "
                f"{self.burst}: its later updates would include the limiter's waits"
            )
        return calls / self.rate + self.margin_s


#: The next ``update_id`` of any :class:`UpdateFactory`.
_UPDATE_IDS = itertools.count(1)


@dataclass
class UpdateFactory:
    """Updates from one person in their private chat.

    ``update_id`` (also the user message's ``message_id``) comes from one counter for the whole
    process, so it is unique even when several people's factories take turns.
    """

    user_id: int
    first_name: str = "Ada"
    last_name: str = "Lovelace"
    username: str = "ada"
    language_code: str = "en"

    def _person(self) -> JsonDict:
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
        }

    def _user_message(self, update_id: int, content: JsonDict) -> JsonDict:
        return {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {
                "id": self.user_id,
                "type": "private",
                "first_name": self.first_name,
                "last_name": self.last_name,
                "username": self.username,
            },
            "from": self._person(),
            **content,
        }

    @staticmethod
    def _take_id() -> int:
        return next(_UPDATE_IDS)

    def message(self, text: str) -> JsonDict:
        update_id = self._take_id()
        content: JsonDict = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"update_id": update_id, "message": self._user_message(update_id, content)}

    def photo(self) -> JsonDict:
        """A photo as Telegram delivers it: three sizes, each with its own file ids."""
        update_id = self._take_id()
        sizes = [
            {
                "file_id": f"AgACAgIAAxkBAAI{update_id:08d}x{side}",
                "file_unique_id": f"AQAD{update_id:08d}{side}",
                "width": side,
                "height": side * 3 // 4,
                "file_size": side * 90,
            }
            for side in (90, 320, 800)
        ]
        return {"update_id": update_id, "message": self._user_message(update_id, {"photo": sizes})}

    def callback(self, data: str, message: JsonDict) -> JsonDict:
        """A tap on an inline button with ``data`` under the bot's ``message``."""
        update_id = self._take_id()
        query = {
            "id": f"{self.user_id}{update_id:012d}",
            "from": self._person(),
            "message": message,
            "chat_instance": f"{self.user_id}{BOT_USER['id']}",
            "data": data,
        }
        return {"update_id": update_id, "callback_query": query}


@dataclass
class Samples:
    """Per-update durations in nanoseconds; figures are medians, robust to the odd GC pause."""

    durations_ns: list[int] = field(default_factory=list)

    def add(self, duration_ns: int) -> None:
        self.durations_ns.append(duration_ns)

    def median_us(self) -> float:
        return statistics.median(self.durations_ns) / 1000

    def spread(self) -> str:
        """``n=400, p25-p75 170.1-190.3 us`` for the table."""
        quartiles = statistics.quantiles(self.durations_ns, n=4)
        return (
            f"n={len(self.durations_ns)}, p25-p75 "
            f"{quartiles[0] / 1000:.1f}-{quartiles[2] / 1000:.1f} us"
        )

    def count_over(self, threshold_ns: int) -> int:
        return sum(1 for d in self.durations_ns if d >= threshold_ns)


async def timed_update(application: AnyApplication, data: JsonDict) -> int:
    """Parse and process one update; its wall time in nanoseconds (the only timed region)."""
    start = time.perf_counter_ns()
    await application.process_update(Update.de_json(data, application.bot))
    return time.perf_counter_ns() - start


class Steppable(Protocol):
    """What :func:`run_interleaved` drives: a bot that processes one update per ``step``."""

    name: str

    async def warm_up(self) -> None:
        """One untimed update that may come at the start of any round."""

    async def step(self, *, timed: bool) -> None:
        """The next update; its wall time is recorded if ``timed``."""


@dataclass
class Subject:
    """One bot under test: its application, its fake Bot API, its updates and what they must do.

    Every update is checked (outside the timing) against ``expected_calls`` and ``reply_ok``:
    a bot that silently took another path (a refusal, an error apology) would time the wrong
    thing, so the benchmark fails instead.
    """

    name: str
    application: AnyApplication
    request: InMemoryRequest
    make_update: Callable[[], JsonDict]
    #: Exactly the Bot API calls one update must make, e.g. ``{"sendMessage": 1}``.
    expected_calls: Mapping[str, int]
    reply_ok: Callable[[str], bool] = lambda text: True
    samples: Samples = field(default_factory=Samples)

    async def warm_up(self) -> None:
        await self.step(timed=False)

    async def step(self, *, timed: bool) -> None:
        """Parse and process one update; record its wall time in nanoseconds if ``timed``."""
        data = self.make_update()
        before = self.request.calls.copy()
        duration = await timed_update(self.application, data)
        if timed:
            self.samples.add(duration)
        made = dict(self.request.calls - before)
        if made != dict(self.expected_calls) or not self.reply_ok(self.request.last_text):
            raise RuntimeError(
                f"{self.name}: update {data['update_id']} made {made} "
                f"(expected {dict(self.expected_calls)}), last reply {self.request.last_text!r}"
            )


@dataclass(frozen=True)
class Step:
    """One update of a conversation and what it must do."""

    name: str
    #: Builds the update when its turn comes, so it can read what the bot shows by then.
    make_update: Callable[[], JsonDict]
    #: Exactly the Bot API calls this update must make.
    expected_calls: Mapping[str, int]
    #: Looks at the fake Bot API after the update; returns what is wrong, or None.
    check: Callable[[InMemoryRequest], str | None] = lambda request: None

    def limited_calls(self) -> int:
        """How many of its calls the ``AIORateLimiter`` counts (those that carry a chat)."""
        return sum(n for method, n in self.expected_calls.items() if method in CHAT_METHODS)


@dataclass(frozen=True)
class Conversation:
    """What one person does: an untimed ``lead`` update, then ``steps``.

    A conversation may be played over several rounds; each later round then starts with the
    untimed ``interlude`` (an update that leaves the conversation as it is, e.g. somebody
    else's), as the first update after a pause is always slower.
    """

    lead: Step
    steps: Sequence[Step]
    interlude: Step | None = None

    def limited_calls(self) -> int:
        return self.lead.limited_calls() + sum(step.limited_calls() for step in self.steps)


@dataclass
class ScriptedSubject:
    """A bot driven through whole conversations, step by step, taking ``conversations`` in turn.

    ``step`` plays the current conversation's next update; after its last one, the next
    conversation (e.g. another person's) comes. ``warm_up`` plays the coming conversation's
    ``lead`` (untimed) between two conversations and its ``interlude`` within one, so a round
    whose number of steps divides a conversation's is always a whole part of one (without an
    interlude, only whole conversations can be played a round each). Every update is checked
    outside the timing: exactly the expected Bot API calls, no callback answered with an alert
    (a refusal), no text matching ``forbidden`` (an error apology), and the step's own check.
    """

    name: str
    application: AnyApplication
    request: InMemoryRequest
    conversations: Sequence[Conversation]
    forbidden: Callable[[str], bool] = lambda text: False
    #: Every timed update of every step.
    samples: Samples = field(default_factory=Samples)
    #: The timed updates of each step, by step name (the same step of every conversation).
    per_step: dict[str, Samples] = field(default_factory=dict)
    #: The sum of one whole conversation's updates, for each conversation timed throughout.
    per_conversation: Samples = field(default_factory=Samples)
    #: Conversations played to their end.
    completed: int = 0
    _position: int = field(default=0, repr=False)
    _conversation_ns: int = field(default=0, repr=False)
    _conversation_timed: bool = field(default=True, repr=False)

    def __post_init__(self) -> None:
        if len({len(c.steps) for c in self.conversations}) != 1:
            raise ValueError(f"{self.name}: the conversations must be equally long")

    @property
    def length(self) -> int:
        """Steps in one conversation: a round of this many is one whole conversation."""
        return len(self.conversations[0].steps)

    @property
    def _current(self) -> Conversation:
        return self.conversations[self.completed % len(self.conversations)]

    async def warm_up(self) -> None:
        current = self._current
        if self._position == 0:
            await self._play(current.lead)
        elif current.interlude is not None:
            await self._play(current.interlude)
        else:
            raise RuntimeError(f"{self.name}: a warm-up in the middle of a conversation")

    async def step(self, *, timed: bool) -> None:
        current = self._current.steps[self._position]
        duration = await self._play(current)
        if timed:
            self.samples.add(duration)
            self.per_step.setdefault(current.name, Samples()).add(duration)
        self._conversation_ns += duration
        self._conversation_timed &= timed
        self._position += 1
        if self._position == self.length:
            self.completed += 1
            if self._conversation_timed:
                self.per_conversation.add(self._conversation_ns)
            self._position, self._conversation_ns, self._conversation_timed = 0, 0, True

    async def _play(self, current: Step) -> int:
        request = self.request
        data = current.make_update()
        before = request.calls.copy()
        texts, answers = len(request.texts), len(request.callback_answers)
        duration = await timed_update(self.application, data)
        made = dict(request.calls - before)
        alerts = [a["text"] for a in request.callback_answers[answers:] if a.get("text")]
        problem: str | None = None
        if made != dict(current.expected_calls):
            problem = f"made {made} (expected {dict(current.expected_calls)})"
            if alerts:
                problem += f" and answered the tap with {alerts!r}"
        elif alerts:
            problem = f"answered the tap with {alerts!r}"
        elif forbidden := [t for t in request.texts[texts:] if self.forbidden(t)]:
            problem = f"sent {forbidden!r}"
        else:
            problem = current.check(request)
        if problem is not None:
            raise RuntimeError(
                f"{self.name}, step {current.name!r} (update {data['update_id']}): {problem}; "
                f"last reply {request.last_text!r}"
            )
        return duration


async def run_interleaved(
    subjects: Sequence[Steppable],
    *,
    rounds: int,
    per_round: int,
    warmup_rounds: int = 2,
    round_period_s: float = 0.0,
    rest_s: float = 0.0,
    rest_after: Callable[[], float] | None = None,
) -> None:
    """Time ``rounds * per_round`` updates of every subject, interleaved one by one.

    Interleaving update by update puts any machine noise on every subject alike. Each round
    starts with one untimed update per subject (the first after a pause is always slower) and
    ends with a garbage collection; the first ``warmup_rounds`` are not timed at all. A round
    lasts at least ``round_period_s`` and ends with a pause of at least ``rest_s`` (or of what
    ``rest_after()`` returns when the round is over, if longer), which lets a rate limiter drain
    between rounds.
    """
    for round_no in range(warmup_rounds + rounds):
        began = time.monotonic()
        timed = round_no >= warmup_rounds
        # Alternate who goes first, so neither subject always follows the other.
        order = list(subjects) if round_no % 2 == 0 else list(subjects)[::-1]
        for subject in order:
            await subject.warm_up()
        for _ in range(per_round):
            for subject in order:
                await subject.step(timed=timed)
        gc.collect()  # pay for this round's garbage here, outside the timed updates
        rest = max(rest_s, rest_after() if rest_after is not None else 0.0)
        await asyncio.sleep(max(rest, began + round_period_s - time.monotonic()))
