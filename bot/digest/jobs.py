"""The digest's files as jobs for a worker process (bot/workers.py): plain data in, bytes out.

openpyxl and matplotlib are imported in the worker when a job first runs, not by the bot's own
process at start-up (they were half its memory and most of its garbage collector's work).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, tzinfo
from decimal import Decimal
from functools import cache
from pathlib import Path

from bot.digest.figures import DayStats, Digest
from bot.digest.map_data import SeizureMap
from bot.i18n import Catalogs, Translator
from storage.models import Report, Unit


@dataclass(frozen=True)
class DayFiles:
    """What a day's spreadsheet and chart are made of."""

    digest: Digest
    reports: Sequence[Report]
    units: Sequence[Unit]
    history: Sequence[DayStats]
    language: str
    timezone: tzinfo
    #: The agencies' and substances' names the bot shows now (``Translator.reference_names``).
    reference_names: Mapping[tuple[str, str], str] = field(default_factory=dict)
    #: The map's figures (bot/digest/map_data.py); None: no map.
    seizures: SeizureMap | None = None


@dataclass(frozen=True)
class PeriodExport:
    """``/export FROM TO``: the worker reads the period itself (a second, read-only use of the
    database file), so neither the rows nor the reading ever pass through the bot's event loop."""

    database: Path
    first: date
    last: date
    language: str
    timezone: tzinfo
    #: URGENT_THRESHOLD_KG: the period's "Urgent" column says what coordinators were alerted of.
    urgent_threshold_kg: Decimal
    #: The agencies' and substances' names the bot shows now (``Translator.reference_names``).
    reference_names: Mapping[tuple[str, str], str] = field(default_factory=dict)
    #: REPORTS: the reports' own sheets; IDS: one seizure record per item (``/export ids``).
    layout: str = "reports"


#: ``PeriodExport.layout`` values.
REPORTS_LAYOUT, IDS_LAYOUT = "reports", "ids"


@dataclass(frozen=True)
class Workbook:
    content: bytes
    reports: int
    #: Seizure records (items) in an IDS workbook; 0 for the reports' layout.
    items: int = 0


@cache
def _catalogs(timezone: tzinfo) -> Catalogs:
    return Catalogs(timezone)


def _translator(
    language: str, timezone: tzinfo, reference_names: Mapping[tuple[str, str], str]
) -> Translator:
    """The bot's translator as the worker can make it: the names read by the bot come along."""
    return replace(_catalogs(timezone).translator(language), reference_names=reference_names)


def day_files(job: DayFiles) -> tuple[bytes, bytes, bytes | None]:
    """The day's spreadsheet, chart and map (None without ``job.seizures``)."""
    from bot.digest.chart import build_chart
    from bot.digest.seizure_map import build_map
    from bot.digest.xlsx import build_xlsx

    tr = _translator(job.language, job.timezone, job.reference_names)
    units_by_id = {unit.id: unit for unit in job.units}
    spreadsheet = build_xlsx(job.digest, job.reports, job.units, tr, timezone=job.timezone)
    chart = build_chart(job.digest, job.history, tr, units_by_id=units_by_id)
    drawn = build_map(job.seizures, tr) if job.seizures is not None else None
    return spreadsheet, chart, drawn


def period_export(job: PeriodExport) -> Workbook:
    """The period's workbook, read from the database file and built in this worker."""
    import asyncio

    from bot.digest.xlsx import build_period_xlsx

    reports, units = asyncio.run(_read_period(job.database, job.first, job.last))
    tr = _translator(job.language, job.timezone, job.reference_names)
    if job.layout == IDS_LAYOUT:
        from bot.digest.ids_xlsx import build_ids_xlsx, seizures

        records, items = build_ids_xlsx(
            job.first, job.last, reports, units, tr, timezone=job.timezone
        )
        return Workbook(records, len(seizures(reports)), items)
    content = build_period_xlsx(
        job.first,
        job.last,
        reports,
        units,
        tr,
        timezone=job.timezone,
        urgent_threshold_kg=job.urgent_threshold_kg,
    )
    return Workbook(content, len(reports))


async def _read_period(path: Path, first: date, last: date) -> tuple[list[Report], list[Unit]]:
    from storage import Database

    db = await Database.open(path, migrate=False)
    try:
        async with db.read() as repos:
            return await repos.reports.between_days(first, last), await repos.units.list()
    finally:
        await db.close()
