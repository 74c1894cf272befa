"""/names end to end: an admin corrects an agency's and a substance's names in three languages,
and from the next update on the officer's form, summary and receipt, /myreports and the
coordinator's digest (text and spreadsheet) show them — old reports too, since reports keep
the option key. Bad names are refused one by one; /cancel and "Stop" change nothing."""

from __future__ import annotations

from bot.context import FieldReportApplication
from bot.flood import FloodGuard
from bot.i18n import Translator
from bot.standin import StandIn, TgUser
from storage import ReferenceKind, ReferenceName, Role
from tests.e2e.conftest import ADMIN, RunBot, SeedUser
from tests.e2e.digest_steps import say, wait_for_photo, workbook_of
from tests.support.driver import Officer

OFFICER = TgUser(id=9502, first_name="Bekzod", language_code="ru")
COORDINATOR = TgUser(id=9501, first_name="Ольга", language_code="ru")
NEW_CUSTOMS = {
    "uz": "O‘zbekiston Respublikasi Bojxona qo‘mitasi",
    "ru": "Комитет таможни <РУз> & Co",
    "en": "Customs Committee of Uzbekistan",
}


def ru(app: FieldReportApplication) -> Translator:
    return app.services.catalogs.translator("ru")


def patient(app: FieldReportApplication) -> None:
    app.services.flood = FloodGuard(limit=1000)


async def stored(app: FieldReportApplication, kind: ReferenceKind, key: str) -> ReferenceName:
    async with app.services.db.read() as repos:
        name = await repos.reference_names.get(kind, key)
    assert name is not None
    return name


async def rename(o: Officer, kind: str, key: str, names: dict[str, str]) -> str:
    """Open the name from /names and type the three; the bot's last answer."""
    await o.say("/names")
    await o.tap("ref", "ed", kind, key)
    for language in ("uz", "ru", "en"):
        answer = await o.say(names[language])
    return answer.html or answer.text


