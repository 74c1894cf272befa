"""Step 10 end to end: a seizure's route and where it sits on the map, filed in Uzbek, shown in
the summary and the receipt (what was skipped shown as not given), stored with the report, and
amended."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import filing, locating
from bot.equivalents import WEIGHT_ONLY
from bot.forms.definitions import SEIZURE
from bot.standin import StandIn, TgUser
from storage import Coordinates, Database, Precision, Report, Role, Route
from tests.e2e.border_office import AYRITOM, OFFICER, border_office_with_a_point
from tests.e2e.conftest import RunBot, SeedUser
from tests.support.driver import Officer

TERMEZ = Coordinates(37.2242, 67.2783)  # the Termez mobile team's seeded location
SCHEMA_13 = Path(__file__).resolve().parents[1] / "fixtures" / "schema13.sql"


async def stored(path: Path) -> tuple[Report, list[dict[str, object]]]:
    """The one report filed, and each of its versions' snapshots."""
    db = await Database.open(path)
    try:
        async with db.read() as repos:
            report = await repos.reports.get_by_number(numbered(await repos.reports.count_all()))
            assert report is not None
            versions = [v.answers for v in await repos.reports.versions(report.id)]
    finally:
        await db.close()
    return report, versions


def numbered(seq: int) -> str:
    return f"SZ-{datetime.now(ZoneInfo('Asia/Tashkent')).year}-{seq:06d}"


def ticked(o: Officer, field: str) -> set[str]:
    """The options of a multiple choice shown ticked on the current question."""
    return {
        data.rsplit(":", 1)[1]
        for row in o.screen().buttons
        for text, data in row
        if data and f":{field}:opt:" in data and text.startswith("✅")
    }


async def test_a_seizure_at_a_crossing_point_with_its_route_filed_in_uzbek_then_amended(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object
) -> None:
    path: Path = settings.database_path  # type: ignore[attr-defined]
    point_id = await border_office_with_a_point(path)
    o = Officer(tg, await seed_user(OFFICER, Role.OFFICER, "BLO-TER"))
    async with run_bot():
        await o.start_form("seizure")
        await o.tap_form("when", "dt", "now")
        await o.tap_form("place", "opt", str(point_id))
        await o.tap_form("substance", "opt", "heroin")
        await o.say("1,5")
        await o.tap_form("measure", "opt", "kg")
        await o.tap_form("items", "more", "done")
        await o.tap_form("conceal", "opt", "vehicle")
        await o.tap_form("transport", "opt", "truck")
        question = o.screen()
        assert "kelib chiqish davlati" in question.text
        labels = [label for row in question.buttons for label, _data in row]
        # The region's countries first, "unknown" always there, the route skippable at once.
        assert labels[:3] == ["Afg‘oniston", "Eron", "Pokiston"]
        assert {"Turkiya", "Yevropa Ittifoqi", "Noma’lum"} <= set(labels)
        assert "⏭ Butun yo‘nalishni o‘tkazib yuborish" in labels
        await o.tap_form("origin", "opt", "af")
        await o.tap_form("departure", "opt", "tj")
        await o.tap_form("transit", "opt", "ir")
        await o.tap_form("transit", "opt", "unknown")
        assert ticked(o, "transit") == {"unknown"}  # "Unknown" and a country exclude each other
        await o.tap_form("transit", "opt", "tm")
        await o.tap_form("transit", "opt", "ir")
        assert ticked(o, "transit") == {"ir", "tm"}
        await o.tap_form("transit", "done")
        await o.tap_form("destination", "skip")
        await o.say("0")
        await o.tap_form("agencies", "opt", "customs")
        await o.tap_form("agencies", "done")
        await o.tap_form("caseref", "skip")
        await o.tap_form("notes", "skip")
        await o.tap_form("photos", "skip")
        await o.tap_form("urgent", "opt", "no")
        summary = o.last().text
        assert "Kelib chiqish davlati: Afg‘oniston" in summary
        assert "Jo‘natuvchi davlat: Tojikiston" in summary
        assert "Tranzit davlatlar: Eron, Turkmaniston" in summary
        assert "Manzil davlati: —" in summary
        assert "Yo‘nalishda ko‘rsatilmagan: Manzil davlati." in summary
        await o.tap_form("_", "submit")
        receipt = (await tg.next_message(o.user.id)).text
        assert "raqamli hisobot qabul qilindi" in receipt
        assert "Tranzit davlatlar: Eron, Turkmaniston" in receipt
        assert "Yo‘nalishda ko‘rsatilmagan: Manzil davlati." in receipt
        assert (
            "Xaritada: 37.23610, 67.20140 (chegara o‘tkazish punktining koordinatalari)." in receipt
        )

        report, _versions = await stored(path)
        assert report.route == Route("af", "tj", ("ir", "tm"), None)
        assert report.precision is Precision.POINT
        assert (report.latitude, report.longitude) == (AYRITOM.latitude, AYRITOM.longitude)
        assert report.place_text == "Ayritom"
        assert report.filed_before_routes is False


