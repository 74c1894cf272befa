"""Step 2 end to end: officers file the four forms, change, cancel, resume, amend, withdraw."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.standin import StandIn, TgUser
from storage import Database, Role, UnitKind
from storage.models import ReportStatus
from tests.e2e.conftest import RunBot, SeedUser
from tests.support.driver import Officer

YEAR = datetime.now(ZoneInfo("Asia/Tashkent")).year
RECEIPT = {"uz": "qabul qilindi", "ru": "получен", "en": "received on"}
QUANTITY = {"uz": "1,5", "ru": "1,5", "en": "1.5"}


def officer_user(user_id: int, language: str) -> TgUser:
    return TgUser(id=user_id, first_name="Bekzod", last_name="Rakhimov", language_code=language)


async def stored_reports(app_db_path: object) -> list[object]:
    db = await Database.open(app_db_path)  # type: ignore[arg-type]
    try:
        async with db.read() as repos:
            users = [await repos.users.get_by_telegram_id(i) for i in (8001, 8002, 8003, 8004)]
            reports = []
            for user in users:
                if user is not None:
                    reports += await repos.reports.list_by_author(user.id, limit=100, offset=0)
            return reports
    finally:
        await db.close()


async def file_seizure(o: Officer, language: str, *, caseref: str = "<b>CASE-7</b> & co") -> str:
    first = await o.start_form("seizure")
    assert "seizure" not in first.text.lower() or language == "en"
    await o.tap_form("when", "dt", "now")
    items_question = await o.say("Ayritom, terminal 2")
    assert items_question.buttons
    await o.tap_form("substance", "opt", "heroin")
    await o.say(QUANTITY[language])
    await o.tap_form("measure", "opt", "kg")
    await o.tap_form("items", "more", "add")
    await o.tap_form("substance", "opt", "hashish")
    await o.say("200")
    await o.tap_form("measure", "opt", "g")
    await o.tap_form("items", "more", "done")
    await o.tap_form("conceal", "opt", "vehicle")
    await o.tap_form("transport", "opt", "car")
    await o.skip_route()
    await o.say("2")
    await o.tap_form("nations", "opt", "uz")
    await o.tap_form("nations", "opt", "af")
    await o.tap_form("nations", "done")
    await o.tap_form("agencies", "opt", "customs")
    await o.tap_form("agencies", "opt", "border")
    await o.tap_form("agencies", "done")
    await o.say(caseref)
    await o.tap_form("notes", "skip")
    await o.photo()
    await o.tap_form("photos", "done")
    await o.tap_form("urgent", "opt", "yes")
    summary = o.last()
    assert "&lt;b&gt;CASE-7&lt;/b&gt; &amp; co" in (summary.html or "")
    await o.tap_form("_", "submit")
    receipt = await o.tg.next_message(o.user.id)
    assert RECEIPT[language] in receipt.text
    return receipt.text


@pytest.mark.parametrize("language", ["uz", "ru", "en"])
async def test_officer_files_a_complete_seizure_in_their_language(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object, language: str
) -> None:
    user = await seed_user(officer_user(8001, language), Role.OFFICER, "IMT-TER")
    o = Officer(tg, user)
    async with run_bot():
        receipt = await file_seizure(o, language)
    assert f"SZ-{YEAR}-000001" in receipt
    (report,) = await stored_reports(settings.database_path)  # type: ignore[attr-defined]
    assert report.number == f"SZ-{YEAR}-000001"
    assert report.urgent is True
    assert report.place_text == "Ayritom, terminal 2"
    assert report.persons_detained == 2
    assert [(i.substance, i.normalized_quantity, i.normalized_unit) for i in report.items] == [
        ("heroin", Decimal("1.5"), "kg"),
        ("hashish", Decimal("0.2"), "kg"),
    ]
    assert report.answers["nations"] == ["uz", "af"]
    assert report.answers["caseref"] == "<b>CASE-7</b> & co"
    assert len(report.attachments) == 1


@pytest.mark.parametrize("language", ["uz", "ru", "en"])
async def test_officer_files_a_joint_operation(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object, language: str
) -> None:
    o = Officer(tg, await seed_user(officer_user(8001, language)))
    async with run_bot():
        await o.start_form("joint_operation")
        await o.tap_form("start", "dt", "today")
        await o.say("00:05")
        await o.tap_form("end", "dt", "now")
        await o.tap_form("agencies", "opt", "mia")
        await o.tap_form("agencies", "done")
        await o.say("14")
        await o.say("1 200" if language != "en" else "1,200")
        await o.say("Checked the Termez–Boysun road; nothing found.")
        await o.tap_form("notes", "skip")
        await o.tap_form("_", "submit")
        receipt = await tg.next_message(o.user.id)
    assert f"JO-{YEAR}-000001" in receipt.text
    (report,) = await stored_reports(settings.database_path)  # type: ignore[attr-defined]
    assert report.answers["vehicles"] == "14"
    assert report.answers["persons"] == "1200"


@pytest.mark.parametrize("language", ["uz", "ru", "en"])
async def test_officer_files_an_incident_with_a_shared_location(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object, language: str
) -> None:
    o = Officer(tg, await seed_user(officer_user(8001, language)))
    async with run_bot():
        await o.start_form("incident")
        await o.tap_form("category", "opt", "intel")
        await o.tap_form("when", "dt", "now")
        await o.location(37.2242, 67.2783)
        await o.say("Тракторы с двойным дном — «источник» сообщил 🙂")
        await o.tap_form("urgent", "opt", "no")
        await o.tap_form("photos", "skip")
        await o.tap_form("_", "submit")
        receipt = await tg.next_message(o.user.id)
    assert f"IN-{YEAR}-000001" in receipt.text
    (report,) = await stored_reports(settings.database_path)  # type: ignore[attr-defined]
    assert (report.latitude, report.longitude) == (37.2242, 67.2783)
    assert report.urgent is False
    assert report.answers["descr"] == "Тракторы с двойным дном — «источник» сообщил 🙂"


@pytest.mark.parametrize("language", ["uz", "ru", "en"])
async def test_daily_status_is_one_tap_after_choosing_it(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object, language: str
) -> None:
    o = Officer(tg, await seed_user(officer_user(8001, language)))
    async with run_bot():
        summary = await o.start_form("daily_status")
        assert summary.buttons
        await o.tap_form("_", "submit")
        receipt = await tg.next_message(o.user.id)
    assert f"DS-{YEAR}-000001" in receipt.text


async def test_changing_an_answer_from_the_summary(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object
) -> None:
    o = Officer(tg, await seed_user(officer_user(8001, "en")))
    async with run_bot():
        await o.start_form("daily_status")
        await o.tap_form("_", "edit", "remarks")
        assert "Any remarks?" in o.last().text
        summary = await o.say("Patrol on the A-380, all quiet.")
        assert "Patrol on the A-380, all quiet." in summary.text
        await o.tap_form("_", "edit", "remarks")
        summary = await o.say("Corrected: patrol on the M-39.")
        assert "Corrected: patrol on the M-39." in summary.text
        assert "A-380" not in summary.text
        await o.tap_form("_", "submit")
        await tg.next_message(o.user.id)
    (report,) = await stored_reports(settings.database_path)  # type: ignore[attr-defined]
    assert report.answers == {"remarks": "Corrected: patrol on the M-39."}


async def test_cancel_asks_first_and_keeps_everything_when_declined(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object
) -> None:
    o = Officer(tg, await seed_user(officer_user(8001, "ru")))
    async with run_bot():
        await o.start_form("incident")
        await o.tap_form("category", "opt", "smuggling")
        confirm = await o.say("/cancel")
        assert confirm.text.startswith("Удалить этот отчёт?")
        await o.tap_form("_", "cancel_no")
        assert "Когда это произошло?" in o.last().text  # the same question again
        await o.tap_form("when", "cancel")
        await o.tap_form("_", "cancel_yes")
        assert o.last().buttons == []
        again = await o.say("/cancel")
        assert again.text == "Отменять нечего."
    assert await stored_reports(settings.database_path) == []  # type: ignore[attr-defined]


async def test_a_restart_mid_form_resumes_where_it_was(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object
) -> None:
    o = Officer(tg, await seed_user(officer_user(8001, "uz")))
    async with run_bot():
        await o.start_form("seizure")
        await o.tap_form("when", "dt", "now")
        await o.say("Oybek")
        await o.tap_form("substance", "opt", "opium")
    async with run_bot():
        # The next answer continues the same draft: the quantity of the opium item.
        await o.say("3")
        await o.tap_form("measure", "opt", "kg")
        more = o.last()
        assert "Afyun" in more.text or "afyun" in more.text.lower()
        resume = await o.say("/report")
        assert resume.buttons  # continue or discard
        await o.tap("rep", "resume")
        assert o.last().text == more.text


async def test_a_double_submit_makes_one_report(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object
) -> None:
    o = Officer(tg, await seed_user(officer_user(8001, "ru")))
    async with run_bot():
        summary = await o.start_form("daily_status")
        _, data = o.find("f", "_", "submit")
        first = await tg.tap(o.user, summary, data)
        second = await tg.tap(o.user, summary, data, forge=True)
        await tg.wait_callback_answer(first)
        answer = await tg.wait_callback_answer(second)
        assert f"DS-{YEAR}-000001" in str(answer.get("text"))
        # A redelivered update (the same callback again) changes nothing either.
        third = await tg.tap(o.user, summary, data, forge=True)
        await tg.wait_callback_answer(third)
    reports = await stored_reports(settings.database_path)  # type: ignore[attr-defined]
    assert len(reports) == 1


async def test_amend_keeps_the_old_version_and_withdraw_keeps_the_report(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object
) -> None:
    o = Officer(tg, await seed_user(officer_user(8001, "en")))
    async with run_bot():
        await o.start_form("daily_status")
        await o.tap_form("_", "submit")
        await tg.next_message(o.user.id)
        listing = await o.say("/myreports")
        assert "You have filed 1 report." in listing.text
        await o.tap("my", "open")
        assert f"DS-{YEAR}-000001" in o.last().text
        await o.tap("my", "amend")
        assert "Amending report" in o.last().text
        await o.tap_form("_", "edit", "remarks")
        await o.say("Added later: road closed.")
        await o.tap_form("_", "submit")
        amended = await tg.next_message(o.user.id)
        assert "amended (version 2)" in amended.text
        listing = await o.say("/myreports")
        await o.tap("my", "open")
        assert "Added later: road closed." in o.last().text
        await o.tap("my", "wd")
        await o.tap("my", "wdy")
        assert "was withdrawn" in o.last().text
    (report,) = await stored_reports(settings.database_path)  # type: ignore[attr-defined]
    assert report.status is ReportStatus.WITHDRAWN
    assert report.version == 2
    db = await Database.open(settings.database_path)  # type: ignore[attr-defined]
    try:
        async with db.read() as repos:
            versions = await repos.reports.versions(report.id)
    finally:
        await db.close()
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].answers["answers"] == {}


async def test_an_officer_cannot_open_another_officers_report(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object
) -> None:
    alice = Officer(tg, await seed_user(officer_user(8001, "en")))
    bob = Officer(tg, await seed_user(officer_user(8002, "en")))
    async with run_bot():
        await alice.start_form("daily_status")
        await alice.tap_form("_", "submit")
        await tg.next_message(alice.user.id)
        (report,) = await stored_reports(settings.database_path)  # type: ignore[attr-defined]
        listing = await bob.say("/myreports")
        assert "You have not filed any reports yet" in listing.text
        await bob.say("/language")
        for action in ("open", "amend", "wd", "wdy"):
            answer = await tg.wait_callback_answer(
                await tg.tap(bob.user, bob.last(), f"my:v1:{action}:{report.id}:0", forge=True)
            )
            assert answer["text"] == "Report not found."
    (still,) = await stored_reports(settings.database_path)  # type: ignore[attr-defined]
    assert still.status is ReportStatus.SUBMITTED


@pytest.mark.parametrize(
    ("role", "unit", "expected"),
    [
        (Role.COORDINATOR, None, "Coordinators receive them in the digest"),
        (Role.ADMIN, None, "not attached to a unit"),
    ],
)
async def test_who_may_not_file_is_told_politely(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, role: Role, unit: str | None, expected: str
) -> None:
    person = await seed_user(officer_user(8003, "en"), role, unit)
    async with run_bot():
        await tg.send_text(person, "/report")
        reply = await tg.next_message(person.id)
    assert expected in reply.text


async def _age_draft(app: object, telegram_id: int, hours: int) -> None:
    """Make the officer's draft look untouched for ``hours``."""
    from datetime import UTC, timedelta

    db = app.services.db  # type: ignore[attr-defined]
    async with db.transaction() as repos:
        user = await repos.users.get_by_telegram_id(telegram_id)
        stored = await repos.drafts.get(user.id)
        await repos.drafts.save(
            user.id,
            draft_id=stored.draft_id,
            form=stored.form,
            data=stored.data,
            now=datetime.now(UTC) - timedelta(hours=hours),
        )


