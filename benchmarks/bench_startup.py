"""How long ``python -m bot run`` takes to poll, and how much memory it holds before any update.

The bot runs as a real process (tests/support/bot_process.py) against the local stand-in, with
the settings a deployment has: jobs scheduled, the rate limiter on, one admin from ``ADMIN_IDS``.
A start is timed from just before the process is spawned to the stand-in receiving its first
``getUpdates``: interpreter, imports, settings, the database, ``getMe``, the menus, the jobs.
The first start of each round creates the database (every migration); the next ones restart
on it, as a deployment does after an upgrade or a crash. Resident memory is read when the bot
polls, before it has seen any update.

The bot's modules are compiled to bytecode first (into their ``__pycache__``, ignored by git), as
the image does at build time (Dockerfile): a ``PYTHONDONTWRITEBYTECODE`` in the caller's shell
must not make every start compile every module again.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.registry import Figure, benchmark
from bot.standin import StandIn
from tests.support.bot_process import REPO, bot_process

#: Starts per kind (fresh database, restart); figures are min/median/max over them.
RUNS = int(os.environ.get("BENCH_STARTUP_RUNS") or 3)
TOKEN = "123456:STARTUP-benchmark"
ADMIN_ID = 4242
#: The issue's goals: to the first getUpdates, and resident before any digest.
GOAL_START_S = 0.6
GOAL_RSS_MB = 60.0


def _compile() -> None:
    """Compile the bot's modules in place, as the image's build does."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "bot", "storage"], cwd=REPO, check=True
    )


async def _start_once(workdir: Path, database: Path) -> tuple[float, float]:
    """One start: seconds to the first getUpdates and resident MB at that moment."""
    async with StandIn(token=TOKEN, bot_username="fieldreport_bot") as tg:
        settings = {
            "BOT_TOKEN": tg.token,
            "TELEGRAM_API_URL": tg.api_url,
            "DATABASE_PATH": str(database),
            "ADMIN_IDS": str(ADMIN_ID),
            "LOG_LEVEL": "WARNING",
        }
        polled_at: list[float] = []

        async def polling() -> None:
            await tg.wait_until(
                lambda: any(name == "getUpdates" for name, _ in tg.calls),
                timeout=30.0,
                description="the bot's first getUpdates",
            )
            polled_at.append(time.perf_counter())

        began = time.perf_counter()
        async with bot_process(tg, settings, workdir=workdir, polling=polling) as bot:
            rss_kb = bot.rss_kb() or 0
        return polled_at[0] - began, rss_kb / 1024


def _spread(values: list[float], digits: int) -> str:
    return "min/median/max " + "/".join(
        f"{v:.{digits}f}" for v in (min(values), statistics.median(values), max(values))
    )


@benchmark("startup", "python -m bot run: seconds to the first getUpdates, MB resident then")
async def startup() -> list[Figure]:
    """Start-up time (fresh database and restart) and resident memory before any update."""
    fresh: list[float] = []
    restart: list[float] = []
    rss: list[float] = []
    with tempfile.TemporaryDirectory(prefix="fieldreport-startup-") as tmp:
        workdir = Path(tmp)
        _compile()
        for run in range(RUNS):
            database = workdir / f"startup-{run}.sqlite3"
            seconds, megabytes = await _start_once(workdir, database)
            fresh.append(seconds)
            seconds, megabytes = await _start_once(workdir, database)
            restart.append(seconds)
            rss.append(megabytes)
    return [
        Figure(
            "startup_fresh_database",
            statistics.median(fresh),
            "s",
            "spawn to first getUpdates, the database created by the start (every migration)",
            _spread(fresh, 2),
            digits=2,
        ),
        Figure(
            "startup_restart",
            statistics.median(restart),
            "s",
            f"spawn to first getUpdates on an existing database (goal ≤ {GOAL_START_S} s)",
            _spread(restart, 2),
            digits=2,
        ),
        Figure(
            "startup_rss",
            statistics.median(rss),
            "MB",
            f"resident when the bot first polls, before any update (goal ≤ {GOAL_RSS_MB:.0f} MB)",
            _spread(rss, 1),
        ),
    ]