async def test_amending_a_seizure_gives_the_route_it_lacked(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object
) -> None:
    """Filed with the destination skipped (stored directly: a whole walk and an amendment in
    one test would pass flood control's 30 updates in 10 s), then amended from /myreports."""
    path: Path = settings.database_path  # type: ignore[attr-defined]
    point_id = await border_office_with_a_point(path)
    user = await seed_user(OFFICER, Role.OFFICER, "BLO-TER")
    answers = {
        "when": datetime.now(ZoneInfo("Asia/Tashkent")).isoformat(),
        "place": {"type": "point", "id": str(point_id), "text": "Ayritom"},
        "items": [{"substance": "opium", "qty": "3", "measure": "kg"}],
        "origin": "af",
        "departure": "tj",
        "transit": ["ir", "tm"],
        "detained": "0",
        "agencies": ["customs"],
        "urgent": False,
    }
    db = await Database.open(path)
    try:
        async with db.transaction() as repos:
            author = await repos.users.get_by_telegram_id(user.id)
            assert author is not None and author.unit_id is not None
            await repos.reports.create(
                filing.new_report(
                    SEIZURE,
                    answers,
                    draft_id="filed-before-amending",
                    author=author,
                    unit_id=author.unit_id,
                    now=datetime.now(UTC),
                    timezone=ZoneInfo("Asia/Tashkent"),
                    factors=WEIGHT_ONLY,
                    placement=await locating.placement(repos, SEIZURE, answers, author.unit_id),
                )
            )
    finally:
        await db.close()
    o = Officer(tg, user)
    async with run_bot():
        await o.say("/myreports")
        await o.tap("my", "open")
        opened = o.last().text
        assert "Tranzit davlatlar: Eron, Turkmaniston" in opened
        assert "Yo‘nalishda ko‘rsatilmagan: Manzil davlati." in opened
        assert "Xaritada: 37.23610, 67.20140" in opened
        await o.tap("my", "amend")
        await o.tap_form("_", "edit", "destination")
        await o.tap_form("destination", "opt", "ru")
        assert "ko‘rsatilmagan" not in o.last().text
        await o.tap_form("_", "submit")
        amended = (await tg.next_message(o.user.id)).text
        assert "tuzatildi (2-versiya)" in amended
        assert "Manzil davlati: Rossiya" in amended
        assert "ko‘rsatilmagan" not in amended

    report, versions = await stored(path)
    assert report.version == 2
    assert report.route == Route("af", "tj", ("ir", "tm"), "ru")
    assert report.precision is Precision.POINT
    assert [v["route"] for v in versions] == [
        {"origin": "af", "departure": "tj", "transit": ["ir", "tm"], "destination": None},
        {"origin": "af", "departure": "tj", "transit": ["ir", "tm"], "destination": "ru"},
    ]
    assert [v["precision"] for v in versions] == ["point", "point"]


