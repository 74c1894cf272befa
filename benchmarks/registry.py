"""The benchmark registry: a benchmark is one async function that returns its figures.

Adding a benchmark means writing ``benchmarks/bench_<topic>.py`` with a function decorated by
:func:`benchmark`; ``python -m benchmarks`` finds the module, runs the function in a fresh event
loop and prints whatever :class:`Figure` objects it returns.
"""

from __future__ import annotations

import importlib
import pkgutil
import statistics
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

import benchmarks


@dataclass(frozen=True)
class Figure:
    """One reported number; printed at the end of the run as ``name = value unit``."""

    name: str
    value: float
    unit: str
    description: str = ""
    #: Spread, sample count and the like, shown in the table only (never parsed).
    detail: str = ""
    digits: int = 1

    def formatted_value(self) -> str:
        return f"{self.value:.{self.digits}f}"

    def line(self) -> str:
        """The machine-readable form: ``echo_update_cost = 182.4 us/update``.

        A figure without a unit (a count) ends at its value: ``load_lost = 0``.
        """
        return f"{self.name} = {self.formatted_value()} {self.unit}".rstrip()


def summary_line(runs: Sequence[Figure], note: str = "") -> str:
    """One figure over several runs: ``name = median unit (min … max over N runs)``.

    ``name = value unit`` comes first, so the line parses as a single run's would; the median
    of an even number of runs is the mean of the middle two.
    """
    values = [figure.value for figure in runs]
    first = runs[0]
    median = Figure(first.name, statistics.median(values), first.unit, digits=first.digits)
    low, high = min(values), max(values)
    spread = f"{low:.{first.digits}f} … {high:.{first.digits}f} over {len(values)} runs"
    if len(values) == 1:
        spread = "1 run"
    return f"{median.line()} ({spread}{'; ' + note if note else ''})"


BenchmarkFunc = Callable[[], Coroutine[Any, Any, Sequence[Figure]]]


@dataclass(frozen=True)
class Benchmark:
    name: str
    func: BenchmarkFunc
    description: str
    #: Run only when named (``make bench-load``), not by a bare ``python -m benchmarks``.
    separate: bool = False


_REGISTRY: dict[str, Benchmark] = {}


def benchmark(
    name: str, description: str = "", *, separate: bool = False
) -> Callable[[BenchmarkFunc], BenchmarkFunc]:
    """Register ``func`` under ``name``; benchmarks run in the order their modules register them.

    A ``separate`` benchmark (too long to repeat with all the others) runs only when named.
    """

    def register(func: BenchmarkFunc) -> BenchmarkFunc:
        if name in _REGISTRY:
            raise ValueError(f"benchmark {name!r} is registered twice")
        doc = (func.__doc__ or "").strip().splitlines()
        _REGISTRY[name] = Benchmark(
            name, func, description or (doc[0] if doc else ""), separate=separate
        )
        return func

    return register


def discover() -> list[Benchmark]:
    """Import every ``benchmarks/bench_*.py`` module (alphabetically) and return the registry."""
    for module in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda m: m.name):
        if module.name.startswith("bench_"):
            importlib.import_module(f"benchmarks.{module.name}")
    return list(_REGISTRY.values())
