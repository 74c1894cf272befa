"""Benchmarks: ``python -m benchmarks`` (or ``make bench``) runs them all and prints the figures.

Each ``benchmarks/bench_*.py`` module registers its benchmarks with
:func:`benchmarks.registry.benchmark`; see ``benchmarks/README.md``.
"""