async def test_an_expired_draft_is_closed_with_a_notice(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o = Officer(tg, await seed_user(officer_user(8001, "ru")))
    async with run_bot() as app:
        question = await o.start_form("incident")
        _, data = o.find("f", "category", "opt", "intel")
        await _age_draft(app, o.user.id, hours=25)
        answer = await tg.wait_callback_answer(await tg.tap(o.user, question, data))
        notice = await tg.next_message(o.user.id)
    assert answer["text"] == "Эта форма закрыта."
    assert "24" in notice.text
    assert "удалён" in notice.text or "удален" in notice.text


async def test_the_expiry_job_discards_old_drafts_and_tells_the_officer(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o = Officer(tg, await seed_user(officer_user(8001, "uz")))
    fresh = Officer(tg, await seed_user(officer_user(8002, "en")))
    async with run_bot() as app:
        await o.start_form("seizure")
        await fresh.start_form("seizure")
        await _age_draft(app, o.user.id, hours=30)
        (job,) = app.job_queue.get_jobs_by_name("expire-drafts")  # type: ignore[union-attr]
        await job.run(app)
        notice = await tg.next_message(o.user.id)
        async with app.services.db.read() as repos:
            old_user = await repos.users.get_by_telegram_id(o.user.id)
            new_user = await repos.users.get_by_telegram_id(fresh.user.id)
            assert await repos.drafts.get(old_user.id) is None  # type: ignore[union-attr]
            assert await repos.drafts.get(new_user.id) is not None  # type: ignore[union-attr]
    assert "Olib qo‘yish" in notice.text or "olib qo‘yish" in notice.text.lower()


async def test_my_reports_pages_newest_first(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o = Officer(tg, await seed_user(officer_user(8001, "en")))
    async with run_bot():
        for _ in range(7):
            await o.start_form("daily_status")
            await o.tap_form("_", "submit")
            await tg.next_message(o.user.id)
        listing = await o.say("/myreports")
        assert listing.text == "You have filed 7 reports. Page 1 of 2."
        numbers = [text.split(" · ")[0] for text in listing.button_texts if "·" in text]
        assert numbers == [f"DS-{YEAR}-{n:06d}" for n in (7, 6, 5, 4, 3)]
        await o.tap("my", "page", "1")
        second = o.last()
        assert second.text == "You have filed 7 reports. Page 2 of 2."
        assert [t.split(" · ")[0] for t in second.button_texts if "·" in t] == [
            f"DS-{YEAR}-000002",
            f"DS-{YEAR}-000001",
        ]
        await o.tap("my", "page", "0")
        assert o.last().text.endswith("Page 1 of 2.")


async def test_a_border_office_officer_picks_a_crossing_point(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, settings: object
) -> None:
    db = await Database.open(settings.database_path)  # type: ignore[attr-defined]
    try:
        async with db.transaction() as repos:
            unit = await repos.units.create(
                code="BLO-AYR",
                kind=UnitKind.BLO,
                name_uz="Ayritom",
                name_ru="Айритом",
                name_en="Ayritom",
            )
            await repos.crossing_points.add(unit.id, "Ayritom bridge")
            await repos.crossing_points.add(unit.id, "Termez river port")
    finally:
        await db.close()
    o = Officer(tg, await seed_user(officer_user(8001, "en"), Role.OFFICER, "BLO-AYR"))
    async with run_bot():
        await o.start_form("incident")
        await o.tap_form("category", "opt", "smuggling")
        await o.tap_form("when", "dt", "now")
        question = o.last()
        assert "Choose the crossing point" in question.text
        assert {"Ayritom bridge", "Termez river port"} <= set(question.button_texts)
        message, _ = o.find("f", "place", "opt")
        point_id = next(
            d for t, d in [b for row in message.buttons for b in row] if t == "Termez river port"
        ).split(":")[-1]
        await o.tap_form("place", "opt", point_id)
        await o.say("Boat with hidden compartment.")
        await o.tap_form("urgent", "opt", "no")
        await o.tap_form("photos", "skip")
        assert "Termez river port" in o.last().text
        await o.tap_form("_", "submit")
        await tg.next_message(o.user.id)
    db = await Database.open(settings.database_path)  # type: ignore[attr-defined]
    try:
        async with db.read() as repos:
            user = await repos.users.get_by_telegram_id(8001)
            (report,) = await repos.reports.list_by_author(user.id, limit=5, offset=0)  # type: ignore[union-attr]
    finally:
        await db.close()
    assert report.place_text == "Termez river port"
