"""/factors and kilogram equivalents end to end: an admin sets a tablet's weight (bad values
refused one by one, the change audited); a seizure filed before keeps "no factor", the same
seizure filed after reaches the threshold by its kilogram equivalent and alerts coordinators,
saying so; litres at the seeded 1 kg/L alert as well. Nobody else opens /factors."""

from __future__ import annotations

import json
from decimal import Decimal

from bot.context import FieldReportApplication
from bot.flood import FloodGuard
from bot.i18n import Translator
from bot.standin import StandIn, TgUser
from storage import Role
from storage.clock import utc_now
from tests.e2e.conftest import ADMIN, RunBot, SeedUser
from tests.e2e.digest_steps import workbook_of
from tests.e2e.urgent_steps import wait_alerts
from tests.support.driver import Officer

OFFICER = TgUser(id=9602, first_name="Bekzod", language_code="uz")
OLGA = TgUser(id=9601, first_name="Ольга", language_code="ru")
JOHN = TgUser(id=9603, first_name="John", language_code="en")
NBSP = "\u00a0"


def patient(app: FieldReportApplication) -> None:
    app.services.flood = FloodGuard(limit=1000)


def ru(app: FieldReportApplication) -> Translator:
    return app.services.catalogs.translator("ru")


async def seed_people(tg: StandIn, seed_user: SeedUser) -> tuple[Officer, Officer, Officer]:
    officer = await seed_user(OFFICER, Role.OFFICER, "IMT-TER", language="uz")
    olga = await seed_user(OLGA, Role.COORDINATOR, None, language="ru")
    john = await seed_user(JOHN, Role.COORDINATOR, None, language="en")
    for person in (officer, olga, john):
        tg.add_chat(person)
    return Officer(tg, officer), Officer(tg, olga), Officer(tg, john)


async def file_seizure(o: Officer, substance: str, quantity: str, measure: str) -> str:
    """A seizure of one item, not marked urgent; the receipt's text."""
    await o.start_form("seizure")
    await o.tap_form("when", "dt", "now")
    await o.say("Ayritom")
    await o.tap_form("substance", "opt", substance)
    await o.say(quantity)
    await o.tap_form("measure", "opt", measure)
    await o.tap_form("items", "more", "done")
    await o.tap_form("conceal", "skip")
    await o.tap_form("transport", "skip")
    await o.skip_route()
    await o.say("0")
    await o.tap_form("agencies", "opt", "customs")
    await o.tap_form("agencies", "done")
    await o.tap_form("caseref", "skip")
    await o.tap_form("notes", "skip")
    await o.tap_form("photos", "skip")
    await o.tap_form("urgent", "opt", "no")
    await o.tap_form("_", "submit")
    receipt = await o.tg.next_message(o.user.id)
    return receipt.text or ""


async def stored_factor(app: FieldReportApplication, substance: str, unit: str) -> Decimal | None:
    async with app.services.db.read() as repos:
        row = await repos.factors.get(substance, unit)
    assert row is not None
    return row.kg_per_unit


