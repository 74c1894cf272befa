"""/digest, /export and /settings as people use them, through the real bot and the stand-in.

Reports are put straight into the database with the reporting day each test needs; words are
compared through the bot's own translator (the catalogs are still being translated), and
otherwise only language-independent content is checked: numbers, dates, file names, cells.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from uuid import uuid4
from zoneinfo import ZoneInfo

from openpyxl import Workbook, load_workbook

from bot.context import FieldReportApplication
from bot.forms.readback import urgency_text
from bot.i18n import Translator
from bot.standin import SentMessage, StandIn, TgUser
from bot.urgent import Reason
from storage import Role
from storage.models import NewReport, NewSeizureItem
from tests.e2e.conftest import ADMIN, RunBot, SeedUser

TASHKENT = ZoneInfo("Asia/Tashkent")
COORDINATOR = TgUser(id=9401, first_name="Ольга", language_code="ru")
OFFICER_TER = TgUser(id=9402, first_name="Bekzod", language_code="ru")
OFFICER_SAM = TgUser(id=9403, first_name="Timur", language_code="ru")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DIGEST_JOB, REMINDER_JOB, DELIVERY_JOB = "digest-daily", "reminder-daily", "digest-deliveries"
SLOW = 20.0  # the first chart imports matplotlib


def local_today() -> date:
    return datetime.now(UTC).astimezone(TASHKENT).date()


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TASHKENT).astimezone(UTC)


def ru(app: FieldReportApplication) -> Translator:
    return app.services.catalogs.translator("ru")


async def people(seed_user: SeedUser) -> None:
    await seed_user(COORDINATOR, Role.COORDINATOR, None)
    await seed_user(OFFICER_TER, Role.OFFICER, "IMT-TER")
    await seed_user(OFFICER_SAM, Role.OFFICER, "IMT-SAM")


async def add_report(
    app: FieldReportApplication,
    officer: TgUser,
    day: date,
    *,
    kg: str | None = None,
    submitted: datetime | None = None,
) -> str:
    """A seizure (with ``kg`` of heroin) or a daily status of ``day``; its number."""
    async with app.services.db.transaction() as repos:
        user = await repos.users.get_by_telegram_id(officer.id)
        assert user is not None and user.unit_id is not None
        items: tuple[NewSeizureItem, ...] = ()
        if kg is not None:
            items = (NewSeizureItem("heroin", Decimal(kg), "kg", Decimal(kg), "kg"),)
        report = await repos.reports.create(
            NewReport(
                form="seizure" if kg else "daily_status",
                form_code="SZ" if kg else "DS",
                unit_id=user.unit_id,
                author_id=user.id,
                idempotency_key=uuid4().hex,
                occurred_at=None,
                submitted_at=submitted or at(day, 12),
                local_day=day,
                urgent=False,
                answers={},
                place_text=None,
                latitude=None,
                longitude=None,
                persons_detained=0 if kg else None,
                items=items,
            )
        )
    return report.number


async def say(tg: StandIn, user: TgUser, text: str) -> SentMessage:
    await tg.send_text(user, text)
    return await tg.next_message(user.id)


async def wait_for_photo(tg: StandIn, chat_id: int) -> list[SentMessage]:
    """Wait for the digest's last part: its map, the second photo after the chart."""
    await tg.wait_until(
        lambda: sum(1 for m in tg.messages(chat_id) if m.photo) >= 2,
        SLOW,
        "the digest's chart and map sent",
    )
    return tg.messages(chat_id)


def workbook_of(message: SentMessage) -> Workbook:
    assert message.document is not None, message.describe()
    content = message.document["content"]
    assert content.startswith(b"PK"), "an XLSX file is a ZIP archive"
    return load_workbook(BytesIO(content))


