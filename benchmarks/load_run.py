"""The run of one offered load, and the database before and after it.

:func:`run_load` registers the officers in a fresh database, starts the bot as a process
(polling, or on a webhook the stand-in posts to), lets the officers file (:func:`_drive` times
the CPU and the loop around them), stops the bot and reads the database back.
"""

from __future__ import annotations

import asyncio
import random
import socket
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks import load_diagnostics
from benchmarks.load_officers import (
    RECEIPT_NUMBER,
    THINK_S,
    LoadOfficer,
    Outcome,
    Step,
    TimedStandIn,
    now_ns,
)
from bot.standin import TgUser
from storage import Database, Role
from tests.support.bot_process import BotProcess, bot_process
from tests.support.process_costs import machine_busy_seconds

#: The share that files a short incident (9 updates); the others file a daily status (3).
INCIDENT_SHARE = 0.2
SEED = 20260

#: The runs "at an offered load Telegram would allow": officers arrive at a pace that makes the
#: bot send at most this many rate-limited calls a second (counted in the full run, per
#: officer), below Telegram's 30 messages a second, once with RATE_LIMIT=true and once without.
ALLOWED_CALLS_PER_S = 27.0
TELEGRAM_MESSAGES_PER_S = 30

TOKEN = "123456:LOAD-benchmark"
FIRST_TELEGRAM_ID = 7_000_000
LANGUAGES = ("uz", "ru", "en")
WEBHOOK_SECRET = "load-benchmark-webhook-secret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the database, before and after --------------------------------------------------------


def officer_user(index: int) -> TgUser:
    return TgUser(
        id=FIRST_TELEGRAM_ID + index,
        first_name="Officer",
        last_name=f"No{index:04d}",
        username=f"officer{index:04d}",
        language_code=LANGUAGES[index % len(LANGUAGES)],
    )


async def register_officers(path: Path, users: Sequence[TgUser]) -> int:
    """Create the officers round-robin over the seeded units; returns how many units."""
    db = await Database.open(path)
    try:
        async with db.transaction() as repos:
            units = await repos.units.list(active_only=True)
            if len(units) != 13:
                raise RuntimeError(f"expected the 13 seeded units, found {len(units)}")
            for n, user in enumerate(users):
                name = f"{user.first_name} {user.last_name}"
                await repos.users.create(
                    telegram_id=user.id,
                    role=Role.OFFICER,
                    display_name=name,
                    username=user.username,
                    unit_id=units[n % len(units)].id,
                )
                # As Telegram shows them, so the gate has no profile to update on their updates.
                await repos.users.update_profile(
                    user.id,
                    display_name=name,
                    username=user.username,
                    telegram_language=user.language_code,
                )
    finally:
        await db.close()
    return len(units)


@dataclass
class Stored:
    count: int
    per_author: Counter[int]  # telegram id → reports
    per_number: Counter[str]
    form_of: dict[str, str]  # number → form
    author_of: dict[str, int]  # number → telegram id
    duplicate_keys: int
    open_drafts: int


async def read_back(path: Path, since: datetime, telegram_ids: Sequence[int]) -> Stored:
    """What the database holds after the run (read through storage.Database)."""
    db = await Database.open(path)
    try:
        async with db.read() as repos:
            count = await repos.reports.count_all()
            reports = await repos.reports.submitted_between(
                since - timedelta(minutes=5), datetime.now(UTC) + timedelta(minutes=5)
            )
            officers = await repos.users.find(role=Role.OFFICER, limit=len(telegram_ids) + 100)
    finally:
        await db.close()
    telegram_of = {user.id: user.telegram_id for user in officers}
    stored = Stored(count, Counter(), Counter(), {}, {}, 0, 0)
    for report in reports:
        author = telegram_of.get(report.author_id, -report.author_id)
        stored.per_author[author] += 1
        stored.per_number[report.number] += 1
        stored.form_of[report.number] = report.form
        stored.author_of[report.number] = author
    # The idempotency key (the draft's id) is not on the Report model: ask SQLite directly.
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (stored.duplicate_keys,) = conn.execute(
            "SELECT COALESCE(SUM(n - 1), 0) FROM"
            " (SELECT COUNT(*) AS n FROM reports GROUP BY idempotency_key HAVING n > 1)"
        ).fetchone()
        (stored.open_drafts,) = conn.execute("SELECT COUNT(*) FROM drafts").fetchone()
    finally:
        conn.close()
    return stored