async def test_a_renamed_agency_is_shown_everywhere_at_once(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(OFFICER, Role.OFFICER, "IMT-TER")
    await seed_user(COORDINATOR, Role.COORDINATOR, None)
    admin = Officer(tg, ADMIN)
    officer = Officer(tg, OFFICER)
    async with run_bot(setup=patient) as app:
        tr = ru(app)
        listing = await admin.say("/names")
        labels = [label for row in listing.buttons for label, _data in row]
        assert "🏛 " + tr.gettext("State Customs Committee") in labels
        assert "💊 " + tr.gettext("Heroin") in labels
        assert "🌍 " + tr.gettext("Afghanistan") in labels

        # An old report (filed before the correction) keeps the key "customs".
        await officer.start_form("joint_operation")
        await officer.tap_form("start", "dt", "now")
        await officer.tap_form("end", "dt", "now")
        await officer.tap_form("agencies", "opt", "customs")
        await officer.tap_form("agencies", "done")
        await officer.say("3")
        await officer.say("10")
        await officer.say("Nothing found.")
        await officer.tap_form("notes", "skip")
        await officer.tap_form("_", "submit")
        await tg.next_message(OFFICER.id)

        done = await rename(admin, "agency", "customs", NEW_CUSTOMS)
        shown = "Комитет таможни &lt;РУз&gt; &amp; Co"
        assert done.startswith(
            "✅ "
            + tr.gettext("Saved. Reports, digests and spreadsheets now show “{name}”.").format(
                name=shown
            )
        )
        await rename(
            admin,
            "substance",
            "heroin",
            {"uz": "Geroin", "ru": "Героин (диацетилморфин)", "en": "Heroin"},
        )
        name = await stored(app, ReferenceKind.AGENCY, "customs")
        assert name.names() == NEW_CUSTOMS and name.updated_by == ADMIN.id
        # Answered questions lose their buttons: only lists of names still carry any.
        assert all(
            data.startswith("ref:v1:ed:")
            for message in admin.with_buttons()
            for row in message.buttons
            for _label, data in row
        )

        # The officer's next report: the buttons, the summary and the receipt.
        await officer.start_form("seizure")
        await officer.tap_form("when", "dt", "now")
        items = await officer.say("Ayritom")
        substance_labels = [label for row in items.buttons for label, _data in row]
        assert "Героин (диацетилморфин)" in substance_labels
        await officer.tap_form("substance", "opt", "heroin")
        await officer.say("2")
        await officer.tap_form("measure", "opt", "kg")
        await officer.tap_form("items", "more", "done")
        await officer.tap_form("conceal", "skip")
        await officer.tap_form("transport", "skip")
        await officer.skip_route()
        await officer.say("0")
        agencies = officer.screen()
        agency_labels = [label for row in agencies.buttons for label, _data in row]
        assert "▫️ " + NEW_CUSTOMS["ru"] in agency_labels
        await officer.tap_form("agencies", "opt", "customs")
        await officer.tap_form("agencies", "done")
        await officer.tap_form("caseref", "skip")
        await officer.tap_form("notes", "skip")
        await officer.tap_form("photos", "skip")
        await officer.tap_form("urgent", "opt", "no")
        summary = officer.last().html or ""
        assert shown in summary
        assert "Героин (диацетилморфин)" in summary
        await officer.tap_form("_", "submit")
        await tg.next_message(OFFICER.id)

        # /myreports shows the old report by the new name too.
        await officer.say("/myreports")
        await officer.tap("my", "open", "1")  # the joint operation filed before the correction
        await tg.wait_idle()
        card = officer.screen().html or ""
        assert "JO-" in card and shown in card
        assert tr.gettext("State Customs Committee") not in card

        # The coordinator's digest: its text and its spreadsheet.
        await say(tg, COORDINATOR, "/digest")
        messages = await wait_for_photo(tg, COORDINATOR.id)
        await tg.wait_idle()
        text = "\n".join(m.text for m in tg.messages(COORDINATOR.id) if m.text)
        assert "Героин (диацетилморфин)" in text
        book = workbook_of(next(m for m in messages if m.document))
        cells = {
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell
        }
        assert NEW_CUSTOMS["ru"] in cells  # the old joint operation and the new seizure
        assert "Героин (диацетилморфин)" in cells
        assert not any(tr.gettext("State Customs Committee") in cell for cell in cells)


async def test_bad_names_are_refused_and_cancel_changes_nothing(
    tg: StandIn, run_bot: RunBot
) -> None:
    admin = Officer(tg, ADMIN)
    async with run_bot(setup=patient) as app:
        tr = ru(app)
        before = await stored(app, ReferenceKind.AGENCY, "mia")
        await admin.say("/names")
        await admin.tap("ref", "ed", "agency", "mia")
        assert tr.gettext("Type its name in Uzbek (Latin script).") in admin.last().text
        for typed, problem in (
            ("   ", tr.gettext("That was empty.")),
            (
                "x" * 65,
                tr.ngettext(
                    "That is too long: at most {limit} character, please.",
                    "That is too long: at most {limit} characters, please.",
                    64,
                ).format(limit=64),
            ),
            ("IIV\u0007", tr.gettext("Please type it on one line, without special characters.")),
        ):
            reply = await admin.say(typed)
            assert reply.text.startswith("⚠️ " + problem), reply.text
            assert tr.gettext("Type its name in Uzbek (Latin script).") in reply.text
            await tg.wait_idle()
            assert admin.with_buttons() == [reply]  # the question asked again, alone
        asked = await admin.say("<b>IIV</b>")
        assert tr.gettext("Type its name in Russian.") in asked.text
        # Two agencies of one name could not be told apart: refused, case aside.
        taken = await admin.say("пограничные  ВОЙСКА")
        assert taken.text.startswith(
            "⚠️ "
            + tr.gettext("Another entry of this list is already named {name}.").format(
                name="пограничные ВОЙСКА"
            )
        )
        assert tr.gettext("Type its name in Russian.") in taken.text
        stopped = await admin.say("/cancel")
        assert stopped.text == tr.gettext("Stopped. Nothing was changed.")
        await tg.wait_idle()
        assert admin.with_buttons() == []
        assert await stored(app, ReferenceKind.AGENCY, "mia") == before

        # "Keep" takes the current name; "Stop" ends it without a change.
        await admin.say("/names")
        await admin.tap("ref", "ed", "agency", "mia")
        await admin.tap("ref", "keep", "agency", "mia", "uz")
        asked = await tg.next_message(ADMIN.id)
        assert tr.gettext("Type its name in Russian.") in asked.text
        await admin.tap("ref", "stop")
        assert admin.last().text == tr.gettext("Stopped. Nothing was changed.")
        assert await stored(app, ReferenceKind.AGENCY, "mia") == before

        # HTML is stored as typed and shown escaped.
        done = await rename(admin, "agency", "mia", {"uz": "IIV", "ru": "<i>МВД</i>", "en": "MIA"})
        assert "«&lt;i&gt;МВД&lt;/i&gt;»" in done
        assert (await stored(app, ReferenceKind.AGENCY, "mia")).name_ru == "<i>МВД</i>"


async def test_names_is_for_admins_only(tg: StandIn, run_bot: RunBot, seed_user: SeedUser) -> None:
    await seed_user(OFFICER, Role.OFFICER, "IMT-TER")
    await seed_user(COORDINATOR, Role.COORDINATOR, None)
    async with run_bot() as app:
        for user in (OFFICER, COORDINATOR):
            reply = await say(tg, user, "/names")
            assert not reply.buttons
        assert (await stored(app, ReferenceKind.AGENCY, "customs")).updated_by is None
