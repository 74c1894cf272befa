"""What ``/export ids`` costs: a period of about 10,000 seized items made into seizure records.

A synthetic week (``benchmarks/synthetic.py``: 7 days, ~40 % seizures with 1–3 items each,
spread over the 13 mobile teams) is exported as the worker process does it
(``bot.digest.jobs.period_export`` with the IDS layout: the period read from the database file,
one row per item with its 23 columns, the totals sheet, the workbook saved), in Russian. It runs
in a thread here, as it would in the worker, since it opens its own event loop.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from benchmarks import synthetic
from benchmarks.registry import Figure, benchmark
from bot.digest.jobs import IDS_LAYOUT, PeriodExport, Workbook, period_export

#: ~15,400 reports in a week give ~10,000 items (0.65 an average report).
PLAN = synthetic.Plan(total_reports=15_400, day_reports=2_200, days=7)
ROUNDS = 2
LANGUAGE = "ru"


@benchmark("ids_export", "/export ids of a week of ~10,000 seized items (15,400 reports)")
async def ids_export() -> list[Figure]:
    made = await synthetic.cached(PLAN)
    job = PeriodExport(
        made.path,
        PLAN.last_day - timedelta(days=PLAN.days - 1),
        PLAN.last_day,
        LANGUAGE,
        synthetic.TASHKENT,
        Decimal(1),
        layout=IDS_LAYOUT,
    )
    seconds: list[float] = []
    workbook: Workbook | None = None
    for _ in range(ROUNDS):
        gc.collect()
        began = time.perf_counter()
        workbook = await asyncio.to_thread(period_export, job)
        seconds.append(time.perf_counter() - began)
        if not workbook.content.startswith(b"PK") or workbook.items < 9_500:
            raise RuntimeError(f"an IDS workbook of {workbook.items} items")
    assert workbook is not None
    per_item_us = statistics.median(seconds) / workbook.items * 1e6
    return [
        Figure(
            "ids_export_s",
            statistics.median(seconds),
            "s",
            f"/export ids: {workbook.items:,} items of {workbook.reports:,} seizures read and "
            "written as records, with the totals sheet",
            f"{min(seconds):.2f} … {max(seconds):.2f} s over {len(seconds)}",
            digits=2,
        ),
        Figure(
            "ids_export_per_item",
            per_item_us,
            "us/item",
            "the same per seized item",
            digits=0,
        ),
        Figure(
            "ids_export_xlsx",
            len(workbook.content) / 1024,
            "KiB",
            "the workbook's size",
            digits=0,
        ),
    ]
