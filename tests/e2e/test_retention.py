"""RETENTION_DAYS end to end: an old day's digest, ``/export`` and ``/export ids`` give the same
figures before and after the retention run, with "removed after N days" where free text,
nationalities and a typed place were; the officer's /myreports shows the same marker; the
run is scheduled at start-up only when the period is set."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from openpyxl import load_workbook

from bot import filing, locating
from bot.context import FieldReportApplication
from bot.equivalents import WEIGHT_ONLY
from bot.forms.definitions import DAILY_STATUS, SEIZURE, Form
from bot.i18n import Translator
from bot.retention import JOB, apply_retention
from bot.standin import SentMessage, StandIn, TgUser
from storage import Report, Role
from storage.clock import utc_now
from tests.e2e.conftest import RunBot, SeedUser
from tests.support.driver import Officer

TASHKENT = ZoneInfo("Asia/Tashkent")
COORDINATOR = TgUser(id=9701, first_name="Ольга", language_code="ru")
OFFICER = TgUser(id=9702, first_name="Bekzod", language_code="ru")
SLOW = 30.0  # the first chart imports matplotlib, the first workbook starts a worker
DAYS = 30
NOTES = "Задержан Алишер Каримов, паспорт AB1234567"
CASE = "417/2026"
PLACE = "Дом Шерали, кишлак Какайди"


def old_day() -> date:
    return datetime.now(UTC).astimezone(TASHKENT).date() - timedelta(days=DAYS + 15)


def seizure_answers(day: date) -> dict[str, Any]:
    return {
        "when": datetime.combine(day, time(10), tzinfo=TASHKENT).isoformat(),
        "place": {"type": "text", "text": PLACE},
        "items": [
            {"substance": "heroin", "qty": "2.5", "measure": "kg"},
            {"substance": "tramadol", "qty": "40", "measure": "tablets"},
        ],
        "conceal": "vehicle",
        "transport": "car",
        "origin": "af",
        "departure": "tj",
        "transit": ["tj"],
        "destination": "ru",
        "detained": "2",
        "nations": ["uz", "af"],
        "agencies": ["customs"],
        "caseref": CASE,
        "notes": NOTES,
        "photos": [{"file_id": "AgAD-retention-1", "file_unique_id": "ret-1"}],
        "urgent": False,
    }


async def file_on(
    app: FieldReportApplication, form: Form, answers: dict[str, Any], day: date
) -> Report:
    """Stored as filing stores it, at noon of ``day``."""
    async with app.services.db.transaction() as repos:
        author = await repos.users.get_by_telegram_id(OFFICER.id)
        assert author is not None and author.unit_id is not None
        return await repos.reports.create(
            filing.new_report(
                form,
                answers,
                draft_id=uuid4().hex,
                author=author,
                unit_id=author.unit_id,
                now=datetime.combine(day, time(12), tzinfo=TASHKENT),
                timezone=TASHKENT,
                factors=WEIGHT_ONLY,
                placement=await locating.placement(repos, form, answers, author.unit_id),
            )
        )


async def say(tg: StandIn, user: TgUser, text: str) -> SentMessage:
    await tg.send_text(user, text)
    return await tg.next_message(user.id, timeout=SLOW)


async def digest_of(tg: StandIn, day: date) -> tuple[list[str], list[list[Any]], list[str]]:
    """The digest of ``day`` as the coordinator gets it: its texts, its workbook's sheets (as
    rows of values) and its pictures' captions."""
    before = len(tg.messages(COORDINATOR.id))
    await tg.send_text(COORDINATOR, f"/digest {day.strftime('%d.%m.%Y')}")
    await tg.wait_until(
        lambda: sum(1 for m in tg.messages(COORDINATOR.id)[before:] if m.photo) >= 2,
        SLOW,
        "the digest's chart and map sent",
    )
    await tg.wait_idle()
    sent = tg.skip_messages(COORDINATOR.id)
    assert sent == tg.messages(COORDINATOR.id)[before:]
    texts = [m.text for m in sent if m.text]
    (document,) = [m for m in sent if m.document]
    captions = [m.caption or "" for m in sent if m.photo]
    return texts, sheets(document), captions


def sheets(message: SentMessage) -> list[list[Any]]:
    assert message.document is not None, message.describe()
    book = load_workbook(BytesIO(message.document["content"]))
    return [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets]


def column(rows: list[list[Any]], header: str) -> list[Any]:
    """The values under ``header`` in a sheet whose first row holds the headers."""
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


def without(rows: list[list[Any]], headers: set[str]) -> list[list[Any]]:
    """The sheet with the columns under ``headers`` left out."""
    keep = [i for i, header in enumerate(rows[0]) if header not in headers]
    return [[row[i] for i in keep] for row in rows]


