"""What the digest's map costs: reading a busy week's seizures and drawing the map of 13 units.

A synthetic week (``benchmarks/synthetic.py``: 7 days of 2,000 reports, ~40 % seizures, spread
unevenly over the 13 mobile teams, which migration 0013 places at their cities) is read as the
digest reads it, once per recipient language (``bot.digest.map_data.read_seizure_map``: the
week's seizures reduced by storage to unit, day and kilograms), and the map is drawn as the
worker draws it (``bot.digest.seizure_map.build_map``), in each of the four languages in turn.
"""

from __future__ import annotations

import gc
import statistics
import time

from benchmarks import synthetic
from benchmarks.registry import Figure, benchmark
from bot.config import LANGUAGES
from bot.digest.map_data import read_seizure_map
from bot.digest.seizure_map import build_map
from bot.i18n import Catalogs
from storage import Database

PLAN = synthetic.Plan(total_reports=14_000, day_reports=2_000, days=7)
ROUNDS = 3
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


@benchmark("digest_map", "the digest's map: a week of 14,000 reports read, 13 units drawn")
async def digest_map() -> list[Figure]:
    made = await synthetic.cached(PLAN)
    db = await Database.open(made.path)
    catalogs = Catalogs(synthetic.TASHKENT)
    read_ms: list[float] = []
    draw_ms: list[float] = []
    sizes: list[int] = []
    try:
        for _ in range(ROUNDS):
            for language in LANGUAGES:
                gc.collect()
                began = time.perf_counter()
                async with db.read() as repos:
                    seizures = await read_seizure_map(repos, PLAN.last_day, language)
                read_ms.append(_ms(began))
                if len(seizures.units) != 13 or not seizures.week:
                    raise RuntimeError(f"a map of {len(seizures.units)} units, {seizures.week}")
                began = time.perf_counter()
                png = build_map(seizures, catalogs.translator(language))
                draw_ms.append(_ms(began))
                if not png.startswith(PNG_MAGIC):
                    raise RuntimeError("the map is not a PNG")
                sizes.append(len(png))
    finally:
        await db.close()

    def spread(values: list[float]) -> str:
        return f"{min(values):.0f} … {max(values):.0f} ms over {len(values)}"

    week = f"{seizures.week:,} seizures in the week"
    return [
        Figure(
            "digest_map_read",
            statistics.median(read_ms),
            "ms",
            f"the week's seizures read and counted per unit ({week}), one language",
            spread(read_ms),
        ),
        Figure(
            "digest_map_draw",
            statistics.median(draw_ms),
            "ms",
            "the map of 13 units drawn to PNG (any of the four languages)",
            spread(draw_ms),
            digits=0,
        ),
        Figure(
            "digest_map_png",
            statistics.median(sizes) / 1024,
            "KiB",
            "the map's PNG",
            f"{min(sizes) / 1024:.0f} … {max(sizes) / 1024:.0f} KiB",
            digits=0,
        ),
    ]