async def test_an_admin_sets_a_factor_and_only_reports_filed_after_it_use_it(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    officer, _olga, _john = await seed_people(tg, seed_user)
    admin = Officer(tg, ADMIN)
    async with run_bot(setup=patient) as app:
        tr = ru(app)
        # Filed while tramadol tablets have no factor: 6,000 tablets weigh nothing, no alert.
        await file_seizure(officer, "tramadol", "6000", "tablets")

        listing = await admin.say("/factors")
        assert "Трамадол" in listing.text
        assert tr.gettext("tablets: no factor") in listing.text
        assert f"1{NBSP}кг/л" in listing.text  # litres at the seeded 1 kg/L
        await admin.tap("kgf", "s", "tramadol")
        await admin.tap("kgf", "ed", "tramadol", "tablets")
        asked = admin.last()
        assert tr.gettext("Type how many milligrams one tablet weighs, for example 100.") in (
            asked.text
        )
        for typed, problem in (
            ("   ", tr.gettext("That was empty.")),
            ("двести", tr.gettext("Please type one number, for example 100 or 0.95.")),
            ("<b>200</b>", tr.gettext("Please type one number, for example 100 or 0.95.")),
            ("-200", tr.gettext("A weight is more than zero.")),
            ("0", tr.gettext("A weight is more than zero.")),
            ("1" * 4000, tr.gettext("Please type one number, for example 100 or 0.95.")),
            ("99999", tr.gettext("That is too heavy for one unit: please check the number.")),
            ("0,00001", None),
        ):
            reply = await admin.say(typed)
            assert reply.text.startswith("⚠️ "), reply.text
            if problem is not None:
                assert reply.text.startswith("⚠️ " + problem), reply.text
            assert tr.gettext("Type how many milligrams one tablet weighs, for example 100.") in (
                reply.text
            )
            await tg.wait_idle()
            assert admin.with_buttons()[-1] == reply  # asked again, with its buttons
        assert await stored_factor(app, "tramadol", "tablets") is None
        saved = await admin.say("200")
        assert saved.text.startswith("✅ ")
        assert f"200{NBSP}мг на таблетку" in saved.text
        assert await stored_factor(app, "tramadol", "tablets") == Decimal("0.0002")
        async with app.services.db.read() as repos:
            (entry,) = [e for e in await repos.audit.latest(20) if e.action == "factor.changed"]
        assert (entry.actor_telegram_id, entry.target) == (ADMIN.id, "tramadol:tablets")
        assert json.loads(entry.details or "{}") == {"before": None, "after": "0.0002"}

        # The same seizure filed now: 6,000 × 200 mg = 1.2 kg equivalent, over the threshold.
        await file_seizure(officer, "tramadol", "6000", "tablets")
        (alert,) = await wait_alerts(tg, OLGA.id, 1)
        (english,) = await wait_alerts(tg, JOHN.id, 1)
        async with app.services.db.read() as repos:
            account = await repos.users.get_by_telegram_id(OFFICER.id)
            assert account is not None
            reports = await repos.reports.list_by_author(account.id, limit=5, offset=0)
        newest, oldest = reports
        assert [i.kg_factor for i in oldest.items] == [None]  # filed before: keeps no factor
        assert [i.kg_equivalent for i in newest.items] == [Decimal("1.2")]

        # /export shows both: the tablets as reported, the kilogram equivalent and its factor.
        today = utc_now().astimezone(app.services.settings.timezone).date()
        day = today.strftime("%d.%m.%Y")
        await tg.send_text(OLGA, f"/export {day} {day}")
        await tg.wait_until(
            lambda: any(m.document for m in tg.messages(OLGA.id)), description="the export"
        )
        export = next(m for m in tg.messages(OLGA.id) if m.document)
        await tg.wait_idle()
    book = workbook_of(export)
    sheet = book[tr.pgettext("sheet", "Seized items")]
    header = [cell.value for cell in sheet[1]]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    equivalent = header.index(tr.pgettext("column", "Kilogram equivalent"))
    factor = header.index(tr.pgettext("column", "Factor"))
    quantity = header.index(tr.gettext("Quantity"))
    assert rows[newest.number][quantity] == rows[oldest.number][quantity] == 6000
    assert (rows[newest.number][equivalent], rows[newest.number][factor]) == (
        1.2,
        f"200{NBSP}мг на таблетку",
    )
    assert (rows[oldest.number][equivalent], rows[oldest.number][factor]) == (
        None,
        tr.gettext("no factor"),
    )
    summary = book[tr.pgettext("sheet", "Summary")]
    totals = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row[0]}
    assert totals[tr.pgettext("column", "Kilogram equivalent, total")] == 1.2
    assert totals[tr.pgettext("column", "Seized, kg")] == 0  # nothing weighed
    assert oldest.number not in alert.text and newest.number in alert.text
    assert (
        f"Трамадол: ≈{NBSP}1,2{NBSP}кг в эквиваленте (6{NBSP}000{NBSP}таблеток по "
        f"200{NBSP}мг на таблетку)"
    ) in alert.text
    assert (
        f"Tramadol: ≈{NBSP}1.2{NBSP}kg equivalent (6,000{NBSP}tablets at 200{NBSP}mg per tablet)"
    ) in english.text


