"""The stand-in's fault injection: Bot API calls and webhook deliveries that fail on purpose.

Tests prove that the bot fails closed (nothing happens when Telegram refuses or vanishes) by
queueing faults (:meth:`FaultInjection.inject_fault`), by a probability with a seed
(:meth:`FaultInjection.set_fault_rate`), or for webhook deliveries
(:meth:`FaultInjection.inject_delivery_fault`). The server asks this room, for every call but
the control side's, whether a fault hits it.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, get_args

from aiohttp import web

from .core import StandInCore
from .params import ApiError

__all__ = [
    "DEFAULT_RATE_KINDS",
    "DeliveryFaultKind",
    "Fault",
    "FaultInjection",
    "FaultKind",
    "FaultRate",
]

FaultKind = Literal["429", "500", "502", "slow", "drop", "400", "403"]
#: What :meth:`FaultInjection.set_fault_rate` draws from unless told otherwise.
DEFAULT_RATE_KINDS: tuple[FaultKind, ...] = ("429", "500", "slow", "drop")
#: What can go wrong with a webhook delivery (:meth:`FaultInjection.inject_delivery_fault`).
DeliveryFaultKind = Literal["lost_answer", "refused", "timeout"]


@dataclass
class Fault:
    """A fault queued by :meth:`FaultInjection.inject_fault` (or drawn by a rate)."""

    kind: FaultKind
    method: str | None  # lower-case method name; None = any method but getUpdates
    remaining: int
    retry_after: int
    delay: float
    chat_id: int | None = None  # only calls to this chat (None: any call)


@dataclass
class FaultRate:
    """A probabilistic fault mode: each matching call fails with probability ``rate``."""

    rate: float
    kinds: tuple[FaultKind, ...]
    methods: frozenset[str] | None  # lower-case names; None = any method but getUpdates
    rng: random.Random
    retry_after: int
    slow_delay: tuple[float, float]

    def draw(self, method: str) -> Fault | None:
        if self.methods is None:
            if method == "getupdates":
                return None
        elif method not in self.methods:
            return None
        if self.rng.random() >= self.rate:
            return None
        kind = self.rng.choice(self.kinds)
        delay = self.rng.uniform(*self.slow_delay) if kind == "slow" else 0.0
        return Fault(kind, method, 1, self.retry_after, delay)


class FaultInjection(StandInCore):
    """Faults queued or drawn for the next Bot API calls and webhook deliveries."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._faults: list[Fault] = []
        self._fault_rate: FaultRate | None = None
        self._faults_fired: list[tuple[str, FaultKind]] = []
        self._delivery_faults: list[DeliveryFaultKind] = []

    def inject_fault(
        self,
        kind: FaultKind,
        method: str | None = None,
        count: int = 1,
        retry_after: int = 1,
        delay: float = 2.0,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``count`` calls (of ``method``, or of any method but getUpdates) fail;
        with ``chat_id``, only calls to that chat.

        "429" answers Too Many Requests with ``retry_after``; "500"/"502" answer server errors;
        "400" a refusal like a group's "not enough rights", "403" a blocked bot;
        "drop" closes the connection without an answer; "slow" answers after ``delay`` seconds.
        """
        if kind not in get_args(FaultKind):
            raise ValueError(f"unknown fault kind {kind!r}")
        if count < 1:
            raise ValueError("count must be at least 1")
        self._faults.append(
            Fault(kind, method.lower() if method else None, count, retry_after, delay, chat_id)
        )

    def set_fault_rate(
        self,
        rate: float,
        kinds: Iterable[FaultKind] = DEFAULT_RATE_KINDS,
        *,
        seed: int | None = None,
        methods: Iterable[str] | None = None,
        retry_after: int = 1,
        slow_delay: tuple[float, float] = (1.0, 2.0),
    ) -> None:
        """Make each Bot API call fail with probability ``rate`` (0 turns the mode off).

        A failing call gets one of ``kinds``, chosen at random, answered as by
        :meth:`inject_fault`: "429" with ``retry_after``, "500"/"502", "drop", or "slow" with
        a delay drawn from ``slow_delay`` (seconds, low and high). ``methods`` limits the mode
        to those Bot API methods (case-insensitive; "getUpdates" only when named); by default
        every method but getUpdates. With a ``seed`` the draws are reproducible: the same
        sequence of calls meets the same faults. Faults queued by :meth:`inject_fault` fire
        first; the control side (``/_standin/…``), file downloads and the person-side Python
        API are never affected. :meth:`clear_faults` turns the mode off as well.
        """
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        chosen = tuple(kinds)
        if not chosen:
            raise ValueError("kinds must name at least one fault kind")
        for kind in chosen:
            if kind not in get_args(FaultKind):
                raise ValueError(f"unknown fault kind {kind!r}")
        low, high = slow_delay
        if not 0.0 <= low <= high:
            raise ValueError("slow_delay must be (low, high) with 0 <= low <= high")
        if retry_after < 0:
            raise ValueError("retry_after must not be negative")
        names: frozenset[str] | None = None
        if methods is not None:
            names = frozenset(
                m.lower() for m in ((methods,) if isinstance(methods, str) else methods)
            )
            if not names:
                raise ValueError("methods must name at least one method (or be None)")
        if rate == 0.0:
            self._fault_rate = None
            return
        self._fault_rate = FaultRate(
            rate, chosen, names, random.Random(seed), retry_after, (low, high)
        )

    @property
    def fault_rate(self) -> float:
        """The probability set by :meth:`set_fault_rate` (0.0 when the mode is off)."""
        return self._fault_rate.rate if self._fault_rate is not None else 0.0

    @property
    def faults_fired(self) -> list[tuple[str, FaultKind]]:
        """Every fault that hit a call so far, injected or drawn: (method, kind), in order."""
        return list(self._faults_fired)

    def clear_faults(self) -> None:
        """Forget faults that have not fired yet (deliveries' too), and turn a fault rate off."""
        self._faults.clear()
        self._fault_rate = None
        self._delivery_faults.clear()

    def inject_delivery_fault(self, kind: DeliveryFaultKind, count: int = 1) -> None:
        """Make the next ``count`` webhook deliveries fail, each then retried like Telegram:
        "refused" never reaches the bot; "lost_answer" and "timeout" reach it and lose its
        answer (the bot took the update, Telegram does not know and posts it again)."""
        if kind not in get_args(DeliveryFaultKind):
            raise ValueError(f"unknown delivery fault kind {kind!r}")
        if count < 1:
            raise ValueError("count must be at least 1")
        self._delivery_faults.extend([kind] * count)

    def clear_delivery_faults(self) -> None:
        """Forget delivery faults that have not fired yet."""
        self._delivery_faults.clear()

    def _take_fault(self, method: str, values: dict[str, Any] | None = None) -> Fault | None:
        for fault in self._faults:
            matches = fault.method == method if fault.method else method != "getupdates"
            if matches and fault.chat_id is not None:
                matches = str((values or {}).get("chat_id")) == str(fault.chat_id)
            if matches:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _draw_fault(self, method: str) -> Fault | None:
        return self._fault_rate.draw(method) if self._fault_rate is not None else None

    async def _apply_fault(self, fault: Fault, request: web.Request) -> None:
        """Fail the way the fault says, or (slow) just delay the normal answer."""
        if fault.kind == "slow":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop_event.wait(), fault.delay)
            return
        if fault.kind == "drop":
            if request.transport is not None:
                request.transport.close()
            raise web.HTTPServiceUnavailable()  # never reaches the client: the socket is gone
        raise _fault_error(fault)

    def _take_delivery_fault(self) -> DeliveryFaultKind | None:
        """The fault of the next webhook delivery, if one is queued."""
        return self._delivery_faults.pop(0) if self._delivery_faults else None


def _fault_error(fault: Fault) -> ApiError:
    if fault.kind == "429":
        return ApiError(
            429,
            f"Too Many Requests: retry after {fault.retry_after}",
            {"retry_after": fault.retry_after},
            injected=True,
        )
    if fault.kind == "500":
        return ApiError(500, "Internal Server Error", injected=True)
    if fault.kind == "400":
        return ApiError(
            400, "Bad Request: not enough rights to send text messages to the chat", injected=True
        )
    if fault.kind == "403":
        return ApiError(403, "Forbidden: bot was blocked by the user", injected=True)
    return ApiError(502, "Bad Gateway", injected=True)
