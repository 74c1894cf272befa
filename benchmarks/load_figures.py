"""The load benchmark's figures and goals: the full load's, and the limiter's at an allowed load."""

from __future__ import annotations

import sys

from benchmarks.load_run import ALLOWED_CALLS_PER_S, Measured
from benchmarks.load_tally import tally_run
from benchmarks.registry import Figure

#: Step 8's goals for the full load (issue 11).
GOAL_P99_MS = 40.0
GOAL_RSS_MB = 80.0
GOAL_CPU_MS = 3.5


def full_load_figures(full: Measured, prefix: str = "load_") -> list[Figure]:
    tally = tally_run(full)
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


def allowed_load_figures(
    free: Measured, limited: Measured, calls_per_officer: float
) -> list[Figure]:
    """The same allowed load without and with the limiter, side by side: what it costs."""
    without, with_limiter = tally_run(free), tally_run(limited)
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