async def test_litres_at_the_seeded_factor_alert_and_say_so(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    officer, _olga, _john = await seed_people(tg, seed_user)
    async with run_bot(setup=patient):
        await file_seizure(officer, "precursor", "3", "l")
        (english,) = await wait_alerts(tg, JOHN.id, 1)
        await file_seizure(officer, "heroin", "1,2", "kg")
        _first, weighed = await wait_alerts(tg, JOHN.id, 2)
    assert (
        f"Large seizure:</b> Precursor (acetic anhydride etc.): ≈{NBSP}3{NBSP}kg equivalent "
        f"(3{NBSP}L at 1{NBSP}kg/L)"
    ) in (english.html or "")
    assert f"Heroin: 1.2{NBSP}kg reported" in weighed.text


async def test_stop_and_cancel_change_nothing_and_others_are_turned_away(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    officer, olga, _john = await seed_people(tg, seed_user)
    admin = Officer(tg, ADMIN)
    async with run_bot(setup=patient) as app:
        tr = ru(app)
        await admin.say("/factors")
        await admin.tap("kgf", "s", "precursor")
        await admin.tap("kgf", "ed", "precursor", "l")
        await admin.tap("kgf", "stop")
        assert admin.last().text == tr.gettext("Stopped. Nothing was changed.")
        await admin.say("/factors")
        await admin.tap("kgf", "s", "precursor")
        await admin.tap("kgf", "ed", "precursor", "l")
        stopped = await admin.say("/cancel")
        assert stopped.text == tr.gettext("Stopped. Nothing was changed.")
        await tg.wait_idle()
        assert await stored_factor(app, "precursor", "l") == 1
        # Removing a factor: the button under the question.
        await admin.say("/factors")
        await admin.tap("kgf", "s", "meth")
        await admin.tap("kgf", "ed", "meth", "tablets")
        await admin.tap("kgf", "rm", "meth", "tablets")
        await tg.wait_idle()
        assert await stored_factor(app, "meth", "tablets") is None
        assert tr.gettext("no factor") in admin.last().text

        for person in (olga, officer):
            refused = await person.say("/factors")
            assert refused.buttons == []
            assert "кг/л" not in refused.text and "kg/l" not in refused.text
        async with app.services.db.read() as repos:
            entries = await repos.audit.latest(20)
        assert [e.action for e in entries if e.action.startswith("factor.")] == ["factor.changed"]


async def test_a_question_telegram_did_not_show_takes_no_typed_answer(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    """Fail closed: when the tap's message could not be edited into the question, the question
    is not open, so the admin's next message (meant for anything else) changes no factor."""
    await seed_people(tg, seed_user)
    admin = Officer(tg, ADMIN)
    async with run_bot(setup=patient) as app:
        await admin.say("/factors")
        await admin.tap("kgf", "s", "heroin")
        message, data = admin.find("kgf", "ed", "heroin", "l")
        tg.inject_fault("400", method="editMessageText", chat_id=ADMIN.id)
        await tg.tap(ADMIN, message, data)
        await tg.wait_until(
            lambda: any(f[0].lower() == "editmessagetext" for f in tg.failures),
            description="the refused edit",
        )
        await tg.wait_idle()
        sorry = await tg.next_message(ADMIN.id)  # the error handler's apology
        assert not sorry.buttons, sorry.text
        elsewhere = await admin.say("3")
        await tg.wait_idle()
        assert not elsewhere.text.startswith(("✅ ", "⚠️ ")), elsewhere.text
        assert await stored_factor(app, "heroin", "l") == 1
        async with app.services.db.read() as repos:
            entries = await repos.audit.latest(20)
        assert [e.action for e in entries if e.action.startswith("factor.")] == []
        # Asked again, the question opens and takes the answer.
        await admin.say("/factors")
        await admin.tap("kgf", "s", "heroin")
        await admin.tap("kgf", "ed", "heroin", "l")
        saved = await admin.say("0,9")
        await tg.wait_idle()
        assert saved.text.startswith("✅ "), saved.text
        assert await stored_factor(app, "heroin", "l") == Decimal("0.9")


async def test_forged_and_stale_factor_buttons_change_nothing(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    """A tampering client's callback data (an unknown substance or measure, kilograms, a
    remove with no question open, a malformed or oversized payload) and an old question's
    buttons after the question moved on: each answered as a stale button, nothing stored or
    audited as changed, the open question left as it was."""
    await seed_people(tg, seed_user)
    admin = Officer(tg, ADMIN)
    async with run_bot(setup=patient) as app:
        tr = ru(app)
        stale = tr.gettext("This button no longer works. Please start again.")
        listing = await admin.say("/factors")
        forged = (
            "kgf:v1:ed:cocaine2:l",
            "kgf:v1:ed:heroin:kg",
            "kgf:v1:ed:heroin:g",
            "kgf:v1:s:nothing:-",
            "kgf:v1:rm:heroin:l",  # no question open
            "kgf:v1:stop:-:-",  # no question open
            "kgf:v1:zz:heroin:l",
            "kgf:v1:ed:heroin",
            "kgf:v0:ed:heroin:l",
            "kgf:v1:ed:<b>:l",
            "kgf:v1:ed:" + "x" * 60 + ":l",
        )
        for data in forged:
            query_id = await tg.tap(ADMIN, listing, data, forge=True)
            answer = await tg.wait_callback_answer(query_id)
            assert answer.get("text") == stale, (data, answer)
        # An old question's Remove after the admin moved on to another factor's question.
        await admin.tap("kgf", "s", "meth")
        await admin.tap("kgf", "ed", "meth", "tablets")
        old_question = admin.screen()
        await admin.say("/factors")
        await admin.tap("kgf", "s", "precursor")
        await admin.tap("kgf", "ed", "precursor", "l")
        query_id = await tg.tap(ADMIN, old_question, "kgf:v1:rm:meth:tablets", forge=True)
        assert (await tg.wait_callback_answer(query_id)).get("text") == stale
        saved = await admin.say("0,95")  # the open question still takes its answer
        await tg.wait_idle()
        assert saved.text.startswith("✅ "), saved.text
        assert await stored_factor(app, "meth", "tablets") == Decimal("0.0001")
        assert await stored_factor(app, "precursor", "l") == Decimal("0.95")
        assert await stored_factor(app, "heroin", "l") == 1
        async with app.services.db.read() as repos:
            entries = await repos.audit.latest(30)
        assert [e.target for e in entries if e.action == "factor.changed"] == ["precursor:l"]


async def test_an_amendments_summary_says_urgent_by_the_factors_its_report_keeps(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    """Filed while tramadol tablets had no factor, amended after an admin gave them 200 mg:
    the amended report keeps "no factor", so its summary must not promise coordinators a large
    seizure that filing will not alert (nor hide one the other way round)."""
    officer, _olga, _john = await seed_people(tg, seed_user)
    admin = Officer(tg, ADMIN)
    async with run_bot(setup=patient) as app:
        uz = app.services.catalogs.translator("uz")
        await file_seizure(officer, "tramadol", "6000", "tablets")
        await admin.say("/factors")
        await admin.tap("kgf", "s", "tramadol")
        await admin.tap("kgf", "ed", "tramadol", "tablets")
        assert (await admin.say("200")).text.startswith("✅ ")
        await officer.say("/myreports")
        await officer.tap("my", "open")
        await officer.tap("my", "amend")
        summary = officer.screen().text
        await tg.wait_idle()
    urgent_line = next(
        line for line in summary.splitlines() if line.startswith(uz.gettext("Urgent") + ":")
    )
    assert urgent_line.endswith(uz.gettext("No")), summary
    assert uz.gettext("Yes — large seizure") not in summary
