"""Reports' rows: how a report is written to and read from its tables, on the database thread.

The functions taking a ``sqlite3.Connection`` run on aiosqlite's thread, one hop each however
many statements they make (storage/sql.py, ``on_worker_thread``); :class:`ReportRepository`
(storage/reports.py) calls them inside its caller's transaction.

Quantities are exact: a :class:`~decimal.Decimal` is stored as ``str(decimal)`` and read back
with ``Decimal(text)``, never through a float. Answers are JSON text (:func:`to_json`), in which
a Decimal becomes its string (``Decimal("0.001")`` → ``"0.001"``) and reads back as that string;
callers are expected to pass JSON-ready dicts anyway.

Each version of a report is kept in ``report_versions`` (the current one included) as one JSON
snapshot of everything an amendment can change::

    {"answers": {...}, "occurred_at": "2026-…+00:00" | null, "urgent": false,
     "place_text": … | null, "latitude": … | null, "longitude": … | null,
     "persons_detained": … | null, "precision": "exact" | … | null,
     "route": {"origin": … | null, "departure": … | null, "transit": […],
               "destination": … | null} | null,
     "items": [{"substance": …, "quantity": "0.001", "measure": "g",
                "normalized_quantity": "0.000001", "normalized_unit": "kg",
                "kg_factor": "1" | null}, …],
     "attachments": [{"kind": "photo", "file_id": …, "file_unique_id": …}, …]}
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from storage.clock import from_db, to_db
from storage.models import (
    Attachment,
    NewReport,
    NewSeizureItem,
    Precision,
    Removal,
    Report,
    ReportChanges,
    ReportStatus,
    ReportVersion,
    Route,
    SeizureItem,
)
from storage.routes import route_json, route_of, route_params
from storage.sql import fetch_one_sync

_COLUMNS = (
    "id, number, form, form_code, unit_id, author_id, occurred_at, submitted_at, local_day,"
    " status, urgent, version, answers, place_text, latitude, longitude, persons_detained,"
    " updated_at, place_precision, route_asked, route_origin, route_departure, route_transit,"
    " route_destination, filed_before_routes, personal_removed_at, personal_removed_after,"
    " personal_removed_fields"
)
VERSION_COLUMNS = "report_id, version, answers, created_at, created_by"

# Well below SQLite's (and PostgreSQL's) limit on bound parameters in one statement.
_IN_CHUNK = 500


def _json_default(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(value: dict[str, Any]) -> str:
    """JSON text as stored: keys sorted, non-ASCII kept, Decimals as strings."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_json_default)


def from_json(text: str) -> dict[str, Any]:
    loaded = json.loads(text)
    if not isinstance(loaded, dict):
        raise ValueError("stored JSON is not an object")
    return loaded


def _decimal_to_db(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"quantity must be a finite decimal, not {value}")
    return str(value)


def _factor_to_db(value: Decimal | None) -> str | None:
    return _decimal_to_db(value) if value is not None else None


def version_snapshot(
    *,
    answers: dict[str, Any],
    occurred_at: datetime | None,
    urgent: bool,
    place_text: str | None,
    latitude: float | None,
    longitude: float | None,
    persons_detained: int | None,
    items: Sequence[NewSeizureItem],
    attachments: Sequence[Attachment],
    precision: Precision | None = None,
    route: Route | None = None,
) -> dict[str, Any]:
    return {
        "answers": answers,
        "occurred_at": to_db(occurred_at) if occurred_at is not None else None,
        "urgent": urgent,
        "place_text": place_text,
        "latitude": latitude,
        "longitude": longitude,
        "persons_detained": persons_detained,
        "precision": precision.value if precision is not None else None,
        "route": route_json(route),
        "items": [
            {
                "substance": item.substance,
                "quantity": _decimal_to_db(item.quantity),
                "measure": item.measure,
                "normalized_quantity": _decimal_to_db(item.normalized_quantity),
                "normalized_unit": item.normalized_unit,
                "kg_factor": _factor_to_db(item.kg_factor),
            }
            for item in items
        ],
        "attachments": [
            {"kind": a.kind, "file_id": a.file_id, "file_unique_id": a.file_unique_id}
            for a in attachments
        ],
    }


