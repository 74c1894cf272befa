"""``python -m benchmarks [name ...]``: run the benchmarks, print a table, then the figures.

The output ends with one ``name = value unit`` line per figure and nothing after them, so a
script can take the lines after the last blank line (or grep `` = ``) and parse them.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time

from benchmarks.registry import Benchmark, Figure, discover


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


def _run(bench: Benchmark) -> list[Figure]:
    print(f"{bench.name}: {bench.description}", flush=True)
    began = time.monotonic()
    figures = list(asyncio.run(bench.func()))
    for line in _table(figures):
        print(line)
    print(f"  ({time.monotonic() - began:.1f} s)\n", flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)

    # The figures go to stdout; keep library chatter (PTB, aiosqlite) to real problems.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    available = discover()
    if args.list:
        for bench in available:
            print(f"{bench.name}: {bench.description}")
        return 0
    unknown = set(args.names) - {bench.name for bench in available}
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    selected = [bench for bench in available if not args.names or bench.name in args.names]

    figures = [figure for bench in selected for figure in _run(bench)]
    names = [figure.name for figure in figures]
    if len(set(names)) != len(names):
        raise SystemExit(f"two benchmarks report the same figure name: {names}")
    for figure in figures:
        print(figure.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
