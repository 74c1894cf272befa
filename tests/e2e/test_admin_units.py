"""/units end to end: add a border liaison office in three languages, its crossing points, rename,
deactivate (its officers can no longer file) and reactivate; typed answers validated; /cancel and
other commands stop the question; the question survives a restart. Expected texts come from the
catalogs, so the tests hold before and after the translator's work."""

from __future__ import annotations

import pytest

from bot.context import FieldReportApplication
from bot.i18n import Translator
from bot.standin import SentMessage, StandIn, TgUser
from storage import AuditEntry, Role, Unit
from tests.e2e.conftest import ADMIN, RunBot, SeedUser
from tests.e2e.flood_limit import unhurried as patient
from tests.support.driver import Officer

ADMIN_UZ = TgUser(id=8303, first_name="Aziza", language_code="uz")
BORDER_OFFICER = TgUser(id=8301, first_name="Sardor", language_code="en")


def tr(app: FieldReportApplication, language: str) -> Translator:
    return app.services.catalogs.translator(language)


async def tap(o: Officer, prefix: str, *parts: str | None) -> tuple[SentMessage, dict[str, object]]:
    message, data = o.find(prefix, *parts)
    answer = await o.tg.wait_callback_answer(await o.tg.tap(o.user, message, data))
    return message, answer


async def press(o: Officer, text: str) -> tuple[SentMessage, dict[str, object]]:
    """Tap the newest button whose text contains ``text``."""
    for message in reversed(o.chat):
        for row in message.buttons:
            for label, data in row:
                if text in label and data:
                    query_id = await o.tg.tap(o.user, message, data)
                    return message, await o.tg.wait_callback_answer(query_id)
    raise AssertionError(f"no button with {text!r}; last: {o.last().describe()}")


async def unit_by_code(app: FieldReportApplication, code: str) -> Unit | None:
    async with app.services.db.read() as repos:
        return await repos.units.get_by_code(code)


async def point_names(app: FieldReportApplication, unit_id: int) -> list[str]:
    async with app.services.db.read() as repos:
        return [p.name for p in await repos.crossing_points.list_for_unit(unit_id)]


async def audit(app: FieldReportApplication) -> list[AuditEntry]:
    async with app.services.db.read() as repos:
        return list(reversed(await repos.audit.latest(500)))


async def start_adding(o: Officer, kind: str) -> SentMessage:
    listing = await o.say("/units")
    await tap(o, "unt", "new")
    await tap(o, "unt", "kind", kind)
    return listing


async def add_point(o: Officer, name: str, where: str | None = None) -> SentMessage:
    """Add a crossing point: its name, then its coordinates typed, or skipped (``where`` None).
    The answer to the name when it was refused (no question about the place follows)."""
    await tap(o, "unt", "cpa")
    asked = await o.say(name)
    if not any(data and ":cpk:" in data for row in asked.buttons for _label, data in row):
        return asked
    if where is None:
        await tap(o, "unt", "cpk")
        return await o.tg.next_message(o.user.id)
    return await o.say(where)


