"""``python -m benchmarks [--runs N] [name ...]``: run the benchmarks, then print the figures.

Each benchmark runs ``--runs`` times in a row (3 by default), each run in a fresh event loop,
with the machine's 1-minute load average read at the start and the end of every run. The
output ends with one line per figure and nothing after them::

    seizure_vs_echo_ratio = 2.61 x (2.55 … 2.70 over 3 runs)

``name = value unit`` first (the value is the median of the runs), so a script can take the
lines after the last blank line (or grep `` = ``) and parse them as a single run's. A benchmark
with a run on a crowded machine says so at the end of each of its lines.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from dataclasses import dataclass

from benchmarks.registry import Benchmark, Figure, discover, summary_line

#: A machine is crowded when its 1-minute load is above half its cores (1.0 on 2 cores): the
#: benchmarks' own processes use at most one core, so more means somebody else is running.
CROWDED_LOAD_PER_CORE = 0.5


def machine_load() -> float:
    """The 1-minute load average (first field of ``/proc/loadavg``)."""
    try:
        with open("/proc/loadavg", encoding="ascii") as loadavg:
            return float(loadavg.read().split()[0])
    except OSError:
        return os.getloadavg()[0]


def cores() -> int:
    return os.cpu_count() or 1


def crowded_above() -> float:
    return CROWDED_LOAD_PER_CORE * cores()


@dataclass(frozen=True)
class Run:
    figures: list[Figure]
    load_at_start: float
    load_at_end: float

    @property
    def load(self) -> float:
        """The higher of the two readings: what the run may have shared the machine with."""
        return max(self.load_at_start, self.load_at_end)

    @property
    def crowded(self) -> bool:
        return self.load > crowded_above()


def _table(figures: list[Figure]) -> list[str]:
    header = ("figure", "value", "unit", "what", "spread")
    rows = [(f.name, f.formatted_value(), f.unit, f.description, f.detail) for f in figures]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = []
    for row in (header, *rows):
        cells = [
            cell.rjust(width) if i == 1 else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  " + "  ".join(cells).rstrip())
    return lines


def _load_note(load: float) -> str:
    if load > crowded_above():
        return f" — CROWDED MACHINE (above {crowded_above():.1f} on {cores()} cores)"
    return ""


def _run(bench: Benchmark, run_no: int, runs: int) -> Run:
    print(f"{bench.name} (run {run_no} of {runs}): {bench.description}", flush=True)
    at_start = machine_load()
    print(f"  machine load at the start: {at_start:.2f}{_load_note(at_start)}", flush=True)
    began = time.monotonic()
    figures = list(asyncio.run(bench.func()))
    at_end = machine_load()
    for line in _table(figures):
        print(line)
    print(
        f"  ({time.monotonic() - began:.1f} s; machine load {at_start:.2f} at the start, "
        f"{at_end:.2f} at the end, {cores()} cores{_load_note(max(at_start, at_end))})\n",
        flush=True,
    )
    return Run(figures, at_start, at_end)


def _summary(bench: Benchmark, runs: list[Run]) -> list[str]:
    """Each figure over the runs, then the machine's load over the runs."""
    crowded = sum(run.crowded for run in runs)
    note = f"crowded machine in {crowded} of {len(runs)} runs" if crowded else ""
    by_name: dict[str, list[Figure]] = {}
    for run in runs:
        for figure in run.figures:
            by_name.setdefault(figure.name, []).append(figure)
    load = [Figure(f"{bench.name}_machine_load", run.load, "load", digits=2) for run in runs]
    return [summary_line(figures, note) for figures in by_name.values()] + [
        summary_line(load, note)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "names", nargs="*", help="benchmarks to run (default: all but the separate ones)"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument(
        "--runs", type=int, default=3, help="runs of each benchmark (default 3): min/median/max"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    # The figures go to stdout; keep library chatter (PTB, aiosqlite) to real problems.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    available = discover()
    if args.list:
        for bench in available:
            separate = " (separate: runs only when named)" if bench.separate else ""
            print(f"{bench.name}: {bench.description}{separate}")
        return 0
    unknown = set(args.names) - {bench.name for bench in available}
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    selected = [
        bench
        for bench in available
        if (bench.name in args.names if args.names else not bench.separate)
    ]

    lines: list[str] = []
    names: list[str] = []
    for bench in selected:
        runs = [_run(bench, run_no, args.runs) for run_no in range(1, args.runs + 1)]
        lines += _summary(bench, runs)
        names += [figure.name for figure in runs[0].figures] + [f"{bench.name}_machine_load"]
    if len(set(names)) != len(names):
        raise SystemExit(f"two benchmarks report the same figure name: {names}")
    print(
        f"figures: median of {args.runs} run(s) (min … max); machine load = the higher 1-minute "
        f"load average at a run's start or end, crowded above {crowded_above():.1f}\n"
    )
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
