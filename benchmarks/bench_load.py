"""1,000 officers file a report each within a minute against the bot running as a real process.

The bot is ``python -m bot run`` in its own process, talking to the local Bot API stand-in that
runs here, on this process's event loop, over real HTTP on 127.0.0.1: once polling, once on a
webhook (the stand-in posts each update to the bot's server), figures ``load_*`` and
``load_webhook_*``; then the allowed-load runs, polling. The officers are asyncio tasks
that act through the stand-in's person side (send a text, tap a button found by its meaning) and
wait for the bot's answer with the stand-in's condition waits. See benchmarks/README.md, "The
load benchmark".

Its parts: benchmarks/load_officers.py (the timed stand-in and the officers who drive it),
benchmarks/load_run.py (the run of one offered load, the database before and after),
benchmarks/load_tally.py (what a run comes to, where the time went) and
benchmarks/load_figures.py (the figures and the goals).
"""

from __future__ import annotations

import os

from benchmarks import load_diagnostics
from benchmarks.load_figures import allowed_load_figures, full_load_figures
from benchmarks.load_run import (
    ALLOWED_CALLS_PER_S,
    TELEGRAM_MESSAGES_PER_S,
    Measured,
    Offered,
    run_load,
)
from benchmarks.registry import Figure, benchmark

#: BENCH_LOAD_OFFICERS=100 makes a short run while working on the benchmark itself.
OFFICERS = int(os.environ.get("BENCH_LOAD_OFFICERS") or 1000)
#: Officers start one after another at an even pace: 20 a second, over 50 s for 1,000.
ARRIVAL_WINDOW_S = OFFICERS / 20.0
#: How long officers keep arriving in each of the two runs at an allowed load.
ALLOWED_WINDOW_S = min(30.0, ARRIVAL_WINDOW_S)
#: Both by default; BENCH_LOAD_MODES=webhook (or polling) runs one.
MODES = tuple(
    m.strip()
    for m in (os.environ.get("BENCH_LOAD_MODES") or "polling,webhook").split(",")
    if m.strip()
)


@benchmark(
    "load",
    "1,000 officers file a report each within a minute, bot as a real process; then the same "
    "allowed load with and without the rate limiter",
    separate=True,
)
async def load() -> list[Figure]:
    """The full load's figures, then the limiter's cost at a load Telegram would allow."""
    print(
        "  the full load runs with RATE_LIMIT=false: it makes the bot send more than Telegram's"
        f" {TELEGRAM_MESSAGES_PER_S} messages/s, so the limiter would queue them for the whole"
        " run and the figures would measure that queue, not the bot",
        flush=True,
    )
    figures: list[Figure] = []
    full: Measured | None = None
    for mode in MODES:
        measured = await run_load(
            Offered(f"full load, {mode}", OFFICERS, OFFICERS / ARRIVAL_WINDOW_S, False, mode=mode),
            diagnose=load_diagnostics.ENABLED,
        )
        figures += full_load_figures(measured, "load_webhook_" if mode == "webhook" else "load_")
        full = full or measured
    assert full is not None, "BENCH_LOAD_MODES names no mode"

    # What Telegram would allow: counted from the full run, not from the script.
    calls_per_officer = len(full.run.chat_calls_ns) / OFFICERS
    arrivals = ALLOWED_CALLS_PER_S / calls_per_officer
    allowed = max(10, round(arrivals * ALLOWED_WINDOW_S))
    print(
        f"  allowed load: the full run made {calls_per_officer:.2f} rate-limited calls per"
        f" officer (every call that carries a chat: messages and edits), so {arrivals:.2f}"
        f" officers a second make ~{ALLOWED_CALLS_PER_S:.0f} calls/s, under Telegram's"
        f" {TELEGRAM_MESSAGES_PER_S}",
        flush=True,
    )
    free = await run_load(Offered("allowed load, no limiter", allowed, arrivals, False))
    limited = await run_load(Offered("allowed load, RATE_LIMIT=true", allowed, arrivals, True))
    return figures + allowed_load_figures(free, limited, calls_per_officer)