async def test_a_border_liaison_office_from_creation_to_reactivation(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    async with run_bot(setup=patient) as app:
        ru = tr(app, "ru")
        o = Officer(tg, ADMIN)
        listing = await start_adding(o, "BLO")
        assert ru.gettext("New border liaison office.") in listing.text
        assert ru.gettext("Send /cancel to stop.") in listing.text

        asked = await o.say("blo-ter")
        assert ru.gettext("Code: {code}").format(code="BLO-TER") in asked.text
        assert ru.gettext("Type its name in Uzbek (Latin script).") in asked.text
        asked = await o.say("Termiz chegara idorasi")
        assert ru.gettext("Type its name in Russian.") in asked.text
        asked = await o.say("Термезский пограничный офис")
        assert ru.gettext("Type its name in English.") in asked.text
        card = await o.say("Termez border office")
        assert card.text.startswith(
            "✅ " + ru.gettext("Unit {code} created.").format(code="BLO-TER")
        )
        assert ru.gettext("In Uzbek: {name}").format(name="Termiz chegara idorasi") in card.text
        assert ru.gettext("Crossing points: none yet.") in card.text
        unit = await unit_by_code(app, "BLO-TER")
        assert unit is not None and unit.active
        assert (unit.name("uz"), unit.name("ru"), unit.name("en")) == (
            "Termiz chegara idorasi",
            "Термезский пограничный офис",
            "Termez border office",
        )

        # Crossing points: two added, a duplicate refused, one removed.
        await tap(o, "unt", "cps", str(unit.id))
        view = await add_point(o, "Ayritom")
        assert view.text.startswith(
            "✅ " + ru.gettext("Crossing point {name} added.").format(name="Ayritom")
        )
        await add_point(o, "Termez-2")
        duplicate = await add_point(o, "  AYRITOM ")
        assert (
            ru.gettext("{unit} already has a crossing point named {name}.").format(
                unit="BLO-TER · Термезский пограничный офис", name="AYRITOM"
            )
            in duplicate.text
        )
        stopped = await o.say("/cancel")
        assert stopped.text == ru.gettext("Stopped. Nothing was changed.")
        assert await point_names(app, unit.id) == ["Ayritom", "Termez-2"]

        await o.say("/units")
        await tap(o, "unt", "card", str(unit.id))
        await tap(o, "unt", "cps", str(unit.id))
        points_view, _ = await press(o, "✖ Termez-2")
        assert points_view.text == ru.gettext(
            "Remove the crossing point {name} from {unit}? Reports that name it keep it."
        ).format(name="Termez-2", unit="BLO-TER · Термезский пограничный офис")
        await tap(o, "unt", "cpry")
        assert points_view.text.startswith("✖ ")
        assert await point_names(app, unit.id) == ["Ayritom"]

        # Rename: a new Uzbek name, the Russian one kept with a tap, a new English one.
        await tap(o, "unt", "card", str(unit.id))
        await tap(o, "unt", "ren", str(unit.id))
        asked = await o.say("Termiz BLO")
        assert ru.gettext("Type its name in Russian.") in asked.text
        await tap(o, "unt", "keep", str(unit.id), "ru")
        asked = await tg.next_message(ADMIN.id)
        assert ru.gettext("Type its name in English.") in asked.text
        renamed = await o.say("Termez BLO")
        assert renamed.text.startswith(
            "✅ " + ru.gettext("Unit {code} renamed.").format(code="BLO-TER")
        )
        unit = await unit_by_code(app, "BLO-TER")
        assert unit is not None
        assert (unit.name("uz"), unit.name("ru"), unit.name("en")) == (
            "Termiz BLO",
            "Термезский пограничный офис",
            "Termez BLO",
        )

        # Deactivate: its officer can no longer file; reactivate: they can again.
        officer = Officer(tg, await seed_user(BORDER_OFFICER, Role.OFFICER, "BLO-TER"))
        assert (await officer.say("/report")).buttons
        await tap(o, "unt", "off", str(unit.id))
        await tap(o, "unt", "offy", str(unit.id))
        assert not (await unit_by_code(app, "BLO-TER") or unit).active
        refused = await officer.say("/report")
        assert refused.text.startswith("Your unit is deactivated")
        listing = await o.say("/units")
        assert "⏸ BLO-TER · Термезский пограничный офис" in listing.button_texts
        await tap(o, "unt", "card", str(unit.id))
        await tap(o, "unt", "on", str(unit.id))
        await tap(o, "unt", "ony", str(unit.id))
        assert (await unit_by_code(app, "BLO-TER") or unit).active
        chooser = await officer.say("/report")
        assert chooser.text == "Which report do you want to file?"
        entries = await audit(app)
    lines = [(e.action, e.target) for e in entries if e.action.startswith(("unit.", "crossing"))]
    assert lines == [
        ("unit.created", "BLO-TER"),
        ("crossing_point.added", "BLO-TER"),
        ("crossing_point.added", "BLO-TER"),
        ("crossing_point.removed", "BLO-TER"),
        ("unit.renamed", "BLO-TER"),
        ("unit.deactivated", "BLO-TER"),
        ("unit.reactivated", "BLO-TER"),
    ]
    assert all(e.actor_telegram_id == ADMIN.id for e in entries if e.action.startswith("unit."))
    removed = next(e for e in entries if e.action == "crossing_point.removed")
    assert '"name": "Termez-2"' in (removed.details or "")


async def test_units_are_listed_in_the_admins_language(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(ADMIN_UZ, Role.ADMIN, None)
    async with run_bot() as app:
        uz = tr(app, "uz")
        listing = await Officer(tg, ADMIN_UZ).say("/units")
        assert listing.text.startswith(
            uz.ngettext("{count} mobile team", "{count} mobile teams", 13).format(count=13)
        )
        assert "IMT-TER · Termiz" in listing.button_texts
        assert "IMT-FER · Farg‘ona" in listing.button_texts
        await tap(Officer(tg, ADMIN_UZ), "unt", "card", None)
        assert uz.gettext("In Russian: {name}").format(name="Андижан") in listing.text
        # A mobile team has no crossing points, and a forged tap cannot open them.
        assert not any(d and ":cps:" in d for d in listing.callback_data)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("B", "A code is 2 to 16 Latin letters and digits, with hyphens between."),
        ("BLO TER", "A code is 2 to 16 Latin letters and digits, with hyphens between."),
        ("imt-ter", "There is already a unit with the code {code}."),
    ],
)
async def test_a_bad_code_is_explained_and_asked_again(
    tg: StandIn, run_bot: RunBot, typed: str, problem: str | tuple[str, str]
) -> None:
    async with run_bot() as app:
        ru = tr(app, "ru")
        o = Officer(tg, ADMIN)
        await start_adding(o, "IMT")
        reply = await o.say(typed)
        assert reply.text.startswith("⚠️ " + ru.gettext(problem).format(code="IMT-TER"))
        assert "IMT-GUL" in reply.text  # the same question again
        asked = await o.say("IMT-GUL")
        assert ru.gettext("Type its name in Uzbek (Latin script).") in asked.text


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        (
            "x" * 65,
            (
                "That is too long: at most {limit} character, please.",
                "That is too long: at most {limit} characters, please.",
            ),
        ),
        ("Termez\nBLO", "Please type it on one line, without special characters."),
        ("   ", "That was empty."),
        ("termiz", "There is already a unit named {name}."),
    ],
)
async def test_a_bad_name_is_explained_and_asked_again(
    tg: StandIn, run_bot: RunBot, typed: str, problem: str | tuple[str, str]
) -> None:
    async with run_bot() as app:
        ru = tr(app, "ru")
        o = Officer(tg, ADMIN)
        await start_adding(o, "BLO")
        await o.say("BLO-X")
        reply = await o.say(typed)
        # a message with a count is looked up in its plural form for 64
        plural = isinstance(problem, tuple)
        expected = ru.ngettext(*problem, 64) if plural else ru.gettext(problem)
        assert reply.text.startswith("⚠️ " + expected.format(limit=64, name="termiz"))
        assert ru.gettext("Type its name in Uzbek (Latin script).") in reply.text
        await tg.wait_idle()
        assert tg.messages(ADMIN.id)[-1] is reply  # one answer, not the report engine's too


