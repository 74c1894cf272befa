"""The real bot as a child process (``python -m bot run``) against a stand-in on this event loop.

The resilience tests SIGKILL the bot at exact points and start it again on the same database;
the startup and load benchmarks time and weigh it from outside. Both need the same clean start
(no setting leaks in from the developer's shell, no ``.env`` is read, the child dies with its
parent) and the same waits (on stand-in state, which wakes on every Bot API call, never a bare
sleep), so there is one runner: :class:`BotProcess` starts, kills, stops and restarts the bot;
:func:`bot_process` is the benchmarks' block around one start (wait until it polls, sample its
memory, always stop it).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO

from bot.standin import StandIn, StandInTimeout
from tests.support.process_costs import read_cpu_seconds, read_status_kb

REPO = Path(__file__).resolve().parents[2]
#: Every setting the bot reads (README, "Settings"): none is inherited from the caller's
#: environment, so a developer's shell cannot change what a test sees or a benchmark measures.
BOT_SETTINGS = (
    "BOT_TOKEN",
    "TELEGRAM_API_URL",
    "DATABASE_PATH",
    "TIMEZONE",
    "DEFAULT_LANGUAGE",
    "ADMIN_IDS",
    "LOG_LEVEL",
    "DRAFT_TTL_HOURS",
    "AMEND_WINDOW_HOURS",
    "REPORT_MAX_AGE_DAYS",
    "INVITE_TTL_HOURS",
    "URGENT_THRESHOLD_KG",
    "ALERT_REPEAT_MINUTES",
    "ALERT_MAX_REPEATS",
    "EXPORT_MAX_DAYS",
    "RUN_JOBS",
    "RATE_LIMIT",
    "WEBHOOK_URL",
    "WEBHOOK_LISTEN",
    "WEBHOOK_SECRET",
    "ALLOW_INSECURE_API_URL",
)
_PR_SET_PDEATHSIG = 1
#: A spare bot process: it imports the bot's modules (about a second of CPU: matplotlib,
#: openpyxl, PTB) before anybody waits for it, then reads one line, its orders (environment,
#: working directory, log file), and runs bot/__main__.py exactly as `python -m bot run` does.
#: It touches neither a database nor the Bot API before its orders.
_SPARE = """\
import json, os, runpy, sys
import bot.app, bot.delivery
orders = json.loads(sys.stdin.readline() or "null")
if orders:
    log = os.open(orders["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.chdir(orders["cwd"])
    os.environ.clear()
    os.environ.update(orders["env"])
    sys.argv = ["bot", "run"]
    runpy.run_module("bot", run_name="__main__", alter_sys=True)
"""
#: Spares ready for any test's next start (one is enough: it is replaced once its bot polls).
_spares: list[subprocess.Popen[bytes]] = []


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGKILL when its parent dies, so nothing is left orphaned."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


_PREEXEC = _die_with_parent if sys.platform == "linux" else None


def child_environment(pythonpath_first: str | None = None) -> dict[str, str]:
    """The caller's environment without any bot setting; PYTHONPATH starts with the repository
    (after ``pythonpath_first``, a diagnosing hook, if given)."""
    env = {key: value for key, value in os.environ.items() if key not in BOT_SETTINGS}
    inherited = os.environ.get("PYTHONPATH", "")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (pythonpath_first, str(REPO), inherited) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _new_spare() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", _SPARE],
        env=child_environment(),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,  # until its orders name the log
        stderr=subprocess.DEVNULL,
        preexec_fn=_PREEXEC,
    )


def _take_spare() -> subprocess.Popen[bytes]:
    while _spares:
        spare = _spares.pop()
        if spare.poll() is None:
            return spare
        spare.wait()
    return _new_spare()


def keep_a_spare() -> None:
    """Have a spare importing for the next start (call when nobody waits on the CPU)."""
    if not any(spare.poll() is None for spare in _spares):
        _spares.append(_new_spare())


def close_spares() -> None:
    """End of the session: no spare is left behind."""
    while _spares:
        spare = _spares.pop()
        spare.kill()
        spare.wait()


class BotDied(AssertionError):
    """The bot process exited when it should have been running."""


class BotProcess:
    """``python -m bot run`` against ``tg``: start, SIGKILL, SIGTERM, restart on the same database.

    ``settings`` are the bot's (README "Settings"); the stand-in's token and address are given
    unless ``settings`` name others. ``generation`` counts the starts; ``ready`` is set while the
    current process polls. With ``prewarm`` each start uses a spare process that did its
    imports in advance (see ``_SPARE``): a start takes ~0.3 s instead of ~1.8 s, which is what
    lets a test afford twenty of them. Without it (a benchmark that times the start or reads
    the process's CPU) the command itself runs. What the process costs (memory, CPU) is read
    from ``/proc`` while it runs.
    """

    def __init__(
        self,
        tg: StandIn,
        settings: Mapping[str, str],
        workdir: Path,
        *,
        prewarm: bool = False,
        pythonpath_first: str | None = None,
    ) -> None:
        if prewarm and pythonpath_first:
            raise ValueError("a spare has done its imports already: it takes no PYTHONPATH hook")
        self.tg = tg
        self.workdir = workdir  # an empty directory: no .env of the developer's is read
        self.log_path = workdir / "bot.log"
        self.prewarm = prewarm
        self.env = child_environment(pythonpath_first) | {
            "BOT_TOKEN": tg.token,
            "TELEGRAM_API_URL": tg.api_url,
            **settings,
        }
        self.generation = 0
        self.kills = 0
        self.ready = asyncio.Event()
        self.start_index = 0  # index into tg.calls where the current process began
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        #: Resident memory noted by :meth:`sample_memory` while the process ran.
        self.rss_samples_kb: list[int] = []
        #: VmHWM read just before the last :meth:`stop`.
        self.peak_hwm_kb: int | None = None
        #: The last :meth:`stop` had to SIGKILL.
        self.killed = False
        #: :func:`bot_process`: from just before the start to the bot polling, and the resident
        #: memory then, before the first update.
        self.startup_s: float | None = None
        self.rss_polling_kb: int | None = None

    # -- state ---------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def returncode(self) -> int | None:
        return self._process.poll() if self._process is not None else None

    def calls_since_start(self) -> list[tuple[str, dict[str, object]]]:
        """The Bot API calls the current process made (the stand-in outlives processes)."""
        return self.tg.calls[self.start_index :]

    def polled(self) -> bool:
        """The current process polls: its start-up deleteWebhook, then a getUpdates; in webhook
        mode (WEBHOOK_URL set) its server listens: it called setWebhook.

        (A bare getUpdates is not enough: a request a killed process sent just before dying
        can reach the stand-in after the next process was spawned.)
        """
        names = [name for name, _ in self.calls_since_start()]
        if self.env.get("WEBHOOK_URL"):
            return "setWebhook" in names
        if "deleteWebhook" not in names:
            return False
        return "getUpdates" in names[names.index("deleteWebhook") + 1 :]

    def _log_text(self) -> str | None:
        if self._log is not None:
            self._log.flush()
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    def log_tail(self, lines: int = 40) -> str:
        """The log's last lines, across starts (each begins with ``=== start N ===``)."""
        text = self._log_text()
        return "(no log)" if text is None else "\n".join(text.splitlines()[-lines:])

    def output_text(self) -> str:
        """Everything the current (or last) process wrote."""
        return (self._log_text() or "").rpartition(self._start_line())[2]

    def _start_line(self) -> str:
        return f"=== start {self.generation} ===\n"

    def rss_kb(self) -> int | None:
        return read_status_kb(self.pid, "VmRSS") if self.pid is not None else None

    def hwm_kb(self) -> int | None:
        return read_status_kb(self.pid, "VmHWM") if self.pid is not None else None

    def cpu_seconds(self) -> float | None:
        return read_cpu_seconds(self.pid) if self.pid is not None else None

    # -- control -------------------------------------------------------------------------
    def spawn(self) -> None:
        """Start the process without waiting for it (see :meth:`start`)."""
        if self.running:
            raise RuntimeError("the bot is already running")
        self.generation += 1
        self.start_index = len(self.tg.calls)
        if self._log is None:
            self._log = self.log_path.open("ab")
        self._log.write(self._start_line().encode())
        self._log.flush()
        if not self.prewarm:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                env=self.env,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                preexec_fn=_PREEXEC,
            )
            return
        process = _take_spare()
        orders = {"env": self.env, "cwd": str(self.workdir), "log": str(self.log_path)}
        assert process.stdin is not None
        process.stdin.write(json.dumps(orders).encode() + b"\n")
        process.stdin.close()
        self._process = process

    async def wait_polling(self, timeout: float = 30.0) -> float:
        """Wait until the current process polls (:meth:`polled`); the seconds it took."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        while not self.polled():
            if not self.running:
                raise BotDied(
                    f"the bot exited with {self.returncode} before polling:\n{self.log_tail()}"
                )
            remaining = started + timeout - loop.time()
            if remaining <= 0:
                raise StandInTimeout(f"the bot did not poll within {timeout}s:\n{self.log_tail()}")
            # Wakes on every API call; the short cap only notices a process that died quietly.
            with contextlib.suppress(StandInTimeout):
                await self.tg.wait_until(self.polled, timeout=min(0.25, remaining))
        self._polling()
        return loop.time() - started

    async def wait_for(self, polling: Awaitable[None]) -> None:
        """Wait until ``polling`` (the caller's own sign that the bot polls) is done; fail with
        the bot's output if the process exits first or ``polling`` raises TimeoutError."""
        waiting = asyncio.ensure_future(polling)
        try:
            while not waiting.done():
                # Returns as soon as ``waiting`` is done; the cap only notices an exit.
                await asyncio.wait({waiting}, timeout=0.25)
                if not waiting.done() and not self.running:
                    raise BotDied(
                        f"the bot exited with {self.returncode} before polling:\n"
                        f"{self.output_text()}"
                    )
        finally:
            if not waiting.done():
                waiting.cancel()
                await asyncio.gather(waiting, return_exceptions=True)
        try:
            waiting.result()
        except TimeoutError as exc:
            raise RuntimeError(f"the bot did not poll: {exc}\n{self.output_text()}") from exc
        self._polling()

    def _polling(self) -> None:
        self.ready.set()
        if self.prewarm:
            keep_a_spare()  # it imports while this process runs

    async def start(self, timeout: float = 30.0) -> float:
        """Start the bot and wait until it polls; the seconds it took."""
        self.spawn()
        return await self.wait_polling(timeout)

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, like a power cut or the OOM killer."""
        self.ready.clear()
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.kill()
            self.kills += 1
        process.wait()

    async def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, as `docker stop` does (PTB stops polling and flushes its persistence);
        SIGKILL if it does not exit in time. The exit code; VmHWM is read just before."""
        self.ready.clear()
        process = self._process
        if process is None:
            raise RuntimeError("the bot was never started")
        if process.poll() is None:
            hwm = self.hwm_kb()
            if hwm is not None:
                self.peak_hwm_kb = hwm
            process.terminate()
            try:
                await asyncio.to_thread(process.wait, timeout)
            except subprocess.TimeoutExpired:
                self.killed = True
                process.kill()
        return process.wait()

    async def restart(self, timeout: float = 30.0) -> float:
        self.kill()
        return await self.start(timeout)

    async def sample_memory(self, period: float) -> None:
        """Note the resident memory every ``period`` seconds while the process runs."""
        while self.running:
            rss = self.rss_kb()
            if rss is not None:
                self.rss_samples_kb.append(rss)
            await asyncio.sleep(period)

    def close(self) -> None:
        """Teardown: never leave a bot running, whatever happened."""
        self.kill()
        if self._log is not None:
            self._log.close()
            self._log = None


@asynccontextmanager
async def bot_process(
    tg: StandIn,
    settings: Mapping[str, str],
    *,
    workdir: Path,
    polling: Callable[[], Awaitable[None]],
    sample_period: float = 0.2,
    pythonpath_first: str | None = None,
) -> AsyncIterator[BotProcess]:
    """Run ``python -m bot run`` with ``settings`` for the block; it ends with the block.

    ``polling()`` must return once the bot polls (e.g. the stand-in saw its first getUpdates;
    with WEBHOOK_URL in ``settings``, its setWebhook) and raise TimeoutError when it waited too
    long; a bot that exits first fails the caller with its output. ``startup_s`` is the time from
    just before the start to ``polling()`` returning: imports, settings, the database opened and
    migrated, the application initialised (getMe, the command menus). ``pythonpath_first`` goes
    before the repository on PYTHONPATH (a diagnosing hook).
    """
    bot = BotProcess(tg, settings, workdir, pythonpath_first=pythonpath_first)
    launched = time.monotonic()
    bot.spawn()
    sampler: asyncio.Task[None] | None = None
    try:
        await bot.wait_for(polling())
        bot.startup_s = time.monotonic() - launched
        bot.rss_polling_kb = bot.rss_kb()
        sampler = asyncio.create_task(bot.sample_memory(sample_period))
        yield bot
    finally:
        await bot.stop(timeout=8.0)
        bot.close()
        if sampler is not None:
            sampler.cancel()
            await asyncio.gather(sampler, return_exceptions=True)
