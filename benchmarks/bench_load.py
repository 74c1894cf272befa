"""1,000 officers file a report each within a minute against the bot running as a real process.

The bot is ``python -m bot run`` in its own process, talking to the local Bot API stand-in that
runs here, on this process's event loop, over real HTTP on 127.0.0.1: once polling, once on a
webhook (the stand-in posts each update to the bot's server), one run after the other, figures
``load_*`` and ``load_webhook_*``. The officers are asyncio tasks
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
#: Both by default; BENCH_LOAD_MODES=webhook (or polling) runs one.
MODES = tuple(
    m for m in (os.environ.get("BENCH_LOAD_MODES") or "polling,webhook").split(",") if m.strip()
)
WEBHOOK_SECRET = "load-benchmark-webhook-secret"

GOAL_P99_MS = 100.0
GOAL_RSS_MB = 150.0
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
        lookup = self.api.lookup

        def timed_lookup(method: str) -> Any:
            implementation = lookup(method)
            name = method.lower()
            if implementation is None or name not in ("sendmessage", "answercallbackquery"):
                return implementation

            def timed(params: Any) -> Any:
                result = implementation(params)
                stamp = _now_ns()
                if name == "sendmessage":
                    chat_id = params.get_int("chat_id")
                    if chat_id is not None:
                        self.sent_at[chat_id].append(stamp)
                else:
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


async def read_back(path: Path, since: datetime) -> Stored:
    """What the database holds after the run (read through storage.Database)."""
    db = await Database.open(path)
    try:
        async with db.read() as repos:
            count = await repos.reports.count_all()
            reports = await repos.reports.submitted_between(
                since - timedelta(minutes=5), datetime.now(UTC) + timedelta(minutes=5)
            )
            officers = await repos.users.find(role=Role.OFFICER, limit=OFFICERS + 100)
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
    bot: BotProcess | None = None
    collections: list[load_diagnostics.Collection] = field(default_factory=list)
    profile: list[str] = field(default_factory=list)

    @property
    def wall_s(self) -> float:
        return (self.ended_ns - self.began_ns) / 1e9


async def _loop_lag(samples: list[float], stop: asyncio.Event, period: float = 0.01) -> None:
    """How late this process's loop wakes a 10 ms sleeper (what delays the stand-in here)."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        due = loop.time() + period
        await asyncio.sleep(period)
        samples.append(max(0.0, loop.time() - due) * 1000)


async def _drive(
    tg: TimedStandIn, bot: BotProcess, users: Sequence[TgUser], forms: Sequence[str]
) -> Run:
    steps: list[Step] = []
    seeds = random.Random(SEED + 1)
    officers = [
        LoadOfficer(tg, n, user, form, random.Random(seeds.getrandbits(32)), steps)
        for n, (user, form) in enumerate(zip(users, forms, strict=True))
    ]
    rss_polling = bot.rss_kb() or 0
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
    interval = ARRIVAL_WINDOW_S / OFFICERS
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
    return Run(steps, outcomes, began_ns, ended_ns, lag, bot_cpu, own_cpu, others_cpu, rss_polling)


@benchmark("load", "1,000 officers file a report each within a minute; bot as a real process")
async def load() -> list[Figure]:
    """Reports stored, duplicates, lost, latency p50/p99, the bot's peak RSS, the duration;
    polling and webhook one after the other, the same officers and pace."""
    figures: list[Figure] = []
    for mode in MODES:
        print(f"  --- {mode} ---", flush=True)
        figures += await _load(mode.strip())
    return figures


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _load(mode: str) -> list[Figure]:
    webhook = mode == "webhook"
    rng = random.Random(SEED)
    forms = ["incident"] * round(OFFICERS * INCIDENT_SHARE)
    forms += ["daily_status"] * (OFFICERS - len(forms))
    rng.shuffle(forms)
    users = [officer_user(n) for n in range(OFFICERS)]

    with tempfile.TemporaryDirectory(prefix="fieldreport-load-") as tmp:
        workdir = Path(tmp)
        database = workdir / "load.sqlite3"
        units = await register_officers(database, users)
        print(
            f"  {OFFICERS} officers in {units} units: {forms.count('daily_status')} daily status"
            f" (3 updates), {forms.count('incident')} incident (9 updates); starts evenly over"
            f" {ARRIVAL_WINDOW_S:.0f} s, {THINK_S[0]}–{THINK_S[1]} s between steps",
            flush=True,
        )
        print(
            "  RATE_LIMIT=false: with Telegram's 30 messages/s for the whole bot, the limiter"
            " would queue the bot's ~45 messages/s and the figures would only measure that queue",
            flush=True,
        )
        settings = {
            "RATE_LIMIT": "false",
            "RUN_JOBS": "false",
            "LOG_LEVEL": "WARNING",
            "DATABASE_PATH": str(database),
        }
        hook = None
        if load_diagnostics.ENABLED:
            hook, extra = load_diagnostics.prepare(workdir)
            settings.update(extra)
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
                if load_diagnostics.ENABLED:
                    spy_binary = load_diagnostics.pyspy_binary()
                    if spy_binary:
                        profile = workdir / "profile.txt"
                        spy = load_diagnostics.start_pyspy(spy_binary, bot.pid, profile)
                try:
                    run = await _drive(tg, bot, users, forms)
                finally:
                    said = load_diagnostics.stop_pyspy(spy) if spy else ""
            run.bot = bot
        if load_diagnostics.ENABLED:
            run.collections = load_diagnostics.read_collections(workdir)
            if spy is not None:
                run.profile = load_diagnostics.summarise_profile(workdir / "profile.txt")
                if not (workdir / "profile.txt").exists():
                    run.profile.append(f"  py-spy said: {said.strip()[-500:]}")
            else:
                run.profile = ["  (no py-spy: set BENCH_LOAD_PYSPY or put py-spy on PATH)"]
        stored = await read_back(database, datetime.now(UTC) - timedelta(minutes=10))
    return _figures(run, stored, "load_webhook_" if webhook else "load_")


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


