"""What one update costs: a bare PTB echo bot (the floor) against FieldReport's ``/start``.

Both bots run on the same in-memory harness in the same process and event loop, their updates
interleaved one by one, so machine noise falls on both alike and the ratio is meaningful.
"""

from __future__ import annotations

import itertools
import math
import sys
from typing import Any

from telegram.constants import FloodLimit

from benchmarks.bots import ECHO_TEXT, echo_application, fieldreport_application
from benchmarks.harness import LimiterWaits, Subject, run_interleaved, timed_update
from benchmarks.registry import Figure, benchmark
from tests.support.driver import UpdateFactory
from tests.support.memory_bot_api import InMemoryRequest

#: Timed rounds; each times PER_ROUND echo updates and PER_ROUND /start updates, interleaved.
ROUNDS = 16
WARMUP_ROUNDS = 2
#: FieldReport's rate limiter (bot/rate_limit.py) lets a burst of 30 messages through, then
#: spaces them 1/30 s apart. A round (PER_ROUND timed updates plus one untimed) stays below
#: that burst and lasts
#: long enough for the limiter to drain fully before the next: the figures measure work, never
#: the limiter's deliberate waiting.
PER_ROUND = 24
LIMITER_RATE = FloodLimit.MESSAGES_PER_SECOND
ROUND_PERIOD_S = (PER_ROUND + 1) / LIMITER_RATE + 0.05
#: A /start slower than half the limiter's spacing: reported in the table. Whether the limiter
#: made one wait is counted exactly (``LimiterWaits``); a slow one without a wait is the machine.
THROTTLED_NS = int(0.5e9 / LIMITER_RATE)

#: The gate's flood guard (bot/flood.py) silences anybody sending more than 30 updates in 10 s,
#: and a round alone sends 25 /start: so the /start updates come from these admins in turn
#: (``check_pacing`` verifies against the application's own guard).
ADMIN_IDS = tuple(4242 + n for n in range(16))


def check_pacing(guard: Any) -> None:
    """Fail unless no admin can send more than the flood guard allows within its window."""
    if guard is None:
        return
    limit, window = guard.limit, guard.window
    rounds_in_window = math.ceil(window / ROUND_PERIOD_S) + 1
    per_admin = math.ceil(rounds_in_window * (PER_ROUND + 1) / len(ADMIN_IDS))
    if per_admin > limit:
        raise RuntimeError(
            f"the flood guard ({limit} updates in {window} s) would stop the admins: "
            f"up to {per_admin} /start each in that time"
        )


@benchmark("update_cost", "per-update cost: bare PTB echo bot vs FieldReport /start")
async def update_cost() -> list[Figure]:
    """Median wall time per update of the echo bot and of /start, and their ratio."""
    echo_request, start_request = InMemoryRequest(), InMemoryRequest()
    echo_updates = UpdateFactory(user_id=1001)
    admins = itertools.cycle([UpdateFactory(user_id=admin_id) for admin_id in ADMIN_IDS])

    async with (
        echo_application(echo_request) as echo_app,
        fieldreport_application(start_request, admin_ids=ADMIN_IDS) as start_app,
    ):
        check_pacing(getattr(start_app.services, "flood", None))
        waits = LimiterWaits(start_app)
        echo = Subject(
            "echo",
            echo_app,
            echo_request,
            lambda: echo_updates.message(ECHO_TEXT),
            expected_calls={"sendMessage": 1},
            reply_ok=lambda text: text == ECHO_TEXT,
        )
        start = Subject(
            "/start",
            start_app,
            start_request,
            lambda: next(admins).message("/start"),
            # The greeting (the menu is set already, see above); anything else is another path.
            expected_calls={"sendMessage": 1},
            reply_ok=lambda text: text.startswith("Hello,"),
        )
        # Each admin's first /start also sets their chat's menu; later ones leave the unchanged
        # menu alone (bot/telegram_bot.py). Timed: the /start of somebody whose menu is set.
        for admin_id in ADMIN_IDS:
            await timed_update(start_app, UpdateFactory(user_id=admin_id).message("/start"))
        await run_interleaved(
            [echo, start],
            rounds=ROUNDS,
            per_round=PER_ROUND,
            warmup_rounds=WARMUP_ROUNDS,
            round_period_s=ROUND_PERIOD_S,
        )
    echo_samples, start_samples = echo.samples, start.samples

    slow = start_samples.count_over(THROTTLED_NS)
    if waits.count or not waits.observable:
        print(
            f"warning: {waits.summary()} during the /start rounds; the figure may be inflated",
            file=sys.stderr,
        )
    echo_us, start_us = echo_samples.median_us(), start_samples.median_us()
    return [
        Figure(
            "echo_update_cost",
            echo_us,
            "us/update",
            "bare PTB echo bot, median",
            echo_samples.spread(),
        ),
        Figure(
            "start_update_cost",
            start_us,
            "us/update",
            "FieldReport /start by admins in turn, median",
            f"{start_samples.spread()}; {waits.summary()}"
            + (f", {slow} over {THROTTLED_NS / 1e6:.0f} ms" if slow else ""),
        ),
        Figure(
            "start_vs_echo_ratio",
            start_us / echo_us,
            "x",
            "start_update_cost / echo_update_cost",
            digits=2,
        ),
    ]