async def test_html_in_names_is_shown_as_typed(tg: StandIn, run_bot: RunBot) -> None:
    async with run_bot() as app:
        o = Officer(tg, ADMIN)
        await start_adding(o, "BLO")
        await o.say("BLO-HTML")
        await o.say("<b>Olot</b> & co")
        await o.say("Алат")
        card = await o.say("Alat")
        assert "<b>Olot</b> & co" in card.text
        assert "&lt;b&gt;Olot&lt;/b&gt; &amp; co" in (card.html or "")
        unit = await unit_by_code(app, "BLO-HTML")
        assert unit is not None
        await tap(o, "unt", "cps", str(unit.id))
        view = await add_point(o, "<i>Olot-1</i>")
        assert "<i>Olot-1</i>" in view.text


async def test_cancel_and_other_commands_stop_the_question(tg: StandIn, run_bot: RunBot) -> None:
    async with run_bot() as app:
        ru = tr(app, "ru")
        o = Officer(tg, ADMIN)
        await start_adding(o, "BLO")
        stopped = await o.say("/cancel")
        assert stopped.text == ru.gettext("Stopped. Nothing was changed.")
        after = await o.say("BLO-TER")  # no longer an answer: nobody asked
        assert after.text == ru.gettext(
            "I did not understand that. Send /help to see what you can do."
        )

        await start_adding(o, "BLO")
        await o.say("/help")  # the admin moved on
        after = await o.say("BLO-TER")
        assert after.text == ru.gettext(
            "I did not understand that. Send /help to see what you can do."
        )

        prompt = await start_adding(o, "BLO")
        await tap(o, "unt", "stop")
        assert prompt.text == ru.gettext("Stopped. Nothing was changed.")
        after = await o.say("BLO-TER")
        assert "I did not understand" in after.text or "Не удалось распознать" in after.text
        assert await unit_by_code(app, "BLO-TER") is None
        assert not [e for e in await audit(app) if e.action.startswith("unit.")]