def _figures(run: Run, stored: Stored, prefix: str = "load_") -> list[Figure]:
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
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    peak_kb = max(bot.peak_hwm_kb or 0, max(bot.rss_samples_kb, default=0))
    peak_mb = peak_kb / 1024

    _where_the_time_goes(run)
    print(
        f"  the bot's memory: {run.rss_polling_kb / 1024:.1f} MB resident when it started"
        f" polling, peak {peak_mb:.1f} MB (VmHWM {(bot.peak_hwm_kb or 0) / 1024:.1f} MB);"
        f" ended by {'SIGKILL' if bot.killed else 'SIGTERM'}, exit code {bot.returncode}"
    )
    for problem, count in Counter(o.problem for o in outcomes if o.problem).most_common(5):
        print(f"  {count} officer(s) stuck: {problem}", file=sys.stderr)
    logged = [line for line in bot.output_text().splitlines() if line.strip()]
    if logged:
        print(f"  the bot wrote {len(logged)} line(s) of output; the first:", file=sys.stderr)
        for line in logged[:5]:
            print(f"    {line[:300]}", file=sys.stderr)
    if stored.count != OFFICERS or stored.open_drafts or wrong_form:
        print(
            f"warning: {stored.count} reports stored for {OFFICERS} officers,"
            f" {stored.open_drafts} drafts left open, {wrong_form} of the wrong form",
            file=sys.stderr,
        )
    goals = (
        ("nothing lost", lost == 0, f"{lost} lost"),
        ("nothing duplicated", duplicates == 0, f"{duplicates} duplicated"),
        (f"p99 under {GOAL_P99_MS:.0f} ms", p99 < GOAL_P99_MS, f"p99 {p99:.1f} ms"),
        (f"peak RSS under {GOAL_RSS_MB:.0f} MB", peak_mb < GOAL_RSS_MB, f"{peak_mb:.1f} MB"),
    )
    for goal, met, value in goals:
        print(f"  goal {goal}: {'met' if met else 'NOT MET'} ({value})")

    return [
        Figure(
            f"{prefix}reports_stored",
            stored.count,
            "reports",
            f"rows in reports after {OFFICERS} officers filed one each",
            f"{stored.open_drafts} drafts left open, {wrong_form} of another form",
            digits=0,
        ),
        Figure(
            f"{prefix}duplicates",
            duplicates,
            "",
            "a report stored twice, a second receipt, a number given twice",
            f"{extra_reports} extra reports, {extra_receipts} extra receipts,"
            f" {numbers_twice} numbers twice, {stored.duplicate_keys} keys twice",
            digits=0,
        ),
        Figure(
            f"{prefix}lost",
            lost,
            "",
            "officers left without a receipt + receipts with no such report of theirs",
            f"{len(no_receipt)} without a receipt, {len(not_stored)} receipts not stored",
            digits=0,
        ),
        Figure(
            f"{prefix}latency_p50",
            p50,
            "ms",
            "median step: update queued → the bot's answer seen",
            f"n={len(latencies)} steps",
        ),
        Figure(
            f"{prefix}latency_p99",
            p99,
            "ms",
            f"99th percentile of the same (goal < {GOAL_P99_MS:.0f} ms)",
            f"max {max(latencies, default=math.nan):.1f} ms",
        ),
        Figure(
            f"{prefix}peak_rss",
            peak_mb,
            "MB",
            f"the bot process's peak resident memory (goal < {GOAL_RSS_MB:.0f} MB)",
            f"{run.rss_polling_kb / 1024:.1f} MB when it started polling",
        ),
        Figure(
            f"{prefix}bot_cpu_per_update",
            1000 * run.bot_cpu_s / max(len(run.steps), 1),
            "ms",
            "the bot process's CPU time (user + system) per update during the load",
            f"{run.bot_cpu_s:.1f} s for {len(run.steps)} updates",
            digits=2,
        ),
        Figure(
            f"{prefix}duration",
            run.wall_s,
            "s",
            "first officer's first update → last officer's receipt",
            f"{OFFICERS / run.wall_s:.1f} reports/s, other processes"
            f" {100 * run.others_cpu_s / run.wall_s:.0f} % of a core",
        ),
    ]
