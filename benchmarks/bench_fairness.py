"""One person cannot slow everybody: other people's latency while somebody is noisy.

The real application polls the Bot API stand-in (``bot/standin``) over HTTP on 127.0.0.1, in
this process, rate limiter included, as in the end-to-end tests. Eight registered officers
("the others") each send ``/help`` every 0.4 s (20 a second together, below Telegram's 30) and
time each one from queueing the update to the bot's answer in their chat. A run lasts a few
seconds; quiet runs and noisy runs alternate, so the machine's drift falls on both alike, and
each figure is the p99 (nearest rank) of one run, given as min/median/max over the runs.

* ``fairness_burst``: a stranger's burst of 150 messages queued at once (flood control serves
  30, warns once, drops the rest on arrival). Goal: the others' p99 at most 2x the quiet one.
* ``fairness_429``: Telegram answers 429 (retry after 2 s) to one person's reply; that chat
  waits, the others should not.
* ``fairness_export``: a coordinator sends ``/export`` of 92 days (13,800 reports,
  ``benchmarks/synthetic.py``) 30 times in one second: one export is made, 29 are told to wait.
  Measured with the files built in a worker process (the bot's way) and in a thread.

Each benchmark also reports the machine's 1-minute load average when it started: the figures
of a shared machine (other processes on the same cores) say less than a quiet one's.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import sqlite3
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from benchmarks.bots import Member, register
from benchmarks.registry import Figure, benchmark
from benchmarks.synthetic import Plan, cached
from bot.app import build_application
from bot.config import Secret, Settings
from bot.context import FieldReportApplication
from bot.digest.jobs import PeriodExport, period_export
from bot.standin import StandIn, TgUser
from bot.workers import Kind, Workers
from storage import Role

TOKEN = "123456:FAIRNESS-bench-token"
#: Quiet and disturbed runs per benchmark run; ``python -m benchmarks --runs N`` repeats the whole
#: benchmark (3 by default), which gives every figure its min/median/max.
RUNS = 1
OTHERS = 8
HELP_EVERY_S = 0.4
RUN_S = 3.0
BURST = 150
RETRY_AFTER_S = 2
EXPORT_REQUESTS = 30
EXPORT_PLAN = Plan(total_reports=13_800, day_reports=150, days=92)
_STRANGER_IDS = itertools.count(880_001)


@dataclass
class Running:
    tg: StandIn
    app: FieldReportApplication
    others: list[TgUser]
    #: Taken in turn: 30 /export in a second is all flood control lets one person send in 10 s.
    coordinators: list[TgUser]


def _person(telegram_id: int, name: str) -> tuple[Member, TgUser]:
    member = Member(telegram_id, Role.OFFICER, "IMT-TER", name, "Bench", name.lower())
    return member, TgUser(telegram_id, name, "Bench", name.lower(), "en")


@asynccontextmanager
async def running_bot(database: Path | None = None) -> AsyncIterator[Running]:
    """The real bot polling a fresh stand-in, on a copy of ``database`` (or an empty one)."""
    with tempfile.TemporaryDirectory(prefix="fieldreport-fair-") as tmp:
        path = Path(tmp) / "bot.sqlite3"
        if database is not None:
            source, target = sqlite3.connect(database), sqlite3.connect(path)
            with source, target:
                source.backup(target)
            source.close()
            target.close()
        people = [_person(990_001 + n, f"Other{n}") for n in range(OTHERS)]
        chiefs = [
            Member(990_100 + n, Role.COORDINATOR, None, f"Coord{n}", "Bench", f"coord{n}")
            for n in range(2 * RUNS)
        ]
        await register(path, [m for m, _ in people] + chiefs)
        async with StandIn(token=TOKEN, bot_username="fieldreport_bot") as tg:
            others = [user for _, user in people]
            coordinators = [
                TgUser(m.telegram_id, m.first_name, m.last_name, m.username, "en") for m in chiefs
            ]
            for user in [*others, *coordinators]:
                tg.add_chat(user)
            settings = Settings(
                bot_token=Secret(TOKEN),
                telegram_api_url=tg.api_url,
                database_path=path,
                run_jobs=False,
            )
            app = build_application(settings)
            await app.initialize()
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            try:
                yield Running(tg, app, others, coordinators)
            finally:
                await app.updater.stop()
                await app.stop()
                await app.shutdown()


async def others_help(
    running: Running, *, at_least_s: float, until: Callable[[], bool] = lambda: True
) -> list[float]:
    """Every other person sends /help every 0.4 s until ``at_least_s`` passed and ``until()``;
    the seconds from each /help to its answer."""
    tg = running.tg
    samples: list[float] = []
    began = time.perf_counter()

    async def person(user: TgUser, offset: float) -> None:
        await asyncio.sleep(offset)
        while time.perf_counter() - began < at_least_s or not until():
            sent = time.perf_counter()
            await tg.send_text(user, "/help")
            await tg.next_message(user.id, timeout=60)
            samples.append(time.perf_counter() - sent)
            await asyncio.sleep(max(0.0, HELP_EVERY_S - (time.perf_counter() - sent)))

    step = HELP_EVERY_S / len(running.others)
    await asyncio.gather(*(person(user, n * step) for n, user in enumerate(running.others)))
    return samples


def p99(samples: Sequence[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, -(-99 * len(ordered) // 100) - 1)]


def spread(values: Sequence[float], unit: str = "ms") -> str:
    scale = 1000 if unit == "ms" else 1
    return (
        f"runs={len(values)}, min/median/max "
        f"{min(values) * scale:.1f}/{statistics.median(values) * scale:.1f}/"
        f"{max(values) * scale:.1f} {unit}"
    )


async def alternate(
    variants: dict[str, Callable[[], Awaitable[list[float]]]], runs: int = RUNS
) -> dict[str, list[float]]:
    """Each variant ``runs`` times, in turn (the order rotates every round); p99 per run."""
    found: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for round_no in range(runs):
        shift = round_no % len(names)
        for name in names[shift:] + names[:shift]:
            found[name].append(p99(await variants[name]()))
            await asyncio.sleep(0.3)
    return found


def p99_figures(prefix: str, found: dict[str, list[float]], what: dict[str, str]) -> list[Figure]:
    return [
        Figure(
            f"{prefix}_{name}_p99",
            statistics.median(values) * 1000,
            "ms",
            what[name],
            spread(values),
        )
        for name, values in found.items()
    ]


def ratio(found: dict[str, list[float]], name: str, base: str) -> float:
    return statistics.median(found[name]) / statistics.median(found[base])


@benchmark("fairness_burst", "others' /help p99 with a stranger's 150-message burst vs without")
async def fairness_burst() -> list[Figure]:
    burst_seconds: list[float] = []
    async with running_bot() as running:
        tg = running.tg
        await others_help(running, at_least_s=1.0)  # warm-up

        async def quiet() -> list[float]:
            return await others_help(running, at_least_s=RUN_S)

        async def noisy() -> list[float]:
            stranger = TgUser(next(_STRANGER_IDS), "Noisy", language_code="en")
            began = time.perf_counter()

            async def burst() -> None:
                for n in range(BURST):
                    await tg.send_text(stranger, f"spam {n}")
                await tg.wait_until(lambda: len(tg.messages(stranger.id)) >= 31, timeout=60)
                burst_seconds.append(time.perf_counter() - began)

            samples, _ = await asyncio.gather(others_help(running, at_least_s=RUN_S), burst())
            if len(tg.messages(stranger.id)) != 31:  # 30 refusals and one notice, then silence
                raise RuntimeError(f"the stranger got {len(tg.messages(stranger.id))} answers")
            return samples

        found = await alternate({"quiet": quiet, "noisy": noisy})
    what = {
        "quiet": "others' /help p99, nobody noisy",
        "noisy": f"others' /help p99 while a stranger's {BURST} messages are handled",
    }
    return [
        *p99_figures("fairness_burst", found, what),
        Figure(
            "fairness_burst_vs_quiet",
            ratio(found, "noisy", "quiet"),
            "x",
            "noisy p99 / quiet p99 (medians over the runs); goal <= 2",
            digits=2,
        ),
        Figure(
            "fairness_burst_handled",
            statistics.median(burst_seconds),
            "s",
            "from the burst's first message to the stranger's 31st answer",
            spread(burst_seconds, "s"),
            digits=2,
        ),
    ]


@benchmark("fairness_429", "others' /help p99 while one chat waits out a 429 (retry after 2 s)")
async def fairness_429() -> list[Figure]:
    paused_waits: list[float] = []
    async with running_bot() as running:
        tg = running.tg
        paused, *others = running.others
        running.others = others
        await others_help(running, at_least_s=1.0)  # warm-up

        async def quiet() -> list[float]:
            return await others_help(running, at_least_s=RUN_S)

        async def with_429() -> list[float]:
            tg.inject_fault("429", "sendMessage", retry_after=RETRY_AFTER_S, chat_id=paused.id)
            sent = time.perf_counter()
            await tg.send_text(paused, "/help")

            async def paused_reply() -> None:
                await tg.next_message(paused.id, timeout=30)
                paused_waits.append(time.perf_counter() - sent)

            samples, _ = await asyncio.gather(
                others_help(running, at_least_s=RUN_S), paused_reply()
            )
            return samples

        found = await alternate({"quiet": quiet, "paused": with_429})
    what = {
        "quiet": "others' /help p99, no 429",
        "paused": f"others' /help p99 while one chat is paused {RETRY_AFTER_S} s by a 429",
    }
    return [
        *p99_figures("fairness_429", found, what),
        Figure(
            "fairness_429_vs_quiet",
            ratio(found, "paused", "quiet"),
            "x",
            "paused p99 / quiet p99 (medians over the runs)",
            digits=2,
        ),
        Figure(
            "fairness_429_paused_chat",
            statistics.median(paused_waits),
            "s",
            f"the paused chat's own answer (Telegram asked for {RETRY_AFTER_S} s)",
            spread(paused_waits, "s"),
            digits=2,
        ),
    ]


@benchmark("fairness_export", "others' /help p99 during a 92-day /export: process vs thread")
async def fairness_export() -> list[Figure]:
    generated = await cached(EXPORT_PLAN)
    last = EXPORT_PLAN.last_day
    first = last - timedelta(days=EXPORT_PLAN.days - 1)
    command = f"/export {first:%d.%m.%Y} {last:%d.%m.%Y}"
    export_seconds: dict[str, list[float]] = {"process": [], "thread": []}
    async with running_bot(generated.path) as running:
        tg, chiefs = running.tg, iter(running.coordinators)

        async def export(kind: Kind) -> list[float]:
            running.app.services.workers = Workers(kind)
            chief = next(chiefs)
            documents = sum(1 for m in tg.messages(chief.id) if m.document)
            texts = sum(1 for m in tg.messages(chief.id) if not m.document)
            began = time.perf_counter()

            def arrived() -> bool:
                return sum(1 for m in tg.messages(chief.id) if m.document) > documents

            async def ask() -> None:
                for _ in range(EXPORT_REQUESTS):
                    await tg.send_text(chief, command)
                    await asyncio.sleep(1.0 / EXPORT_REQUESTS)
                await tg.wait_until(arrived, timeout=120, description="the export")
                export_seconds[kind].append(time.perf_counter() - began)

            samples, _ = await asyncio.gather(
                others_help(running, at_least_s=RUN_S, until=arrived), ask()
            )
            await tg.wait_idle(timeout=30)
            made = [m for m in tg.messages(chief.id) if m.document][documents:]
            told = sum(1 for m in tg.messages(chief.id) if not m.document) - texts
            if len(made) != 1 or told != EXPORT_REQUESTS - 1:
                raise RuntimeError(f"{len(made)} exports made and {told} told to wait")
            # The caption opens with the count in the reader's format: "13,800 reports from …".
            count = re.match(r"[\d.,\s\u00a0\u202f]+", made[0].caption or "")
            shown = "".join(c for c in count.group() if c.isdigit()) if count else ""
            if shown != str(EXPORT_PLAN.total_reports):
                raise RuntimeError(f"the export says {made[0].caption!r}")
            return samples

        # Warm-up: start the worker process, import openpyxl there and here (a day's export).
        settings = running.app.services.settings
        day = PeriodExport(
            settings.database_path,
            last,
            last,
            "en",
            settings.timezone,
            settings.urgent_threshold_kg,
        )
        for kind in export_seconds:
            await Workers(kind).run(period_export, day)

        async def quiet() -> list[float]:
            return await others_help(running, at_least_s=RUN_S)

        async def in_process() -> list[float]:
            return await export("process")

        async def in_thread() -> list[float]:
            return await export("thread")

        found = await alternate({"quiet": quiet, "process": in_process, "thread": in_thread})
    what = {
        "quiet": "others' /help p99, no export",
        "process": "others' /help p99 during the export, files built in a worker process",
        "thread": "the same with the files built in a thread of the bot's process",
    }
    return [
        *p99_figures("fairness_export", found, what),
        Figure(
            "fairness_export_process_vs_quiet",
            ratio(found, "process", "quiet"),
            "x",
            "process p99 / quiet p99 (medians over the runs)",
            digits=2,
        ),
        Figure(
            "fairness_export_thread_vs_quiet",
            ratio(found, "thread", "quiet"),
            "x",
            "thread p99 / quiet p99 (medians over the runs)",
            digits=2,
        ),
        Figure(
            "fairness_export_process_s",
            statistics.median(export_seconds["process"]),
            "s",
            f"from the first of {EXPORT_REQUESTS} /export to the file, worker process",
            spread(export_seconds["process"], "s"),
            digits=2,
        ),
        Figure(
            "fairness_export_thread_s",
            statistics.median(export_seconds["thread"]),
            "s",
            "the same, thread",
            spread(export_seconds["thread"], "s"),
            digits=2,
        ),
    ]
