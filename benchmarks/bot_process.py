"""The bot as a real process (``python -m bot run``), for benchmarks that load it from outside.

:func:`bot_process` starts it against a Bot API address (the in-process stand-in), waits until
it polls, samples its memory while it runs and always ends it: SIGTERM (PTB stops polling and
flushes its persistence), SIGKILL if it has not exited within a few seconds. The child is also
asked to die with its parent (``PR_SET_PDEATHSIG``), so not even a killed benchmark leaves it
behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import benchmarks

REPO = Path(benchmarks.__file__).resolve().parent.parent

#: Every setting the bot reads (README "Settings"): none of them is inherited from the caller's
#: environment, so a developer's shell cannot change what is measured. The bot also runs in an
#: empty working directory, so no ``.env`` is read either.
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
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def read_status_kb(pid: int, key: str) -> int | None:
    """A ``kB`` line of ``/proc/<pid>/status`` (VmRSS, VmHWM…), None once the process is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def read_cpu_seconds(pid: int) -> float | None:
    """User + system CPU time the process has used so far (``/proc/<pid>/stat``)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime


def machine_busy_seconds() -> float:
    """CPU time all processes have used (all cores, from ``/proc/stat``), idle and iowait not."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / _CLOCK_TICKS  # guest time is already in user time


@dataclass
class BotProcess:
    """The running bot: its pid, its memory samples, its output file."""

    process: asyncio.subprocess.Process
    output: Path
    started: float = field(default_factory=time.monotonic)
    rss_samples_kb: list[int] = field(default_factory=list)
    peak_hwm_kb: int | None = None
    returncode: int | None = None
    killed: bool = False
    #: From just before the process was started to the stand-in seeing its first getUpdates
    #: (``polling()`` returned): imports, settings, the database opened and migrated, the
    #: application initialised (getMe, the command menus).
    startup_s: float | None = None
    #: Resident memory once it polls, before the benchmark sends the first update.
    rss_polling_kb: int | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_kb(self) -> int | None:
        return read_status_kb(self.pid, "VmRSS")

    def hwm_kb(self) -> int | None:
        return read_status_kb(self.pid, "VmHWM")

    def cpu_seconds(self) -> float | None:
        return read_cpu_seconds(self.pid)

    def output_text(self) -> str:
        try:
            return self.output.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    async def _sample(self, period: float) -> None:
        while self.process.returncode is None:
            rss = self.rss_kb()
            if rss is not None:
                self.rss_samples_kb.append(rss)
            await asyncio.sleep(period)

    async def stop(self, grace: float = 8.0) -> None:
        """SIGTERM, then SIGKILL after ``grace`` seconds; records VmHWM before either."""
        if self.process.returncode is None:
            hwm = self.hwm_kb()
            if hwm is not None:
                self.peak_hwm_kb = hwm
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), grace)
            except TimeoutError:
                self.killed = True
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                await self.process.wait()
        self.returncode = self.process.returncode


@asynccontextmanager
async def bot_process(
    settings: Mapping[str, str],
    *,
    workdir: Path,
    polling: Callable[[], Awaitable[None]],
    sample_period: float = 0.2,
    pythonpath_first: str | None = None,
) -> AsyncIterator[BotProcess]:
    """Run ``python -m bot run`` with ``settings`` (plus PYTHONPATH = the repository).

    ``pythonpath_first`` goes before the repository on PYTHONPATH (a diagnosing hook).

    ``polling()`` must return once the bot polls (e.g. the stand-in saw its first getUpdates;
    with WEBHOOK_URL in ``settings``, its setWebhook) and raise when it waited too long; a bot
    that exits first fails the benchmark with its output. The process is ended when the block
    ends, whatever happens in it.
    """
    env = {key: value for key, value in os.environ.items() if key not in BOT_SETTINGS}
    env.update(settings)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (pythonpath_first, str(REPO)) if p)
    env["PYTHONUNBUFFERED"] = "1"
    output = workdir / "bot-output.log"
    launched = time.monotonic()
    with output.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=workdir,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=sink,
            stderr=asyncio.subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
    bot = BotProcess(process, output)
    sampler: asyncio.Task[None] | None = None
    try:
        waiting = asyncio.ensure_future(polling())
        exited = asyncio.ensure_future(process.wait())
        done, _ = await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
        if waiting not in done:
            waiting.cancel()
            await asyncio.gather(waiting, return_exceptions=True)
            raise RuntimeError(
                f"the bot exited with {process.returncode} before polling:\n{bot.output_text()}"
            )
        exited.cancel()
        await asyncio.gather(exited, return_exceptions=True)
        try:
            waiting.result()  # the waiter's timeout if the bot never polled
        except TimeoutError as exc:
            raise RuntimeError(f"the bot did not poll: {exc}\n{bot.output_text()}") from exc
        bot.startup_s = time.monotonic() - launched
        bot.rss_polling_kb = bot.rss_kb()
        sampler = asyncio.create_task(bot._sample(sample_period))
        yield bot
    finally:
        await bot.stop()
        if sampler is not None:
            sampler.cancel()
            await asyncio.gather(sampler, return_exceptions=True)
