"""Reports' rows: how a report is written to and read from its tables, on the database thread.

The functions taking a ``sqlite3.Connection`` run on aiosqlite's thread, one hop each however
many statements they make (storage/sql.py, ``on_worker_thread``); :class:`ReportRepository`
(storage/reports.py) calls them inside its caller's transaction. Which columns hold what, the
JSON of answers and the snapshot each version keeps: storage/report_tables.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from storage.clock import to_db
from storage.models import Attachment, NewReport, NewSeizureItem, Report, ReportChanges
from storage.report_tables import (
    AMENDED,
    ATTACHMENTS,
    ITEMS,
    NEW_ATTACHMENT,
    NEW_ITEM,
    REPORTS,
    VERSIONS,
    to_json,
    version_snapshot,
)
from storage.sql import fetch_one_sync

T = TypeVar("T")

# Well below SQLite's (and PostgreSQL's) limit on bound parameters in one statement.
_IN_CHUNK = 500

#: What filing writes of a new report: its identity, then what an amendment may replace.
_NEW = REPORTS.writer("form", "form_code", "unit_id", "author_id", "submitted_at", "local_day")
_INSERT_REPORT = (
    "INSERT INTO reports (number, year, seq, idempotency_key, status, version, updated_at,"
    f" {_NEW.columns}, {AMENDED.columns})"
    f" VALUES (?, ?, ?, ?, 'submitted', 1, ?, {_NEW.placeholders}, {AMENDED.placeholders})"
    " RETURNING id"
)
_AMEND_REPORT = (
    f"UPDATE reports SET version = ?, updated_at = ?, {AMENDED.assignments} WHERE id = ?"
)
_INSERT_ITEM = (
    f"INSERT INTO seizure_items (report_id, position, {NEW_ITEM.columns})"
    f" VALUES (?, ?, {NEW_ITEM.placeholders})"
)
_INSERT_ATTACHMENT = (
    f"INSERT INTO attachments (report_id, position, {NEW_ATTACHMENT.columns})"
    f" VALUES (?, ?, {NEW_ATTACHMENT.placeholders})"
)
_INSERT_VERSION = (
    f"INSERT INTO report_versions ({VERSIONS.columns}, idempotency_key) VALUES (?, ?, ?, ?, ?, ?)"
)
# The report's id follows each item's and photo's columns (grouping them by report).
_ITEMS_OF = f"SELECT {ITEMS.columns}, report_id FROM seizure_items WHERE report_id IN"
_ITEM_REPORT = ITEMS.columns.count(",") + 1
_ATTACHMENTS_OF = f"SELECT {ATTACHMENTS.columns}, report_id FROM attachments WHERE report_id IN"
_ATTACHMENT_REPORT = ATTACHMENTS.columns.count(",") + 1


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _IN_CHUNK):
        yield ids[start : start + _IN_CHUNK]


def _placeholders(count: int) -> str:
    return ", ".join("?" * count)


def create_report(conn: sqlite3.Connection, new: NewReport, snapshot: dict[str, Any]) -> Report:
    """:meth:`ReportRepository.create` on the database thread, in one hop."""
    year = new.local_day.year
    row = fetch_one_sync(
        conn,
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM reports WHERE form_code = ? AND year = ?",
        (new.form_code, year),
    )
    assert row is not None
    seq = int(row[0])
    number = f"{new.form_code}-{year}-{seq:06d}"
    submitted = to_db(new.submitted_at)
    row = fetch_one_sync(
        conn,
        _INSERT_REPORT,
        (
            number,
            year,
            seq,
            new.idempotency_key,
            submitted,
            *_NEW.values(new),
            *AMENDED.values(new),
        ),
    )
    assert row is not None
    report_id = int(row[0])
    _insert_items(conn, report_id, new.items)
    _insert_attachments(conn, report_id, new.attachments)
    conn.execute(_INSERT_VERSION, (report_id, 1, to_json(snapshot), submitted, new.author_id, None))
    report = one_report(conn, "id = ?", report_id)
    assert report is not None
    return report


def amend_report(
    conn: sqlite3.Connection,
    report_id: int,
    changes: ReportChanges,
    amended_by: int,
    idempotency_key: str,
    now: datetime,
) -> Report:
    """:meth:`ReportRepository.amend` on the database thread, in one hop."""
    row = fetch_one_sync(conn, "SELECT version FROM reports WHERE id = ?", (report_id,))
    if row is None:
        raise LookupError(f"no report {report_id}")
    version = int(row[0]) + 1
    stamp = to_db(now)
    # The version row first: a repeated idempotency key fails before any other write.
    conn.execute(
        _INSERT_VERSION,
        (
            report_id,
            version,
            to_json(version_snapshot(changes)),
            stamp,
            amended_by,
            idempotency_key,
        ),
    )
    conn.execute(_AMEND_REPORT, (version, stamp, *AMENDED.values(changes), report_id))
    conn.execute("DELETE FROM seizure_items WHERE report_id = ?", (report_id,))
    conn.execute("DELETE FROM attachments WHERE report_id = ?", (report_id,))
    _insert_items(conn, report_id, changes.items)
    _insert_attachments(conn, report_id, changes.attachments)
    report = one_report(conn, "id = ?", report_id)
    assert report is not None
    return report


def one_report(conn: sqlite3.Connection, where: str, value: int | str) -> Report | None:
    found = many_reports(conn, where, (value,))
    return found[0] if found else None


def many_reports(conn: sqlite3.Connection, clause: str, params: tuple[object, ...]) -> list[Report]:
    # ``clause`` is always one of this module's literals; values are bound parameters.
    rows = conn.execute(REPORTS.select(clause), params).fetchall()
    if not rows:
        return []
    ids = [int(row[0]) for row in rows]
    items = _of_reports(conn, ids, _ITEMS_OF, ITEMS.read, _ITEM_REPORT)
    attachments = _of_reports(conn, ids, _ATTACHMENTS_OF, ATTACHMENTS.read, _ATTACHMENT_REPORT)
    return [
        REPORTS.read(row, tuple(items.get(row[0], ())), tuple(attachments.get(row[0], ())))
        for row in rows
    ]


def _of_reports(
    conn: sqlite3.Connection,
    ids: Sequence[int],
    select: str,
    read: Callable[[sqlite3.Row], T],
    report_at: int,
) -> dict[int, list[T]]:
    """The items (or photos) of the reports ``ids``, by report, in their order."""
    found: dict[int, list[T]] = {}
    for chunk in _chunks(ids):
        rows = conn.execute(
            f"{select} ({_placeholders(len(chunk))}) ORDER BY report_id, position", tuple(chunk)
        )
        for row in rows:
            found.setdefault(int(row[report_at]), []).append(read(row))
    return found


def _insert_items(
    conn: sqlite3.Connection, report_id: int, items: Sequence[NewSeizureItem]
) -> None:
    if items:
        conn.executemany(
            _INSERT_ITEM,
            [
                (report_id, position, *NEW_ITEM.values(item))
                for position, item in enumerate(items, start=1)
            ],
        )


def _insert_attachments(
    conn: sqlite3.Connection, report_id: int, attachments: Sequence[Attachment]
) -> None:
    if attachments:
        conn.executemany(
            _INSERT_ATTACHMENT,
            [
                (report_id, position, *NEW_ATTACHMENT.values(a))
                for position, a in enumerate(attachments, start=1)
            ],
        )
