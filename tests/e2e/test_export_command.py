"""/export as people use it: exactly the reports of the period, urgency by the configured threshold,
and bad periods explained with nothing sent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from bot.forms.readback import urgency_text
from bot.standin import StandIn
from bot.urgent import Reason
from tests.e2e.conftest import RunBot, SeedUser
from tests.e2e.digest_steps import (
    COORDINATOR,
    OFFICER_SAM,
    OFFICER_TER,
    actions,
    add_report,
    assert_nothing_sent_but_text,
    at,
    local_today,
    people,
    report_numbers,
    ru,
    say,
    summary_value,
    workbook_of,
)


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
