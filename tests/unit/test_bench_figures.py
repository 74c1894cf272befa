"""The benchmarks' own bookkeeping: figure lines stay parseable, pacing refuses a round over the
rate limiter's burst, and the busiest second of a run is counted over a sliding window."""

from __future__ import annotations

import pytest

from benchmarks.harness import InMemoryRequest, LimiterPacing
from benchmarks.load_run import Run
from benchmarks.registry import Figure, summary_line


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
