"""The load benchmark's people: the timed stand-in and the officers who drive it.

Each officer is an asyncio task with a script (a daily status or a short incident) played by the
tests' own driver (tests/support/driver.py: the stand-in's person side, buttons found by meaning,
the bot's answer awaited with the stand-in's condition waits); every step's timing goes to a
shared list. :class:`TimedStandIn` notes when the bot fetched each update
and answered each chat, to break a step's latency down into parts.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from bot.standin import SentMessage, StandIn, TgUser
from tests.support.driver import Officer

#: An officer reads and taps between two steps: uniformly this many seconds (seeded).
THINK_S = (0.2, 1.0)
#: A step whose answer takes longer than this is given up: the officer is stuck, the report lost.
STEP_TIMEOUT_S = 30.0
RECEIPT_NUMBER = re.compile(r"\b(DS|IN)-\d{4}-\d{6}\b")
INCIDENT_CATEGORIES = ("smuggling", "intel", "suspicious", "corruption", "other")
PLACES = (
    "Termez, checkpoint Ayritom",
    "Олот, трасса М-37, 12-й км",
    "Oybek chegara posti",
    "Andijan bus station",
    "Навои, ж/д вокзал",
)
DESCRIPTIONS = (
    "Two men tried to pass a sack through the fence; they ran back when seen.",
    "Водитель фуры отказался открыть прицеп, по словам источника — двойное дно.",
    "Yuk mashinasida shubhali qutilar ko‘rildi, tekshiruv davom etmoqda.",
    "A courier was seen handing parcels to a taxi at night, three times this week.",
)
#: The steps in the order an officer meets them (for the table per step).


def now_ns() -> int:
    return time.perf_counter_ns()  # CLOCK_MONOTONIC: the same clock in the bot's process


# --- the stand-in, with timestamps ---------------------------------------------------------


class TimedStandIn(StandIn):
    """The stand-in, noting when the bot fetched each update and when it answered each chat.

    Only for breaking the latency down; the figures themselves are what an officer sees: the
    update queued → the stand-in's condition wait returns with the bot's answer.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: update_id (messages) or callback query id (taps) → when getUpdates handed it over.
        self.fetched_at: dict[int | str, int] = {}
        #: chat id → when each sendMessage to it was stored.
        self.sent_at: dict[int, list[int]] = defaultdict(list)
        #: callback query id → when answerCallbackQuery was stored.
        self.answered_at: dict[str, int] = {}
        #: When each call that carries a chat (what the rate limiter counts) was answered.
        self.chat_calls_at: list[int] = []
        lookup = self.api.lookup

        def timed_lookup(method: str) -> Any:
            implementation = lookup(method)
            name = method.lower()
            if implementation is None or name == "getupdates":
                return implementation

            def timed(params: Any) -> Any:
                result = implementation(params)
                stamp = now_ns()
                if params.get("chat_id") is not None:
                    self.chat_calls_at.append(stamp)
                if name == "sendmessage":
                    chat_id = params.get_int("chat_id")
                    if chat_id is not None:
                        self.sent_at[chat_id].append(stamp)
                elif name == "answercallbackquery":
                    self.answered_at.setdefault(str(params.get_str("callback_query_id")), stamp)
                return result

            return timed

        self.api.lookup = timed_lookup  # type: ignore[method-assign]

    async def _get_updates(self, params: Any) -> list[dict[str, Any]]:
        updates = await super()._get_updates(params)
        stamp = now_ns()
        for update in updates:
            self._fetched(update, stamp)
        return updates

    async def _deliver(self, session: Any, url: str, secret: Any, update: Any) -> str | None:
        """Webhook mode: "fetched" is when the bot answered the POST with 200."""
        error = await super()._deliver(session, url, secret, update)
        if error is None:
            self._fetched(update, now_ns())
        return error

    def _fetched(self, update: dict[str, Any], stamp: int) -> None:
        query = update.get("callback_query")
        key = str(query["id"]) if isinstance(query, dict) else int(update["update_id"])
        self.fetched_at.setdefault(key, stamp)


# --- officers ------------------------------------------------------------------------------


