"""Bulk loading of synthetic reports: for benchmarks, load tests and the sandbox's demo data
(bot/sandbox/seed.py), never for the reports people file.

The bot stores a report through :class:`storage.reports.ReportRepository`, one at a time: it
numbers it, checks every quantity and keeps a version snapshot. A benchmark that needs millions
of reports cannot wait for that, so this module writes rows that the caller has already made,
in the tables' own column order, with parameterised ``executemany`` inserts in one large
transaction (or a few), through its own (synchronous) ``sqlite3`` connection. The tables'
``CREATE INDEX`` indexes are dropped for the load and made again, from their own stored
statements, before it commits. A report row carries its ``digest_day``, so earlier days can be
loaded as already digested; :func:`add_digest_runs` records those runs.

What it does **not** do, and what the caller therefore owns:

* no numbering and no validation beyond the schema's constraints (foreign keys included):
  unique numbers, idempotency keys and ``(form_code, year, seq)``; units and authors that
  exist; items and photos that point at reports of the same load (:func:`next_ids` says where
  an existing database's ids and sequence numbers continue);
* no ``report_versions`` rows and no audit entries (nothing that reads a digest uses them);
* answers are stored as the JSON text given, quantities as the decimal text given
  (``str(Decimal)``), moments as ``storage.clock.to_db`` text;
* no route and no placement (``route_asked`` 0, ``place_precision`` NULL), so that the
  benchmarks' databases stay what they were; the sandbox gives its demo reports both
  afterwards (:func:`reports_with_place`, :func:`set_places_and_routes`).

The database must have been created and migrated by :meth:`storage.Database.open` (so the
tables and indexes are exactly the bot's), and nobody else may have it open while
:func:`bulk_load` runs: loading switches the file from WAL to an in-memory rollback journal with
``synchronous = OFF`` and switches it back to WAL at the end. A crash in the middle leaves a file
to throw away, which is why this is only ever pointed at files made for the purpose.

:func:`undo_digest_run` puts a digest run back the way it was before ``delivery.make_due_run``,
so that a benchmark can time the same run again on the same data.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from storage.columns import Writer, column, enum_value
from storage.db import migration_files
from storage.factors import fill_item_factors, last_item_id
from storage.models import Coordinates, Precision, Route
from storage.routes import ROUTE
from storage.units import COORDINATES

#: The order of the values in every row given to :func:`bulk_load`, table by table. Report ids
#: are given (not left to SQLite), so that items and photos can point at their report.
REPORT_COLUMNS: tuple[str, ...] = (
    "id",
    "number",
    "form",
    "form_code",
    "year",
    "seq",
    "idempotency_key",
    "unit_id",
    "author_id",
    "occurred_at",
    "submitted_at",
    "local_day",
    "status",
    "urgent",
    "version",
    "answers",
    "place_text",
    "latitude",
    "longitude",
    "persons_detained",
    "updated_at",
    "digest_day",
)
ITEM_COLUMNS: tuple[str, ...] = (
    "report_id",
    "position",
    "substance",
    "quantity",
    "measure",
    "normalized_quantity",
    "normalized_unit",
)
ATTACHMENT_COLUMNS: tuple[str, ...] = (
    "report_id",
    "position",
    "kind",
    "file_id",
    "file_unique_id",
)
#: A digest run that already went out (``stats`` is ``bot.delivery.stats_to_json`` text).
DIGEST_RUN_COLUMNS: tuple[str, ...] = ("day", "created_at", "stats")

#: One row: plain SQLite values (str, int, float or None) in the order of its table's columns.
Row = Sequence[str | int | float | None]


@dataclass(frozen=True)
class Chunk:
    """Reports with their seizure items and photos; a chunk never spans two transactions."""

    reports: Sequence[Row]
    items: Sequence[Row] = ()
    attachments: Sequence[Row] = ()


@dataclass(frozen=True)
class NextIds:
    """Where an existing database's numbering continues."""

    report_id: int
    #: (form_code, year) -> the next free ``seq``; a pair not listed starts at 1.
    seq: dict[tuple[str, int], int] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadResult:
    reports: int
    items: int
    attachments: int
    transactions: int
    seconds: float