async def test_an_old_days_figures_stay_and_its_personal_data_goes(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(COORDINATOR, Role.COORDINATOR, None)
    o = Officer(tg, await seed_user(OFFICER, Role.OFFICER, "IMT-TER"))
    day = old_day()
    dd = day.strftime("%d.%m.%Y")
    async with run_bot() as app:
        tr: Translator = app.services.catalogs.translator("ru")
        old = await file_on(app, SEIZURE, seizure_answers(day), day)
        await file_on(app, DAILY_STATUS, {"remarks": NOTES}, day)
        recent = await file_on(app, SEIZURE, seizure_answers(day), day + timedelta(days=DAYS))

        digest_before = await digest_of(tg, day)
        export_before = sheets(await say(tg, COORDINATOR, f"/export {dd} {dd}"))
        ids_before = sheets(await say(tg, COORDINATOR, f"/export ids {dd} {dd}"))

        run = await apply_retention(app.services.db, DAYS, utc_now())

        digest_after = await digest_of(tg, day)
        export_after = sheets(await say(tg, COORDINATOR, f"/export {dd} {dd}"))
        ids_after = sheets(await say(tg, COORDINATOR, f"/export ids {dd} {dd}"))

        listing = await o.say("/myreports")
        assert listing.buttons
        await o.tap("my", "open", str(old.id))
        shown = o.chat[-1]
        await tg.wait_idle()
        async with app.services.db.read() as repos:
            kept = await repos.reports.get(recent.id)

    assert (run.reports, run.photos) == (2, 1)
    marker = tr.ngettext("removed after {days} day", "removed after {days} days", DAYS).format(
        days=DAYS
    )
    assert marker == "удалено через 30 дней"

    # The digest: its text and pictures word for word, its workbook but for the removed answers.
    texts, workbook, captions = digest_after
    assert (texts, captions) == (digest_before[0], digest_before[2])
    summary, seizures, _joint, _incidents, statuses, items = workbook
    assert summary == digest_before[1][0]
    assert items == digest_before[1][5]
    personal = {tr.gettext(label) for label in ("Nationalities", "Case reference", "Notes")}
    personal |= {tr.gettext("Place"), tr.gettext("Photos"), tr.gettext("Remarks")}
    assert without(seizures, personal) == without(digest_before[1][1], personal)
    for label in ("Nationalities", "Case reference", "Notes", "Place", "Photos"):
        assert column(seizures, tr.gettext(label)) == [marker]
    assert column(statuses, tr.gettext("Remarks")) == [marker]
    assert column(digest_before[1][1], tr.gettext("Notes")) == [NOTES]

    # /export of the period: the same workbook as the digest's, the same way.
    assert export_after[0] == export_before[0] and export_after[5] == export_before[5]
    assert without(export_after[1], personal) == without(export_before[1], personal)

    # /export ids: every record's figures, the removed columns marked (row 2: machine names).
    names = ids_after[0][1]
    removed_columns = {"place_name", "trafficker_nationalities", "case_reference"}
    records_before = [dict(zip(names, row, strict=True)) for row in ids_before[0][2:]]
    records_after = [dict(zip(names, row, strict=True)) for row in ids_after[0][2:]]
    assert len(records_after) == 2  # one per seized item
    for before, after in zip(records_before, records_after, strict=True):
        assert {k: v for k, v in after.items() if k not in removed_columns} == {
            k: v for k, v in before.items() if k not in removed_columns
        }
        assert {after[k] for k in removed_columns} == {marker}
        assert (before["place_name"], before["case_reference"]) == (PLACE, CASE)
    assert ids_after[1] == ids_before[1]  # the totals sheet

    for text in (*texts, shown.text or ""):
        assert NOTES not in text and CASE not in text and PLACE not in text
    # The officer's own report: the marker where the answers were, the figures as filed.
    assert shown.text is not None
    assert f"{tr.gettext('Notes')}: {marker}" in shown.text
    assert f"{tr.gettext('Nationalities')}: {marker}" in shown.text
    assert f"{tr.gettext('Persons detained')}: 2" in shown.text
    assert kept == recent  # filed within the period: untouched


async def test_the_run_is_scheduled_only_when_a_period_is_set(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(OFFICER, Role.OFFICER, "IMT-TER")
    async with run_bot(run_jobs=True) as app:
        assert app.job_queue is not None
        assert app.job_queue.get_jobs_by_name(JOB) == ()
        await file_on(app, SEIZURE, seizure_answers(old_day()), old_day())

    async with run_bot(run_jobs=True, retention_days=DAYS) as app:
        assert app.job_queue is not None
        (job,) = app.job_queue.get_jobs_by_name(JOB)
        ran = asyncio.Event()

        def finished(event: JobExecutionEvent) -> None:
            if event.job_id == job.id:
                ran.set()

        app.job_queue.scheduler.add_listener(finished, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        await asyncio.wait_for(ran.wait(), SLOW)  # the start-up run
        next_t = job.next_t
        assert next_t is not None and next_t - utc_now() > timedelta(hours=23)
        async with app.services.db.read() as repos:
            entries = [e for e in await repos.audit.latest(50) if e.action == "retention.applied"]
            (report,) = await repos.reports.by_local_day(old_day())
        await tg.wait_idle()

    assert len(entries) == 1 and '"reports": 1' in (entries[0].details or "")
    assert report.removal is not None and "notes" in report.removal.fields
    assert "notes" not in report.answers
