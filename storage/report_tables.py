"""Reports' tables mapped to their models (storage/columns.py), the JSON of answers, and the
snapshot every version keeps: what a report's columns are, said once.

Quantities are exact: a :class:`~decimal.Decimal` is stored as ``str(decimal)`` and read back
with ``Decimal(text)``, never through a float. Answers are JSON text (:func:`to_json`), in which
a Decimal becomes its string (``Decimal("0.001")`` → ``"0.001"``) and reads back as that string;
callers are expected to pass JSON-ready dicts anyway.

Each version of a report is kept in ``report_versions`` (the current one included) as one JSON
snapshot of everything an amendment can change (:data:`SNAPSHOT`)::

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
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from storage.clock import from_db, to_db
from storage.columns import (
    Field,
    Table,
    column,
    decimal_to_db,
    enum_value,
    factor_to_db,
    moment_or_none,
    optional,
)
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
    SeizureItem,
)
from storage.routes import ROUTE, route_json


def _removal(columns: tuple[Any, Any, Any]) -> Removal | None:
    """personal_removed_at, _after and _fields (migration 0016) as a :class:`Removal`."""
    at, after, fields = columns
    if at is None:
        return None
    keys = tuple(key for key in str(fields or "").split(",") if key)
    return Removal(from_db(at), int(after), keys)


#: Set by the retention run only (storage/retention.py); filing and amending never write it.
REMOVAL = Field(
    "removal",
    ("personal_removed_at", "personal_removed_after", "personal_removed_fields"),
    _removal,
)


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


def _moment_to_db(value: Any) -> str | None:
    return None if value is None else to_db(value)


#: ``reports``, in the order of :class:`Report`'s fields; ``items`` and ``attachments`` come
#: from their own tables. Not here: ``year``/``seq`` (the number's parts), ``idempotency_key``
#: and ``digest_day``, which only their statements use.
REPORTS: Table[Report] = Table(
    "reports",
    Report,
    [
        column("id", int),
        column("number", str),
        column("form", str),
        column("form_code", str),
        column("unit_id", int),
        column("author_id", int),
        column("occurred_at", moment_or_none, _moment_to_db),
        column("submitted_at", from_db, to_db),
        column("local_day", date.fromisoformat, date.isoformat),
        column("status", ReportStatus),
        column("urgent", bool, int),
        column("version", int),
        column("answers", from_json, to_json),
        column("place_text"),
        column("latitude", optional(float)),
        column("longitude", optional(float)),
        column("persons_detained", optional(int)),
        Field("items", ()),
        Field("attachments", ()),
        column("updated_at", from_db, to_db),
        column("place_precision", optional(Precision), enum_value, field="precision"),
        ROUTE,
        column("filed_before_routes", bool),
        REMOVAL,
    ],
)

#: ``seizure_items``, one per substance; ``report_id`` and ``position`` say whose and where.
ITEMS: Table[SeizureItem] = Table(
    "seizure_items",
    SeizureItem,
    [
        column("substance", str),
        column("quantity", Decimal, decimal_to_db),
        column("measure", str),
        column("normalized_quantity", Decimal, decimal_to_db),
        column("normalized_unit", str),
        column("kg_factor", optional(Decimal), factor_to_db),
    ],
)
#: What filing writes of an item (``NewSeizureItem`` has the same fields).
NEW_ITEM = ITEMS.writer(*ITEMS.fields)

#: ``attachments``, one per photo, likewise by ``report_id`` and ``position``.
ATTACHMENTS: Table[Attachment] = Table(
    "attachments",
    Attachment,
    [column("file_id", str), column("file_unique_id", str), column("kind", str)],
)
NEW_ATTACHMENT = ATTACHMENTS.writer(*ATTACHMENTS.fields)

#: ``report_versions``; ``answers`` there is a version's snapshot (:func:`version_snapshot`).
VERSIONS: Table[ReportVersion] = Table(
    "report_versions",
    ReportVersion,
    [
        column("report_id", int),
        column("version", int),
        column("answers", from_json),
        column("created_at", from_db),
        column("created_by", optional(int)),
    ],
)


def items_json(items: Sequence[NewSeizureItem]) -> list[dict[str, Any]]:
    """Items as a snapshot keeps them: each field as its column stores it."""
    return [dict(zip(NEW_ITEM.names, NEW_ITEM.values(item), strict=True)) for item in items]


def attachments_json(attachments: Sequence[Attachment]) -> list[dict[str, Any]]:
    return [
        dict(zip(NEW_ATTACHMENT.names, NEW_ATTACHMENT.values(a), strict=True)) for a in attachments
    ]


#: Everything an amendment replaces, each as a version's snapshot writes it (None: as is).
#: Its fields with columns in ``reports`` are :data:`AMENDED`, written by create and amend.
SNAPSHOT: dict[str, Callable[[Any], Any] | None] = {
    "answers": None,
    "occurred_at": _moment_to_db,
    "urgent": None,
    "place_text": None,
    "latitude": None,
    "longitude": None,
    "persons_detained": None,
    "precision": enum_value,
    "route": route_json,
    "items": items_json,
    "attachments": attachments_json,
}
AMENDED = REPORTS.writer(*SNAPSHOT)


def version_snapshot(state: NewReport | ReportChanges) -> dict[str, Any]:
    """The snapshot of ``state`` (a new report or its changes); raises ValueError for a
    quantity that is not a finite decimal, before anything is written."""
    snapshot: dict[str, Any] = {}
    for name, write in SNAPSHOT.items():
        value = getattr(state, name)
        snapshot[name] = value if write is None else write(value)
    return snapshot
