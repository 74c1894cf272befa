"""Step 10's records handed on: a seizure with its route filed in Uzbek at a crossing point, then
``/export ids`` as a coordinator, opened with openpyxl; ``/routes`` counting a period's routes
and concealment methods; both commands' bad arguments and refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot import filing, locating
from bot.equivalents import WEIGHT_ONLY, load_factors
from bot.forms.definitions import SEIZURE
from bot.standin import SentMessage, StandIn, TgUser
from storage import Database, Role
from tests.e2e.border_office import AYRITOM, OFFICER, border_office_with_a_point
from tests.e2e.conftest import RunBot, SeedUser
from tests.e2e.digest_steps import workbook_of
from tests.support.driver import Officer

TASHKENT = ZoneInfo("Asia/Tashkent")
COORDINATOR = TgUser(id=8201, first_name="Nodira", language_code="uz")
COORDINATOR_RU = TgUser(id=8202, first_name="Ольга", language_code="ru")
SLOW = 30.0  # the first workbook starts a worker process


def today() -> date:
    return datetime.now(UTC).astimezone(TASHKENT).date()


async def say(tg: StandIn, user: TgUser, text: str) -> SentMessage:
    await tg.send_text(user, text)
    return await tg.next_message(user.id, timeout=SLOW)


async def file_directly(path: Path, officer_id: int, answers: dict[str, Any], key: str) -> None:
    """A seizure stored as filing stores it (a whole walk per seizure would pass flood control)."""
    db = await Database.open(path)
    try:
        async with db.transaction() as repos:
            author = await repos.users.get_by_telegram_id(officer_id)
            assert author is not None and author.unit_id is not None
            await repos.reports.create(
                filing.new_report(
                    SEIZURE,
                    answers,
                    draft_id=key,
                    author=author,
                    unit_id=author.unit_id,
                    now=datetime.now(UTC),
                    timezone=TASHKENT,
                    factors=WEIGHT_ONLY,
                    placement=await locating.placement(repos, SEIZURE, answers, author.unit_id),
                )
            )
    finally:
        await db.close()


def seizure(point_id: int, kg: str, **route: Any) -> dict[str, Any]:
    return {
        "when": datetime.now(TASHKENT).isoformat(),
        "place": {"type": "point", "id": str(point_id), "text": "Ayritom"},
        "items": [{"substance": "heroin", "qty": kg, "measure": "kg"}],
        "detained": "0",
        "agencies": ["customs"],
        "urgent": False,
        **route,
    }


async def test_a_seizure_filed_in_uzbek_handed_on_by_export_ids(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object
) -> None:
    path: Path = settings.database_path  # type: ignore[attr-defined]
    point_id = await border_office_with_a_point(path)
    o = Officer(tg, await seed_user(OFFICER, Role.OFFICER, "BLO-TER"))
    await seed_user(COORDINATOR, Role.COORDINATOR, None)
    day = today().strftime("%d.%m.%Y")
    async with run_bot():
        await o.start_form("seizure")
        await o.tap_form("when", "dt", "now")
        await o.tap_form("place", "opt", str(point_id))
        await o.tap_form("substance", "opt", "heroin")
        await o.say("0,8")  # under the urgent threshold: no alert
        await o.tap_form("measure", "opt", "kg")
        await o.tap_form("items", "more", "done")
        await o.tap_form("conceal", "opt", "vehicle")
        await o.tap_form("transport", "opt", "truck")
        await o.tap_form("origin", "opt", "af")
        await o.tap_form("departure", "opt", "tj")
        await o.tap_form("transit", "opt", "ir")
        await o.tap_form("transit", "done")
        await o.tap_form("destination", "opt", "ru")
        await o.say("2")
        await o.tap_form("nations", "opt", "tj")
        await o.tap_form("nations", "done")
        await o.tap_form("agencies", "opt", "customs")
        await o.tap_form("agencies", "done")
        await o.say('=HYPERLINK("http://x","y")')
        await o.tap_form("notes", "skip")
        await o.tap_form("photos", "skip")
        await o.tap_form("urgent", "opt", "no")
        await o.tap_form("_", "submit")
        receipt = (await tg.next_message(o.user.id)).text
        assert "raqamli hisobot qabul qilindi" in receipt

        reply = await say(tg, COORDINATOR, f"/export ids {day} {day}")
        await tg.wait_idle()

    assert reply.document is not None, reply.describe()
    iso = today().isoformat()
    assert reply.document["file_name"] == f"fieldreport-ids-{iso}-{iso}.xlsx"
    assert reply.caption is not None and "1 ta olib qo‘yish yozuvi" in reply.caption
    book = load_workbook(BytesIO(reply.document["content"]))
    assert book.sheetnames == ["Olib qo‘yish yozuvlari", "Jami"]
    records = book.worksheets[0]
    names = [cell.value for cell in records[2]]
    assert names[:3] == ["seizure_date", "drug", "quantity"]
    assert records[1][0].value == "Olib qo‘yilgan sana"
    assert records.max_row == 3
    row = {name: cell for name, cell in zip(names, records[3], strict=True)}
    assert row["seizure_date"].is_date and row["seizure_date"].value.date() == today()
    assert row["drug"].value == "Geroin"
    assert row["quantity"].value == 0.8 and row["measure"].value == "kg"
    assert row["kg_equivalent"].value == 0.8
    assert row["place_name"].value == "Ayritom"
    assert row["region"].value == "Surxondaryo viloyati"
    assert (row["latitude"].value, row["longitude"].value) == (
        AYRITOM.latitude,
        AYRITOM.longitude,
    )
    assert row["location_precision"].value == "chegara o‘tkazish punkti"
    assert row["country_of_origin"].value == "Afg‘oniston"
    assert row["country_of_departure"].value == "Tojikiston"
    assert row["transit_countries"].value == "Eron"
    assert row["destination_country"].value == "Rossiya"
    assert row["trafficker_nationalities"].value == "Tojikiston"
    assert row["persons_detained"].value == 2
    assert row["unit"].value == "Termiz chegara aloqa idorasi"
    assert row["case_reference"].value == '=HYPERLINK("http://x","y")'
    assert row["case_reference"].data_type == "s" and row["case_reference"].quotePrefix
    assert str(row["report_number"].value).startswith("SZ-")
    totals = list(book.worksheets[1].iter_rows(min_row=5, values_only=True))
    assert totals[0] == ("Geroin", 0.8, "kg", 0.8)

    db = await Database.open(path)
    try:
        async with db.read() as repos:
            (entry,) = [e for e in await repos.audit.latest(50) if e.action == "export.ids"]
    finally:
        await db.close()
    assert entry.actor_telegram_id == COORDINATOR.id
    assert entry.target == f"{iso}..{iso}"
    assert entry.details is not None and '"items": 1' in entry.details


async def test_export_ids_with_bad_arguments_explains_and_sends_nothing(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(COORDINATOR_RU, Role.COORDINATOR, None)
    async with run_bot() as app:
        tr = app.services.catalogs.translator("ru")
        now = today()
        example = {
            "first": (now - timedelta(days=7)).strftime("%d.%m.%Y"),
            "last": now.strftime("%d.%m.%Y"),
        }
        ids_usage = tr.gettext(
            "Usage: /export ids FROM TO, for example /export ids {first} {last}."
        ).format(**example)
        usage = tr.gettext(
            "Usage: /export FROM TO, for example /export {first} {last}. "
            "Seizure records, one row per seized item: /export ids FROM TO."
        ).format(**example)
        swapped = tr.gettext("The first day is after the last one. Please swap them.")
        cases = [
            ("/export ids", ids_usage),
            ("/export IDS 01.11.2026", ids_usage),
            ("/export ids 01.11.2026 31.11.2026", ids_usage),
            ("/export ids <b>01.11.2026</b> 30.11.2026", ids_usage),
            ("/export ids 01.11.2026 " + "3" * 5000, ids_usage),
            ("/export ids 01.01.0001 01.01.0001", ids_usage),
            ("/export ids 30.11.2026 01.11.2026", swapped),
            ("/export xls 01.11.2026 30.11.2026", usage),
        ]
        for text, expected in cases:
            reply = await say(tg, COORDINATOR_RU, text)
            assert reply.text == expected, (text[:50], reply.text)
        too_long = await say(tg, COORDINATOR_RU, "/export ids 01.01.2020 31.12.2026")
        assert too_long.text and too_long.text.startswith(
            tr.ngettext(
                "The period is too long: at most {limit} day.",
                "The period is too long: at most {limit} days.",
                92,
            ).format(limit=92)[:20]
        )
        await tg.wait_idle()
    assert not any(m.document for m in tg.messages(COORDINATOR_RU.id))


async def test_routes_counts_the_periods_routes_and_concealment(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object
) -> None:
    path: Path = settings.database_path  # type: ignore[attr-defined]
    point_id = await border_office_with_a_point(path)
    await seed_user(OFFICER, Role.OFFICER, "BLO-TER")
    await seed_user(COORDINATOR_RU, Role.COORDINATOR, None)
    to_russia = {"departure": "tj", "destination": "ru", "conceal": "vehicle"}
    await file_directly(path, OFFICER.id, seizure(point_id, "2", **to_russia), "a")
    await file_directly(path, OFFICER.id, seizure(point_id, "1.5", **to_russia), "b")
    await file_directly(
        path, OFFICER.id, seizure(point_id, "4", departure="af", conceal="cargo"), "c"
    )
    await file_directly(path, OFFICER.id, seizure(point_id, "0.5"), "d")  # route skipped
    async with run_bot() as app:
        tr = app.services.catalogs.translator("ru")
        reply = await say(tg, COORDINATOR_RU, "/routes")
        week = await say(tg, COORDINATOR_RU, "/routes 7")
        await tg.wait_idle()
    text = reply.text or ""
    assert text.startswith("Маршруты и способы сокрытия за последние 30 дней")
    assert "Поданы отчёты о 4 изъятиях." in text
    lines = text.replace("\xa0", " ").splitlines()  # no-break spaces around the numbers
    first_route = lines.index("1. Таджикистан → Россия: 2 изъятия, ≈ 3,5 кг в эквиваленте")
    assert lines[first_route + 1] == ("2. Афганистан → Неизвестно: 1 изъятие, ≈ 4 кг в эквиваленте")
    assert "Без маршрута: 1 изъятие." in lines
    concealment = lines.index("1. В транспортном средстве: 2 изъятия, ≈ 3,5 кг в эквиваленте")
    assert concealment > first_route
    assert (
        lines[concealment + 1].startswith("2. ") and "1 изъятие, ≈ 4 кг" in lines[concealment + 1]
    )
    assert "Способ сокрытия не указан: 1 изъятие." in lines
    db = await Database.open(path)
    try:
        async with db.read() as repos:
            readings = [e for e in await repos.audit.latest(50) if e.action == "routes.read"]
    finally:
        await db.close()
    assert [(e.actor_telegram_id, e.details) for e in readings] == [
        (COORDINATOR_RU.id, '{"seizures": 4}'),  # /routes 7, newest first
        (COORDINATOR_RU.id, '{"seizures": 4}'),
    ]
    assert (week.text or "").startswith(
        tr.ngettext(
            "Routes and concealment of the last {days} day ({first} – {last})",
            "Routes and concealment of the last {days} days ({first} – {last})",
            7,
        ).split("{")[0]
    )


async def test_routes_of_an_empty_period_bad_arguments_and_officers(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(COORDINATOR_RU, Role.COORDINATOR, None)
    officer = await seed_user(OFFICER, Role.OFFICER, "IMT-TER")
    async with run_bot() as app:
        tr = app.services.catalogs.translator("ru")
        usage = tr.gettext(
            "Usage: /routes or /routes DAYS (from 1 to {longest}), for example /routes 90."
        ).format(longest=366)
        empty = await say(tg, COORDINATOR_RU, "/routes 1")
        assert empty.text is not None
        # One day reads as that day, not as a range from it to itself.
        assert empty.text.splitlines()[0] == (
            f"Маршруты и способы сокрытия за {tr.format_date(today())}"
        )
        assert empty.text.endswith(tr.gettext("No seizures were filed in this period."))
        for bad in ("0", "367", "-5", "30d", "٣", "9" * 5000, "7 7", "<b>7</b>"):
            reply = await say(tg, COORDINATOR_RU, f"/routes {bad}")
            assert reply.text == usage, bad
        assert (await say(tg, COORDINATOR_RU, "/routes 366")).text != usage
        refused = await say(tg, officer, "/routes")
        await tg.wait_idle()
    assert refused.text is not None and "Маршруты" not in refused.text


async def test_an_ids_export_telegram_refused_is_not_audited_and_frees_the_next(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object
) -> None:
    """Fail closed: the file that never reached the coordinator is not recorded as handed on,
    and the one-export-at-a-time lock is released, so asking again works."""
    path: Path = settings.database_path  # type: ignore[attr-defined]
    point_id = await border_office_with_a_point(path)
    await seed_user(OFFICER, Role.OFFICER, "BLO-TER")
    await seed_user(COORDINATOR_RU, Role.COORDINATOR, None)
    await file_directly(path, OFFICER.id, seizure(point_id, "0.3", conceal="body"), "only")
    day = today().strftime("%d.%m.%Y")
    async with run_bot():
        tg.inject_fault("403", method="sendDocument", chat_id=COORDINATOR_RU.id)
        await tg.send_text(COORDINATOR_RU, f"/export ids {day} {day}")
        await tg.wait_until(lambda: bool(tg.calls_to("sendDocument")), SLOW, "the refused document")
        await tg.wait_idle()
        sorry = await tg.next_message(COORDINATOR_RU.id)  # the error handler's apology
        assert sorry.document is None and sorry.text and "попробуйте ещё раз" in sorry.text
        db = await Database.open(path)
        try:
            async with db.read() as repos:
                actions = [e.action for e in await repos.audit.latest(50)]
        finally:
            await db.close()
        assert "export.ids" not in actions
        again = await say(tg, COORDINATOR_RU, f"/export ids {day} {day}")
        await tg.wait_idle()
    assert again.document is not None, again.describe()
    assert again.caption is not None and again.caption.startswith("1 запись об изъятии")


async def test_a_routes_reading_telegram_refused_is_not_audited(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object
) -> None:
    """Fail closed: /routes whose message Telegram refused handed nothing on, so the audit does
    not say the coordinator read the routes; asking again is read and audited once."""
    path: Path = settings.database_path  # type: ignore[attr-defined]
    point_id = await border_office_with_a_point(path)
    await seed_user(OFFICER, Role.OFFICER, "BLO-TER")
    await seed_user(COORDINATOR_RU, Role.COORDINATOR, None)
    await file_directly(path, OFFICER.id, seizure(point_id, "1", departure="tj"), "only")

    async def readings() -> list[str | None]:
        db = await Database.open(path)
        try:
            async with db.read() as repos:
                return [
                    e.details for e in await repos.audit.latest(50) if e.action == "routes.read"
                ]
        finally:
            await db.close()

    async with run_bot():
        tg.inject_fault("400", method="sendMessage", chat_id=COORDINATOR_RU.id)
        await tg.send_text(COORDINATOR_RU, "/routes 7")
        await tg.wait_until(
            lambda: bool(tg.calls_to("sendMessage")), SLOW, "the refused /routes message"
        )
        await tg.wait_idle()
        sorry = await tg.next_message(COORDINATOR_RU.id)  # the error handler's apology
        assert sorry.text and "попробуйте ещё раз" in sorry.text
        assert await readings() == []
        again = await say(tg, COORDINATOR_RU, "/routes 7")
        await tg.wait_idle()
    assert again.text is not None and "Таджикистан" in again.text, again.describe()
    assert await readings() == ['{"seizures": 1}']


COORDINATOR_EN = TgUser(id=8203, first_name="John", language_code="en")


async def file_with_factors(path: Path, answers: dict[str, Any], key: str) -> None:
    """A seizure stored as filing stores it, with the factors in force (litres at 1 kg/L,
    methamphetamine tablets at 100 mg, tramadol tablets with none)."""
    db = await Database.open(path)
    try:
        factors = await load_factors(db)
        async with db.transaction() as repos:
            author = await repos.users.get_by_telegram_id(OFFICER.id)
            assert author is not None and author.unit_id is not None
            await repos.reports.create(
                filing.new_report(
                    SEIZURE,
                    answers,
                    draft_id=key,
                    author=author,
                    unit_id=author.unit_id,
                    now=datetime.now(UTC),
                    timezone=TASHKENT,
                    factors=factors,
                    placement=await locating.placement(repos, SEIZURE, answers, author.unit_id),
                )
            )
    finally:
        await db.close()


async def test_digest_export_ids_and_routes_agree_on_a_days_seizures_of_mixed_measures(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object
) -> None:
    """Numbers coordinators trust: the day's digest (text and spreadsheet), /export ids' totals
    sheet and /routes give the same kilogram equivalent, and the same quantities per drug and
    measure, never added across measures; what has no factor is in no equivalent."""
    path: Path = settings.database_path  # type: ignore[attr-defined]
    point_id = await border_office_with_a_point(path)
    await seed_user(OFFICER, Role.OFFICER, "BLO-TER")
    await seed_user(COORDINATOR_EN, Role.COORDINATOR, None, language="en")
    route = {"departure": "tj", "destination": "ru", "conceal": "vehicle"}

    def with_items(*items: tuple[str, str, str]) -> dict[str, Any]:
        answers = seizure(point_id, "1", **route)
        answers["items"] = [{"substance": s, "qty": q, "measure": m} for s, q, m in items]
        return answers

    # 1.5 kg + 2 L at 1 kg/L + 10,000 tablets at 100 mg = 4.5 kg equivalent; tramadol: none.
    await file_with_factors(path, with_items(("heroin", "1500", "g"), ("precursor", "2", "l")), "a")
    await file_with_factors(path, with_items(("meth", "10000", "tablets")), "b")
    await file_with_factors(path, with_items(("tramadol", "500", "tablets")), "c")
    day = today().strftime("%d.%m.%Y")
    async with run_bot() as app:
        tr = app.services.catalogs.translator("en")
        await tg.send_text(COORDINATOR_EN, "/digest")
        await tg.wait_until(
            lambda: sum(1 for m in tg.messages(COORDINATOR_EN.id) if m.photo) >= 2,
            SLOW,
            "the digest's chart and map",
        )
        await tg.send_text(COORDINATOR_EN, f"/export ids {day} {day}")
        await tg.wait_until(
            lambda: sum(1 for m in tg.messages(COORDINATOR_EN.id) if m.document) >= 2,
            SLOW,
            "the digest's spreadsheet and the seizure records",
        )
        await tg.wait_idle()
        await tg.send_text(COORDINATOR_EN, "/routes 1")
        await tg.wait_until(
            lambda: any(
                (m.text or "").startswith("Routes") for m in tg.messages(COORDINATOR_EN.id)
            ),
            SLOW,
            "the routes",
        )
        await tg.wait_idle()
    sent = tg.messages(COORDINATOR_EN.id)
    (routes,) = [m for m in sent if (m.text or "").startswith("Routes")]
    digest_text = "\n".join(m.text or "" for m in sent if m.text and m is not routes)
    digest_book, ids_book = (workbook_of(m) for m in sent if m.document)
    equivalent = Decimal("4.5")

    lines = digest_text.replace("\xa0", " ").splitlines()
    assert "Total in kilogram equivalents: ≈ 4.5 kg" in lines
    assert "• Heroin: 1.5 kg" in lines
    assert "• Methamphetamine: 10,000 tablets (≈ 1 kg equivalent)" in lines
    assert "• Precursor (acetic anhydride etc.): 2 L (≈ 2 kg equivalent)" in lines
    not_included = lines.index("Not included (no factor):")
    assert lines[not_included + 1 : not_included + 3] == ["• Tramadol: 500 tablets", ""]
    digest_summary = {
        row[0]: row[1]
        for row in digest_book[tr.pgettext("sheet", "Summary")].iter_rows(values_only=True)
        if row and row[0]
    }
    assert Decimal(str(digest_summary[tr.pgettext("column", "Kilogram equivalent, total")])) == (
        equivalent
    )

    totals = ids_book[tr.pgettext("sheet", "Totals")]
    rows = list(totals.iter_rows(min_row=5, values_only=True))
    per_measure = {(r[0], r[2]): (r[1], r[3]) for r in rows if r[0] and r[2] is not None}
    assert per_measure == {
        ("Heroin", "kg"): (1.5, 1.5),
        ("Precursor (acetic anhydride etc.)", "L"): (2, 2),
        ("Methamphetamine", "tablets"): (10000, 1),
        ("Tramadol", "tablets"): (500, tr.gettext("no factor")),
    }
    (total,) = [r[1] for r in rows if r[0] == tr.pgettext("column", "Kilogram equivalent, total")]
    assert Decimal(str(total)) == equivalent

    text = (routes.text or "").replace("\xa0", " ")
    assert "1. Tajikistan → Russia: 3 seizures, ≈ 4.5 kg equivalent" in text.splitlines()
    concealment = text.splitlines()[text.splitlines().index("Concealment methods:") + 1]
    assert concealment.startswith("1. ") and concealment.endswith(
        ": 3 seizures, ≈ 4.5 kg equivalent"
    )
    assert text.endswith(
        "Litres, tablets and pieces of a drug without a factor are in no kilogram equivalent."
    )
