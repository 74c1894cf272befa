"""Where the load benchmark's time goes: opt-in instruments for the bot process.

``BENCH_LOAD_DIAGNOSE=1 python -m benchmarks load`` adds two things to the run, both outside the
bot's code:

* a ``sitecustomize`` module, put first on the bot's PYTHONPATH, that logs every garbage
  collection of generation 1 or 2 (and any other longer than 5 ms) with its
  ``time.perf_counter()`` end (the same clock as the benchmark's, CLOCK_MONOTONIC) and duration,
  so slow steps can be matched with collector pauses;
* ``py-spy record`` on the bot's pid (sampling, ``--nonblocking``) when a ``py-spy`` binary is
  given in ``BENCH_LOAD_PYSPY`` or found on PATH (``pip install py-spy``, e.g. into a scratch
  ``--target``), summarised as the share of the bot's busy main-thread samples per frame.

Both cost the bot something (py-spy takes CPU from the same two cores), so a diagnosing run's
latencies are not the benchmark's figures; compare them only with each other.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ENABLED = os.environ.get("BENCH_LOAD_DIAGNOSE", "") not in ("", "0", "false", "no")

_SITECUSTOMIZE = '''\
"""Logs the bot's garbage collections for benchmarks/bench_load.py (diagnosing runs only)."""
import gc
import os
import time

_path = os.environ.get("BENCH_LOAD_GC_LOG")
if _path:
    _log = open(_path, "a", buffering=1, encoding="ascii")
    _began = [0.0]

    def _note(phase, info):
        now = time.perf_counter()
        if phase == "start":
            _began[0] = now
            return
        took = now - _began[0]
        generation = info["generation"]
        if generation >= 1 or took > 0.005:
            tracked = len(gc.get_objects()) if generation == 2 else -1
            _log.write(
                f"{now:.6f} {generation} {took * 1000:.2f} {info['collected']} {tracked}\\n"
            )

    gc.callbacks.append(_note)