def _insert(table: str, columns: Sequence[str]) -> str:
    # Table and column names are this module's constants; every value is a bound parameter.
    placeholders = ", ".join("?" * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"


_INSERT_REPORT = _insert("reports", REPORT_COLUMNS)
_INSERT_ITEM = _insert("seizure_items", ITEM_COLUMNS)
_INSERT_ATTACHMENT = _insert("attachments", ATTACHMENT_COLUMNS)
_INSERT_DIGEST_RUN = _insert("digest_runs", DIGEST_RUN_COLUMNS)


def _connect(path: Path | str) -> sqlite3.Connection:
    """A connection that manages its own transactions (``BEGIN``/``COMMIT`` are explicit)."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def _require_migrated(conn: sqlite3.Connection, path: Path | str) -> None:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    latest = len(migration_files())
    if version != latest:
        raise RuntimeError(
            f"{path}: schema version {version}, expected {latest}; "
            "create the file with storage.Database.open() first"
        )


def _check_width(rows: Sequence[Row], columns: Sequence[str], table: str) -> None:
    if rows and len(rows[0]) != len(columns):
        raise ValueError(f"{table} rows have {len(rows[0])} values, expected {len(columns)}")


def next_ids(path: Path | str) -> NextIds:
    """The next free report id and sequence numbers of a (migrated) database."""
    conn = _connect(path)
    try:
        _require_migrated(conn, path)
        report_id = int(conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM reports").fetchone()[0])
        rows = conn.execute(
            "SELECT form_code, year, MAX(seq) + 1 FROM reports GROUP BY form_code, year"
        ).fetchall()
    finally:
        conn.close()
    return NextIds(report_id, {(str(code), int(year)): int(seq) for code, year, seq in rows})


def _secondary_indexes(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the loaded tables' own indexes, as the migrations made
    them (the indexes behind PRIMARY KEY and UNIQUE constraints have no SQL and stay)."""
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name IN ('reports', 'seizure_items', 'attachments') ORDER BY name"
    ).fetchall()
    return [(str(name), str(sql)) for name, sql in rows]


