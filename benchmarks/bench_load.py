"""1,000 officers file a report each within a minute against the bot running as a real process.

The bot is ``python -m bot run`` in its own process, talking to the local Bot API stand-in that
runs here, on this process's event loop, over real HTTP on 127.0.0.1: once polling, once on a
webhook (the stand-in posts each update to the bot's server), figures ``load_*`` and
``load_webhook_*``; then the allowed-load runs, polling. The officers are asyncio tasks
that act through the stand-in's person side (send a text, tap a button found by its meaning) and
wait for the bot's answer with the stand-in's condition waits. See benchmarks/README.md, "The
load benchmark".
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import re
import socket
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks import load_diagnostics
from benchmarks.bot_process import BotProcess, bot_process, machine_busy_seconds
from benchmarks.registry import Figure, benchmark
from bot.standin import SentMessage, StandIn, TgUser
from storage import Database, Role

#: BENCH_LOAD_OFFICERS=100 makes a short run while working on the benchmark itself.
OFFICERS = int(os.environ.get("BENCH_LOAD_OFFICERS") or 1000)
#: Officers start one after another at an even pace: 20 a second, over 50 s for 1,000.
ARRIVAL_WINDOW_S = OFFICERS / 20.0
#: The share that files a short incident (9 updates); the others file a daily status (3).
INCIDENT_SHARE = 0.2
#: An officer reads and taps between two steps: uniformly this many seconds (seeded).
THINK_S = (0.2, 1.0)
#: A step whose answer takes longer than this is given up: the officer is stuck, the report lost.
STEP_TIMEOUT_S = 30.0
SEED = 20260

#: Step 8's goals for the full load (issue 11).
GOAL_P99_MS = 40.0
GOAL_RSS_MB = 80.0
GOAL_CPU_MS = 3.5
#: The run "at an offered load Telegram would allow": officers arrive at a pace that makes the
#: bot send at most this many rate-limited calls a second (counted in the full run, per
#: officer), below Telegram's 30 messages a second, once with RATE_LIMIT=true and once without.
ALLOWED_CALLS_PER_S = 27.0
TELEGRAM_MESSAGES_PER_S = 30
#: How long officers keep arriving in each of those two runs.
ALLOWED_WINDOW_S = min(30.0, ARRIVAL_WINDOW_S)
#: Other processes using more CPU than this (share of one core) during the load make the
#: figures doubtful: the bot needs more than half a core of the two for itself.
NOISY_NEIGHBOURS = 0.15

TOKEN = "123456:LOAD-benchmark"
FIRST_TELEGRAM_ID = 7_000_000
LANGUAGES = ("uz", "ru", "en")
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
STEP_LABELS = (
    "/report",
    "choose form",
    "category",
    "when: now",
    "typed place",
    "typed description",
    "urgent: no",
    "photos: skip",
    "submit",
)


#: Both by default; BENCH_LOAD_MODES=webhook (or polling) runs one.
MODES = tuple(
    m.strip()
    for m in (os.environ.get("BENCH_LOAD_MODES") or "polling,webhook").split(",")
    if m.strip()
)
WEBHOOK_SECRET = "load-benchmark-webhook-secret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _now_ns() -> int:
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
                stamp = _now_ns()
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
        stamp = _now_ns()
        for update in updates:
            self._fetched(update, stamp)
        return updates

    async def _deliver(self, session: Any, url: str, secret: Any, update: Any) -> str | None:
        """Webhook mode: "fetched" is when the bot answered the POST with 200."""
        error = await super()._deliver(session, url, secret, update)
        if error is None:
            self._fetched(update, _now_ns())
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


def _matches(data: str, prefix: str, parts: Sequence[str | None]) -> bool:
    pieces = data.split(":")
    if pieces[0] != prefix:
        return False
    tail = pieces[2:]
    if prefix == "f":
        tail = tail[1:]  # skip the draft id
    return all(want is None or want == got for want, got in zip(parts, tail, strict=False))


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

    def __post_init__(self) -> None:
        self.outcome = Outcome(self.index, self.user.id, self.form)

    @property
    def chat_id(self) -> int:
        return self.user.id

    def _record(self, label: str, key: int | str, sent_ns: int) -> None:
        self.steps.append(Step(self.index, self.form, label, key, sent_ns, _now_ns()))

    async def think(self) -> None:
        await asyncio.sleep(self.rng.uniform(*THINK_S))

    async def say(self, label: str, text: str) -> SentMessage:
        """Type ``text``; the answer is the bot's next message in the chat."""
        self.tg.skip_messages(self.chat_id)
        sent = _now_ns()
        update = await self.tg.send_text(self.user, text)
        message = await self.tg.next_message(self.chat_id, timeout=STEP_TIMEOUT_S)
        self._record(label, int(update["update_id"]), sent)
        return message

    def _find(self, prefix: str, parts: Sequence[str | None]) -> tuple[SentMessage, str]:
        """The newest bot message with a button of that meaning, and the button's data."""
        for message in reversed(self.tg.messages(self.chat_id)):
            for row in message.buttons:
                for _text, data in row:
                    if data and _matches(data, prefix, parts):
                        return message, data
        last = self.tg.last_message(self.chat_id)
        raise StepFailed(
            f"no {prefix} button {list(parts)} in the chat; last: {last.text if last else None!r}"
        )

    async def tap(self, label: str, prefix: str, *parts: str | None) -> None:
        """Tap a button by meaning; the answer is the bot's answerCallbackQuery."""
        message, data = self._find(prefix, parts)
        sent = _now_ns()
        query_id = await self.tg.tap(self.user, message, data)
        answer = await self.tg.wait_callback_answer(query_id, timeout=STEP_TIMEOUT_S)
        self._record(label, query_id, sent)
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
        self.outcome.finished_ns = _now_ns()
        return self.outcome


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
    start, began_ns = loop.time() + 0.1, _now_ns() + 100_000_000
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
                settings, workdir=workdir, polling=polling, pythonpath_first=hook
            ) as bot:
                spy = spy_binary = None
                if diagnose:
                    spy_binary = load_diagnostics.pyspy_binary()
                    if spy_binary:
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
        figures += _figures(measured, "load_webhook_" if mode == "webhook" else "load_")
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
    return figures + _allowed_figures(free, limited, calls_per_officer)


