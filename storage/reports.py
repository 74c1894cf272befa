"""Submitted reports: their numbers, seizure items, photos, amendments and withdrawal.

How their rows are written and read: storage/report_rows.py; which columns hold what, the JSON
of answers and the snapshot of a version: storage/report_tables.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import aiosqlite

from storage.clock import to_db
from storage.models import (
    NewReport,
    Report,
    ReportChanges,
    ReportStatus,
    ReportVersion,
    SeizureItem,
    SeizureRoute,
    SeizureTally,
)
from storage.report_rows import amend_report, create_report, many_reports, one_report
from storage.report_tables import VERSIONS, from_json, to_json, version_snapshot
from storage.sql import execute_counting, fetch_all, fetch_one, on_worker_thread

#: ``to_json`` and ``from_json`` are also read from here (drafts store their data with them).
__all__ = ["ReportRepository", "from_json", "to_json"]


class ReportRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def create(self, new: NewReport) -> Report:
        """Store ``new`` as version 1 under the next number for its form and year.

        The number is ``{form_code}-{year}-{seq:06d}``: the year is ``new.local_day``'s and seq
        is one more than the highest so far, which is safe because the caller holds a
        ``BEGIN IMMEDIATE`` transaction. A second report with the same idempotency key raises
        :class:`sqlite3.IntegrityError`; look it up with :meth:`get_by_idempotency_key` first.
        """
        # Built first: it validates every quantity before anything is written.
        snapshot = version_snapshot(new)
        return await on_worker_thread(self._conn, create_report, new, snapshot)

    async def get(self, report_id: int) -> Report | None:
        return await self._one("id = ?", report_id)

    async def get_by_number(self, number: str) -> Report | None:
        return await self._one("number = ?", number)

    async def get_by_idempotency_key(self, key: str) -> Report | None:
        return await self._one("idempotency_key = ?", key)

    async def list_by_author(self, author_id: int, *, limit: int, offset: int) -> list[Report]:
        """The author's reports (withdrawn ones included), newest first."""
        return await self._many(
            "author_id = ? ORDER BY submitted_at DESC, id DESC LIMIT ? OFFSET ?",
            (author_id, limit, offset),
        )

    async def count_all(self) -> int:
        row = await fetch_one(self._conn, "SELECT COUNT(*) FROM reports")
        return int(row[0]) if row else 0

    async def count_by_author(self, author_id: int) -> int:
        row = await fetch_one(
            self._conn, "SELECT COUNT(*) FROM reports WHERE author_id = ?", (author_id,)
        )
        return int(row[0]) if row else 0

    async def submitted_between(self, start: datetime, end: datetime) -> list[Report]:
        """Reports submitted in ``[start, end)``, oldest first, withdrawn ones included."""
        return await self._many(
            "submitted_at >= ? AND submitted_at < ? ORDER BY submitted_at, id",
            (to_db(start), to_db(end)),
        )

    async def by_local_day(self, day: date) -> list[Report]:
        """Reports of one reporting day, oldest first, withdrawn ones included."""
        return await self._many("local_day = ? ORDER BY submitted_at, id", (day.isoformat(),))

    async def seizure_tallies(self, form: str, first: date, last: date) -> list[SeizureTally]:
        """Each submitted (not withdrawn) report on ``form`` of the reporting days ``first`` to
        ``last``, reduced to its unit, day and kilograms, oldest first.

        For the digest's map, which counts a week of seizures in each recipient's language:
        reading whole reports (answers, items, photos) for it took ten times as long.
        """
        rows = await fetch_all(
            self._conn,
            "SELECT r.id, r.unit_id, r.local_day, i.normalized_quantity FROM reports r"
            " LEFT JOIN seizure_items i ON i.report_id = r.id AND i.normalized_unit = ?"
            " WHERE r.form = ? AND r.status = ? AND r.local_day >= ? AND r.local_day <= ?"
            " ORDER BY r.id, i.position",
            ("kg", form, ReportStatus.SUBMITTED.value, first.isoformat(), last.isoformat()),
        )
        tallies: dict[int, SeizureTally] = {}
        for report_id, unit_id, local_day, kg in rows:
            before = tallies.get(report_id)
            weight = Decimal(kg) if kg is not None else Decimal(0)
            if before is None:
                tallies[report_id] = SeizureTally(
                    int(report_id), int(unit_id), date.fromisoformat(local_day), weight
                )
            else:
                tallies[report_id] = SeizureTally(
                    before.report_id, before.unit_id, before.local_day, before.kg + weight
                )
        return list(tallies.values())

    async def seizure_routes(self, form: str, first: date, last: date) -> list[SeizureRoute]:
        """Each submitted report on ``form`` of the reporting days ``first`` to ``last``, reduced
        to its departure, destination, concealment and kilogram equivalent, oldest first.

        For ``/routes``, which reads up to a year in the bot's own process: no photos, versions
        or whole items are made, only what is counted.
        """
        rows = await fetch_all(
            self._conn,
            "SELECT r.id, r.route_departure, r.route_destination, r.answers,"
            " i.normalized_quantity, i.normalized_unit, i.kg_factor FROM reports r"
            " LEFT JOIN seizure_items i ON i.report_id = r.id"
            " WHERE r.form = ? AND r.status = ? AND r.local_day >= ? AND r.local_day <= ?"
            " ORDER BY r.local_day, r.id, i.position",
            (form, ReportStatus.SUBMITTED.value, first.isoformat(), last.isoformat()),
        )
        found: dict[int, SeizureRoute] = {}
        for report_id, departure, destination, answers, quantity, unit, factor in rows:
            seizure = found.get(report_id)
            if seizure is None:
                concealment = from_json(answers).get("conceal")
                seizure = SeizureRoute(
                    int(report_id),
                    departure,
                    destination,
                    str(concealment) if concealment else None,
                    Decimal(0),
                    without_factor=False,
                )
            if quantity is not None:
                item = SeizureItem(
                    "",
                    Decimal(0),
                    "",
                    Decimal(quantity),
                    str(unit),
                    Decimal(factor) if factor is not None else None,
                )
                equivalent = item.kg_equivalent
                seizure = replace(
                    seizure,
                    kg_equivalent=seizure.kg_equivalent + (equivalent or Decimal(0)),
                    without_factor=seizure.without_factor or equivalent is None,
                )
            found[report_id] = seizure
        return list(found.values())

    async def by_digest_day(self, day: date) -> list[Report]:
        """The reports that belong to the scheduled digest of ``day`` (late ones included)."""
        return await self._many("digest_day = ? ORDER BY submitted_at, id", (day.isoformat(),))

    async def between_days(self, first: date, last: date) -> list[Report]:
        """Reports of the reporting days ``first`` to ``last`` inclusive, oldest first."""
        return await self._many(
            "local_day >= ? AND local_day <= ? ORDER BY local_day, submitted_at, id",
            (first.isoformat(), last.isoformat()),
        )

    async def amend(
        self,
        report_id: int,
        changes: ReportChanges,
        *,
        amended_by: int,
        idempotency_key: str,
        now: datetime,
    ) -> Report:
        """Replace the report's amendable state with ``changes`` as its next version.

        ``idempotency_key`` (the amend draft's id) is unique across versions: applying the same
        amendment again raises :class:`sqlite3.IntegrityError` before anything is changed;
        look it up with :meth:`get_version_by_idempotency_key` first. Earlier versions stay in
        ``report_versions`` untouched. Raises :class:`LookupError` for an unknown report.
        """
        return await on_worker_thread(
            self._conn, amend_report, report_id, changes, amended_by, idempotency_key, now
        )

    async def get_version_by_idempotency_key(self, key: str) -> ReportVersion | None:
        row = await fetch_one(
            self._conn,
            VERSIONS.select("idempotency_key = ?"),
            (key,),
        )
        return VERSIONS.read(row) if row else None

    async def versions(self, report_id: int) -> list[ReportVersion]:
        """Every version of the report, the current one included, oldest first."""
        rows = await fetch_all(
            self._conn,
            VERSIONS.select("report_id = ? ORDER BY version"),
            (report_id,),
        )
        return [VERSIONS.read(row) for row in rows]

    async def withdraw(self, report_id: int, *, now: datetime) -> bool:
        """Mark the report withdrawn; False if it is missing or already withdrawn."""
        changed = await execute_counting(
            self._conn,
            "UPDATE reports SET status = 'withdrawn', updated_at = ?"
            " WHERE id = ? AND status = 'submitted'",
            (to_db(now), report_id),
        )
        return changed > 0

    async def _one(self, where: str, value: int | str) -> Report | None:
        return await on_worker_thread(self._conn, one_report, where, value)

    async def _many(self, clause: str, params: tuple[object, ...]) -> list[Report]:
        return await on_worker_thread(self._conn, many_reports, clause, params)
