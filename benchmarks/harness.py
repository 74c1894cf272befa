"""The in-process benchmarks' timing: what is timed, how each update is checked, who goes when.

The bots under test answer the Bot API from memory (tests/support/memory_bot_api.py, no
sockets) and are fed updates built by tests/support/driver.py, so a figure measures our code
and PTB's, never the network or Telegram. Here: one update timed (:func:`timed_update`), a bot
driven by one repeated update (:class:`Subject`) or by whole conversations
(:class:`ScriptedSubject`), each update checked outside the timing, subjects interleaved update
by update (:func:`run_interleaved`), and the rate limiter kept out of the timed updates
(:class:`LimiterWaits`, :class:`LimiterPacing`).
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from telegram import Update
from telegram.ext import Application

from tests.support.memory_bot_api import CHAT_METHODS, InMemoryRequest, JsonDict

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


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
