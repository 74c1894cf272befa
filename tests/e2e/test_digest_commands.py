"""/digest as people use it, through the real bot and the stand-in.

Reports are put straight into the database with the reporting day each test needs; words are
compared through the bot's own translator (the catalogs are still being translated), and
otherwise only language-independent content is checked: numbers, dates, file names, cells."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.standin import StandIn
from tests.e2e.conftest import RunBot, SeedUser
from tests.e2e.digest_steps import (
    COORDINATOR,
    OFFICER_SAM,
    OFFICER_TER,
    actions,
    add_report,
    assert_nothing_sent_but_text,
    local_today,
    people,
    report_numbers,
    ru,
    say,
    summary_value,
    wait_for_photo,
    workbook_of,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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