# --- the run -------------------------------------------------------------------------------


@dataclass
class Run:
    steps: list[Step]
    outcomes: list[Outcome]
    began_ns: int
    ended_ns: int
    loop_lag_ms: list[float]
    bot_cpu_s: float
    own_cpu_s: float
    others_cpu_s: float
    rss_polling_kb: int
    #: Calls that carry a chat (what the rate limiter counts), when the stand-in answered them.
    chat_calls_ns: list[int] = field(default_factory=list)
    bot: BotProcess | None = None
    collections: list[load_diagnostics.Collection] = field(default_factory=list)
    profile: list[str] = field(default_factory=list)

    @property
    def wall_s(self) -> float:
        return (self.ended_ns - self.began_ns) / 1e9

    def peak_chat_calls_per_s(self) -> int:
        """The most chat calls the bot made within any one second (a sliding window)."""
        calls, peak, first = self.chat_calls_ns, 0, 0
        for last, stamp in enumerate(calls):
            while stamp - calls[first] >= 1_000_000_000:
                first += 1
            peak = max(peak, last - first + 1)
        return peak


async def _loop_lag(samples: list[float], stop: asyncio.Event, period: float = 0.01) -> None:
    """How late this process's loop wakes a 10 ms sleeper (what delays the stand-in here)."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        due = loop.time() + period
        await asyncio.sleep(period)
        samples.append(max(0.0, loop.time() - due) * 1000)


async def _drive(
    tg: TimedStandIn,
    bot: BotProcess,
    users: Sequence[TgUser],
    forms: Sequence[str],
    interval: float,
) -> Run:
    steps: list[Step] = []
    seeds = random.Random(SEED + 1)
    officers = [
        LoadOfficer(tg, n, user, form, random.Random(seeds.getrandbits(32)), steps)
        for n, (user, form) in enumerate(zip(users, forms, strict=True))
    ]
    rss_polling = bot.rss_polling_kb or bot.rss_kb() or 0
    chat_calls_before = len(tg.chat_calls_at)
    bot_cpu, own_cpu, all_cpu = (
        bot.cpu_seconds() or 0.0,
        time.process_time(),
        machine_busy_seconds(),
    )
    lag: list[float] = []
    stop = asyncio.Event()
    lag_task = asyncio.create_task(_loop_lag(lag, stop))
    loop = asyncio.get_running_loop()
    start, began_ns = loop.time() + 0.1, now_ns() + 100_000_000
    outcomes = list(await asyncio.gather(*(o.run(start + o.index * interval) for o in officers)))
    bot_cpu = (bot.cpu_seconds() or 0.0) - bot_cpu
    own_cpu = time.process_time() - own_cpu
    others_cpu = machine_busy_seconds() - all_cpu - bot_cpu - own_cpu
    ended_ns = max(o.finished_ns for o in outcomes)
    # Whatever is still on its way (a late second receipt) arrives before we count receipts.
    try:
        await tg.wait_idle(timeout=10.0, settle=0.5)
    except TimeoutError as exc:
        print(f"warning: {exc}", file=sys.stderr)
    stop.set()
    await lag_task
    for step in steps:
        step.fetched_ns = tg.fetched_at.get(step.key)
        if isinstance(step.key, str):
            step.answered_ns = tg.answered_at.get(step.key)
        else:
            chat = FIRST_TELEGRAM_ID + step.officer
            step.answered_ns = next((t for t in tg.sent_at[chat] if t >= step.sent_ns), None)
    for outcome in outcomes:
        outcome.receipts_in_chat = sum(
            1 for m in tg.messages(outcome.telegram_id) if RECEIPT_NUMBER.search(m.text or "")
        )
    run = Run(steps, outcomes, began_ns, ended_ns, lag, bot_cpu, own_cpu, others_cpu, rss_polling)
    run.chat_calls_ns = tg.chat_calls_at[chat_calls_before:]
    return run


@dataclass(frozen=True)
class Offered:
    """What one run offers the bot: officers arriving evenly, with or without the limiter."""

    label: str
    officers: int
    arrivals_per_s: float
    rate_limit: bool
    #: "polling" (getUpdates) or "webhook" (the stand-in posts each update to the bot's server).
    mode: str = "polling"


@dataclass
class Measured:
    offered: Offered
    run: Run
    stored: Stored


def _mix(officers: int) -> list[str]:
    rng = random.Random(SEED)
    forms = ["incident"] * round(officers * INCIDENT_SHARE)
    forms += ["daily_status"] * (officers - len(forms))
    rng.shuffle(forms)
    return forms


async def run_load(offered: Offered, *, diagnose: bool = False) -> Measured:
    """Start the bot as a process on a fresh database, let the officers file, read it back."""
    forms = _mix(offered.officers)
    users = [officer_user(n) for n in range(offered.officers)]
    with tempfile.TemporaryDirectory(prefix="fieldreport-load-") as tmp:
        workdir = Path(tmp)
        database = workdir / "load.sqlite3"
        units = await register_officers(database, users)
        print(
            f"  {offered.label}: {offered.officers} officers in {units} units,"
            f" {forms.count('daily_status')} daily status (3 updates),"
            f" {forms.count('incident')} incident (9 updates); they start evenly,"
            f" {offered.arrivals_per_s:.1f} a second, {THINK_S[0]}–{THINK_S[1]} s between steps;"
            f" RATE_LIMIT={'true' if offered.rate_limit else 'false'}, {offered.mode}",
            flush=True,
        )
        settings = {
            "RATE_LIMIT": "true" if offered.rate_limit else "false",
            "RUN_JOBS": "false",
            "LOG_LEVEL": "WARNING",
            "DATABASE_PATH": str(database),
        }
        hook = None
        if diagnose:
            hook, extra = load_diagnostics.prepare(workdir)
            settings.update(extra)
        webhook = offered.mode == "webhook"
        tg = TimedStandIn(token=TOKEN, bot_username="fieldreport_bot", allow_http_webhook=True)
        async with tg:
            for user in users:
                tg.add_chat(user)  # they have talked to the bot before
            settings |= {"BOT_TOKEN": tg.token, "TELEGRAM_API_URL": tg.api_url}
            if webhook:
                port = _free_port()
                settings |= {
                    "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
                    "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                    "WEBHOOK_SECRET": WEBHOOK_SECRET,
                }
            ready = "setWebhook" if webhook else "getUpdates"

            async def polling() -> None:
                await tg.wait_until(
                    lambda: any(name == ready for name, _ in tg.calls),
                    timeout=30.0,
                    description=f"the bot's first {ready}",
                )

            async with bot_process(
                tg, settings, workdir=workdir, polling=polling, pythonpath_first=hook
            ) as bot:
                spy = spy_binary = None
                if diagnose:
                    spy_binary = load_diagnostics.pyspy_binary()
                    if spy_binary and bot.pid is not None:
                        profile = workdir / "profile.txt"
                        spy = load_diagnostics.start_pyspy(spy_binary, bot.pid, profile)
                try:
                    run = await _drive(tg, bot, users, forms, 1 / offered.arrivals_per_s)
                finally:
                    said = load_diagnostics.stop_pyspy(spy) if spy else ""
            run.bot = bot
        if diagnose:
            run.collections = load_diagnostics.read_collections(workdir)
            if spy is not None:
                run.profile = load_diagnostics.summarise_profile(workdir / "profile.txt")
                if not (workdir / "profile.txt").exists():
                    run.profile.append(f"  py-spy said: {said.strip()[-500:]}")
            else:
                run.profile = ["  (no py-spy: set BENCH_LOAD_PYSPY or put py-spy on PATH)"]
        stored = await read_back(
            database, datetime.now(UTC) - timedelta(minutes=10), [u.id for u in users]
        )
    return Measured(offered, run, stored)
