"""The lock behind the gate: every protected operation, called directly on a real database with
every wrong actor, is refused, changes nothing, and leaves one committed audit line.

Each operation is also called once by a right actor, so a refusal here is never an accident of
the test's world.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot import (
    coordination,
    people,
)
from bot.administration import UserReference
from bot.authority import Denial, Operation, Refused
from storage import (
    Database,
    NewReport,
    Repositories,
    Role,
    UnitKind,
    UserStatus,
)
from storage.bot_settings import COORDINATION_GROUP
from storage.clock import utc_now
from storage.drafts import new_draft_id
from tests.unit.authority_operations import (
    CASES,
    GROUP,
    OPERATIONS,
    World,
    _right_actor,
    _telegram_id,
)


async def _person(
    repos: Repositories, telegram_id: int, role: Role, unit: int | None, *, blocked: bool = False
) -> int:
    user = await repos.users.create(telegram_id=telegram_id, role=role, unit_id=unit)
    if blocked:
        await repos.users.set_status(telegram_id, UserStatus.BLOCKED)
    return user.id


@pytest.fixture
async def world(db: Database) -> World:
    now = utc_now()
    async with db.transaction() as repos:
        termez = await repos.units.get_by_code("IMT-TER")
        assert termez is not None
        ayritom = await repos.units.create(
            code="BLO-AYR", kind=UnitKind.BLO, name_uz="Ayritom", name_ru="Айритом", name_en="Ayr"
        )
        admin_id = await _person(repos, 1, Role.ADMIN, None)
        await _person(repos, 2, Role.ADMIN, None)  # never the last admin
        coordinator_id = await _person(repos, 3, Role.COORDINATOR, None)
        officer_id = await _person(repos, 4, Role.OFFICER, termez.id)
        other_id = await _person(repos, 5, Role.OFFICER, termez.id)
        await _person(repos, 6, Role.ADMIN, None, blocked=True)
        await _person(repos, 7, Role.COORDINATOR, None, blocked=True)
        blocked_officer_id = await _person(repos, 8, Role.OFFICER, termez.id, blocked=True)
        point = await repos.crossing_points.add(ayritom.id, "Ayritom bridge")
        assert point is not None
        invite = await repos.invites.create(
            token_hash="0" * 64,
            role=Role.OFFICER,
            unit_id=termez.id,
            created_by=admin_id,
            expires_at=now + timedelta(days=1),
        )
        report = await repos.reports.create(
            NewReport(
                form="seizure",
                form_code="SZ",
                unit_id=termez.id,
                author_id=officer_id,
                idempotency_key=new_draft_id(),
                occurred_at=now,
                submitted_at=now,
                local_day=now.date(),
                urgent=True,
                answers={},
                place_text="Termez",
                latitude=None,
                longitude=None,
                persons_detained=1,
            )
        )
        alert = await repos.alerts.create(report.id, "marked", now=now)
        assert alert is not None
        question = await repos.alerts.add_question(alert.id, coordinator_id, "Where?", now=now)
        await repos.settings.set(
            COORDINATION_GROUP, json.dumps({"chat_id": GROUP, "title": "HQ"}), by=1
        )
    return World(
        admin=1,
        coordinator=3,
        officer=4,
        other_officer=5,
        blocked_admin=6,
        blocked_coordinator=7,
        blocked_officer=8,
        other_officer_id=other_id,
        blocked_officer_id=blocked_officer_id,
        termez=termez.id,
        ayritom=ayritom.id,
        point=point.id,
        invite=invite.id,
        report=report.id,
        alert=alert.id,
        question=question.id,
    )


async def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every committed row of every table but the audit log, read on a second connection."""
    async with aiosqlite.connect(str(path)) as conn:
        names = [
            str(row[0])
            for row in await conn.execute_fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'audit_log'"
                " ORDER BY name"
            )
        ]
        return {
            name: sorted(
                map(tuple, await conn.execute_fetchall(f'SELECT * FROM "{name}"')), key=repr
            )
            for name in names
        }