# --- what it says --------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest rank: the smallest sample that ``fraction`` of all samples do not exceed."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _spread(values: Sequence[float]) -> str:
    if not values:
        return "n=0"
    return (
        f"p50 {percentile(values, 0.5):7.1f}  p90 {percentile(values, 0.9):7.1f}"
        f"  p99 {percentile(values, 0.99):7.1f}  max {max(values):7.1f}  n={len(values)}"
    )


def _where_the_time_goes(run: Run) -> None:
    steps = run.steps
    print("  latency per step (ms, update queued → the bot's answer seen by the officer):")
    for label in STEP_LABELS:
        print(f"    {label:<18} {_spread([s.latency_ms for s in steps if s.label == label])}")

    def parts(first: str, second: str) -> list[float]:
        values = (s.part_ms(getattr(s, first), getattr(s, second)) for s in steps)
        return [v for v in values if v is not None]

    print("  the same, in parts (ms):")
    print(f"    queued → bot fetched it   {_spread(parts('sent_ns', 'fetched_ns'))}")
    print(f"    fetched → bot answered    {_spread(parts('fetched_ns', 'answered_ns'))}")
    print(f"    answered → officer woke   {_spread(parts('answered_ns', 'seen_ns'))}")
    print(f"    loop lag in this process  {_spread(run.loop_lag_ms)}  (a 10 ms sleeper's delay)")
    print("  over time (5 s windows from the first officer's start):")
    windows: dict[int, list[float]] = defaultdict(list)
    for s in steps:
        windows[int((s.sent_ns - run.began_ns) / 5e9)].append(s.latency_ms)
    for window in sorted(windows):
        values = windows[window]
        print(
            f"    {window * 5:3d}–{window * 5 + 5:3d} s  {len(values) / 5:5.1f} steps/s"
            f"  p50 {percentile(values, 0.5):7.1f}  p99 {percentile(values, 0.99):7.1f}"
            f"  max {max(values):7.1f}"
        )
    print("  the slowest steps (ms = queued→fetched + fetched→answered + answered→seen):")
    for s in sorted(steps, key=lambda s: -s.latency_ms)[:5]:
        fetch = s.part_ms(s.sent_ns, s.fetched_ns)
        work = s.part_ms(s.fetched_ns, s.answered_ns)
        wake = s.part_ms(s.answered_ns, s.seen_ns)
        print(
            f"    {s.latency_ms:7.1f} = {fetch or math.nan:6.1f} + {work or math.nan:6.1f}"
            f" + {wake or math.nan:5.1f}   {s.form}, {s.label},"
            f" {(s.sent_ns - run.began_ns) / 1e9:.1f} s in"
        )
    updates = len(steps)
    print(
        f"  CPU during the load ({run.wall_s:.1f} s): the bot {run.bot_cpu_s:.1f} s"
        f" ({100 * run.bot_cpu_s / run.wall_s:.0f} % of a core,"
        f" {1000 * run.bot_cpu_s / max(updates, 1):.1f} ms per update);"
        f" this process (stand-in + officers) {run.own_cpu_s:.1f} s;"
        f" other processes {run.others_cpu_s:.1f} s"
    )
    if run.others_cpu_s > NOISY_NEIGHBOURS * run.wall_s:
        print(
            f"warning: other processes used {run.others_cpu_s:.1f} s of CPU during the load"
            f" ({100 * run.others_cpu_s / run.wall_s:.0f} % of a core): the bot competed for"
            " the cores, so its latencies are inflated; run it again on a quiet machine",
            file=sys.stderr,
        )
    if run.collections or run.profile:
        print("  diagnosis (BENCH_LOAD_DIAGNOSE; the instruments slow the bot down):")
        slowest = sorted(steps, key=lambda s: -s.latency_ms)[: max(1, updates // 100)]
        for line in load_diagnostics.pauses_report(
            run.collections,
            [(s.sent_ns / 1e9, s.seen_ns / 1e9) for s in slowest],
            (run.began_ns / 1e9, run.ended_ns / 1e9),
        ):
            print(line)
        for line in run.profile:
            print(line)


@dataclass(frozen=True)
class Tally:
    """What one run comes to: lost and duplicated, latencies, CPU, memory."""

    lost: int
    duplicates: int
    wrong_form: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    updates: int
    peak_mb: float
    polling_mb: float
    startup_s: float
    cpu_ms_per_update: float
    #: Shares of one core over the load, in per cent.
    bot_cpu_pct: float
    standin_cpu_pct: float
    others_cpu_pct: float
    updates_per_s: float
    chat_calls_per_s: float
    peak_chat_calls_per_s: int
    detail: dict[str, str]


def _tally(measured: Measured) -> Tally:
    """Count, check and print one run (where the time goes, the goals)."""
    run, stored, officers = measured.run, measured.stored, measured.offered.officers
    bot = run.bot
    assert bot is not None
    outcomes = run.outcomes
    receipts = Counter(o.receipt for o in outcomes if o.receipt)
    no_receipt = [o for o in outcomes if o.receipt is None]
    not_stored = [
        o
        for o in outcomes
        if o.receipt is not None and stored.author_of.get(o.receipt) != o.telegram_id
    ]
    extra_receipts = sum(max(0, o.receipts_in_chat - 1) for o in outcomes)
    numbers_twice = sum(n - 1 for n in receipts.values() if n > 1)
    extra_reports = sum(n - 1 for n in stored.per_author.values() if n > 1)
    duplicates = extra_reports + extra_receipts + numbers_twice + stored.duplicate_keys
    lost = len(no_receipt) + len(not_stored)
    wrong_form = sum(
        1 for o in outcomes if o.receipt and stored.form_of.get(o.receipt, o.form) != o.form
    )
    latencies = [s.latency_ms for s in run.steps]
    peak_kb = max(bot.peak_hwm_kb or 0, max(bot.rss_samples_kb, default=0))
    wall = max(run.wall_s, 1e-9)
    updates = len(run.steps)
    tally = Tally(
        lost=lost,
        duplicates=duplicates,
        wrong_form=wrong_form,
        p50_ms=percentile(latencies, 0.5),
        p99_ms=percentile(latencies, 0.99),
        max_ms=max(latencies, default=math.nan),
        updates=updates,
        peak_mb=peak_kb / 1024,
        polling_mb=run.rss_polling_kb / 1024,
        startup_s=bot.startup_s if bot.startup_s is not None else math.nan,
        cpu_ms_per_update=1000 * run.bot_cpu_s / max(updates, 1),
        bot_cpu_pct=100 * run.bot_cpu_s / wall,
        standin_cpu_pct=100 * run.own_cpu_s / wall,
        others_cpu_pct=100 * run.others_cpu_s / wall,
        updates_per_s=updates / wall,
        chat_calls_per_s=len(run.chat_calls_ns) / wall,
        peak_chat_calls_per_s=run.peak_chat_calls_per_s(),
        detail={
            "stored": f"{stored.open_drafts} drafts left open, {wrong_form} of another form",
            "duplicates": f"{extra_reports} extra reports, {extra_receipts} extra receipts,"
            f" {numbers_twice} numbers twice, {stored.duplicate_keys} keys twice",
            "lost": f"{len(no_receipt)} without a receipt, {len(not_stored)} receipts not stored",
        },
    )

    print(f"  --- {measured.offered.label} ---")
    _where_the_time_goes(run)
    print(
        f"  the bot: up and polling {tally.startup_s:.2f} s after it was started,"
        f" {tally.polling_mb:.1f} MB resident then (before the first update), peak"
        f" {tally.peak_mb:.1f} MB (VmHWM {(bot.peak_hwm_kb or 0) / 1024:.1f} MB); ended by"
        f" {'SIGKILL' if bot.killed else 'SIGTERM'}, exit code {bot.returncode}"
    )
    print(
        f"  offered {tally.updates_per_s:.1f} updates/s; the bot made {tally.chat_calls_per_s:.1f}"
        f" rate-limited calls/s on average, at most {tally.peak_chat_calls_per_s} in one second"
    )
    for problem, count in Counter(o.problem for o in outcomes if o.problem).most_common(5):
        print(f"  {count} officer(s) stuck: {problem}", file=sys.stderr)
    logged = [line for line in bot.output_text().splitlines() if line.strip()]
    if logged:
        print(f"  the bot wrote {len(logged)} line(s) of output; the first:", file=sys.stderr)
        for line in logged[:5]:
            print(f"    {line[:300]}", file=sys.stderr)
    if stored.count != officers or stored.open_drafts or wrong_form:
        print(
            f"warning: {stored.count} reports stored for {officers} officers,"
            f" {stored.open_drafts} drafts left open, {wrong_form} of the wrong form",
            file=sys.stderr,
        )
    return tally


def _figures(full: Measured, prefix: str = "load_") -> list[Figure]:
    tally = _tally(full)
    goals = (
        ("nothing lost", tally.lost == 0, f"{tally.lost} lost"),
        ("nothing duplicated", tally.duplicates == 0, f"{tally.duplicates} duplicated"),
        (f"p99 ≤ {GOAL_P99_MS:.0f} ms", tally.p99_ms <= GOAL_P99_MS, f"{tally.p99_ms:.1f} ms"),
        (
            f"bot CPU ≤ {GOAL_CPU_MS} ms per update",
            tally.cpu_ms_per_update <= GOAL_CPU_MS,
            f"{tally.cpu_ms_per_update:.2f} ms",
        ),
        (
            f"peak RSS ≤ {GOAL_RSS_MB:.0f} MB",
            tally.peak_mb <= GOAL_RSS_MB,
            f"{tally.peak_mb:.1f} MB",
        ),
    )
    for goal, met, value in goals:
        print(f"  goal {goal}: {'met' if met else 'NOT MET'} ({value})")
    run = full.run
    return [
        Figure(
            f"{prefix}reports_stored",
            full.stored.count,
            "reports",
            f"rows in reports after {full.offered.officers} officers filed one each",
            tally.detail["stored"],
            digits=0,
        ),
        Figure(
            f"{prefix}duplicates",
            tally.duplicates,
            "",
            "a report stored twice, a second receipt, a number given twice",
            tally.detail["duplicates"],
            digits=0,
        ),
        Figure(
            f"{prefix}lost",
            tally.lost,
            "",
            "officers left without a receipt + receipts with no such report of theirs",
            tally.detail["lost"],
            digits=0,
        ),
        Figure(
            f"{prefix}latency_p50",
            tally.p50_ms,
            "ms",
            "median step: update queued → the bot's answer seen",
            f"n={tally.updates} steps",
        ),
        Figure(
            f"{prefix}latency_p99",
            tally.p99_ms,
            "ms",
            f"99th percentile of the same (goal ≤ {GOAL_P99_MS:.0f} ms)",
            f"max {tally.max_ms:.1f} ms",
        ),
        Figure(
            f"{prefix}bot_cpu_per_update",
            tally.cpu_ms_per_update,
            "ms/update",
            f"the bot process's CPU (user + system) / updates (goal ≤ {GOAL_CPU_MS} ms)",
            f"{run.bot_cpu_s:.1f} s for {tally.updates} updates, {tally.bot_cpu_pct:.0f} % of"
            " a core",
            digits=2,
        ),
        Figure(
            f"{prefix}peak_rss",
            tally.peak_mb,
            "MB",
            f"the bot process's peak resident memory (goal ≤ {GOAL_RSS_MB:.0f} MB)",
            "VmHWM or the highest VmRSS sampled every 0.2 s",
        ),
        Figure(
            f"{prefix}startup",
            tally.startup_s,
            "s",
            "process started → its first getUpdates (webhook: setWebhook) reached the stand-in",
            "imports, settings, database opened and migrated, application initialised",
            digits=2,
        ),
        Figure(
            f"{prefix}rss_before_first_update",
            tally.polling_mb,
            "MB",
            "the bot's VmRSS once it polls, before any update",
        ),
        Figure(
            f"{prefix}offered",
            tally.updates_per_s,
            "updates/s",
            "officers' updates over the load's duration",
            f"{tally.chat_calls_per_s:.0f} rate-limited calls/s made by the bot",
        ),
        Figure(
            f"{prefix}standin_cpu",
            tally.standin_cpu_pct,
            "% of a core",
            "this process: the stand-in and the simulated officers",
            f"{run.own_cpu_s:.1f} s of CPU",
            digits=0,
        ),
        Figure(
            f"{prefix}duration",
            run.wall_s,
            "s",
            "first officer's first update → last officer's receipt",
            f"{full.offered.officers / run.wall_s:.1f} reports/s; other processes"
            f" {tally.others_cpu_pct:.0f} % of a core meanwhile",
        ),
    ]


def _allowed_figures(free: Measured, limited: Measured, calls_per_officer: float) -> list[Figure]:
    """The same allowed load without and with the limiter, side by side: what it costs."""
    without, with_limiter = _tally(free), _tally(limited)
    broken = without.lost + without.duplicates + with_limiter.lost + with_limiter.duplicates
    if broken:
        print(f"warning: {broken} reports lost or duplicated at the allowed load", file=sys.stderr)
    print("  the rate limiter at the allowed load (without → with):")
    for what, a, b, unit in (
        ("latency p50", without.p50_ms, with_limiter.p50_ms, "ms"),
        ("latency p99", without.p99_ms, with_limiter.p99_ms, "ms"),
        ("bot CPU per update", without.cpu_ms_per_update, with_limiter.cpu_ms_per_update, "ms"),
        (
            "peak calls in a second",
            without.peak_chat_calls_per_s,
            with_limiter.peak_chat_calls_per_s,
            "",
        ),
    ):
        print(f"    {what:<24} {a:8.2f} → {b:8.2f} {unit}")
    offered = f"{free.offered.arrivals_per_s:.2f} officers/s, {without.updates_per_s:.1f} updates/s"
    pairs = (
        ("p50", "ms", "median step latency", without.p50_ms, with_limiter.p50_ms, 1),
        ("p99", "ms", "99th percentile step latency", without.p99_ms, with_limiter.p99_ms, 1),
        (
            "cpu_per_update",
            "ms/update",
            "the bot's CPU per update",
            without.cpu_ms_per_update,
            with_limiter.cpu_ms_per_update,
            2,
        ),
        (
            "peak_calls",
            "calls/s",
            "most rate-limited calls in one second",
            without.peak_chat_calls_per_s,
            with_limiter.peak_chat_calls_per_s,
            0,
        ),
    )
    figures = [
        Figure(
            "load_allowed_offered",
            without.updates_per_s,
            "updates/s",
            f"a load Telegram allows: {ALLOWED_CALLS_PER_S:.0f} rate-limited calls/s planned",
            f"{offered}; {calls_per_officer:.2f} calls per officer counted in the full run",
        ),
        Figure(
            "load_allowed_lost_or_duplicated",
            broken,
            "",
            "lost + duplicated in both allowed-load runs",
            digits=0,
        ),
    ]
    for name, unit, what, a, b, digits in pairs:
        figures.append(
            Figure(
                f"load_allowed_unlimited_{name}",
                a,
                unit,
                f"{what}, RATE_LIMIT=false",
                digits=digits,
            )
        )
        figures.append(
            Figure(
                f"load_allowed_limited_{name}", b, unit, f"{what}, RATE_LIMIT=true", digits=digits
            )
        )
    figures.append(
        Figure(
            "load_limiter_p99_added",
            with_limiter.p99_ms - without.p99_ms,
            "ms",
            "what the limiter adds to p99 at the allowed load",
            f"p50 {with_limiter.p50_ms - without.p50_ms:+.1f} ms",
        )
    )
    return figures