async def test_the_open_question_survives_a_restart(tg: StandIn, run_bot: RunBot) -> None:
    async with run_bot():
        o = Officer(tg, ADMIN)
        await start_adding(o, "BLO")
        await o.say("BLO-NEW")
    async with run_bot() as app:
        asked = await o.say("Yangi")
        assert tr(app, "ru").gettext("Type its name in Russian.") in asked.text


async def test_a_demoted_admin_cannot_finish_a_question(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    second = await seed_user(
        TgUser(id=8304, first_name="Jasur", language_code="ru"), Role.ADMIN, None
    )
    async with run_bot() as app:
        other = Officer(tg, second)
        await start_adding(other, "BLO")
        o = Officer(tg, ADMIN)
        await o.say(f"/user {second.id}")
        await tap(o, "usr", "role")
        await tap(o, "usr", "rc", None, "coordinator")
        await tap(o, "usr", "ry")
        tg.skip_messages(second.id)  # the notice of the new role
        reply = await other.say("BLO-SNEAK")
        assert "BLO-SNEAK" not in reply.text
        assert await unit_by_code(app, "BLO-SNEAK") is None


async def test_a_redelivered_typed_name_answers_one_question_only(
    tg: StandIn, run_bot: RunBot
) -> None:
    """Telegram delivers a message again when the bot died before confirming it: the Uzbek
    name typed once must not also become the Russian and the English name."""
    async with run_bot(setup=patient) as app:
        ru = tr(app, "ru")
        o = Officer(tg, ADMIN)
        await start_adding(o, "IMT")
        await o.say("imt-gul")
        sent = await tg.send_text(o.user, "Guliston")
        asked = await tg.next_message(ADMIN.id)
        assert ru.gettext("Type its name in Russian.") in asked.text
        await tg.redeliver(int(sent["update_id"]), fresh_id=True)
        again = await tg.next_message(ADMIN.id)
        assert ru.gettext("Type its name in Russian.") in again.text  # asked again, not answered
        asked = await o.say("Гулистан")
        assert ru.gettext("Type its name in English.") in asked.text
        await o.say("Gulistan")
        unit = await unit_by_code(app, "IMT-GUL")
        assert unit is not None
        assert (unit.name("uz"), unit.name("ru"), unit.name("en")) == (
            "Guliston",
            "Гулистан",
            "Gulistan",
        )
