"""Repositories behind the admin commands, on a fresh database with every migration applied."""

from __future__ import annotations

import pytest

from storage import Database, Role, UnitKind, UserStatus, cipher


async def test_people_are_listed_and_counted_by_role_and_unit(db: Database) -> None:
    async with db.transaction() as repos:
        termez = await repos.units.get_by_code("IMT-TER")
        nukus = await repos.units.get_by_code("IMT-NUK")
        assert termez is not None and nukus is not None
        await repos.users.create(telegram_id=1, role=Role.ADMIN, display_name="Zarina")
        await repos.users.create(
            telegram_id=2, role=Role.OFFICER, display_name="bekzod", unit_id=termez.id
        )
        await repos.users.create(
            telegram_id=3, role=Role.OFFICER, display_name="Aziz", unit_id=nukus.id
        )
        await repos.users.create(telegram_id=4, role=Role.COORDINATOR, display_name="Olim")
    async with db.read() as repos:
        assert await repos.users.count() == 4
        assert await repos.users.count(role=Role.OFFICER) == 2
        assert await repos.users.count(role=Role.OFFICER, unit_id=termez.id) == 1
        everybody = await repos.users.find(limit=10)
        assert [u.display_name for u in everybody] == ["Aziz", "bekzod", "Olim", "Zarina"]
        second_page = await repos.users.find(limit=2, offset=2)
        assert [u.telegram_id for u in second_page] == [4, 1]
        officers = await repos.users.find(role=Role.OFFICER, unit_id=nukus.id, limit=10)
        assert [u.telegram_id for u in officers] == [3]


async def test_active_admins_are_counted(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.users.create(telegram_id=1, role=Role.ADMIN)
        await repos.users.create(telegram_id=2, role=Role.ADMIN)
        await repos.users.create(telegram_id=3, role=Role.COORDINATOR)
        assert await repos.users.count_active_admins() == 2
        await repos.users.set_status(2, UserStatus.BLOCKED)
        assert await repos.users.count_active_admins() == 1
        await repos.users.set_role(1, Role.COORDINATOR, unit_id=None)
        assert await repos.users.count_active_admins() == 0


async def test_role_unit_and_username(db: Database) -> None:
    async with db.transaction() as repos:
        termez = await repos.units.get_by_code("IMT-TER")
        assert termez is not None
        await repos.users.create(telegram_id=7, role=Role.COORDINATOR, username="Dilnoza_K")
        await repos.users.set_role(7, Role.OFFICER, unit_id=termez.id)
    async with db.read() as repos:
        found = await repos.users.get_by_username("dilnoza_k")
        assert found is not None
        assert (found.telegram_id, found.role, found.unit_id) == (7, Role.OFFICER, termez.id)
        assert await repos.users.get_by_username("nobody") is None
    async with db.transaction() as repos:
        await repos.users.set_unit(7, None)
    async with db.read() as repos:
        moved = await repos.users.get_by_telegram_id(7)
    assert moved is not None and moved.unit_id is None


async def test_units_are_created_renamed_and_switched(db: Database) -> None:
    async with db.transaction() as repos:
        unit = await repos.units.create(
            code="BLO-TER",
            kind=UnitKind.BLO,
            name_uz="Termiz BLO",
            name_ru="Термез ОПС",
            name_en="Termez BLO",
        )
        assert unit.active and unit.kind is UnitKind.BLO
        await repos.units.rename(unit.id, name_uz="A", name_ru="Б", name_en="C")
        assert await repos.units.set_active(unit.id, False)
        assert not await repos.units.set_active(unit.id, False)  # already so
    async with db.read() as repos:
        stored = await repos.units.get(unit.id)
        assert stored is not None
        assert (stored.name("uz"), stored.name("ru"), stored.name("en")) == ("A", "Б", "C")
        assert not stored.active
        assert unit.id not in {u.id for u in await repos.units.list(active_only=True)}
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            await repos.units.create(
                code="BLO-TER", kind=UnitKind.BLO, name_uz="x", name_ru="x", name_en="x"
            )


async def test_crossing_points_are_added_listed_and_removed(db: Database) -> None:
    async with db.transaction() as repos:
        unit = await repos.units.create(
            code="BLO-TER", kind=UnitKind.BLO, name_uz="T", name_ru="Т", name_en="T"
        )
        termez2 = await repos.crossing_points.add(unit.id, "Termez-2")
        ayritom = await repos.crossing_points.add(unit.id, "Ayritom")
        assert termez2 is not None and ayritom is not None
        assert await repos.crossing_points.add(unit.id, "Ayritom") is None  # a duplicate
    async with db.read() as repos:
        points = await repos.crossing_points.list_for_unit(unit.id)
        assert [p.name for p in points] == ["Ayritom", "Termez-2"]
        assert await repos.crossing_points.get(ayritom.id) == ayritom
    async with db.transaction() as repos:
        assert await repos.crossing_points.deactivate(ayritom.id)
        assert not await repos.crossing_points.deactivate(ayritom.id)
    async with db.read() as repos:
        assert [p.name for p in await repos.crossing_points.list_for_unit(unit.id)] == ["Termez-2"]
        everything = await repos.crossing_points.list_for_unit(unit.id, active_only=False)
        assert [(p.name, p.active) for p in everything] == [
            ("Ayritom", False),
            ("Termez-2", True),
        ]
    async with db.transaction() as repos:
        again = await repos.crossing_points.add(unit.id, "Ayritom")
    # Adding a removed name brings the same point back: reports naming it stay linked.
    assert again is not None and again.id == ayritom.id and again.active


async def test_crossing_points_belong_to_a_real_unit(db: Database) -> None:
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            await repos.crossing_points.add(9999, "Nowhere")
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            await repos.crossing_points.add(1, "x" * 65)