@dataclass
class Step:
    """One officer message or tap and the bot's answer to it (perf_counter nanoseconds)."""

    officer: int
    form: str
    label: str
    key: int | str  # update_id of a message, callback query id of a tap
    sent_ns: int
    seen_ns: int
    fetched_ns: int | None = None  # the bot's getUpdates returned it
    answered_ns: int | None = None  # the stand-in stored the bot's answer

    @property
    def latency_ms(self) -> float:
        return (self.seen_ns - self.sent_ns) / 1e6

    def part_ms(self, first: int | None, second: int | None) -> float | None:
        return None if first is None or second is None else (second - first) / 1e6


@dataclass
class Outcome:
    officer: int
    telegram_id: int
    form: str
    receipt: str | None = None
    receipts_in_chat: int = 0
    problem: str | None = None
    finished_ns: int = 0


class StepFailed(AssertionError):
    pass


@dataclass
class LoadOfficer:
    """One officer's script; every step's timing goes to the shared ``steps`` list."""

    tg: TimedStandIn
    index: int
    user: TgUser
    form: str
    rng: random.Random
    steps: list[Step]
    outcome: Outcome = field(init=False)
    #: Types, finds buttons and taps; this class times it.
    officer: Officer = field(init=False)

    def __post_init__(self) -> None:
        self.outcome = Outcome(self.index, self.user.id, self.form)
        self.officer = Officer(self.tg, self.user, timeout=STEP_TIMEOUT_S)

    @property
    def chat_id(self) -> int:
        return self.user.id

    def _record(self, label: str, key: int | str, sent_ns: int) -> None:
        self.steps.append(Step(self.index, self.form, label, key, sent_ns, now_ns()))

    async def think(self) -> None:
        await asyncio.sleep(self.rng.uniform(*THINK_S))

    async def say(self, label: str, text: str) -> SentMessage:
        """Type ``text``; the answer is the bot's next message in the chat."""
        self.tg.skip_messages(self.chat_id)
        sent = now_ns()
        message = await self.officer.say(text)
        assert self.officer.last_update_id is not None
        self._record(label, self.officer.last_update_id, sent)
        return message

    async def tap(self, label: str, prefix: str, *parts: str | None) -> None:
        """Tap a button by meaning; the answer is the bot's answerCallbackQuery."""
        message, data = self.officer.find(prefix, *parts)
        sent = now_ns()
        answer = await self.officer.press(message, data)
        assert self.officer.last_query_id is not None
        self._record(label, self.officer.last_query_id, sent)
        if answer.get("show_alert"):
            raise StepFailed(f"{label}: the bot refused the tap: {answer.get('text')!r}")

    async def submit(self) -> None:
        """Tap Submit; the receipt is the next message (the bot answers the tap after it)."""
        self.tg.skip_messages(self.chat_id)
        await self.tap("submit", "f", "_", "submit")
        receipt = await self.tg.next_message(self.chat_id, timeout=STEP_TIMEOUT_S)
        found = RECEIPT_NUMBER.search(receipt.text or "")
        if found is None:
            raise StepFailed(f"the answer to submit is no receipt: {receipt.text!r}")
        self.outcome.receipt = found.group(0)

    async def file_daily_status(self) -> None:
        chooser = await self.say("/report", "/report")
        if not chooser.buttons:
            raise StepFailed(f"/report answered without a form chooser: {chooser.text!r}")
        await self.think()
        await self.tap("choose form", "rep", "new", "daily_status")
        await self.think()
        await self.submit()

    async def file_incident(self) -> None:
        await self.say("/report", "/report")
        await self.think()
        await self.tap("choose form", "rep", "new", "incident")
        await self.think()
        await self.tap("category", "f", "category", "opt", self.rng.choice(INCIDENT_CATEGORIES))
        await self.think()
        await self.tap("when: now", "f", "when", "dt", "now")
        await self.think()
        await self.say("typed place", self.rng.choice(PLACES))
        await self.think()
        await self.say("typed description", self.rng.choice(DESCRIPTIONS))
        await self.think()
        await self.tap("urgent: no", "f", "urgent", "opt", "no")
        await self.think()
        await self.tap("photos: skip", "f", "photos", "skip")
        await self.think()
        await self.submit()

    async def run(self, start_at: float) -> Outcome:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(0.0, start_at - loop.time()))
        try:
            if self.form == "incident":
                await self.file_incident()
            else:
                await self.file_daily_status()
        except (AssertionError, TimeoutError) as exc:  # StandInTimeout is both
            self.outcome.problem = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        self.outcome.finished_ns = now_ns()
        return self.outcome
