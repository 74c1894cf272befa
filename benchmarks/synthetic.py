"""Synthetic report databases for the digest benchmarks, made fast and cached between runs.

A database is described by a :class:`Plan`: ``total_reports`` spread over ``days`` days that end
with the *digest day* (``last_day``), which alone holds ``day_reports`` of them. Everything is
as the bot itself would have left it the morning the digest of ``last_day`` falls due:

* the schema, indexes and seeded units of the migrations (``storage.Database.open``);
* officers in each of the 13 units (reports are spread over units unevenly, as in real life)
  and coordinators (the digest's recipients), registered through the repositories;
* reports of every form: ~40 % seizures with 1–3 items (substances, measures and quantities
  of plausible sizes, normalised exactly as ``bot.filing.normalise`` does, now and then a
  large one or one marked urgent, most with photos), ~25 % incidents, ~15 % joint operations,
  ~20 % daily statuses; 0.5 % withdrawn; answers as the form engine stores them (the JSON the
  spreadsheet reads), photos as attachment rows with the same file ids;
* every earlier day already digested: its reports carry their ``digest_day`` and its run is
  recorded with its figures (``stats``), which the digest compares with; the digest day's
  reports are not assigned yet, so ``make_due_run`` has exactly that day to take.

Not made (nothing that builds or sends a digest reads them): ``report_versions`` rows, audit
entries, drafts, alerts, late reports. Idempotency keys are sequential (``bench-…``), not the
random draft ids of real reports.

The answer sets and report rows are made by ``bot.sandbox.demo_answers`` and
``bot.sandbox.demo_reports`` (the sandbox's demo data is made the same way). The rows are
written by ``storage.bulk`` (parameterised ``executemany`` in one or a few large
transactions) from templates: up to two thousand answer sets per form are made (and
JSON-encoded) once, and each report takes one, with its own moments and photo ids substituted
as text. The generator is seeded: a plan always gives the same database. Files are cached in
:data:`CACHE_DIR` under a name that holds the plan and :data:`GENERATOR_VERSION`, written to a
temporary name first and renamed when complete, so an interrupted generation is never reused.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.sandbox.demo_reports import TASHKENT, ReportRows
from storage import Database, Role
from storage.bulk import Chunk, NextIds, Row, add_digest_runs, bulk_load, next_ids
from storage.db import migration_files

#: Bump whenever the generator would make a different database from the same plan.
GENERATOR_VERSION = 1
CACHE_DIR = Path("/tmp/fieldreport-bench")
#: The schema the cached databases are made with: the newest migration's number.
SCHEMA_VERSION = max(number for number, _name, _sql in migration_files())

#: Coordinators' languages (the digest is built once per language a recipient reads).
COORDINATOR_LANGUAGES = (("ru", 0.5), ("uz", 0.4), ("en", 0.1))


@dataclass(frozen=True)
class Plan:
    """What a synthetic database holds (see the module docstring)."""

    total_reports: int
    day_reports: int
    days: int = 200
    last_day: date = date(2026, 6, 30)
    officers_per_unit: int = 8
    coordinators: int = 12
    seed: int = 1

    def file_name(self) -> str:
        """Names the plan, the generator and the schema (its newest migration's number): a
        cached database made by an older version of the code is never read by a newer one."""
        return (
            f"digest-{self.total_reports}-{self.day_reports}-{self.days}d-{self.last_day}"
            f"-o{self.officers_per_unit}-c{self.coordinators}-s{self.seed}"
            f"-v{GENERATOR_VERSION}-m{SCHEMA_VERSION}.sqlite3"
        )

    def due_at(self) -> datetime:
        """A moment at which the digest of ``last_day`` has fallen due (09:00 the day after)."""
        next_day = self.last_day + timedelta(days=1)
        return datetime(next_day.year, next_day.month, next_day.day, 9, tzinfo=TASHKENT)


@dataclass(frozen=True)
class Generated:
    path: Path
    #: Seconds spent making it now; None when it came from the cache.
    seconds: float | None
    reports: int = 0
    items: int = 0
    attachments: int = 0
    transactions: int = 0


class _Generator:
    """Makes the rows of a plan, one chunk per day, oldest day first."""

    def __init__(
        self, plan: Plan, officers: dict[int, list[int]], codes: dict[int, str], first: NextIds
    ) -> None:
        self.plan = plan
        self.rows = ReportRows(random.Random(plan.seed), officers, codes, first)

    def day_sizes(self) -> list[tuple[date, int]]:
        """Reports per day, oldest first: the digest day exactly, the others ±25 % around even."""
        plan = self.plan
        earlier = plan.total_reports - plan.day_reports
        days = [plan.last_day - timedelta(days=n) for n in range(plan.days - 1, 0, -1)]
        weights = [self.rows.rng.uniform(0.75, 1.25) for _ in days]
        scale = earlier / sum(weights)
        sizes = [int(w * scale) for w in weights]
        for n in range(earlier - sum(sizes)):  # rounding: the remainder, one each
            sizes[n % len(sizes)] += 1
        return [*zip(days, sizes, strict=True), (plan.last_day, plan.day_reports)]

    def chunks(self) -> Iterator[Chunk]:
        for day, size in self.day_sizes():
            yield self.rows.day(day, size, digested=day < self.plan.last_day)

    def digest_runs(self) -> list[Row]:
        """The runs of every digested day, made at 08:00 the next morning, with their figures."""
        return self.rows.digest_runs(self.plan.last_day)


def coordinator_languages(count: int, seed: int) -> list[str]:
    """The coordinators' languages, in the mix of :data:`COORDINATOR_LANGUAGES` (seeded)."""
    rng = random.Random(seed)
    languages = [language for language, _ in COORDINATOR_LANGUAGES]
    weights = [weight for _, weight in COORDINATOR_LANGUAGES]
    return rng.choices(languages, weights, k=count)


async def register_people(path: Path, plan: Plan) -> tuple[dict[int, list[int]], dict[int, str]]:
    """Officers of every unit and the coordinators: each unit's officers' ids, units' codes."""
    db = await Database.open(path)
    officers: dict[int, list[int]] = {}
    try:
        async with db.transaction() as repos:
            units = await repos.units.list()
            number = 0
            for unit in units:
                for _ in range(plan.officers_per_unit):
                    number += 1
                    user = await repos.users.create(
                        telegram_id=500_000 + number,
                        role=Role.OFFICER,
                        display_name=f"Officer {number}",
                        username=f"officer{number}",
                        unit_id=unit.id,
                        language="uz",
                    )
                    officers.setdefault(unit.id, []).append(user.id)
            for n, language in enumerate(coordinator_languages(plan.coordinators, plan.seed)):
                await repos.users.create(
                    telegram_id=700_000 + n,
                    role=Role.COORDINATOR,
                    display_name=f"Coordinator {n}",
                    username=f"coordinator{n}",
                    language=language,
                )
    finally:
        await db.close()
    return officers, {unit.id: unit.code for unit in units}


async def generate(path: Path, plan: Plan) -> Generated:
    """Make the database of ``plan`` at ``path`` (which must not exist)."""
    began = time.perf_counter()
    officers, codes = await register_people(path, plan)
    generator = _Generator(plan, officers, codes, next_ids(path))
    loaded = bulk_load(path, generator.chunks())
    add_digest_runs(path, generator.digest_runs())
    return Generated(
        path,
        time.perf_counter() - began,
        loaded.reports,
        loaded.items,
        loaded.attachments,
        loaded.transactions,
    )


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _partial_path(path: Path) -> Path:
    """A temporary name next to ``path``; leftovers of interrupted generations are removed
    (not the file of a generation still running in another process)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in path.parent.glob(f"{path.name}.partial-*"):
        # "<name>.partial-<pid>", and its "-wal" and "-shm" companions
        pid = leftover.name.rsplit(".partial-", 1)[-1].split("-", 1)[0]
        if not pid.isdigit() or not _alive(int(pid)):
            leftover.unlink(missing_ok=True)
    return path.with_name(f"{path.name}.partial-{os.getpid()}")


async def cached(plan: Plan, directory: Path = CACHE_DIR) -> Generated:
    """The database of ``plan`` from the cache, made first if it is not there yet."""
    path = directory / plan.file_name()
    if await asyncio.to_thread(path.exists):
        return Generated(path, None)
    partial = _partial_path(path)
    try:
        made = await generate(partial, plan)
        os.replace(partial, path)
    finally:
        _remove(partial)
    return dataclasses.replace(made, path=path)
