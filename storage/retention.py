"""Retention's SQL: personal data out of old rows, in batches (the rules: bot/retention.py).

Each function here is one batch, run on the database thread in its own short transaction
(:meth:`storage.db.Database.run_transaction`): at most ``limit`` rows, so a database of years
never holds one huge transaction, and updates are served between batches. Each is idempotent:
a row done once is not touched again (reports are marked, the rest no longer match), so an
interrupted run is finished by the next one. How many rows a batch changed is returned; the
caller repeats it until that is fewer than ``limit``.

Which answers are personal is the caller's decision, handed in as :class:`AnswerRemoval` per
form; this module only applies it, to the report, to every stored version of it, and to its
photos (``attachments``: every attachment is a photo the officer sent).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.clock import to_db
from storage.report_tables import from_json, to_json

#: What a question's or an answer's text becomes (the columns require some text): that a
#: question was asked and answered stays known, what was said does not.
REMOVED_TEXT = "—"


@dataclass(frozen=True)
class AnswerRemoval:
    """The answers of one form that go: ``keys`` whatever they hold, ``typed_place`` (the
    place question's key) only when the place was typed (a crossing point or a shared
    location is kept: the map and the seizure records count them)."""

    keys: tuple[str, ...] = ()
    typed_place: str | None = None

    def strip(self, answers: dict[str, Any]) -> tuple[str, ...]:
        """Remove them from ``answers`` (in place); the keys that held something."""
        removed = []
        for key in self.keys:
            if answers.pop(key, None) not in (None, "", []):
                removed.append(key)
        place = answers.get(self.typed_place) if self.typed_place else None
        if isinstance(place, dict) and place.get("type") == "text":
            assert self.typed_place is not None
            del answers[self.typed_place]
            removed.append(self.typed_place)
        return tuple(removed)


@dataclass(frozen=True)
class ReportsDone:
    """One batch of reports: how many were done, and of their photos and earlier versions."""

    reports: int = 0
    photos: int = 0
    versions: int = 0


def remove_from_reports_sync(
    conn: sqlite3.Connection,
    removals: Mapping[str, AnswerRemoval],
    *,
    before: datetime,
    after_days: int,
    now: datetime,
    limit: int,
) -> ReportsDone:
    """The personal answers of up to ``limit`` reports submitted before ``before`` and not done
    yet, oldest first; a form missing from ``removals`` loses nothing (it is marked done)."""
    rows = conn.execute(
        "SELECT id, form, answers, place_text FROM reports"
        " WHERE personal_removed_at IS NULL AND submitted_at < ?"
        " ORDER BY submitted_at, id LIMIT ?",
        (to_db(before), limit),
    ).fetchall()
    photos = versions = 0
    for report_id, form, stored, place_text in rows:
        removal = removals.get(str(form), AnswerRemoval())
        answers = from_json(stored)
        removed = removal.strip(answers)
        if removal.typed_place in removed:
            place_text = None
        photos += conn.execute("DELETE FROM attachments WHERE report_id = ?", (report_id,)).rowcount
        versions += _remove_from_versions(conn, int(report_id), removal)
        conn.execute(
            "UPDATE reports SET answers = ?, place_text = ?, personal_removed_at = ?,"
            " personal_removed_after = ?, personal_removed_fields = ? WHERE id = ?",
            (to_json(answers), place_text, to_db(now), after_days, ",".join(removed), report_id),
        )
    return ReportsDone(len(rows), photos, versions)


def _remove_from_versions(conn: sqlite3.Connection, report_id: int, removal: AnswerRemoval) -> int:
    """The same answers out of every stored version's snapshot (storage/report_tables.py), its
    typed place name and its photos too; how many versions changed."""
    changed = 0
    rows = conn.execute(
        "SELECT id, answers FROM report_versions WHERE report_id = ? ORDER BY version",
        (report_id,),
    ).fetchall()
    for version_id, stored in rows:
        snapshot = from_json(stored)
        answers = snapshot.get("answers")
        removed = removal.strip(answers) if isinstance(answers, dict) else ()
        if removal.typed_place in removed:
            snapshot["place_text"] = None
        photos = bool(snapshot.get("attachments"))
        if photos:
            snapshot["attachments"] = []
        if removed or photos:
            conn.execute(
                "UPDATE report_versions SET answers = ? WHERE id = ?",
                (to_json(snapshot), version_id),
            )
            changed += 1
    return changed


def remove_question_texts_sync(conn: sqlite3.Connection, *, before: datetime, limit: int) -> int:
    """Coordinators' questions about an urgent report asked before ``before``, and the
    officers' answers to them: their text becomes :data:`REMOVED_TEXT`."""
    return conn.execute(
        "UPDATE alert_questions SET question = ?,"
        " answer = CASE WHEN answer IS NULL THEN NULL ELSE ? END"
        " WHERE id IN (SELECT id FROM alert_questions WHERE asked_at < ?"
        " AND (question <> ? OR answer <> ?) ORDER BY id LIMIT ?)",
        (REMOVED_TEXT, REMOVED_TEXT, to_db(before), REMOVED_TEXT, REMOVED_TEXT, limit),
    ).rowcount


def forget_drafts_sync(conn: sqlite3.Connection, *, before: datetime, limit: int) -> int:
    """Drafts (what was typed into a report never filed) untouched since before ``before``."""
    return conn.execute(
        "DELETE FROM drafts WHERE user_id IN"
        " (SELECT user_id FROM drafts WHERE updated_at < ? ORDER BY user_id LIMIT ?)",
        (to_db(before), limit),
    ).rowcount


def forget_received_updates_sync(conn: sqlite3.Connection, *, before: datetime, limit: int) -> int:
    """Updates the webhook recorded before ``before`` (a handled one keeps no content, one
    never handled keeps the message as Telegram sent it; neither is redelivered any more)."""
    return conn.execute(
        "DELETE FROM received_updates WHERE update_id IN"
        " (SELECT update_id FROM received_updates WHERE received_at < ?"
        " ORDER BY update_id LIMIT ?)",
        (to_db(before), limit),
    ).rowcount


def drop_blocked_profiles_sync(conn: sqlite3.Connection, *, before: datetime, limit: int) -> int:
    """The name and username of people whose access was suspended before ``before`` (and is
    still): they are then shown by their Telegram id. Their next message after access is
    restored brings both back (bot/handlers/gate.py)."""
    return conn.execute(
        "UPDATE users SET display_name = '', username = NULL WHERE id IN"
        " (SELECT id FROM users WHERE status = 'blocked' AND blocked_at < ?"
        " AND (display_name <> '' OR username IS NOT NULL) ORDER BY id LIMIT ?)",
        (to_db(before), limit),
    ).rowcount


def empty_write_ahead_log_sync(conn: sqlite3.Connection) -> None:
    """Copy the write-ahead log into the database and empty it: its older frames still hold
    the pages as they were before a run removed anything (the file itself zeroes what it
    frees: ``secure_delete``, storage/db.py). Outside any transaction; a reader that keeps the
    log busy leaves it for the next run."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
