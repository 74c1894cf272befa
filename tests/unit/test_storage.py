from __future__ import annotations

from pathlib import Path

import pytest

from storage import Database, Role, UnitKind, UserStatus, cipher
from storage.db import migration_files
from storage.persistence import SqlitePersistence

MOBILE_TEAMS = {
    "Andijan",
    "Bukhara",
    "Jizzakh",
    "Karshi",
    "Namangan",
    "Navoi",
    "Urgench",
    "Tashkent",
    "Samarkand",
    "Nukus",
    "Termez",
    "Fergana",
    "Syrdarya",
}


async def test_migrations_are_recorded_in_user_version(db: Database) -> None:
    assert await db.schema_version() == len(migration_files())
    assert await db.migrate() == []  # a second run applies nothing


async def test_every_connection_has_the_pragmas(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "p.sqlite3")
    try:
        async with database.read() as repos:
            conn = repos.users._conn
            async with conn.execute("PRAGMA foreign_keys") as cursor:
                assert (await cursor.fetchone())[0] == 1  # type: ignore[index]
            async with conn.execute("PRAGMA busy_timeout") as cursor:
                assert (await cursor.fetchone())[0] == 5000  # type: ignore[index]
            async with conn.execute("PRAGMA journal_mode") as cursor:
                assert (await cursor.fetchone())[0] == "wal"  # type: ignore[index]
    finally:
        await database.close()


async def test_a_failing_migration_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = migration_files()
    broken = [*good, (len(good) + 1, "9999_broken.sql", "CREATE TABLE half (x INT); SELECT nope(;")]
    monkeypatch.setattr("storage.db.migration_files", lambda: broken)
    with pytest.raises(cipher.OperationalError):
        await Database.open(tmp_path / "m.sqlite3")
    monkeypatch.setattr("storage.db.migration_files", lambda: good)
    database = await Database.open(tmp_path / "m.sqlite3")
    try:
        assert await database.schema_version() == len(good)
        async with (
            database.read() as repos,
            repos.users._conn.execute(
                "SELECT name FROM sqlite_master WHERE name = 'half'"
            ) as cursor,
        ):
            assert await cursor.fetchone() is None
    finally:
        await database.close()


async def test_the_thirteen_mobile_teams_are_seeded(db: Database) -> None:
    async with db.read() as repos:
        units = await repos.units.list()
    assert {unit.name_en for unit in units} == MOBILE_TEAMS
    assert all(unit.kind is UnitKind.IMT and unit.active for unit in units)
    fergana = next(unit for unit in units if unit.name_en == "Fergana")
    assert fergana.name("uz") == "Farg‘ona"
    assert fergana.name("ru") == "Фергана"


async def test_users_are_created_found_and_updated(db: Database) -> None:
    async with db.transaction() as repos:
        unit = await repos.units.get_by_code("IMT-TER")
        assert unit is not None
        created = await repos.users.create(
            telegram_id=5, role=Role.OFFICER, display_name="Bekzod", unit_id=unit.id
        )
        await repos.users.set_language(5, "uz")
    async with db.read() as repos:
        found = await repos.users.get_by_telegram_id(5)
    assert found is not None
    assert found.id == created.id
    assert (found.role, found.status, found.language) == (Role.OFFICER, UserStatus.ACTIVE, "uz")
    assert found.unit_id == unit.id


async def test_a_failed_transaction_is_rolled_back(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as repos:
            await repos.users.create(telegram_id=6, role=Role.OFFICER)
            raise RuntimeError("boom")
    async with db.read() as repos:
        assert await repos.users.get_by_telegram_id(6) is None


async def test_database_refuses_what_the_model_forbids(db: Database) -> None:
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            await repos.users.create(telegram_id=7, role=Role.OFFICER, unit_id=999)
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            await repos.users.create(telegram_id=8, role=Role.OFFICER)
            await repos.users.create(telegram_id=8, role=Role.OFFICER)


async def test_ensure_admin_creates_promotes_and_reports_no_change(db: Database) -> None:
    async with db.transaction() as repos:
        assert await repos.users.ensure_admin(9) is True
        assert await repos.users.ensure_admin(9) is False
        await repos.users.create(telegram_id=10, role=Role.OFFICER)
        assert await repos.users.ensure_admin(10) is True
        user = await repos.users.get_by_telegram_id(10)
    assert user is not None and user.role is Role.ADMIN


async def test_audit_lines_keep_who_what_and_details(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.audit.add("access.refused", actor_telegram_id=77, details={"kind": "message"})
        await repos.audit.add("admin.cli", actor_telegram_id=None, target="42")
    async with db.read() as repos:
        latest = await repos.audit.latest(10)
    assert [entry.action for entry in latest] == ["admin.cli", "access.refused"]
    assert latest[1].actor_telegram_id == 77
    assert latest[1].details == '{"kind": "message"}'


async def test_persistence_round_trips_through_a_reopened_database(tmp_path: Path) -> None:
    path = tmp_path / "persist.sqlite3"
    database = await Database.open(path)
    persistence = SqlitePersistence(lambda: database)
    await persistence.update_conversation("report", (1, 1), "ASK_QUANTITY")
    await persistence.update_conversation("report", (2, 2), "DONE")
    await persistence.update_conversation("report", (2, 2), None)
    await persistence.update_user_data(1, {"draft": {"form": "seizure", "answers": [1, "ю"]}})
    await persistence.update_chat_data(-100, {"bound": True})
    await persistence.update_bot_data({"version": 1})
    await database.close()

    database = await Database.open(path)
    persistence = SqlitePersistence(lambda: database)
    try:
        assert await persistence.get_conversations("report") == {(1, 1): "ASK_QUANTITY"}
        assert await persistence.get_user_data() == {
            1: {"draft": {"form": "seizure", "answers": [1, "ю"]}}
        }
        assert await persistence.get_chat_data() == {-100: {"bound": True}}
        assert await persistence.get_bot_data() == {"version": 1}
        await persistence.drop_user_data(1)
        await persistence.update_chat_data(-100, {})
        assert await persistence.get_user_data() == {}
        assert await persistence.get_chat_data() == {}
    finally:
        await database.close()