def bulk_load(
    path: Path | str,
    chunks: Iterable[Chunk],
    *,
    rows_per_transaction: int | None = None,
    rebuild_indexes: bool = True,
    cache_mib: int = 512,
) -> LoadResult:
    """Insert every chunk's rows: in one transaction, or committing whenever
    ``rows_per_transaction`` reports are in.

    ``chunks`` may be a generator: each chunk is made while the previous one's transaction is
    still open, so the rows of the whole load never have to be in memory at once.

    ``rebuild_indexes``: the tables' secondary indexes (``CREATE INDEX`` in the migrations) are
    dropped before the first row and created again, from their own stored statements, after the
    last one: sorting once is cheaper than keeping them up to date row by row, and the result is
    the same set of indexes. (With several transactions they are missing in between.)

    Any error rolls back the open transaction and is raised; what earlier transactions
    committed stays, so a failed load leaves a file to throw away.
    """
    if rows_per_transaction is not None and rows_per_transaction < 1:
        raise ValueError("rows_per_transaction must be positive")
    began = time.perf_counter()
    conn = _connect(path)
    reports = items = attachments = transactions = 0
    try:
        _require_migrated(conn, path)
        mode = str(conn.execute("PRAGMA journal_mode = MEMORY").fetchone()[0]).lower()
        if mode != "memory":
            raise RuntimeError(f"{path} is open elsewhere (journal mode stays {mode!r})")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute(f"PRAGMA cache_size = {-1024 * int(cache_mib)}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("BEGIN IMMEDIATE")
        before = last_item_id(conn)  # items past it get their conversion factor at the end
        indexes = _secondary_indexes(conn) if rebuild_indexes else []
        for name, _sql in indexes:
            conn.execute(f"DROP INDEX {name}")  # names read from sqlite_master just above
        in_transaction = 0
        for chunk in chunks:
            _check_width(chunk.reports, REPORT_COLUMNS, "reports")
            _check_width(chunk.items, ITEM_COLUMNS, "seizure_items")
            _check_width(chunk.attachments, ATTACHMENT_COLUMNS, "attachments")
            conn.executemany(_INSERT_REPORT, chunk.reports)
            conn.executemany(_INSERT_ITEM, chunk.items)
            conn.executemany(_INSERT_ATTACHMENT, chunk.attachments)
            reports += len(chunk.reports)
            items += len(chunk.items)
            attachments += len(chunk.attachments)
            in_transaction += len(chunk.reports)
            if rows_per_transaction is not None and in_transaction >= rows_per_transaction:
                conn.execute("COMMIT")
                transactions += 1
                conn.execute("BEGIN IMMEDIATE")
                in_transaction = 0
        for _name, sql in indexes:
            conn.execute(sql)
        fill_item_factors(conn, before)
        conn.execute("COMMIT")
        transactions += 1
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            conn.close()
    return LoadResult(
        reports=reports,
        items=items,
        attachments=attachments,
        transactions=transactions,
        seconds=time.perf_counter() - began,
    )


def add_digest_runs(path: Path | str, runs: Sequence[Row]) -> None:
    """Record digest runs that already went out (rows in :data:`DIGEST_RUN_COLUMNS` order).

    A generator learns each day's figures while it makes the day's reports, so the runs come
    after :func:`bulk_load`, in a transaction of their own.
    """
    _check_width(runs, DIGEST_RUN_COLUMNS, "digest_runs")
    conn = _connect(path)
    try:
        _require_migrated(conn, path)
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(_INSERT_DIGEST_RUN, runs)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()


@dataclass(frozen=True)
class PlacedReport:
    """A bulk-loaded report as a filed one would be: the answers that say where it happened
    and by which route, and the columns filing derives from them (bot/filing.py)."""

    report_id: int
    answers: str  # JSON text, as stored
    place_text: str | None
    coordinates: Coordinates | None
    precision: Precision
    route: Route | None


def reports_with_place(path: Path | str, forms: Sequence[str]) -> list[tuple[int, int, str, str]]:
    """(id, unit id, form, answers JSON) of the reports on ``forms``, by id."""
    if not forms:
        return []
    conn = _connect(path)
    try:
        _require_migrated(conn, path)
        rows = conn.execute(
            f"SELECT id, unit_id, form, answers FROM reports"  # placeholders only, no values
            f" WHERE form IN ({', '.join('?' * len(forms))}) ORDER BY id",
            tuple(forms),
        ).fetchall()
    finally:
        conn.close()
    return [
        (int(rid), int(unit_id), str(form), str(answers)) for rid, unit_id, form, answers in rows
    ]


#: What filing derives from a report's answers, written as filing writes it.
_PLACE_AND_ROUTE = Writer(
    [
        column("answers"),  # JSON text already
        column("place_text"),
        COORDINATES,
        column("place_precision", write=enum_value, field="precision"),
        ROUTE,
    ]
)
_SET_PLACE_AND_ROUTE = f"UPDATE reports SET {_PLACE_AND_ROUTE.assignments} WHERE id = ?"


def set_places_and_routes(path: Path | str, reports: Iterable[PlacedReport]) -> int:
    """Give bulk-loaded reports their answers, placement and route, in one transaction;
    returns how many were updated. Like :func:`bulk_load`, for files made for the purpose."""
    rows = [(*_PLACE_AND_ROUTE.values(report), report.report_id) for report in reports]
    conn = _connect(path)
    try:
        _require_migrated(conn, path)
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(_SET_PLACE_AND_ROUTE, rows)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
    return len(rows)


def undo_digest_run(path: Path | str, day: date) -> int:
    """Forget the digest run of ``day``: its deliveries, its row, its audit entry, and which
    reports it took (they are unassigned again). Returns how many reports it had taken.

    For benchmarks that time ``make_due_run`` repeatedly on the same data; the bot never undoes
    a run. Safe while the bot's own connection has the file open (WAL), between its transactions.
    """
    conn = _connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            key = day.isoformat()
            conn.execute("DELETE FROM digest_deliveries WHERE day = ?", (key,))
            conn.execute("DELETE FROM digest_runs WHERE day = ?", (key,))
            conn.execute(
                "DELETE FROM audit_log WHERE action = 'digest.created' AND target = ?", (key,)
            )
            cursor = conn.execute(
                "UPDATE reports SET digest_day = NULL WHERE digest_day = ?", (key,)
            )
            taken = cursor.rowcount
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
    return taken
