"""The benchmarks' own bookkeeping: figure lines stay parseable, pacing refuses a round over the
rate limiter's burst, and the busiest second of a run is counted over a sliding window."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from benchmarks.harness import LimiterPacing
from benchmarks.load_run import Run
from benchmarks.registry import Figure, summary_line
from tests.support.memory_bot_api import InMemoryRequest


def test_a_figure_over_runs_reads_as_name_value_unit_first() -> None:
    runs = [Figure("seizure_vs_echo_ratio", value, "x", digits=2) for value in (2.7, 2.5, 2.6)]

    line = summary_line(runs)

    assert line == "seizure_vs_echo_ratio = 2.60 x (2.50 … 2.70 over 3 runs)"
    name, equals, value, unit = line.split()[:4]
    assert (name, equals, float(value), unit) == ("seizure_vs_echo_ratio", "=", 2.6, "x")


def test_a_count_without_unit_and_a_crowded_note() -> None:
    runs = [Figure("load_lost", 0, "", digits=0) for _ in range(3)]

    line = summary_line(runs, "crowded machine in 1 of 3 runs")

    assert line == "load_lost = 0 (0 … 0 over 3 runs; crowded machine in 1 of 3 runs)"


def _send(request: InMemoryRequest, method: str, count: int) -> None:
    request.calls[method] += count


def test_pacing_rests_for_the_calls_counted_and_refuses_more_than_the_burst() -> None:
    request = InMemoryRequest()
    pacing = LimiterPacing(request, burst=30, rate=30, margin_s=0.03)
    _send(request, "sendMessage", 9)
    _send(request, "editMessageText", 3)
    _send(request, "answerCallbackQuery", 10)  # carries no chat: not counted

    assert pacing() == pytest.approx(12 / 30 + 0.03)

    _send(request, "sendMessage", 31)
    with pytest.raises(RuntimeError, match="31 rate-limited calls"):
        pacing()


def test_the_busiest_second_is_a_sliding_window() -> None:
    second = 1_000_000_000
    run = Run([], [], 0, 0, [], 0.0, 0.0, 0.0, 0)
    # 20 calls at the end of one second and 20 at the start of the next: 40 within 0.2 s.
    run.chat_calls_ns = [int(0.9 * second) + n for n in range(20)]
    run.chat_calls_ns += [int(1.1 * second) + n for n in range(20)]

    assert run.peak_chat_calls_per_s() == 40


BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _declared_names() -> tuple[set[str], set[str]]:
    """The figure names the benchmark modules give ``Figure(...)``: literal strings, and the
    f-strings as patterns (each ``{...}`` any run of name characters)."""
    literal: set[str] = set()
    patterns: set[str] = set()
    modules = sorted(BENCHMARKS.glob("bench_*.py")) + sorted(BENCHMARKS.glob("load_*.py"))
    for module in modules:
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Figure"
                and node.args
            ):
                continue
            name = node.args[0]
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                literal.add(name.value)
            elif isinstance(name, ast.JoinedStr):
                patterns.add(
                    "".join(
                        re.escape(part.value) if isinstance(part, ast.Constant) else "[a-z0-9_]+"
                        for part in name.values
                    )
                )
            # A name held in a variable (digest_build's) is not known before the run.
    return literal, patterns


def _documented_names() -> set[str]:
    """Every name in backticks in the first cell of a row of the README's figure table."""
    readme = (BENCHMARKS / "README.md").read_text(encoding="utf-8")
    names: set[str] = set()
    for line in readme.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([a-z0-9_]+)`", line.split("|")[1]))
    return names


def test_every_figure_a_benchmark_declares_is_in_the_readme_table() -> None:
    """Names built at run time are checked as patterns: at least one documented name fits.

    So the load's ``{prefix}`` names (``load_`` and ``load_webhook_``) are checked only as far
    as their fixed parts go, and digest_build's names, held in a variable, not at all; nor the
    runner's ``<benchmark>_machine_load`` and ``<benchmark>_others_cpu``.
    """
    literal, patterns = _declared_names()
    documented = _documented_names()

    assert literal, "no figure names found: has Figure(...) changed?"
    assert sorted(literal - documented) == []
    assert [p for p in sorted(patterns) if not any(re.fullmatch(p, n) for n in documented)] == []
