"""What a property test checks after a sequence: the database's health and what the bot showed.

The sequence runs in :mod:`tests.property.world`; these read what it left behind: the database
file (integrity, foreign keys, orphans, row counts) and the stand-in's log of every message,
edit, caption, tap answer and spreadsheet the bot sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import aiosqlite
from openpyxl import load_workbook

from bot.standin.params import Params, Upload
from tests.property.world import World

# --- database checks ------------------------------------------------------------------------
# SQL belongs in storage/, but storage has no integrity check to call: these read-only
# statements talk to the database file directly with aiosqlite, in the tests only, until the
# lead decides whether storage.Database should offer them (see the report of tests/property).


@dataclass(frozen=True)
class DatabaseHealth:
    integrity: list[str]
    foreign_key_problems: list[tuple[Any, ...]]
    orphan_reports: int
    tables: dict[str, int]


async def database_health(path: Path) -> DatabaseHealth:
    """``PRAGMA integrity_check``, ``PRAGMA foreign_key_check``, reports without author or unit,
    and the row count of every table, read through a second connection (WAL allows it)."""
    async with aiosqlite.connect(str(path)) as conn:
        integrity = [str(row[0]) for row in await conn.execute_fetchall("PRAGMA integrity_check")]
        problems = [tuple(row) for row in await conn.execute_fetchall("PRAGMA foreign_key_check")]
        (orphans,) = next(
            iter(
                await conn.execute_fetchall(
                    "SELECT COUNT(*) FROM reports r"
                    " LEFT JOIN users u ON u.id = r.author_id"
                    " LEFT JOIN units n ON n.id = r.unit_id"
                    " WHERE u.id IS NULL OR n.id IS NULL"
                )
            )
        )
        names = [
            str(row[0])
            for row in await conn.execute_fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        tables = {}
        for name in names:
            (count,) = next(iter(await conn.execute_fetchall(f'SELECT COUNT(*) FROM "{name}"')))
            tables[name] = int(count)
    return DatabaseHealth(integrity, problems, int(orphans), tables)


# --- what went out --------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One thing the bot showed somebody: a text, a caption, a tap's answer, a document."""

    method: str
    chat_id: int | None
    text: str
    html: bool


def outgoing(world: World, since: int = 0) -> list[Outgoing]:
    """Everything the bot sent, edited in or answered since call number ``since``, from the
    stand-in's call log (edits included: a text later replaced was still seen). A callback
    answer goes to who tapped."""
    queries = world.tg.state.callback_queries
    found: list[Outgoing] = []
    for method, values in world.tg.state.calls[since:]:
        params = Params(values)
        html = (params.get_str("parse_mode") or "").lower() == "html"
        if method == "answerCallbackQuery":
            query = queries.get(params.get_str("callback_query_id") or "")
            text = params.get_str("text") or ""
            found.append(Outgoing(method, query.user_id if query else None, text, False))
            continue
        if method not in _SHOWN:
            continue
        chat_id = params.get_int("chat_id")
        for key in ("text", "caption"):
            shown = params.get_str(key)
            if shown:
                found.append(Outgoing(method, chat_id, shown, html))
        document = values.get("document")
        if isinstance(document, Upload) and document.file_name.endswith(".xlsx"):
            found.append(Outgoing(method, chat_id, workbook_text(document.content), False))
    return found


_SHOWN = frozenset(
    {"sendMessage", "editMessageText", "editMessageCaption", "sendDocument", "sendPhoto"}
)


def workbook_text(content: bytes) -> str:
    """Every cell of a spreadsheet the bot sent, as one text (to look for report numbers)."""
    book = load_workbook(BytesIO(content), read_only=True)
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
