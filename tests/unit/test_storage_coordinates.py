"""Where units and crossing points are (migration 0013): seeded, read, written, range-checked."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from bot import organisation
from bot.places import InvalidPlace
from storage import Coordinates, Database, Role, UnitKind, cipher
from storage.db import migration_files

#: The 13 mobile teams' cities: (latitude, longitude) within a few kilometres of the centre.
CITIES = {
    "IMT-AND": (40.78, 72.34),  # Andijan
    "IMT-BUK": (39.77, 64.43),  # Bukhara
    "IMT-JIZ": (40.12, 67.84),  # Jizzakh
    "IMT-KAR": (38.86, 65.79),  # Karshi
    "IMT-NAM": (41.00, 71.67),  # Namangan
    "IMT-NAV": (40.08, 65.38),  # Navoi
    "IMT-URG": (41.55, 60.63),  # Urgench
    "IMT-TAS": (41.30, 69.24),  # Tashkent
    "IMT-SAM": (39.65, 66.96),  # Samarkand
    "IMT-NUK": (42.45, 59.61),  # Nukus
    "IMT-TER": (37.22, 67.28),  # Termez
    "IMT-FER": (40.39, 71.79),  # Fergana
    "IMT-SIR": (40.49, 68.78),  # Gulistan, Syrdarya region's centre
}


async def test_the_13_mobile_teams_have_their_cities_coordinates(db: Database) -> None:
    async with db.read() as repos:
        units = {unit.code: unit for unit in await repos.units.list()}
    assert set(CITIES) <= set(units)
    for code, (latitude, longitude) in CITIES.items():
        where = units[code].coordinates
        assert where is not None, code
        assert where.latitude == pytest.approx(latitude, abs=0.05), code
        assert where.longitude == pytest.approx(longitude, abs=0.05), code


async def test_a_units_coordinates_are_written_together_and_cleared(db: Database) -> None:
    async with db.transaction() as repos:
        unit = await repos.units.create(
            code="BLO-AYR",
            kind=UnitKind.BLO,
            name_uz="Ayritom",
            name_ru="Айритом",
            name_en="Ayritom",
            coordinates=Coordinates(37.25, 67.1),
        )
        assert unit.coordinates == Coordinates(37.25, 67.1)
        plain = await repos.units.create(
            code="BLO-OLO", kind=UnitKind.BLO, name_uz="Olot", name_ru="Алат", name_en="Olot"
        )
        assert plain.coordinates is None
        await repos.units.set_coordinates(plain.id, Coordinates(39.3, 63.8))
        await repos.units.set_coordinates(unit.id, None)
    async with db.read() as repos:
        moved, cleared = await repos.units.get(plain.id), await repos.units.get(unit.id)
    assert moved is not None and moved.coordinates == Coordinates(39.3, 63.8)
    assert cleared is not None and cleared.coordinates is None


async def test_a_crossing_points_coordinates_are_kept_and_brought_back(db: Database) -> None:
    async with db.transaction() as repos:
        unit = await repos.units.create(
            code="BLO-TER", kind=UnitKind.BLO, name_uz="Termiz", name_ru="Термез", name_en="Termez"
        )
        bridge = await repos.crossing_points.add(
            unit.id, "Hayraton", coordinates=Coordinates(37.2167, 67.45)
        )
        plain = await repos.crossing_points.add(unit.id, "Termez-2")
        assert bridge is not None and plain is not None
        assert bridge.coordinates == Coordinates(37.2167, 67.45)
        assert plain.coordinates is None
        assert await repos.crossing_points.get(bridge.id) == bridge
        # Removed, then added again without coordinates: it keeps the ones it had.
        await repos.crossing_points.deactivate(bridge.id)
        again = await repos.crossing_points.add(unit.id, "Hayraton")
        assert again is not None and again.coordinates == Coordinates(37.2167, 67.45)
        # …and added again with new ones: the new ones.
        await repos.crossing_points.deactivate(bridge.id)
        moved = await repos.crossing_points.add(
            unit.id, "Hayraton", coordinates=Coordinates(37.22, 67.46)
        )
        assert moved is not None and moved.coordinates == Coordinates(37.22, 67.46)


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(90.5, 60.0), (-91.0, 60.0), (40.0, 180.5), (40.0, -181.0)]
)
async def test_the_table_refuses_coordinates_out_of_range(
    db: Database, latitude: float, longitude: float
) -> None:
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            await repos.crossing_points.add(
                1, "Nowhere", coordinates=Coordinates(latitude, longitude)
            )
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            await repos.units.set_coordinates(1, Coordinates(latitude, longitude))


def test_the_migration_uses_portable_sql() -> None:
    sql = resources.files("storage.migrations").joinpath("0013_coordinates.sql").read_text("utf-8")
    for sqlite_only in ("AUTOINCREMENT", "datetime(", "strftime(", "julianday(", "PRAGMA", "GLOB"):
        assert sqlite_only.lower() not in sql.lower()


async def test_the_migration_keeps_every_unit_and_point_of_an_older_database(
    tmp_path: Path,
) -> None:
    """A database of the previous version: a renamed mobile team, a border liaison office and
    its points come through; the teams get their cities, the others stay unplaced."""
    db = await Database.open(tmp_path / "old.sqlite3", migrate=False)
    try:
        for number, _name, sql in migration_files():
            if number < 13:
                await db._conn.executescript(
                    f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number:d};\nCOMMIT;"
                )
        await db._conn.executescript(
            "BEGIN IMMEDIATE;"
            "UPDATE units SET name_en = 'Termez team' WHERE code = 'IMT-TER';"
            "INSERT INTO units (id, code, kind, name_uz, name_ru, name_en, active, created_at)"
            " VALUES (40, 'BLO-AYR', 'BLO', 'Ayritom', 'Айритом', 'Ayritom', 1,"
            " '2026-02-01T00:00:00+00:00');"
            "INSERT INTO crossing_points (id, unit_id, name, active, created_at)"
            " VALUES (5, 40, 'Hayraton', 1, '2026-02-01T00:00:00+00:00'),"
            " (6, 40, 'Old post', 0, '2026-02-02T00:00:00+00:00');"
            "COMMIT;"
        )
        assert (await db.migrate())[0] == "0013_coordinates.sql"  # later ones follow
        async with db.read() as repos:
            termez = await repos.units.get_by_code("IMT-TER")
            office = await repos.units.get(40)
            points = await repos.crossing_points.list_for_unit(40, active_only=False)
    finally:
        await db.close()
    assert termez is not None and termez.name_en == "Termez team"
    assert termez.coordinates == Coordinates(37.2242, 67.2783)
    assert office is not None and office.coordinates is None
    assert [(p.id, p.name, p.active, p.coordinates) for p in points] == [
        (5, "Hayraton", True, None),
        (6, "Old post", False, None),
    ]


async def test_the_rules_layer_adds_a_point_with_its_place_and_audits_it(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.users.create(telegram_id=77, role=Role.ADMIN)
        office = await repos.units.create(
            code="BLO-AYR", kind=UnitKind.BLO, name_uz="Ayritom", name_ru="Айритом", name_en="A"
        )
        done = await organisation.add_crossing_point(
            repos, 77, office.id, "Hayraton", Coordinates(37.2167, 67.45)
        )
        skipped = await organisation.add_crossing_point(repos, 77, office.id, "Termez-2")
    assert isinstance(done, organisation.Done) and done.point is not None
    assert done.point.coordinates == Coordinates(37.2167, 67.45)
    assert isinstance(skipped, organisation.Done) and skipped.point is not None
    assert skipped.point.coordinates is None
    async with db.read() as repos:
        added = [e for e in await repos.audit.latest(10) if e.action == "crossing_point.added"]
        assert await organisation.crossing_point_name_taken(repos, office.id, " HAYRATON ".strip())
    details = sorted(json.loads(e.details or "{}").get("coordinates", "-") for e in added)
    assert details == ["-", "37.2167, 67.45"]


@pytest.mark.parametrize(
    "where",
    [
        Coordinates(float("nan"), 67.45),
        Coordinates(37.2, float("inf")),
        Coordinates(137.2, 67.45),  # not on Earth
        Coordinates(67.45, 37.2),  # swapped: far from the region
        Coordinates(0.0, 0.0),
    ],
)
async def test_the_rules_layer_refuses_coordinates_no_map_can_hold(
    db: Database, where: Coordinates
) -> None:
    """Checked again where the point is stored, not only where the admin typed them: nothing
    is added or audited."""
    async with db.transaction() as repos:
        await repos.users.create(telegram_id=77, role=Role.ADMIN)
        office = await repos.units.create(
            code="BLO-AYR", kind=UnitKind.BLO, name_uz="Ayritom", name_ru="Айритом", name_en="A"
        )
    with pytest.raises(InvalidPlace):
        async with db.transaction() as repos:
            await organisation.add_crossing_point(repos, 77, office.id, "Hayraton", where)
    async with db.read() as repos:
        assert await repos.crossing_points.list_for_unit(office.id) == []
        assert [e for e in await repos.audit.latest(10) if e.action == "crossing_point.added"] == []
