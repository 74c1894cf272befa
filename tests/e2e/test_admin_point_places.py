"""A crossing point's coordinates, given by the admin who adds it: typed as a map application
shows them (checked, and every bad answer told in the admin's language), or skipped."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.context import FieldReportApplication
from bot.i18n import Translator
from bot.places import MAX_TYPED_CHARS
from bot.standin import StandIn, TgUser
from storage import Coordinates, CrossingPoint, Database, Role, UnitKind
from tests.e2e.conftest import ADMIN, RunBot, SeedUser
from tests.support.driver import Officer

ADMIN_UZ = TgUser(id=8313, first_name="Aziza", language_code="uz")


async def border_office(settings: Settings) -> int:
    db = await Database.open(settings.database_path)
    try:
        async with db.transaction() as repos:
            unit = await repos.units.create(
                code="BLO-TER",
                kind=UnitKind.BLO,
                name_uz="Termiz",
                name_ru="Термез",
                name_en="Termez",
            )
    finally:
        await db.close()
    return unit.id


async def points(app: FieldReportApplication, unit_id: int) -> dict[str, CrossingPoint]:
    async with app.services.db.read() as repos:
        return {p.name: p for p in await repos.crossing_points.list_for_unit(unit_id)}


def tr(app: FieldReportApplication, language: str) -> Translator:
    return app.services.catalogs.translator(language)


async def open_points(o: Officer, unit_id: int) -> None:
    await o.say("/units")
    await o.tap("unt", "card", str(unit_id))
    await o.tap("unt", "cps", str(unit_id))


async def test_typed_coordinates_are_checked_then_stored_and_shown(
    tg: StandIn, run_bot: RunBot, settings: Settings
) -> None:
    unit_id = await border_office(settings)
    async with run_bot() as app:
        ru = tr(app, "ru")
        o = Officer(tg, ADMIN)
        await open_points(o, unit_id)
        await o.tap("unt", "cpa")
        asked = await o.say("Hayraton")
        assert "41.31, 69.24" in asked.text and "Hayraton" in asked.text
        assert any("cpk" in (data or "") for row in asked.buttons for _l, data in row)

        malformed = ru.gettext(
            "Please type two numbers: the latitude, then the longitude, for example 41.31, 69.24."
        )
        too_long = ru.ngettext(
            "That is too long: at most {limit} character, please.",
            "That is too long: at most {limit} characters, please.",
            MAX_TYPED_CHARS,
        ).format(limit=MAX_TYPED_CHARS)
        far_away = ru.gettext(
            "That place is far from Uzbekistan. Is the latitude first? "
            "For example 41.31, 69.24 is Tashkent."
        )
        bad = {
            "Termez": malformed,
            "37.2": malformed,
            "37,2": far_away,  # a decimal comma alone reads as two numbers: 37° N, 2° E
            "<b>37.2</b>, 67.4": malformed,
            "37.2, 67.4'); DROP TABLE crossing_points;--": malformed,
            "3" * 4000: too_long,
            "91, 67.4": ru.gettext(
                "That is not a place on Earth: the latitude is between -90 and 90, "
                "the longitude between -180 and 180."
            ),
            "67.45, 37.2167": far_away,
        }
        for typed, reason in bad.items():
            again = await o.say(typed)
            assert again.text.startswith("⚠️ " + reason), typed
            assert "Hayraton" in again.text  # the same question, asked again
        assert await points(app, unit_id) == {}

        view = await o.say("37,2167; 67,45")
        assert view.text.startswith(
            "✅ " + ru.gettext("Crossing point {name} added.").format(name="Hayraton")
        )
        assert "Hayraton 📍 37.2167, 67.4500" in view.text
        stored = await points(app, unit_id)
        assert stored["Hayraton"].coordinates == Coordinates(37.2167, 67.45)
        async with app.services.db.read() as repos:
            added = [e for e in await repos.audit.latest(50) if e.action == "crossing_point.added"]
        assert len(added) == 1 and '"coordinates": "37.2167, 67.45"' in (added[0].details or "")


async def test_skipped_coordinates_leave_the_point_without_them_in_uzbek(
    tg: StandIn, run_bot: RunBot, settings: Settings, seed_user: SeedUser
) -> None:
    unit_id = await border_office(settings)
    await seed_user(ADMIN_UZ, Role.ADMIN, None)
    async with run_bot() as app:
        uz = tr(app, "uz")
        o = Officer(tg, ADMIN_UZ)
        await open_points(o, unit_id)
        await o.tap("unt", "cpa")
        await o.say("Termiz-2")
        empty = await o.say("   ")
        assert empty.text.startswith("⚠️ " + uz.gettext("That was empty."))
        question, skip = o.find("unt", "cpk")
        await o.tg.wait_callback_answer(await o.tg.tap(o.user, question, skip))
        view = await o.tg.next_message(o.user.id)
        assert uz.gettext("{name} (no coordinates)").format(name="Termiz-2") in view.text
        assert (await points(app, unit_id))["Termiz-2"].coordinates is None
        assert not question.buttons  # the question lost its buttons with the tap
        # A second tap on the same Skip (a double tap, a slow client) adds nothing more.
        await o.tg.wait_callback_answer(await o.tg.tap(o.user, question, skip, forge=True))
        assert list(await points(app, unit_id)) == ["Termiz-2"]


@pytest.mark.parametrize("where", ["skip", "typed"])
async def test_a_duplicate_name_is_told_before_the_place_is_asked(
    tg: StandIn, run_bot: RunBot, settings: Settings, where: str
) -> None:
    unit_id = await border_office(settings)
    async with run_bot() as app:
        ru = tr(app, "ru")
        o = Officer(tg, ADMIN)
        await open_points(o, unit_id)
        await o.tap("unt", "cpa")
        await o.say("Ayritom")
        if where == "skip":
            await o.tap("unt", "cpk")
            await o.tg.next_message(o.user.id)
        else:
            await o.say("37.25, 67.1")
        await o.tap("unt", "cpa")
        duplicate = await o.say(" AYRITOM ")
        assert (
            ru.gettext("{unit} already has a crossing point named {name}.").format(
                unit="BLO-TER · Термез", name="AYRITOM"
            )
            in duplicate.text
        )
        assert not any("cpk" in (data or "") for row in duplicate.buttons for _l, data in row)
        assert list(await points(app, unit_id)) == ["Ayritom"]