'''


@dataclass(frozen=True)
class Collection:
    """One garbage collection in the bot: when it ended (perf_counter s), how long it took."""

    ended: float
    generation: int
    ms: float
    collected: int
    tracked: int  # objects the collector tracks afterwards (generation 2 only, else -1)

    @property
    def began(self) -> float:
        return self.ended - self.ms / 1000


def prepare(workdir: Path) -> tuple[str, dict[str, str]]:
    """The directory to put first on the bot's PYTHONPATH and the variables to give it."""
    hook = workdir / "diagnose"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(_SITECUSTOMIZE, encoding="utf-8")
    return str(hook), {"BENCH_LOAD_GC_LOG": str(workdir / "gc.log")}


def read_collections(workdir: Path) -> list[Collection]:
    path = workdir / "gc.log"
    if not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="ascii").splitlines():
        ended, generation, ms, collected, tracked = line.split()
        found.append(
            Collection(float(ended), int(generation), float(ms), int(collected), int(tracked))
        )
    return found


def pyspy_binary() -> str | None:
    return os.environ.get("BENCH_LOAD_PYSPY") or shutil.which("py-spy")


def start_pyspy(binary: str, pid: int, output: Path) -> subprocess.Popen[bytes]:
    command = [binary, "record", "--pid", str(pid), "--rate", "200", "--nonblocking"]
    command += ["--format", "raw", "--output", str(output)]
    return subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stop_pyspy(process: subprocess.Popen[bytes]) -> str:
    """Stop recording (SIGINT makes py-spy write its file); returns what it said on stderr."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return err.decode(errors="replace")


#: Frames that every busy sample of the main thread has: not worth a line.
_GENERIC = (
    "<module>",
    "_run_module_as_main",
    "_run_code",
    "main (bot/__main__.py",
    "_run (bot/__main__.py",
    "run_polling",
    "Application.__run",
    "run_forever",
    "_run_once",
    "Handle._run",
)


#: What the busy samples were doing: (label, a frame that must be on the stack, one that must not).
_CATEGORIES = (
    ("Bot API requests (PTB Bot._post: encode, aiohttp, socket, decode)", "Bot._post (", None),
    ("  of which getUpdates (polling only)", "get_updates (", None),
    ("  of which in aiohttp's client (bot/telegram_http.py)", "bot/telegram_http.py", None),
    ("  of which socket writes", "_SelectorSocketTransport.write", None),
    ("webhook server: check, record, answer 200 (bot/webhook.py)", "_handle (bot/webhook.py", None),
    ("update handlers, without their Bot API requests", "handle_update (", "Bot._post ("),
    ("  of which aiosqlite calls (handing SQL to its thread)", "aiosqlite/core.py", None),
    ("PTB persistence (flushing user/chat data)", "update_persistence", None),
    ("any import at run time (importlib)", "_find_and_load", None),
)


def summarise_profile(path: Path, top: int = 28) -> list[str]:
    """The bot's busy main-thread samples: the share of each frame (inclusive), the largest."""
    if not path.exists():
        return ["  (py-spy wrote no profile)"]
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    busy = other_threads = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        frames = stack.split(";")
        if "run_forever" not in stack:
            other_threads += samples  # aiosqlite's worker thread, the resolver…
            continue
        if frames[-1].startswith(("EpollSelector.select", "select (selectors")):
            continue  # the loop waiting for something to do
        busy += samples
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
        for label, needed, excluded in _CATEGORIES:
            if needed in stack and (excluded is None or excluded not in stack):
                categories[label] += samples
    if not busy:
        return ["  (no busy samples)"]
    lines = [
        f"  py-spy: {busy} busy samples of the bot's event-loop thread"
        f" ({other_threads} samples of its other threads, e.g. aiosqlite's); share of the busy"
        " samples by what they were doing:"
    ]
    for label, _, _ in _CATEGORIES:
        lines.append(f"    {100 * categories[label] / busy:5.1f} %  {label}")
    lines.append("  the frames most often on the stack (share of the busy samples):")
    shown = 0
    for frame, samples in inclusive.most_common():
        if any(generic in frame for generic in _GENERIC):
            continue
        lines.append(f"    {100 * samples / busy:5.1f} %  {frame}")
        shown += 1
        if shown >= top:
            break
    lines.append("  where the busy samples were (innermost frame):")
    for frame, samples in own.most_common(10):
        lines.append(f"    {100 * samples / busy:5.1f} %  {frame}")
    return lines


def pauses_report(
    collections: Sequence[Collection],
    slow: Sequence[tuple[float, float]],
    window: tuple[float, float],
) -> list[str]:
    """The collector's pauses during the load and how many slow steps overlapped one.

    ``slow`` are (sent, seen) of the slowest steps in perf_counter seconds, ``window`` the load.
    """
    during = [c for c in collections if window[0] <= c.ended <= window[1]]
    lines = []
    for generation in (0, 1, 2):
        pauses = [c.ms for c in during if c.generation == generation]
        if pauses:
            lines.append(
                f"  gc generation {generation}: {len(pauses)} collections logged,"
                f" {sum(pauses):.0f} ms in all, longest {max(pauses):.1f} ms"
                + (
                    f" ({', '.join(f'{p:.0f}' for p in sorted(pauses, reverse=True)[:8])} ms;"
                    f" {max(c.tracked for c in during if c.generation == 2)} objects tracked)"
                    if generation == 2
                    else ""
                )
            )
    long_pauses = [c for c in during if c.ms >= 20]
    hit = sum(
        1 for sent, seen in slow if any(c.began < seen and c.ended > sent for c in long_pauses)
    )
    lines.append(
        f"  {hit} of the {len(slow)} slowest steps were waiting while the bot was paused"
        " for a collection of 20 ms or more"
    )
    return lines
