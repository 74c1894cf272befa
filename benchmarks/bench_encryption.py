"""What encryption at rest costs: the seizure report's ratio to the echo bot and the digest's
build, on a plain database and on the same one encrypted with SQLCipher, side by side.

Kept cheap: fewer reports than ``seizure_report`` (each variant in its own application, plain
first, then encrypted, then plain again, so a drift of the machine shows), and the digest of a
2,000-report day in a 20,000-report database, built on fresh copies (a run can be made once
per copy), plain and encrypted in turns. The key is a raw 256-bit one, as the README advises:
a passphrase adds SQLCipher's key derivation (~0.14 s) to each open, not to each query.
"""

from __future__ import annotations

import gc
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import synthetic
from benchmarks.bench_digest_build import LANGUAGE, Subject, _text
from benchmarks.bench_seizure_report import seizure_report_figures
from benchmarks.registry import Figure, benchmark
from bot import delivery
from bot.config import Settings
from bot.context import Services
from bot.i18n import Catalogs
from storage import rewrite
from storage.cipher import DatabaseKey, remember

KEY = DatabaseKey("3c" * 32)
#: Timed reports per seizure variant (after one warm-up report).
REPORTS = 6
PLAN = synthetic.Plan(20_000, 2_000)
#: Digest builds per variant, each on a fresh copy.
DIGEST_ROUNDS = 3


def _ratio(figures: list[Figure]) -> float:
    return next(f.value for f in figures if f.name == "seizure_vs_echo_ratio")


async def _seizure_ratios() -> tuple[list[float], list[float]]:
    plain: list[float] = []
    keyed: list[float] = []
    for key in (None, KEY, None, KEY):
        figures = await seizure_report_figures(REPORTS, 1, database_key=key)
        (keyed if key else plain).append(_ratio(figures))
    return plain, keyed


async def _digest_build_ms(source: Path, work: Path, key: DatabaseKey | None) -> float:
    """make_due_run + the text, on a fresh copy of ``source`` (encrypted with ``key``)."""
    copy = work / ("keyed.sqlite3" if key else "plain.sqlite3")
    for leftover in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(source, copy)
    if key is not None:
        rewrite.convert(copy, None, key)
    remember(copy, key)
    settings = Settings(database_path=copy, database_key=key)
    services = Services(settings=settings, catalogs=Catalogs(settings.timezone))
    await services.open()
    try:
        made = synthetic.Generated(copy, None)
        subject = Subject("keyed" if key else "plain", PLAN, made, services)
        tr = services.catalogs.translator(LANGUAGE)
        gc.collect()
        began = time.perf_counter()
        day = await delivery.make_due_run(services, PLAN.due_at())
        text = await _text(subject, tr)
        elapsed = (time.perf_counter() - began) * 1000
    finally:
        await services.close()
    if day != PLAN.last_day or text.digest.headline.reports + text.digest.headline.withdrawn != (
        PLAN.day_reports
    ):
        raise RuntimeError(f"the digest of {copy} does not hold the day's {PLAN.day_reports}")
    return elapsed


async def _digest_builds() -> tuple[list[float], list[float]]:
    source = (await synthetic.cached(PLAN)).path
    plain: list[float] = []
    keyed: list[float] = []
    with tempfile.TemporaryDirectory(prefix="fieldreport-bench-") as tmp:
        await _digest_build_ms(source, Path(tmp), None)  # warm-up: imports, catalogs
        for _ in range(DIGEST_ROUNDS):
            plain.append(await _digest_build_ms(source, Path(tmp), None))
            keyed.append(await _digest_build_ms(source, Path(tmp), KEY))
    return plain, keyed


def _spread(values: list[float], digits: int) -> str:
    return f"n={len(values)}, {min(values):.{digits}f}-{max(values):.{digits}f}"


@benchmark("encryption", "seizure report ratio and digest build, plain vs SQLCipher")
async def encryption() -> list[Figure]:
    """The seizure-to-echo ratio and the digest build, without and with the key."""
    ratio_plain, ratio_keyed = await _seizure_ratios()
    build_plain, build_keyed = await _digest_builds()
    medians = [statistics.median(v) for v in (ratio_plain, ratio_keyed, build_plain, build_keyed)]
    size = f"{PLAN.day_reports:,}-report day, {PLAN.total_reports:,} reports in the DB"
    return [
        Figure(
            "encryption_seizure_ratio_plain",
            medians[0],
            "x",
            f"seizure_vs_echo_ratio, plain database, {REPORTS} reports a run",
            _spread(ratio_plain, 2),
            digits=2,
        ),
        Figure(
            "encryption_seizure_ratio_keyed",
            medians[1],
            "x",
            "the same, database encrypted (raw key)",
            _spread(ratio_keyed, 2),
            digits=2,
        ),
        Figure(
            "encryption_digest_build_plain",
            medians[2],
            "ms",
            f"make_due_run + {LANGUAGE} text, {size}, plain",
            _spread(build_plain, 0),
        ),
        Figure(
            "encryption_digest_build_keyed",
            medians[3],
            "ms",
            "the same, database encrypted (raw key)",
            _spread(build_keyed, 0),
        ),
        Figure(
            "encryption_digest_build_keyed_vs_plain",
            medians[3] / medians[2],
            "x",
            "encryption_digest_build_keyed / encryption_digest_build_plain",
            digits=2,
        ),
    ]