def report_numbers(book: Workbook, tr: Translator) -> list[str]:
    """Column A of every form sheet (all sheets but the summary and the seized items)."""
    skip = {tr.pgettext("sheet", "Summary"), tr.pgettext("sheet", "Seized items")}
    numbers = []
    for sheet in book.worksheets:
        if sheet.title in skip:
            continue
        numbers += [str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    return numbers


def summary_value(book: Workbook, tr: Translator, label: str) -> object:
    """Column B beside the first ``label`` in column A of the summary sheet."""
    sheet = book[tr.pgettext("sheet", "Summary")]
    for row in sheet.iter_rows(values_only=True):
        if row and row[0] == label:
            return row[1]
    raise AssertionError(f"no {label!r} in the summary sheet")


def assert_nothing_sent_but_text(tg: StandIn, chat_id: int) -> None:
    assert not any(m.document or m.photo for m in tg.messages(chat_id))
    assert tg.calls_to("sendDocument") == []
    assert tg.calls_to("sendPhoto") == []


def actions(tg: StandIn, chat_id: int) -> list[str]:
    return [
        str(call.get("action"))
        for call in tg.calls_to("sendChatAction")
        if str(call.get("chat_id")) == str(chat_id)
    ]


# -- /digest ----------------------------------------------------------------------------------
async def test_digest_of_today_is_text_then_spreadsheet_then_chart(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await people(seed_user)
    async with run_bot() as app:
        tr = ru(app)
        today = local_today()
        filed = await add_report(app, OFFICER_TER, today, kg="2.5", submitted=datetime.now(UTC))
        earlier = await add_report(app, OFFICER_SAM, today - timedelta(days=1), kg="7")
        first = await say(tg, COORDINATOR, "/digest")
        await wait_for_photo(tg, COORDINATOR.id)
        await tg.wait_idle()
        messages = tg.messages(COORDINATOR.id)

    title = tr.gettext("Daily digest for {date}").format(date=tr.format_date(today, "long"))
    assert first.text is not None and first.text.splitlines()[0] == title
    assert str(today.year) in first.text
    text = "\n".join(m.text for m in messages if m.text)
    lines = text.splitlines()
    assert tr.ngettext("{count} report", "{count} reports", 1).format(count="1") in lines
    assert tr.ngettext("{count} seizure", "{count} seizures", 1).format(count="1") in lines
    assert earlier not in text

    kinds = ["document" if m.document else "photo" if m.photo else "text" for m in messages]
    assert kinds[-3:] == ["document", "photo", "photo"], kinds
    assert set(kinds[:-3]) == {"text"}, kinds
    document, photo, drawn = messages[-3], messages[-2], messages[-1]
    assert document.document is not None
    assert document.document["file_name"] == f"fieldreport-{today.isoformat()}.xlsx"
    assert document.caption == tr.gettext("Reports of {day}").format(
        day=tr.format_date(today, "long")
    )
    assert photo.photo is not None and photo.photo.startswith(PNG_SIGNATURE)
    assert len(photo.photo) > 1000
    assert drawn.photo is not None and drawn.photo.startswith(PNG_SIGNATURE)
    assert drawn.caption is not None and len(drawn.caption) <= 1024
    assert drawn.caption.splitlines()[:2] == [
        tr.gettext("Seizures by unit, {date}").format(date=tr.format_date(today, "long")),
        tr.ngettext("Today: {count} seizure, {kg}", "Today: {count} seizures, {kg}", 1).format(
            count="1", kg=tr.gettext("{quantity} kg").format(quantity="2,5")
        ),
    ]

    book = workbook_of(document)
    assert book.sheetnames[0] == tr.pgettext("sheet", "Summary")
    assert summary_value(book, tr, tr.pgettext("column", "Reports")) == 1
    seizures = book[tr.pgettext("sheet", "Seizures")]
    assert [row[0] for row in seizures.iter_rows(min_row=2, values_only=True)] == [filed]
    assert report_numbers(book, tr) == [filed]
    assert actions(tg, COORDINATOR.id)[:1] == ["typing"]
    assert "upload_document" in actions(tg, COORDINATOR.id)


async def test_digest_of_a_past_day_shows_that_days_numbers(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await people(seed_user)
    day = date(2026, 11, 20)
    async with run_bot() as app:
        tr = ru(app)
        inside = [
            await add_report(app, OFFICER_TER, day, kg="2.5"),
            await add_report(app, OFFICER_SAM, day, kg="1.5"),
            await add_report(app, OFFICER_TER, day),
        ]
        outside = [
            await add_report(app, OFFICER_TER, day - timedelta(days=1), kg="9"),
            await add_report(app, OFFICER_SAM, day + timedelta(days=1), kg="9"),
            await add_report(app, OFFICER_SAM, day + timedelta(days=1)),
        ]
        first = await say(tg, COORDINATOR, "/digest 20.11.2026")
        await wait_for_photo(tg, COORDINATOR.id)
        await tg.wait_idle()
        messages = tg.messages(COORDINATOR.id)

    assert first.text is not None
    assert first.text.splitlines()[0] == tr.gettext("Daily digest for {date}").format(
        date=tr.format_date(day, "long")
    )
    text = "\n".join(m.text for m in messages if m.text)
    lines = text.splitlines()
    assert tr.ngettext("{count} report", "{count} reports", 3).format(count="3") in lines
    assert tr.ngettext("{count} seizure", "{count} seizures", 2).format(count="2") in lines
    for wrong in (4, 5, 6):
        assert (
            tr.ngettext("{count} report", "{count} reports", wrong).format(count=str(wrong))
            not in lines
        )
    documents = [m for m in messages if m.document]
    assert len(documents) == 1
    assert documents[0].document["file_name"] == "fieldreport-2026-11-20.xlsx"  # type: ignore[index]
    book = workbook_of(documents[0])
    assert sorted(report_numbers(book, tr)) == sorted(inside)
    assert not set(outside) & set(report_numbers(book, tr))
    assert summary_value(book, tr, tr.pgettext("column", "Reports")) == 3
    assert summary_value(book, tr, tr.pgettext("column", "Seizures")) == 2
    assert summary_value(book, tr, tr.pgettext("column", "Seized, kg")) == 4
    _chart, drawn = [m for m in messages if m.photo]
    # The map: the day's seizures, and the week's (the day before is in it, the day after not).
    assert drawn.caption is not None
    assert drawn.caption.splitlines()[1:] == [
        tr.ngettext("Today: {count} seizure, {kg}", "Today: {count} seizures, {kg}", 2).format(
            count="2", kg=tr.gettext("{quantity} kg").format(quantity="4")
        ),
        tr.ngettext(
            "Last 7 days: {count} seizure, {kg}", "Last 7 days: {count} seizures, {kg}", 3
        ).format(count="3", kg=tr.gettext("{quantity} kg").format(quantity="13")),
    ]


async def test_digest_with_bad_arguments_explains_and_sends_nothing(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await people(seed_user)
    async with run_bot() as app:
        tr = ru(app)
        today = local_today()
        await add_report(app, OFFICER_TER, today, kg="1")
        usage = tr.gettext(
            "Usage: /digest or /digest DD.MM.YYYY, for example /digest {example}."
        ).format(example=(today - timedelta(days=1)).strftime("%d.%m.%Y"))
        for text in (
            "/digest tomorrow",
            "/digest 32.13.2026",
            "/digest 31.02.2026",
            "/digest <b>x</b>",
            "/digest " + "1" * 5000,
            "/digest 20.11.2026 21.11.2026",
            "/digest 20.11.2026 <i>",
        ):
            reply = await say(tg, COORDINATOR, text)
            assert reply.text == usage, (text[:40], reply.text)
        not_yet = tr.gettext("That day has not come yet.")
        for day in (today + timedelta(days=1), date(9999, 12, 31)):
            reply = await say(tg, COORDINATOR, f"/digest {day.strftime('%d.%m.%Y')}")
            assert reply.text == not_yet
        await tg.wait_idle()
    assert_nothing_sent_but_text(tg, COORDINATOR.id)
    assert len(tg.messages(COORDINATOR.id)) == 9


async def test_an_officer_may_not_ask_for_the_digest_or_an_export(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await people(seed_user)
    async with run_bot() as app:
        tr = ru(app)
        await add_report(app, OFFICER_TER, local_today(), kg="1")
        refused = tr.gettext("This is for coordinators and administrators.")
        for text in ("/digest", "/digest 20.11.2026", "/export 01.11.2026 30.11.2026"):
            reply = await say(tg, OFFICER_TER, text)
            assert reply.text == refused, text
        await tg.wait_idle()
        async with app.services.db.read() as repos:
            denied = [e for e in await repos.audit.latest(50) if e.action == "access.denied"]
    assert_nothing_sent_but_text(tg, OFFICER_TER.id)
    assert len(denied) == 3
    assert {e.actor_telegram_id for e in denied} == {OFFICER_TER.id}


async def test_digest_of_the_year_one_is_refused_not_crashed(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await people(seed_user)
    async with run_bot() as app:
        tr = ru(app)
        reply = await say(tg, COORDINATOR, "/digest 01.01.0001")
        await tg.wait_idle()
    apology = tr.gettext("Sorry, something went wrong on our side. Please try again in a moment.")
    assert reply.text != apology
    assert_nothing_sent_but_text(tg, COORDINATOR.id)


# -- /export ----------------------------------------------------------------------------------
async def test_export_holds_exactly_the_reports_of_the_period(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await people(seed_user)
    first, last = date(2026, 11, 1), date(2026, 11, 30)
    async with run_bot() as app:
        tr = ru(app)
        before = await add_report(app, OFFICER_TER, date(2026, 10, 31), kg="5")
        inside = {
            await add_report(app, OFFICER_TER, first),
            await add_report(app, OFFICER_SAM, date(2026, 11, 15), kg="1.25"),
            await add_report(app, OFFICER_TER, date(2026, 11, 15)),
            await add_report(app, OFFICER_SAM, last, kg="0.5", submitted=at(last, 23)),
        }
        after = await add_report(app, OFFICER_TER, date(2026, 12, 1), kg="5")
        reply = await say(tg, COORDINATOR, "/export 01.11.2026 30.11.2026")
        await tg.wait_idle()

    assert reply.document is not None, reply.describe()
    assert reply.document["file_name"] == "fieldreport-2026-11-01-2026-11-30.xlsx"
    assert reply.caption == tr.ngettext(
        "{count} report from {first} to {last}", "{count} reports from {first} to {last}", 4
    ).format(count=4, first=tr.format_date(first), last=tr.format_date(last))
    assert reply.caption and ".." not in reply.caption  # a date ending in "г." ends it
    book = workbook_of(reply)
    numbers = report_numbers(book, tr)
    assert sorted(numbers) == sorted(inside)  # each once, and nothing else
    assert before not in numbers and after not in numbers
    items = book[tr.pgettext("sheet", "Seized items")]
    seized = [row[0] for row in items.iter_rows(min_row=2, values_only=True)]
    assert len(seized) == 2 and set(seized) < inside
    assert summary_value(book, tr, tr.pgettext("column", "Reports")) == 4
    assert summary_value(book, tr, tr.pgettext("column", "Seized, kg")) == 1.75
    assert actions(tg, COORDINATOR.id) == ["upload_document"]
    assert len(tg.messages(COORDINATOR.id)) == 1


async def test_export_says_urgent_by_the_configured_threshold(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    """URGENT_THRESHOLD_KG of 0.5: a seizure of 0.6 kg alerted coordinators, so the period's
    spreadsheet says it was urgent too (not the default 1 kg's "No")."""
    await people(seed_user)
    async with run_bot(urgent_threshold_kg=Decimal("0.5")) as app:
        tr = ru(app)
        number = await add_report(app, OFFICER_TER, date(2026, 11, 15), kg="0.6")
        reply = await say(tg, COORDINATOR, "/export 01.11.2026 30.11.2026")
        await tg.wait_idle()

    book = workbook_of(reply)
    sheet = book[tr.pgettext("sheet", "Seizures")]
    column = [cell.value for cell in sheet[1]].index(tr.gettext("Urgent"))
    (urgent,) = [r[column] for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == number]
    assert urgent == urgency_text(Reason.LARGE, tr)


async def test_export_of_exactly_the_longest_period_is_allowed(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await people(seed_user)
    async with run_bot(export_max_days=3) as app:
        tr = ru(app)
        number = await add_report(app, OFFICER_TER, date(2026, 11, 3))
        too_long = await say(tg, COORDINATOR, "/export 01.11.2026 04.11.2026")
        allowed = await say(tg, COORDINATOR, "/export 01.11.2026 03.11.2026")
        await tg.wait_idle()
    assert too_long.text == tr.ngettext(
        "The period is too long: at most {limit} day.",
        "The period is too long: at most {limit} days.",
        3,
    ).format(limit=3)
    assert allowed.document is not None
    assert report_numbers(workbook_of(allowed), tr) == [number]
    assert allowed.caption is not None and allowed.caption.startswith("1")


async def test_export_with_bad_arguments_explains_and_sends_nothing(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await people(seed_user)
    async with run_bot() as app:
        tr = ru(app)
        today = local_today()
        await add_report(app, OFFICER_TER, date(2026, 11, 15), kg="1")
        usage = tr.gettext(
            "Usage: /export FROM TO, for example /export {first} {last}. "
            "Seizure records, one row per seized item: /export ids FROM TO."
        ).format(
            first=(today - timedelta(days=7)).strftime("%d.%m.%Y"),
            last=today.strftime("%d.%m.%Y"),
        )
        limit = app.services.settings.export_max_days
        too_long = tr.ngettext(
            "The period is too long: at most {limit} day.",
            "The period is too long: at most {limit} days.",
            limit,
        ).format(limit=limit)
        swapped = tr.gettext("The first day is after the last one. Please swap them.")
        start = date(2026, 1, 1)
        cases = [
            ("/export 30.11.2026 01.11.2026", swapped),
            ("/export 2026-11-30 2026-11-29", swapped),
            (
                f"/export 01.01.2026 {(start + timedelta(days=limit)).strftime('%d.%m.%Y')}",
                too_long,
            ),
            ("/export 01.01.2020 31.12.2026", too_long),
            ("/export", usage),
            ("/export 01.11.2026", usage),
            ("/export 01.11.2026 30.11.2026 31.12.2026", usage),
            ("/export 01.11.2026 yesterday", usage),
            ("/export 32.11.2026 30.11.2026", usage),
            ("/export 01.11.2026 31.11.2026", usage),
            ("/export <b>01.11.2026</b> 30.11.2026", usage),
            ("/export 01.11.2026 " + "3" * 5000, usage),
        ]
        for text, expected in cases:
            reply = await say(tg, COORDINATOR, text)
            assert reply.text == expected, (text[:50], reply.text)
        await tg.wait_idle()
    assert_nothing_sent_but_text(tg, COORDINATOR.id)
    assert "upload_document" not in actions(tg, COORDINATOR.id)
    assert len(tg.messages(COORDINATOR.id)) == len(cases)


async def test_export_of_the_year_one_is_refused_not_crashed(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await people(seed_user)
    async with run_bot() as app:
        tr = ru(app)
        reply = await say(tg, COORDINATOR, "/export 01.01.0001 01.01.0001")
        await tg.wait_idle()
    apology = tr.gettext("Sorry, something went wrong on our side. Please try again in a moment.")
    assert reply.text != apology
    assert_nothing_sent_but_text(tg, COORDINATOR.id)


# -- /settings --------------------------------------------------------------------------------
def settings_text(tr: Translator, digest: str, reminder: str) -> str:
    return (
        tr.gettext(
            "Daily digest: {digest}. Reminder to units that have not filed: {reminder} "
            "({timezone})."
        ).format(digest=digest, reminder=reminder, timezone="Asia/Tashkent")
        + "\n"
        + tr.gettext("To change them: /settings digest HH:MM or /settings reminder HH:MM.")
    )


def only_job(app: FieldReportApplication, name: str) -> time:
    """The local (Tashkent) time of the one job called ``name``; fails unless exactly one."""
    assert app.job_queue is not None
    jobs = app.job_queue.get_jobs_by_name(name)
    assert len(jobs) == 1, [j.name for j in jobs]
    next_t = jobs[0].next_t
    assert next_t is not None
    assert timedelta(0) < next_t - datetime.now(UTC) <= timedelta(days=1)
    return next_t.astimezone(TASHKENT).time().replace(second=0, microsecond=0)


async def changes(app: FieldReportApplication) -> list[tuple[int | None, str | None, object]]:
    async with app.services.db.read() as repos:
        entries = await repos.audit.latest(100)
    return [
        (e.actor_telegram_id, e.target, json.loads(e.details or "null"))
        for e in reversed(entries)
        if e.action == "settings.changed"
    ]


async def stored(app: FieldReportApplication) -> tuple[str | None, str | None]:
    async with app.services.db.read() as repos:
        return await repos.settings.get("digest_time"), await repos.settings.get("reminder_time")


async def test_an_admin_changes_the_digest_time_and_the_job_follows(
    tg: StandIn, run_bot: RunBot
) -> None:
    async with run_bot(run_jobs=True) as app:
        tr = ru(app)
        assert only_job(app, DIGEST_JOB) == time(8, 0)
        assert only_job(app, REMINDER_JOB) == time(18, 0)

        shown = await say(tg, ADMIN, "/settings")
        assert shown.text == settings_text(tr, "08:00", "18:00")
        assert await stored(app) == (None, None)

        changed = await say(tg, ADMIN, "/settings digest 07:30")
        assert changed.text == settings_text(tr, "07:30", "18:00")
        assert await stored(app) == ("07:30", None)
        assert await changes(app) == [(ADMIN.id, "digest_time", {"value": "07:30"})]
        assert only_job(app, DIGEST_JOB) == time(7, 30)
        assert only_job(app, REMINDER_JOB) == time(18, 0)

        changed = await say(tg, ADMIN, "/settings reminder 9.05")
        assert changed.text == settings_text(tr, "07:30", "09:05")
        assert await stored(app) == ("07:30", "09:05")
        assert only_job(app, DIGEST_JOB) == time(7, 30)
        assert only_job(app, REMINDER_JOB) == time(9, 5)

        again = await say(tg, ADMIN, "/settings digest 7.30")  # the same time, written otherwise
        assert again.text == settings_text(tr, "07:30", "09:05")
        assert only_job(app, DIGEST_JOB) == time(7, 30)
        assert len(app.job_queue.get_jobs_by_name(DELIVERY_JOB)) == 1  # type: ignore[union-attr]
        assert [target for _, target, _ in await changes(app)] == [
            "digest_time",
            "reminder_time",
            "digest_time",
        ]


async def test_the_stored_time_survives_a_restart(tg: StandIn, run_bot: RunBot) -> None:
    async with run_bot() as app:
        await say(tg, ADMIN, "/settings digest 06:45")
    async with run_bot(run_jobs=True) as app:
        assert only_job(app, DIGEST_JOB) == time(6, 45)
        shown = await say(tg, ADMIN, "/settings")
        assert shown.text == settings_text(ru(app), "06:45", "18:00")


async def test_bad_settings_explain_and_change_nothing(tg: StandIn, run_bot: RunBot) -> None:
    async with run_bot(run_jobs=True) as app:
        tr = ru(app)
        usage = tr.gettext(
            "Usage: /settings digest HH:MM or /settings reminder HH:MM, "
            "for example /settings digest 08:00."
        )
        for text in (
            "/settings digest 25:00",
            "/settings digest 24:00",
            "/settings reminder 7:60",
            "/settings lunch 12:00",
            "/settings digest",
            "/settings 07:30",
            "/settings digest 07:30 18:00",
            "/settings digest <b>07:30</b>",
            "/settings digest " + "1" * 5000,
        ):
            reply = await say(tg, ADMIN, text)
            assert reply.text == usage, (text[:40], reply.text)
        assert await stored(app) == (None, None)
        assert await changes(app) == []
        assert only_job(app, DIGEST_JOB) == time(8, 0)
        assert only_job(app, REMINDER_JOB) == time(18, 0)
        shown = await say(tg, ADMIN, "/settings")
    assert shown.text == settings_text(tr, "08:00", "18:00")


async def test_a_coordinator_may_not_see_or_change_the_settings(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await people(seed_user)
    async with run_bot(run_jobs=True) as app:
        tr = ru(app)
        refused = tr.gettext("This is for administrators only.")
        for text in ("/settings", "/settings digest 07:30"):
            reply = await say(tg, COORDINATOR, text)
            assert reply.text == refused, text
        await tg.wait_idle()
        assert await stored(app) == (None, None)
        assert await changes(app) == []
        assert only_job(app, DIGEST_JOB) == time(8, 0)
    assert len(tg.messages(COORDINATOR.id)) == 2


async def test_digest_of_a_day_without_reports_is_one_line(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await people(seed_user)
    async with run_bot() as app:
        tr = ru(app)
        day = local_today() - timedelta(days=3)
        await add_report(app, OFFICER_TER, day - timedelta(days=1), kg="1")  # another day's
        reply = await say(tg, COORDINATOR, f"/digest {day.strftime('%d.%m.%Y')}")
        await tg.wait_idle()
        async with app.services.db.read() as repos:
            active = [u for u in await repos.units.list() if u.active]
    expected = tr.ngettext(
        "No reports on {day}; {count} unit did not report.",
        "No reports on {day}; {count} units did not report.",
        len(active),
    ).format(day=tr.format_date(day, "long"), count=tr.format_number(len(active)))
    assert reply.text == expected
    assert len(tg.messages(COORDINATOR.id)) == 1
    assert_nothing_sent_but_text(tg, COORDINATOR.id)