def _report(
    row: sqlite3.Row, items: tuple[SeizureItem, ...], attachments: tuple[Attachment, ...]
) -> Report:
    return Report(
        id=int(row[0]),
        number=str(row[1]),
        form=str(row[2]),
        form_code=str(row[3]),
        unit_id=int(row[4]),
        author_id=int(row[5]),
        occurred_at=from_db(row[6]) if row[6] is not None else None,
        submitted_at=from_db(row[7]),
        local_day=date.fromisoformat(row[8]),
        status=ReportStatus(row[9]),
        urgent=bool(row[10]),
        version=int(row[11]),
        answers=from_json(row[12]),
        place_text=row[13],
        latitude=float(row[14]) if row[14] is not None else None,
        longitude=float(row[15]) if row[15] is not None else None,
        persons_detained=int(row[16]) if row[16] is not None else None,
        items=items,
        attachments=attachments,
        updated_at=from_db(row[17]),
        precision=Precision(row[18]) if row[18] is not None else None,
        route=route_of(row[19:24]),
        filed_before_routes=bool(row[24]),
        removal=_removal(row[25:28]),
    )


def _removal(columns: Sequence[Any]) -> Removal | None:
    """personal_removed_at, _after and _fields (migration 0016) as a :class:`Removal`."""
    at, after, fields = columns
    if at is None:
        return None
    keys = tuple(key for key in str(fields or "").split(",") if key)
    return Removal(from_db(at), int(after), keys)


def version_of(row: sqlite3.Row) -> ReportVersion:
    return ReportVersion(
        report_id=int(row[0]),
        version=int(row[1]),
        answers=from_json(row[2]),
        created_at=from_db(row[3]),
        created_by=int(row[4]) if row[4] is not None else None,
    )


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
        "INSERT INTO reports (number, form, form_code, year, seq, idempotency_key, unit_id,"
        " author_id, occurred_at, submitted_at, local_day, status, urgent, version, answers,"
        " place_text, latitude, longitude, persons_detained, updated_at, place_precision,"
        " route_asked, route_origin, route_departure, route_transit, route_destination)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'submitted', ?, 1, ?, ?, ?, ?, ?, ?,"
        " ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        (
            number,
            new.form,
            new.form_code,
            year,
            seq,
            new.idempotency_key,
            new.unit_id,
            new.author_id,
            to_db(new.occurred_at) if new.occurred_at is not None else None,
            submitted,
            new.local_day.isoformat(),
            int(new.urgent),
            to_json(new.answers),
            new.place_text,
            new.latitude,
            new.longitude,
            new.persons_detained,
            submitted,
            new.precision.value if new.precision is not None else None,
            *route_params(new.route),
        ),
    )
    assert row is not None
    report_id = int(row[0])
    _insert_items(conn, report_id, new.items)
    _insert_attachments(conn, report_id, new.attachments)
    _insert_version(
        conn,
        report_id,
        1,
        snapshot,
        created_at=submitted,
        created_by=new.author_id,
        idempotency_key=None,
    )
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
    _insert_version(
        conn,
        report_id,
        version,
        version_snapshot(
            answers=changes.answers,
            occurred_at=changes.occurred_at,
            urgent=changes.urgent,
            place_text=changes.place_text,
            latitude=changes.latitude,
            longitude=changes.longitude,
            persons_detained=changes.persons_detained,
            items=changes.items,
            attachments=changes.attachments,
            precision=changes.precision,
            route=changes.route,
        ),
        created_at=stamp,
        created_by=amended_by,
        idempotency_key=idempotency_key,
    )
    conn.execute(
        "UPDATE reports SET version = ?, occurred_at = ?, urgent = ?, answers = ?,"
        " place_text = ?, latitude = ?, longitude = ?, persons_detained = ?, updated_at = ?,"
        " place_precision = ?, route_asked = ?, route_origin = ?, route_departure = ?,"
        " route_transit = ?, route_destination = ?"
        " WHERE id = ?",
        (
            version,
            to_db(changes.occurred_at) if changes.occurred_at is not None else None,
            int(changes.urgent),
            to_json(changes.answers),
            changes.place_text,
            changes.latitude,
            changes.longitude,
            changes.persons_detained,
            stamp,
            changes.precision.value if changes.precision is not None else None,
            *route_params(changes.route),
            report_id,
        ),
    )
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
    rows = conn.execute(f"SELECT {_COLUMNS} FROM reports WHERE {clause}", params).fetchall()
    if not rows:
        return []
    ids = [int(row[0]) for row in rows]
    items = _items_of(conn, ids)
    attachments = _attachments_of(conn, ids)
    return [
        _report(row, tuple(items.get(int(row[0]), ())), tuple(attachments.get(int(row[0]), ())))
        for row in rows
    ]


