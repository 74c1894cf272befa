"""The real bot in a child process (``python -m bot run``), against an in-process stand-in.

The stand-in runs on the test's event loop, so people are simulated with its Python API while
the bot is a separate process that can be SIGKILLed at any moment and started again on the same
database. Every wait is on stand-in state (it wakes on each API call), never a bare sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import ctypes
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from bot.standin import StandIn, StandInTimeout
from bot.standin.api import CANONICAL_NAMES
from bot.standin.params import ApiError, Params

REPO = Path(__file__).resolve().parents[2]
#: Every setting the bot reads (README, "Settings"): none leaks in from the developer's shell.
SETTINGS = (
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


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
    )
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _new_spare() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", _SPARE],
        env=_child_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,  # until its orders name the log
        stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
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


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGKILL when the test process dies, so nothing is left orphaned."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class BotProcess:
    """``python -m bot run`` against ``tg``: start, SIGKILL, restart on the same database.

    ``generation`` counts the starts; ``ready`` is set while the current process is polling.
    With ``prewarm`` (the default) each start uses a spare process that did its imports in
    advance (see ``_SPARE``): a start takes ~0.3 s instead of ~1.8 s, which is what lets a test
    afford twenty of them. ``prewarm=False`` runs the command itself.
    """

    def __init__(
        self,
        tg: StandIn,
        database_path: Path,
        workdir: Path,
        *,
        admin_ids: Sequence[int] = (),
        run_jobs: bool = False,
        env: Mapping[str, str] | None = None,
        prewarm: bool = True,
    ) -> None:
        self.tg = tg
        self.database_path = database_path
        self.workdir = workdir
        self.log_path = workdir / "bot.log"
        self.generation = 0
        self.kills = 0
        self.ready = asyncio.Event()
        self.start_index = 0  # index into tg.calls where the current process began
        self.prewarm = prewarm
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.env = _child_env() | {
            "BOT_TOKEN": tg.token,
            "TELEGRAM_API_URL": tg.api_url,
            "DATABASE_PATH": str(database_path),
            "ADMIN_IDS": ",".join(str(i) for i in admin_ids),
            "RATE_LIMIT": "false",
            "RUN_JOBS": "true" if run_jobs else "false",
            "LOG_LEVEL": "WARNING",
        }
        if env:
            self.env.update(env)

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

    def log_tail(self, lines: int = 40) -> str:
        if self._log is not None:
            self._log.flush()
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    # -- control -------------------------------------------------------------------------
    def spawn(self) -> None:
        """Start the process without waiting for it (see :meth:`start`)."""
        if self.running:
            raise RuntimeError("the bot is already running")
        self.generation += 1
        self.start_index = len(self.tg.calls)
        if self._log is None:
            self._log = self.log_path.open("ab")
        self._log.write(f"=== start {self.generation} ===\n".encode())
        self._log.flush()
        if not self.prewarm:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                env=self.env,
                cwd=self.workdir,  # no .env of the developer's is read
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
            return
        process = _take_spare()
        orders = {"env": self.env, "cwd": str(self.workdir), "log": str(self.log_path)}
        assert process.stdin is not None
        process.stdin.write(json.dumps(orders).encode() + b"\n")
        process.stdin.close()
        self._process = process

    async def wait_polling(self, timeout: float = 30.0) -> float:
        """Wait until the current process polls getUpdates; the seconds it took."""
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
        self.ready.set()
        if self.prewarm:
            keep_a_spare()  # it imports while this process runs
        return loop.time() - started

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
        """SIGTERM, as `docker stop` does; SIGKILL if it does not exit in time. The exit code."""
        self.ready.clear()
        process = self._process
        if process is None:
            raise RuntimeError("the bot was never started")
        if process.poll() is None:
            process.terminate()
            try:
                await asyncio.to_thread(process.wait, timeout)
            except subprocess.TimeoutExpired:
                process.kill()
        return process.wait()

    async def restart(self, timeout: float = 30.0) -> float:
        self.kill()
        return await self.start(timeout)

    def close(self) -> None:
        """Teardown: never leave a bot running, whatever happened."""
        self.kill()
        if self._log is not None:
            self._log.close()
            self._log = None


class KillSwitch:
    """SIGKILL the bot from inside a Bot API call, at an exact point of Telegram's side.

    ``rule(method, chat_id)`` is asked for every call the stand-in serves: "before" kills the
    bot before Telegram acts on the call (the call is lost with the process), "after" kills it
    once Telegram has acted and before the answer leaves (Telegram did it; the bot never
    hears). The hook wraps the stand-in's method lookup, in this process, for this test only.
    """

    def __init__(self, tg: StandIn, bot: BotProcess) -> None:
        self.tg = tg
        self.bot = bot
        self.rule: Callable[[str, int | None], str | None] | None = None
        self.fired: list[tuple[str, int | None, str]] = []
        self._original = tg.api.lookup
        tg.api.lookup = self._lookup  # type: ignore[method-assign]

    def _lookup(self, method: str) -> Callable[[Params], Any] | None:
        implementation = self._original(method)
        if implementation is None:
            return None
        name = CANONICAL_NAMES.get(method.lower(), method)

        def call(params: Params) -> Any:
            chat_id = _chat_id(params)
            when = self.rule(name, chat_id) if self.rule and self.bot.running else None
            if when == "before":
                self._kill(name, chat_id, when)
                raise ApiError(500, "Internal Server Error")  # nobody is left to read it
            result = implementation(params)
            if when == "after":
                self._kill(name, chat_id, when)
            return result

        return call

    def _kill(self, name: str, chat_id: int | None, when: str) -> None:
        self.rule = None  # one shot
        self.fired.append((name, chat_id, when))
        self.bot.kill()

    def close(self) -> None:
        self.tg.api.lookup = self._original  # type: ignore[method-assign]


def _chat_id(params: Params) -> int | None:
    try:
        return int(params.values.get("chat_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class HandedUpdates:
    """Which bot process (by generation) the stand-in handed each update to.

    Telegram forgets an update only when the next getUpdates confirms it; a process that dies
    in between has its updates handed to the next one as well. This wraps the stand-in's
    getUpdates implementation, in this process, for this test only.
    """

    def __init__(self, tg: StandIn, bot: BotProcess) -> None:
        self.to: dict[int, set[int]] = {}
        self._tg = tg
        self._original = tg._get_updates

        async def get_updates(params: Params) -> list[dict[str, Any]]:
            updates = await self._original(params)
            for update in updates:
                self.to.setdefault(int(update["update_id"]), set()).add(bot.generation)
            return updates

        tg._get_updates = get_updates  # type: ignore[method-assign]

    def twice(self, update_id: int) -> bool:
        """Handed to more than one process (so possibly handled by both)."""
        return len(self.to.get(update_id, ())) > 1

    def close(self) -> None:
        self._tg._get_updates = self._original  # type: ignore[method-assign]


def _reacted(calls: list[tuple[str, dict[str, Any]]], update: dict[str, Any]) -> int:
    """How many of ``calls`` answer ``update``: its callback query answered, or a message
    sent to (or edited in) its chat."""
    query = update.get("callback_query")
    if isinstance(query, dict):
        return sum(
            1
            for name, values in calls
            if name == "answerCallbackQuery" and values.get("callback_query_id") == query["id"]
        )
    chat = str(update.get("message", {}).get("chat", {}).get("id"))
    return sum(
        1
        for name, values in calls
        if name != "getUpdates"
        and name != "answerCallbackQuery"
        and str(values.get("chat_id")) == chat
    )


class ConfirmationHold:
    """Hold the getUpdates that would confirm updates a bot process was handed, so that a
    SIGKILL lands in the window between handling an update and Telegram forgetting it.

    Armed, the next getUpdates whose offset confirms something waits until :meth:`release`.
    A held call whose process died meanwhile confirms nothing (it never reached Telegram): the
    next process gets those updates again. ``verify`` then hands the next process only those
    redelivered updates and holds its confirming call too, so a test can compare the state
    before and after the redelivery with no new update in between.
    """

    def __init__(self, tg: StandIn, bot: BotProcess) -> None:
        self.tg = tg
        self.bot = bot
        self.armed = False
        #: The held call: the generation that sent it, the updates it would confirm, and the
        #: index in tg.calls where the hold began.
        self.held: tuple[int, list[dict[str, Any]], int] | None = None
        self._verifying: tuple[int, set[int]] | None = None
        self._released = asyncio.Event()
        self._original = tg._get_updates

        async def get_updates(params: Params) -> list[dict[str, Any]]:
            return await self._get_updates(params)

        tg._get_updates = get_updates  # type: ignore[method-assign]

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        offset = params.get_int("offset") or 0
        generation = self.bot.generation
        confirming = [
            copy.deepcopy(u) for u in self.tg.state.updates if 0 < int(u["update_id"]) < offset
        ]
        holding = self.held is not None and self.held[0] == generation  # a retry of it
        if confirming and ((self.armed and self.held is None) or holding):
            if self.held is None:
                self.armed = False
                self.held = (generation, confirming, len(self.tg.calls))
                self._released.clear()
                await self.tg._notify()
            await self._released.wait()
            if self.bot.generation != generation or not self.bot.running:
                # The process is gone: its call never reached Telegram, nothing is confirmed.
                raise ApiError(502, "Bad Gateway")
        updates = await self._original(params)
        if self._verifying is not None and self._verifying[0] == generation:
            redelivered = self._verifying[1]
            # Only the redelivered updates (queued before any new one: a prefix).
            updates = [u for u in updates if int(u["update_id"]) in redelivered]
        return updates

    def handled(self) -> tuple[int, int]:
        """(updates the held call would confirm, how many of them the bot has answered)."""
        if self.held is None:
            return 0, 0
        _, updates, since = self.held
        calls = self.tg.calls[since:]
        answered = sum(1 for u in updates if _reacted(calls, u) >= 1)
        return len(updates), answered

    def release(self) -> list[dict[str, Any]]:
        """Let the held call go on (or fail, if its process died); the updates it held."""
        held = self.held
        self.held = None
        self.armed = False
        self._released.set()
        return held[1] if held is not None else []

    def verify(self, generation: int, updates: list[dict[str, Any]]) -> None:
        """Hand process ``generation`` only ``updates`` at first, and hold its confirmation."""
        self._verifying = (generation, {int(u["update_id"]) for u in updates})
        self.armed = True

    def end_verification(self) -> None:
        self._verifying = None
        self.release()

    def close(self) -> None:
        self.release()
        self.tg._get_updates = self._original  # type: ignore[method-assign]
