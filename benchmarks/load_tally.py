"""What one run of the load comes to: lost and duplicated, latencies, CPU, memory.

:func:`tally_run` counts and checks a run and prints where the time went (per step, in parts,
over time, the slowest steps, the CPU of everybody on the machine); the figures are made from
its :class:`Tally` in benchmarks/load_figures.py.
"""

from __future__ import annotations

import math
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks import load_diagnostics
from benchmarks.load_run import Measured, Run

#: Other processes using more CPU than this (share of one core) during the load make the
#: figures doubtful: the bot needs more than half a core of the two for itself.
NOISY_NEIGHBOURS = 0.15
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


def tally_run(measured: Measured) -> Tally:
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
