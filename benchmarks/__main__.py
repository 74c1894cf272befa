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
import resource
import sys
import time
from dataclasses import dataclass

from benchmarks.registry import Benchmark, Figure, discover, summary_line
from tests.support.process_costs import machine_busy_seconds

#: A run is on a crowded machine when the 1-minute load is above half the cores (1.0 on 2
#: cores) as it starts, or when other processes used more than half a core while it ran. The
#: load at the end is printed too but decides nothing: it includes the run's own work (a run
#: that keeps one core busy for a minute brings it to ~0.6 by itself).
CROWDED_LOAD_PER_CORE = 0.5
CROWDED_OTHERS_CORE = 0.5


def machine_load() -> float:
    """The 1-minute load average (first field of ``/proc/loadavg``)."""
    try:
        with open("/proc/loadavg", encoding="ascii") as loadavg:
            return float(loadavg.read().split()[0])
    except OSError:
        return os.getloadavg()[0]


def own_cpu_seconds() -> float:
    """CPU used by this process and its reaped children (the bot process, workers)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cores() -> int:
    return os.cpu_count() or 1


def crowded_above() -> float:
    return CROWDED_LOAD_PER_CORE * cores()


@dataclass(frozen=True)
class Run:
    figures: list[Figure]
    load_at_start: float
    load_at_end: float
    #: CPU other processes used while the run ran, as a share of one core.
    others_core: float

    @property
    def crowded(self) -> bool:
        return self.load_at_start > crowded_above() or self.others_core > CROWDED_OTHERS_CORE


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


CROWDED = "CROWDED MACHINE: its figures are not this code's"


def _run(bench: Benchmark, run_no: int, runs: int) -> Run:
    print(f"{bench.name} (run {run_no} of {runs}): {bench.description}", flush=True)
    at_start = machine_load()
    print(f"  machine load at the start: {at_start:.2f}{_load_note(at_start)}", flush=True)
    began = time.monotonic()
    busy, own = machine_busy_seconds(), own_cpu_seconds()
    figures = list(asyncio.run(bench.func()))
    wall = time.monotonic() - began
    others = machine_busy_seconds() - busy - (own_cpu_seconds() - own)
    run = Run(figures, at_start, machine_load(), max(0.0, others) / wall)
    for line in _table(figures):
        print(line)
    print(
        f"  ({wall:.1f} s; machine load {at_start:.2f} at the start, {run.load_at_end:.2f} at"
        f" the end, {cores()} cores; other processes used {100 * run.others_core:.0f} % of a"
        f" core meanwhile{' — ' + CROWDED if run.crowded else ''})\n",
        flush=True,
    )
    return run


def _summary(bench: Benchmark, runs: list[Run]) -> list[str]:
    """Each figure over the runs, then the machine's load over the runs."""
    crowded = sum(run.crowded for run in runs)
    note = f"crowded machine in {crowded} of {len(runs)} runs" if crowded else ""
    by_name: dict[str, list[Figure]] = {}
    for run in runs:
        for figure in run.figures:
            by_name.setdefault(figure.name, []).append(figure)
    load = [
        Figure(f"{bench.name}_machine_load", run.load_at_start, "load", digits=2) for run in runs
    ]
    others = [
        Figure(f"{bench.name}_others_cpu", 100 * run.others_core, "% of a core", digits=0)
        for run in runs
    ]
    return [summary_line(figures, note) for figures in by_name.values()] + [
        summary_line(load, note),
        summary_line(others, note),
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
    names: set[str] = set()
    for bench in selected:
        runs = [_run(bench, 1, args.runs)]
        ours = [figure.name for figure in runs[0].figures]
        ours += [f"{bench.name}_machine_load", f"{bench.name}_others_cpu"]
        if len(set(ours)) != len(ours) or names & set(ours):
            raise SystemExit(f"{bench.name} reports a figure name twice or another's: {ours}")
        names.update(ours)
        runs += [_run(bench, run_no, args.runs) for run_no in range(2, args.runs + 1)]
        lines += _summary(bench, runs)
    print(
        f"figures: median of {args.runs} run(s) (min … max); <benchmark>_machine_load = the"
        f" 1-minute load average as a run started; <benchmark>_others_cpu = the CPU other"
        f" processes used while it ran. Crowded: load above {crowded_above():.1f} or others"
        f" above {100 * CROWDED_OTHERS_CORE:.0f} % of a core.\n"
    )
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
