"""Retention (bot/retention.py, storage/retention.py): what an old report keeps and loses.

Against a real database with every migration: free text, photos, nationalities and a typed
place go from reports older than the period (and from each stored version of them); the
figures stay; newer reports are untouched; a second run changes nothing; every run is audited
with counts only. Blocked people lose their name and username after the same period.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.config import ConfigError, Settings, parse_settings
from bot.forms.definitions import FORMS
from bot.retention import apply_retention, personal_answers, removed_text
from storage import (
    Attachment,
    Database,
    NewReport,
    NewSeizureItem,
    Precision,
    Report,
    ReportChanges,
    Repositories,
    Role,
    Route,
    UserStatus,
)
from storage.db import migration_files
from storage.drafts import new_draft_id
from storage.retention import REMOVED_TEXT

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=45)
RECENT = NOW - timedelta(days=10)
DAYS = 30
NOTES = "Detained Alisher Karimov, passport AB1234567, at his house"
PHOTOS = [{"file_id": "AgAD-photo-1", "file_unique_id": "u1"}]
ITEM = NewSeizureItem("heroin", Decimal("2.5"), "kg", Decimal("2.5"), "kg", Decimal(1))


def seizure_answers(place: dict[str, Any]) -> dict[str, Any]:
    return {
        "when": "2026-10-22T10:00:00+05:00",
        "place": place,
        "items": [{"substance": "heroin", "qty": "2.5", "measure": "kg"}],
        "conceal": "vehicle",
        "transport": "car",
        "origin": "af",
        "departure": "tj",
        "transit": ["tj"],
        "destination": "ru",
        "detained": 2,
        "nations": ["uz", "af"],
        "agencies": ["customs"],
        "caseref": "417/2026",
        "notes": NOTES,
        "photos": PHOTOS,
        "urgent": False,
    }


PERSONAL = ("nations", "caseref", "notes", "photos", "place")
TYPED = {"type": "text", "text": "Sherali's house, Kakaydi village"}
POINT = {"type": "point", "id": "7", "text": "Ayritom"}


async def officer(repos: Repositories, telegram_id: int = 100) -> tuple[int, int]:
    unit = await repos.units.get_by_code("IMT-TER")
    assert unit is not None
    user = await repos.users.create(telegram_id=telegram_id, role=Role.OFFICER, unit_id=unit.id)
    return user.id, unit.id


async def file_seizure(
    db: Database, submitted: datetime, place: dict[str, Any] = TYPED, telegram_id: int = 100
) -> Report:
    answers = seizure_answers(place)
    async with db.transaction() as repos:
        found = await repos.users.get_by_telegram_id(telegram_id)
        author, unit = (found.id, found.unit_id) if found else await officer(repos, telegram_id)
        assert unit is not None
        return await repos.reports.create(
            NewReport(
                form="seizure",
                form_code="SZ",
                unit_id=unit,
                author_id=author,
                idempotency_key=new_draft_id(),
                occurred_at=submitted - timedelta(hours=2),
                submitted_at=submitted,
                local_day=submitted.date(),
                urgent=False,
                answers=answers,
                place_text=place["text"],
                latitude=37.2242,
                longitude=67.2783,
                persons_detained=2,
                items=(ITEM,),
                attachments=(Attachment("AgAD-photo-1", "u1"),),
                precision=Precision.UNIT if place is TYPED else Precision.POINT,
                route=Route("af", "tj", ("tj",), "ru"),
            )
        )


async def amend(db: Database, report: Report, now: datetime) -> Report:
    """A second version with other notes (the first keeps the old ones)."""
    answers = dict(report.answers) | {"notes": NOTES + " (corrected)"}
    async with db.transaction() as repos:
        return await repos.reports.amend(
            report.id,
            ReportChanges(
                occurred_at=report.occurred_at,
                urgent=False,
                answers=answers,
                place_text=report.place_text,
                latitude=report.latitude,
                longitude=report.longitude,
                persons_detained=report.persons_detained,
                items=(ITEM,),
                attachments=report.attachments,
                precision=report.precision,
                route=report.route,
            ),
            amended_by=report.author_id,
            idempotency_key=new_draft_id(),
            now=now,
        )


async def reread(db: Database, report_id: int) -> Report:
    async with db.read() as repos:
        found = await repos.reports.get(report_id)
    assert found is not None
    return found


def figures(report: Report) -> tuple[object, ...]:
    """Everything the digest, the exports, /routes and the map count."""
    return (
        report.number,
        report.form,
        report.unit_id,
        report.author_id,
        report.local_day,
        report.submitted_at,
        report.occurred_at,
        report.status,
        report.urgent,
        report.items,
        report.persons_detained,
        report.route,
        report.latitude,
        report.longitude,
        report.precision,
        {k: v for k, v in report.answers.items() if k not in PERSONAL},
    )


def test_the_personal_answers_of_each_form() -> None:
    assert personal_answers(FORMS["seizure"]).keys == ("nations", "caseref", "notes", "photos")
    assert personal_answers(FORMS["seizure"]).typed_place == "place"
    assert personal_answers(FORMS["joint_operation"]).keys == ("result", "notes")
    assert personal_answers(FORMS["incident"]).keys == ("descr", "photos")
    assert personal_answers(FORMS["daily_status"]).keys == ("remarks",)
    assert personal_answers(FORMS["daily_status"]).typed_place is None


async def test_an_old_report_loses_its_personal_data_and_keeps_its_figures(db: Database) -> None:
    old = await amend(db, await file_seizure(db, OLD), OLD + timedelta(hours=1))
    new = await file_seizure(db, RECENT)

    run = await apply_retention(db, DAYS, NOW)

    after = await reread(db, old.id)
    for gone in ("nations", "caseref", "notes", "photos", "place"):
        assert gone not in after.answers
    assert after.place_text is None
    assert after.attachments == ()
    assert after.removal is not None
    assert after.removal.after_days == DAYS
    assert after.removal.at == NOW
    assert set(after.removal.fields) == {"nations", "caseref", "notes", "photos", "place"}
    assert figures(after) == figures(old)
    assert after.answers["detained"] == 2 and after.answers["conceal"] == "vehicle"

    async with db.read() as repos:
        versions = await repos.reports.versions(old.id)
    assert [v.version for v in versions] == [1, 2]
    for version in versions:
        snapshot = version.answers
        assert not {"nations", "caseref", "notes", "photos", "place"} & set(snapshot["answers"])
        assert snapshot["place_text"] is None
        assert snapshot["attachments"] == []
        assert snapshot["items"][0]["quantity"] == "2.5"
        assert snapshot["persons_detained"] == 2
        assert NOTES not in json.dumps(snapshot, ensure_ascii=False)

    assert await reread(db, new.id) == new  # within the period: untouched
    assert run.reports == 1 and run.photos == 1 and run.versions == 2


async def test_a_crossing_point_and_a_shared_location_stay(db: Database) -> None:
    old = await file_seizure(db, OLD, POINT)

    await apply_retention(db, DAYS, NOW)

    after = await reread(db, old.id)
    assert after.answers["place"] == POINT
    assert after.place_text == "Ayritom"
    assert after.removal is not None and "place" not in after.removal.fields
    assert "notes" not in after.answers


async def test_a_second_run_changes_nothing_and_each_run_is_audited(db: Database) -> None:
    old = await file_seizure(db, OLD)
    first = await apply_retention(db, DAYS, NOW)
    once = await reread(db, old.id)

    second = await apply_retention(db, DAYS, NOW + timedelta(days=1))

    assert await reread(db, old.id) == once  # removal.at stays the first run's
    assert (first.reports, second.reports, second.photos, second.versions) == (1, 0, 0, 0)
    async with db.read() as repos:
        entries = [e for e in await repos.audit.latest(10) if e.action == "retention.applied"]
    assert len(entries) == 2
    assert json.loads(entries[1].details or "{}") == {
        "days": 30,
        "reports": 1,
        "photos": 1,
        "versions": 1,
        "questions": 0,
        "drafts": 0,
        "updates": 0,
        "profiles": 0,
    }
    assert entries[1].actor_telegram_id is None
    assert entries[1].target == (NOW - timedelta(days=DAYS)).date().isoformat()
    for entry in entries:
        assert NOTES not in (entry.details or "") and "417/2026" not in (entry.details or "")


async def test_questions_drafts_and_recorded_updates_older_than_the_period_go(
    db: Database,
) -> None:
    old = await file_seizure(db, OLD)
    new = await file_seizure(db, RECENT)
    async with db.transaction() as repos:
        coordinator = await repos.users.create(telegram_id=200, role=Role.COORDINATOR)
        questions = []
        for report, moment in ((old, OLD), (new, RECENT)):
            alert = await repos.alerts.create(report.id, "marked", now=moment)
            assert alert is not None
            asked = await repos.alerts.add_question(
                alert.id, coordinator.id, "Who is Alisher?", now=moment
            )
            await repos.alerts.answer_question(asked.id, "His cousin", now=moment)
            questions.append(asked.id)
        await repos.drafts.save(
            old.author_id, draft_id=new_draft_id(), form="seizure", data={"n": NOTES}, now=OLD
        )
        await repos.drafts.save(
            coordinator.id, draft_id=new_draft_id(), form="seizure", data={"n": 1}, now=RECENT
        )
        await repos.received_updates.record(1, json.dumps({"text": NOTES}), OLD)
        await repos.received_updates.record(2, json.dumps({"text": "hi"}), RECENT)

    run = await apply_retention(db, DAYS, NOW)

    async with db.read() as repos:
        gone = await repos.alerts.get_question(questions[0])
        kept = await repos.alerts.get_question(questions[1])
        assert gone is not None and kept is not None
        assert (gone.question, gone.answer) == (REMOVED_TEXT, REMOVED_TEXT)
        assert gone.answered_at is not None  # that it was answered stays known
        assert (kept.question, kept.answer) == ("Who is Alisher?", "His cousin")
        assert await repos.drafts.get(old.author_id) is None
        assert await repos.drafts.get(coordinator.id) is not None
        assert not await repos.received_updates.was_received(1)
        assert await repos.received_updates.was_received(2)
    assert (run.questions, run.drafts, run.updates) == (1, 1, 1)


async def test_blocked_people_lose_name_and_username_after_the_period(db: Database) -> None:
    async with db.transaction() as repos:
        for telegram_id, name in ((301, "Long Blocked"), (302, "Just Blocked"), (303, "Active")):
            await repos.users.create(
                telegram_id=telegram_id, role=Role.OFFICER, display_name=name, username=f"u{name}"
            )
        await repos.users.set_status(301, UserStatus.BLOCKED, now=OLD)
        await repos.users.set_status(301, UserStatus.BLOCKED, now=RECENT)  # still since OLD
        await repos.users.set_status(302, UserStatus.BLOCKED, now=RECENT)

    run = await apply_retention(db, DAYS, NOW)

    async with db.read() as repos:
        people = {t: await repos.users.get_by_telegram_id(t) for t in (301, 302, 303)}
    shown = {t: (p.display_name, p.username) for t, p in people.items() if p is not None}
    assert shown == {
        301: ("", None),
        302: ("Just Blocked", "uJust Blocked"),
        303: ("Active", "uActive"),
    }
    assert run.profiles == 1

    async with db.transaction() as repos:  # restored, then blocked again: the period restarts
        await repos.users.set_status(302, UserStatus.ACTIVE, now=NOW)
        await repos.users.set_status(302, UserStatus.BLOCKED, now=NOW)
    await apply_retention(db, DAYS, NOW + timedelta(days=DAYS - 1))
    async with db.read() as repos:
        again = await repos.users.get_by_telegram_id(302)
    assert again is not None and again.display_name == "Just Blocked"


async def test_the_marker_counts_days_in_every_language(db: Database) -> None:
    from bot.i18n import Catalogs

    catalogs = Catalogs(UTC)
    assert removed_text(30, catalogs.translator("en")) == "removed after 30 days"
    assert removed_text(1, catalogs.translator("en")) == "removed after 1 day"
    for language in ("uz", "uz_Cyrl", "ru"):
        text = removed_text(30, catalogs.translator(language))
        assert "30" in text and text != "removed after 30 days"


def test_retention_is_off_unless_set() -> None:
    assert Settings().retention_days is None
    assert parse_settings({}).retention_days is None
    assert parse_settings({"RETENTION_DAYS": " "}).retention_days is None
    assert parse_settings({"RETENTION_DAYS": "90"}).retention_days == 90


@pytest.mark.parametrize("raw", ["0", "-5", "ninety", "1.5", "36501", "٣٠"])
def test_a_bad_retention_period_is_one_sentence(raw: str) -> None:
    with pytest.raises(ConfigError, match=r"^RETENTION_DAYS must be a whole number of days"):
        parse_settings({"RETENTION_DAYS": raw})


def test_the_period_may_not_be_shorter_than_the_amend_window() -> None:
    with pytest.raises(ConfigError, match=r"AMEND_WINDOW_HOURS, 72 hours"):
        parse_settings({"RETENTION_DAYS": "2", "AMEND_WINDOW_HOURS": "72"})
    assert parse_settings({"RETENTION_DAYS": "3", "AMEND_WINDOW_HOURS": "72"}).retention_days == 3


async def test_the_migration_dates_existing_blocks_from_the_audit_log(tmp_path: Path) -> None:
    """A database of the previous version: a blocked account takes its latest "user.blocked"
    audit entry as the time it was blocked, else its last change; an active one gets none."""
    db = await Database.open(tmp_path / "old.sqlite3", migrate=False)
    try:
        for number, _name, sql in migration_files():
            if number < 16:
                await db._conn.executescript(
                    f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number:d};\nCOMMIT;"
                )
        async with db.transaction() as repos:
            for telegram_id in (401, 402, 403):
                await repos.users.create(
                    telegram_id=telegram_id, role=Role.OFFICER, display_name="X", now=OLD
                )
        await db._conn.executescript(
            "BEGIN IMMEDIATE;"
            "UPDATE users SET status = 'blocked', updated_at = '2026-11-01T00:00:00.000000+00:00'"
            " WHERE telegram_id IN (401, 402);"
            "INSERT INTO audit_log (at, actor_telegram_id, action, target) VALUES"
            " ('2026-09-01T00:00:00.000000+00:00', 1, 'user.blocked', '401'),"
            " ('2026-10-01T00:00:00.000000+00:00', 1, 'user.blocked', '401');"
            "COMMIT;"
        )
        assert await db.migrate() == ["0016_retention.sql"]
        rows = await db._conn.execute_fetchall(
            "SELECT telegram_id, blocked_at FROM users WHERE telegram_id > 400 ORDER BY 1"
        )
        assert [tuple(row) for row in rows] == [
            (401, "2026-10-01T00:00:00.000000+00:00"),
            (402, "2026-11-01T00:00:00.000000+00:00"),
            (403, None),
        ]
    finally:
        await db.close()


def test_the_migration_is_portable() -> None:
    sql = next(s for number, _n, s in migration_files() if number == 16)
    for sqlite_only in ("AUTOINCREMENT", "datetime(", "strftime(", "PRAGMA", "GLOB", "IFNULL"):
        assert sqlite_only.lower() not in sql.lower()


@pytest.mark.parametrize("language", ["uz", "ru", "en"])
def test_a_run_reads_in_the_audit_log_in_words(language: str) -> None:
    from bot.audit_log import DETAILS, AuditPage, entry_lines
    from bot.i18n import Catalogs
    from storage import AuditEntry

    tr = Catalogs(UTC).translator(language)
    details = {"days": 30, "reports": 2, "photos": 1, "versions": 2, "questions": 0}
    details |= {"drafts": 0, "updates": 0, "profiles": 1}
    entry = AuditEntry(1, NOW, None, "retention.applied", "2026-11-06", json.dumps(details))
    (text,) = entry_lines(AuditPage([entry], {}), tr)
    assert tr.gettext("Personal data older than the retention period removed") in text
    for key, count in details.items():  # each count under its label, in the reader's language
        label = tr.gettext("{label}: {value}").format(label=tr.gettext(DETAILS[key]), value=count)
        assert label in text
    assert tr.format_date(datetime(2026, 11, 6).date()) in text


def _bytes_on_disk(database: Path) -> bytes:
    """The database file and its write-ahead log, as a copied disk or backup would hold them."""
    files = (database, database.with_name(database.name + "-wal"))
    return b"".join(f.read_bytes() for f in files if f.exists())


async def test_removed_text_is_not_left_in_the_database_file(tmp_path: Path) -> None:
    """SQLite leaves deleted and overwritten bytes in free space and in the write-ahead log:
    removed notes must not be readable from the file, whether the bot still runs or not."""
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path)
    try:
        await amend(db, await file_seizure(db, OLD), OLD + timedelta(hours=1))
        assert NOTES.encode() in _bytes_on_disk(path)
        await apply_retention(db, DAYS, NOW)
        for secret in (NOTES, "AB1234567", "AgAD-photo-1", "Kakaydi"):
            assert secret.encode() not in _bytes_on_disk(path), secret
    finally:
        await db.close()
    for secret in (NOTES, "AB1234567", "AgAD-photo-1", "Kakaydi"):
        assert secret.encode() not in _bytes_on_disk(path), secret
