"""What one day's digest costs to make, and whether that depends on the size of the database.

The digest of a day of 10,000 reports is made in a database of 100,000 reports and in one of
2,000,000 (``benchmarks/synthetic.py`` makes them, once, and caches them). If the work follows
the day's reports, as it should, both take the same time; if it grows with the database (a query
that scans the table, an index that is not used), the ratio shows it.

Each round, for each database in turn (the order alternates, so machine noise falls on both):

* the run, timed: ``bot.delivery.make_due_run`` itself, as the digest job calls it: it records
  the run, assigns the day's reports to it, reads them back and builds the digest (for the
  day's figures), stores them and adds a delivery per coordinator;
* the text, timed: what ``digest_parts`` does before the attachments, for one language: the
  run's reports read again (``digest_for``), the ``Digest`` built, the text rendered and split
  into messages;
* the attachments, timed separately and in fewer rounds (they take seconds): the XLSX and the
  chart, built off the event loop as ``digest_parts`` builds them (from the reports already
  read, so the database's size cannot matter to them: they get no ratio);
* untimed: the results are checked and the run is undone (``storage.bulk.undo_digest_run``),
  so the next round makes the same run on the same data.

The first round is a warm-up: on the small database it calls the real ``digest_parts`` and
requires the text timed here to be exactly what it sends.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from dataclasses import dataclass, field
from datetime import date

from benchmarks import synthetic
from benchmarks.registry import Figure, benchmark
from bot import delivery
from bot.config import Settings
from bot.context import Services
from bot.digest.chart import build_chart
from bot.digest.figures import DayStats, Digest
from bot.digest.text import render_text
from bot.digest.xlsx import build_xlsx
from bot.handlers.common import MESSAGE_LIMIT, split_lines
from bot.i18n import Catalogs, Translator
from storage.bulk import undo_digest_run
from storage.models import Report, Unit

DAY_REPORTS = 10_000
SMALL, LARGE = 100_000, 2_000_000
#: Timed rounds of the run and the text; the attachments are timed in the first FILE_ROUNDS.
ROUNDS = 4
FILE_ROUNDS = 2
WARMUP_ROUNDS = 1
#: The text's language: the default one, which most coordinators (and the group) read.
LANGUAGE = "ru"
XLSX_MAGIC, PNG_MAGIC = b"PK\x03\x04", b"\x89PNG\r\n\x1a\n"


@dataclass
class Subject:
    """One database, its services (as the bot would open them) and its timings in ms."""

    name: str
    plan: synthetic.Plan
    made: synthetic.Generated
    services: Services
    run_ms: list[float] = field(default_factory=list)
    text_ms: list[float] = field(default_factory=list)
    files_ms: list[float] = field(default_factory=list)

    @property
    def day(self) -> date:
        return self.plan.last_day

    def build_ms(self) -> list[float]:
        return [run + text for run, text in zip(self.run_ms, self.text_ms, strict=True)]


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


async def _open(name: str, plan: synthetic.Plan) -> Subject:
    made = await synthetic.cached(plan)
    if made.seconds is None:
        print(f"  {name}: cached {made.path}", flush=True)
    else:
        print(
            f"  {name}: generated in {made.seconds:.1f} s ({made.reports:,} reports, "
            f"{made.items:,} items, {made.attachments:,} photos, "
            f"{made.transactions} transaction(s)): {made.path}",
            flush=True,
        )
    settings = Settings(database_path=made.path)
    services = Services(settings=settings, catalogs=Catalogs(settings.timezone))
    # An interrupted earlier run may have left its digest run behind: start from the plan.
    undo_digest_run(made.path, plan.last_day)
    await services.open()
    async with services.db.read() as repos:
        waiting = await repos.digests.unassigned(plan.last_day)
    if waiting != plan.day_reports:
        raise RuntimeError(f"{made.path}: {waiting} reports wait for the digest, not {DAY_REPORTS}")
    return Subject(name, plan, made, services)


@dataclass(frozen=True)
class Text:
    """The text part of a digest and what the attachments are then made from."""

    chunks: list[str]
    digest: Digest
    reports: list[Report]
    units: list[Unit]
    history: list[DayStats]


async def _text(subject: Subject, tr: Translator) -> Text:
    """What ``digest_parts`` does before the attachments (scheduled digest, coordinator)."""
    services = subject.services
    async with services.db.read() as repos:
        digest, reports, units, history = await delivery.digest_for(
            repos,
            subject.day,
            scheduled=True,
            threshold_kg=services.settings.urgent_threshold_kg,
        )
    units_by_id = {unit.id: unit for unit in units}
    chunks = split_lines(render_text(digest, tr, units_by_id))
    return Text(chunks, digest, reports, units, history)


async def _files(subject: Subject, text: Text, tr: Translator) -> None:
    """The spreadsheet and the chart, off the event loop, as ``digest_parts`` makes them."""
    tz = subject.services.settings.timezone
    units_by_id = {unit.id: unit for unit in text.units}
    spreadsheet = await asyncio.to_thread(
        build_xlsx, text.digest, text.reports, text.units, tr, timezone=tz
    )
    chart = await asyncio.to_thread(
        build_chart, text.digest, text.history, tr, units_by_id=units_by_id
    )
    if not spreadsheet.startswith(XLSX_MAGIC) or not chart.startswith(PNG_MAGIC):
        raise RuntimeError(f"{subject.name}: the attachments are not an XLSX and a PNG")


async def _round(subject: Subject, tr: Translator, *, timed: bool, files: bool) -> None:
    services, day = subject.services, subject.day
    gc.collect()
    began = time.perf_counter()
    made = await delivery.make_due_run(services, subject.plan.due_at())
    run_ms = _ms(began)
    if made != day:
        raise RuntimeError(f"{subject.name}: make_due_run made {made}, not the run of {day}")

    gc.collect()
    began = time.perf_counter()
    text = await _text(subject, tr)
    text_ms = _ms(began)

    files_ms = None
    if files:
        gc.collect()
        began = time.perf_counter()
        await _files(subject, text, tr)
        files_ms = _ms(began)

    # Once, untimed: the real digest_parts must send exactly the text timed here.
    await _check(subject, text, tr, compare=not timed and subject.plan.total_reports == SMALL)
    taken = undo_digest_run(subject.made.path, day)
    if taken != DAY_REPORTS:
        raise RuntimeError(f"{subject.name}: the run took {taken} reports, not {DAY_REPORTS}")
    if timed:
        subject.run_ms.append(run_ms)
        subject.text_ms.append(text_ms)
        if files_ms is not None:
            subject.files_ms.append(files_ms)


async def _check(subject: Subject, text: Text, tr: Translator, *, compare: bool) -> None:
    """The run holds the whole day, its figures are stored, each coordinator has a delivery."""
    services, day = subject.services, subject.day
    chunks, digest = text.chunks, text.digest
    headline = digest.headline
    if headline.reports + headline.withdrawn != DAY_REPORTS or headline.late:
        raise RuntimeError(f"{subject.name}: the digest counts {headline}")
    if len(digest.completeness.missing) or not chunks:
        raise RuntimeError(f"{subject.name}: units missing {digest.completeness.missing}")
    if any(len(chunk) > MESSAGE_LIMIT for chunk in chunks):
        raise RuntimeError(f"{subject.name}: a text chunk is longer than Telegram allows")
    async with services.db.read() as repos:
        run = await repos.digests.get_run(day)
        deliveries = await repos.digests.deliveries(day)
    if run is None or run.stats is None:
        raise RuntimeError(f"{subject.name}: the run of {day} has no figures")
    if delivery.stats_from_json(run.stats).reports != headline.reports:
        raise RuntimeError(f"{subject.name}: stored figures {run.stats} differ from the digest")
    if len(deliveries) != subject.plan.coordinators or digest.comparison is None:
        raise RuntimeError(f"{subject.name}: {len(deliveries)} deliveries, comparison missing")
    if compare:
        parts = await delivery.digest_parts(services, day, tr, group=False, scheduled=True)
        texts = [payload for kind, payload in parts if kind == "text"]
        kinds = [kind for kind, _ in parts]
        if texts != chunks or kinds[-3:] != ["xlsx", "chart", "map"]:
            raise RuntimeError(f"{subject.name}: digest_parts sends another text than timed here")


def _short(count: int) -> str:
    """``100k``, ``2M``."""
    return f"{count // 1_000_000}M" if count % 1_000_000 == 0 else f"{count // 1000}k"


def _spread(values: list[float]) -> str:
    if len(values) < 2:
        return f"n={len(values)}"
    return f"n={len(values)}, {min(values):.0f}-{max(values):.0f} ms"


@benchmark("digest_build", "one day's digest (10,000 reports) in databases of 100k and 2M reports")
async def digest_build() -> list[Figure]:
    """The digest of a 10,000-report day with 100,000 and with 2,000,000 reports in the database."""
    subjects: list[Subject] = []
    try:
        for name, total in (("100k", SMALL), ("2m", LARGE)):
            subjects.append(await _open(name, synthetic.Plan(total, DAY_REPORTS)))
        tr = subjects[0].services.catalogs.translator(LANGUAGE)
        for round_no in range(WARMUP_ROUNDS + ROUNDS):
            timed = round_no >= WARMUP_ROUNDS
            files = timed and round_no - WARMUP_ROUNDS < FILE_ROUNDS
            for subject in subjects if round_no % 2 == 0 else subjects[::-1]:
                await _round(subject, tr, timed=timed, files=files)
    finally:
        for subject in subjects:
            await subject.services.close()

    return [
        *_figures("build", subjects, [s.build_ms() for s in subjects]),
        *_figures("files", subjects, [s.files_ms for s in subjects]),
    ]


def _figures(label: str, subjects: list[Subject], samples: list[list[float]]) -> list[Figure]:
    """``digest_<label>_100k`` and ``digest_<label>_2m``, and for the build their ratio.

    The attachments are made from the reports already in memory, so they cannot depend on the
    database: no ratio for them (with two samples each it would only show the noise).
    """
    figures = []
    for subject, values in zip(subjects, samples, strict=True):
        made, size = subject.made, f"{_short(subject.plan.total_reports)} reports in the DB"
        if label == "build":
            what = f"make_due_run + {LANGUAGE} text, {_short(DAY_REPORTS)}-report day, {size}"
            origin = "cached" if made.seconds is None else f"generated in {made.seconds:.0f} s"
            detail = (
                f"{_spread(values)}; run {statistics.median(subject.run_ms):.0f} + "
                f"text {statistics.median(subject.text_ms):.0f} ms; DB {origin}"
            )
        else:
            what = f"XLSX + chart ({LANGUAGE}) of that day, {size}"
            detail = _spread(values)
        name = f"digest_{label}_{subject.name}"
        figures.append(Figure(name, statistics.median(values), "ms", what, detail))
    if label == "build":
        small, large = figures
        figures.append(
            Figure(
                "digest_build_2m_vs_100k",
                large.value / small.value,
                "x",
                f"{large.name} / {small.name} (1: cost follows the day, not the DB)",
                digits=2,
            )
        )
    return figures