async def _audit(path: Path) -> list[tuple[Any, ...]]:
    async with aiosqlite.connect(str(path)) as conn:
        return [
            tuple(row)
            for row in await conn.execute_fetchall(
                "SELECT id, actor_telegram_id, action, details FROM audit_log ORDER BY id"
            )
        ]


@pytest.mark.parametrize(("name", "actor", "denial"), CASES)
async def test_a_wrong_actor_is_refused_changes_nothing_and_is_audited(
    db: Database, world: World, name: str, actor: str, denial: Denial
) -> None:
    operation, act = OPERATIONS[name]
    telegram_id = _telegram_id(world, actor)
    rows_before, audit_before = await _rows(db.path), await _audit(db.path)

    async with db.transaction() as repos:
        result = await act(repos, telegram_id, world)

    assert result == Refused(operation, denial)
    assert await _rows(db.path) == rows_before
    added = (await _audit(db.path))[len(audit_before) :]
    assert [(who, action) for _, who, action, _ in added] == [
        (telegram_id, operation.refused_action)
    ]
    assert json.loads(added[0][3])["reason"] == denial.value


@pytest.mark.parametrize("name", list(OPERATIONS))
async def test_the_right_actor_is_let_through(db: Database, world: World, name: str) -> None:
    operation, act = OPERATIONS[name]
    async with db.transaction() as repos:
        result = await act(repos, _telegram_id(world, _right_actor(operation)), world)
    assert result is None or not isinstance(result, Refused), result


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("audit read", "audit.read"),
        ("digest on demand", "digest.on_demand"),
    ],
)
async def test_handing_protected_data_out_is_audited_with_who_and_how_much(
    db: Database, world: World, name: str, action: str
) -> None:
    operation, act = OPERATIONS[name]
    actor = _telegram_id(world, _right_actor(operation))
    async with db.transaction() as repos:
        await act(repos, actor, world)
    _, who, recorded, details = (await _audit(db.path))[-1]
    assert (who, recorded) == (actor, action)
    assert details is not None
    assert set(json.loads(details)) & {"entries", "reports"}


async def test_an_export_records_its_period(db: Database, world: World) -> None:
    first, last = utc_now().date() - timedelta(days=3), utc_now().date()
    async with db.transaction() as repos:
        actor = await coordination.may_export(repos, world.coordinator, first, last)
        assert not isinstance(actor, Refused)
        await coordination.record_export(repos, actor, first, last, reports=3)
    entry = (await _audit(db.path))[-1]
    assert json.loads(entry[3]) == {"from": first.isoformat(), "to": last.isoformat(), "reports": 3}


async def test_a_role_lost_between_two_steps_is_refused_at_the_second(
    db: Database, world: World
) -> None:
    """The card was opened as an admin; the block is confirmed after a demotion."""
    async with db.transaction() as repos:
        assert not isinstance(
            await people.card(repos, world.admin, world.other_officer_id), Refused
        )
        await repos.users.set_role(world.admin, Role.COORDINATOR, unit_id=None)
    async with db.transaction() as repos:
        result = await people.set_blocked(repos, world.admin, world.other_officer_id, blocked=True)
    assert result == Refused(Operation.BLOCK, Denial.WRONG_ROLE)
    async with db.read() as repos:
        target = await repos.users.get(world.other_officer_id)
    assert target is not None and target.is_active


async def test_several_accounts_with_one_username_are_all_found(db: Database, world: World) -> None:
    async with db.transaction() as repos:
        for telegram_id in (world.officer, world.other_officer):
            await repos.users.update_profile(
                telegram_id, display_name="", username="moved_name", telegram_language=None
            )
    async with db.transaction() as repos:
        found = await people.look_up(repos, world.admin, UserReference(username="MOVED_NAME"))
    assert isinstance(found, list)
    assert sorted(person.telegram_id for person in found) == [world.officer, world.other_officer]