def _items_of(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[SeizureItem]]:
    found: dict[int, list[SeizureItem]] = {}
    for chunk in _chunks(ids):
        rows = conn.execute(
            "SELECT report_id, substance, quantity, measure, normalized_quantity,"
            " normalized_unit, kg_factor FROM seizure_items"
            f" WHERE report_id IN ({_placeholders(len(chunk))}) ORDER BY report_id, position",
            tuple(chunk),
        )
        for row in rows:
            found.setdefault(int(row[0]), []).append(
                SeizureItem(
                    substance=str(row[1]),
                    quantity=Decimal(row[2]),
                    measure=str(row[3]),
                    normalized_quantity=Decimal(row[4]),
                    normalized_unit=str(row[5]),
                    kg_factor=Decimal(row[6]) if row[6] is not None else None,
                )
            )
    return found


def _attachments_of(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[Attachment]]:
    found: dict[int, list[Attachment]] = {}
    for chunk in _chunks(ids):
        rows = conn.execute(
            "SELECT report_id, kind, file_id, file_unique_id FROM attachments"
            f" WHERE report_id IN ({_placeholders(len(chunk))}) ORDER BY report_id, position",
            tuple(chunk),
        )
        for row in rows:
            found.setdefault(int(row[0]), []).append(
                Attachment(kind=str(row[1]), file_id=str(row[2]), file_unique_id=str(row[3]))
            )
    return found


def _insert_items(
    conn: sqlite3.Connection, report_id: int, items: Sequence[NewSeizureItem]
) -> None:
    if not items:
        return
    conn.executemany(
        "INSERT INTO seizure_items (report_id, position, substance, quantity, measure,"
        " normalized_quantity, normalized_unit, kg_factor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                report_id,
                position,
                item.substance,
                _decimal_to_db(item.quantity),
                item.measure,
                _decimal_to_db(item.normalized_quantity),
                item.normalized_unit,
                _factor_to_db(item.kg_factor),
            )
            for position, item in enumerate(items, start=1)
        ],
    )


def _insert_attachments(
    conn: sqlite3.Connection, report_id: int, attachments: Sequence[Attachment]
) -> None:
    if not attachments:
        return
    conn.executemany(
        "INSERT INTO attachments (report_id, position, kind, file_id, file_unique_id)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            (report_id, position, a.kind, a.file_id, a.file_unique_id)
            for position, a in enumerate(attachments, start=1)
        ],
    )


def _insert_version(
    conn: sqlite3.Connection,
    report_id: int,
    version: int,
    snapshot: dict[str, Any],
    *,
    created_at: str,
    created_by: int | None,
    idempotency_key: str | None,
) -> None:
    conn.execute(
        "INSERT INTO report_versions (report_id, version, answers, created_at, created_by,"
        " idempotency_key) VALUES (?, ?, ?, ?, ?, ?)",
        (report_id, version, to_json(snapshot), created_at, created_by, idempotency_key),
    )
