"""Flood control: somebody sending far more than a person can is told once, then ignored a while.

Kept in memory: it protects this process from a burst; nothing about it needs to survive one.
"""

from __future__ import annotations

from collections import deque
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum


class Verdict(StrEnum):
    SERVE = "serve"
    WARN = "warn"  # the first update over the limit: tell them once
    IGNORE = "ignore"


@dataclass
class FloodGuard:
    limit: int = 30
    window: float = 10.0
    cooldown: float = 60.0
    _seen: dict[int, deque[float]] = field(default_factory=dict)
    _silenced_until: dict[int, float] = field(default_factory=dict)

    def check(self, user_id: int, now: float) -> Verdict:
        until = self._silenced_until.get(user_id)
        if until is not None:
            if now < until:
                return Verdict.IGNORE
            del self._silenced_until[user_id]
            self._seen.pop(user_id, None)
        seen = self._seen.setdefault(user_id, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        seen.append(now)
        if len(seen) > self.limit:
            self._silenced_until[user_id] = now + self.cooldown
            return Verdict.WARN
        if len(self._seen) > 10_000:
            self._forget_idle(now)
        return Verdict.SERVE

    def _forget_idle(self, now: float) -> None:
        for user_id in [u for u, s in self._seen.items() if not s or s[-1] <= now - self.window]:
            del self._seen[user_id]


#: The verdict the update processor took when this update arrived (bot/concurrency.py); None
#: when it took none (the update was not a person's, or came in without the processor).
VERDICT: ContextVar[Verdict | None] = ContextVar("flood_verdict", default=None)


def verdict_taken() -> Verdict | None:
    """The verdict already taken for the update being handled, if any."""
    return VERDICT.get()