async def test_a_typed_place_and_a_skipped_route_are_shown_as_such(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object
) -> None:
    path: Path = settings.database_path  # type: ignore[attr-defined]
    o = Officer(tg, await seed_user(OFFICER, Role.OFFICER, "IMT-TER"))
    async with run_bot():
        await o.start_form("seizure")
        await o.tap_form("when", "dt", "now")
        await o.say("Sherobod, 3-post")
        await o.tap_form("substance", "opt", "hashish")
        await o.say("200")
        await o.tap_form("measure", "opt", "g")
        await o.tap_form("items", "more", "done")
        await o.tap_form("conceal", "skip")
        await o.tap_form("transport", "skip")
        # Typed instead of tapped: refused, nothing stored, the question stays.
        refusal = await o.say("Afg‘oniston")
        assert "Yuqoridagi tugmalardan birini tanlang." in refusal.text
        await o.skip_route()
        # One tap past all four route questions: the persons detained are asked next.
        assert any(":detained:" in (data or "") for row in o.screen().buttons for _t, data in row)
        await o.say("0")
        await o.tap_form("agencies", "opt", "mia")
        await o.tap_form("agencies", "done")
        await o.tap_form("caseref", "skip")
        await o.tap_form("notes", "skip")
        await o.tap_form("photos", "skip")
        await o.tap_form("urgent", "opt", "no")
        assert (
            "Yo‘nalishda ko‘rsatilmagan: Kelib chiqish davlati, Jo‘natuvchi davlat,"
            " Tranzit davlatlar, Manzil davlati." in o.last().text
        )
        await o.tap_form("_", "submit")
        receipt = (await tg.next_message(o.user.id)).text
    assert "Xaritada: 37.22420, 67.27830 (bo‘linma joylashgan joy)." in receipt
    report, _versions = await stored(path)
    assert report.route == Route()
    assert report.precision is Precision.UNIT
    assert (report.latitude, report.longitude) == (TERMEZ.latitude, TERMEZ.longitude)
    assert report.place_text == "Sherobod, 3-post"


async def test_a_report_from_before_the_migration_says_its_route_was_not_asked_and_amends(
    tg: StandIn, run_bot: RunBot, settings: object
) -> None:
    """The bot started on a database the previous version made (tests/fixtures/schema13.sql,
    migrated at start): its reports open whole, say what their record lacks, and amend."""
    path: Path = settings.database_path  # type: ignore[attr-defined]
    old = sqlite3.connect(path)
    old.executescript(SCHEMA_13.read_text(encoding="utf-8"))
    old.close()
    bekzod = TgUser(id=5001, first_name="Bekzod", language_code="en")  # the fixture's officer
    o = Officer(tg, bekzod)
    # Filed on 20.11.2026: a window wide enough that it can still be amended.
    async with run_bot(amend_window=timedelta(days=3650)):
        await o.say("/myreports")
        await o.tap("my", "open", "1")  # SZ-2026-000001: a typed place, amended once before
        opened = o.last().text
        assert "SZ-2026-000001" in opened and "Termiz bozori, 2-darvoza" in opened
        assert "Route: not asked when this report was filed." in opened
        assert "Country of origin" not in opened  # the questions it was never asked
        assert "On the map: 37.22420, 67.27830 (the unit’s location)." in opened
        await o.tap("my", "amend")
        assert "Route not given: Country of origin" in o.last().text
        await o.tap_form("_", "edit", "origin")
        await o.tap_form("origin", "opt", "unknown")
        await o.tap_form("_", "submit")
        amended = (await tg.next_message(o.user.id)).text
        assert "Country of origin: Unknown" in amended
        assert "Route not given: Country of departure, Transit countries," in amended
        assert "On the map: 37.22420, 67.27830 (the unit’s location)." in amended

    db = await Database.open(path)
    try:
        async with db.read() as repos:
            report = await repos.reports.get(1)
    finally:
        await db.close()
    assert report is not None and report.version == 3
    assert report.route == Route(origin="unknown")
    assert report.filed_before_routes is True  # filed before; amended since, route and all
