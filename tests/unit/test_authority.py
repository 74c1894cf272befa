"""The lock behind the gate: every protected operation, called directly on a real database with
every wrong actor, is refused, changes nothing, and leaves one committed audit line.

Each operation is also called once by a right actor, so a refusal here is never an accident of
the test's world.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot import (
    alerting,
    coordination,
    delivery,
    inviting,
    organisation,
    own_reports,
    people,
    reference,
    trafficking,
)
from bot.administration import UserReference
from bot.authority import Denial, Operation, Refused
from storage import (
    Database,
    NewReport,
    ReferenceKind,
    Repositories,
    Role,
    UnitKind,
    UserStatus,
)
from storage.alerts import PendingKind, PendingReply
from storage.bot_settings import COORDINATION_GROUP
from storage.clock import utc_now
from storage.drafts import new_draft_id

NOBODY = 999_999
GROUP = -100_777


@dataclass(frozen=True)
class World:
    """Telegram ids of the cast, and the ids of the things they act on."""

    admin: int
    coordinator: int
    officer: int  # the author of the report, the officer asked a question
    other_officer: int  # same unit, not the author: the target of people operations
    blocked_admin: int
    blocked_coordinator: int
    blocked_officer: int
    other_officer_id: int
    blocked_officer_id: int
    termez: int
    ayritom: int
    point: int
    invite: int
    report: int
    alert: int
    question: int


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


Act = Callable[[Repositories, int, World], Awaitable[object]]
WINDOW = timedelta(hours=24)


def _pending(kind: PendingKind, w: World) -> PendingReply:
    return PendingReply(
        user_id=0,
        kind=kind,
        alert_id=w.alert,
        question_id=w.question if kind is PendingKind.ANSWER else None,
        created_at=utc_now(),
    )


#: Every protected operation of the rules layer: (its Operation, how to call it).
OPERATIONS: dict[str, tuple[Operation, Act]] = {
    "user list": (
        Operation.USER_LIST,
        lambda r, a, w: people.list_page(r, a, role=None, unit_id=None, page=0, page_size=8),
    ),
    "user list units": (Operation.USER_LIST, lambda r, a, w: people.units(r, a)),
    "user look-up": (
        Operation.USER_CARD,
        lambda r, a, w: people.look_up(r, a, UserReference(telegram_id=w.other_officer)),
    ),
    "user card": (Operation.USER_CARD, lambda r, a, w: people.card(r, a, w.other_officer_id)),
    "role change": (
        Operation.ROLE_CHANGE,
        lambda r, a, w: people.change_role(r, a, w.other_officer_id, Role.COORDINATOR),
    ),
    "move": (
        Operation.MOVE,
        lambda r, a, w: people.move(r, a, w.other_officer_id, w.ayritom),
    ),
    "block": (
        Operation.BLOCK,
        lambda r, a, w: people.set_blocked(r, a, w.other_officer_id, blocked=True),
    ),
    "unblock": (
        Operation.UNBLOCK,
        lambda r, a, w: people.set_blocked(r, a, w.blocked_officer_id, blocked=False),
    ),
    "invite list": (
        Operation.INVITE_LIST,
        lambda r, a, w: inviting.open_list(r, a, now=utc_now(), limit=15),
    ),
    "invite choices": (Operation.INVITE_CREATE, lambda r, a, w: inviting.choices(r, a, "k")),
    "invite create": (
        Operation.INVITE_CREATE,
        lambda r, a, w: inviting.create(
            r,
            a,
            key="key-1",
            role=Role.ADMIN,
            unit_id=None,
            token="t" * 32,
            expires_at=utc_now() + timedelta(days=1),
            now=utc_now(),
        ),
    ),
    "invite look": (
        Operation.INVITE_REVOKE,
        lambda r, a, w: inviting.look(r, a, w.invite, now=utc_now()),
    ),
    "invite revoke": (
        Operation.INVITE_REVOKE,
        lambda r, a, w: inviting.revoke(r, a, w.invite, now=utc_now()),
    ),
    "unit list": (Operation.UNIT_LIST, lambda r, a, w: organisation.all_units(r, a)),
    "unit card": (Operation.UNIT_LIST, lambda r, a, w: organisation.unit_view(r, a, w.termez)),
    "unit create": (
        Operation.UNIT_CREATE,
        lambda r, a, w: organisation.create_unit(
            r, a, code="IMT-NEW", kind=UnitKind.IMT, names={"uz": "Y", "ru": "Н", "en": "N"}
        ),
    ),
    "unit rename": (
        Operation.UNIT_RENAME,
        lambda r, a, w: organisation.rename_unit(r, a, w.termez, {"uz": "X", "ru": "Х", "en": "X"}),
    ),
    "unit deactivate": (
        Operation.UNIT_SWITCH,
        lambda r, a, w: organisation.switch_unit(r, a, w.termez, active=False),
    ),
    "crossing point add": (
        Operation.CROSSING_POINT_ADD,
        lambda r, a, w: organisation.add_crossing_point(r, a, w.ayritom, "New post"),
    ),
    "crossing point remove": (
        Operation.CROSSING_POINT_REMOVE,
        lambda r, a, w: organisation.crossing_point(r, a, w.point, remove=True),
    ),
    "bind group": (
        Operation.GROUP_BIND,
        lambda r, a, w: coordination.bind_group(r, a, -100_888, "Other", "en"),
    ),
    "group language": (
        Operation.GROUP_LANGUAGE,
        lambda r, a, w: coordination.set_group_language(r, a, GROUP, "en"),
    ),
    "unbind group": (
        Operation.GROUP_UNBIND,
        lambda r, a, w: coordination.unbind_group(r, a, in_group=None),
    ),
    "settings read": (
        Operation.SETTINGS_READ,
        lambda r, a, w: coordination.check_settings_reader(r, a),
    ),
    "settings change": (
        Operation.SETTINGS_CHANGE,
        lambda r, a, w: coordination.change_time(r, a, delivery.DIGEST_TIME, time(6, 15)),
    ),
    "audit read": (Operation.AUDIT_READ, lambda r, a, w: coordination.read_audit(r, a, 20)),
    "reference names": (Operation.REFERENCE_LIST, lambda r, a, w: reference.names_list(r, a)),
    "reference name": (
        Operation.REFERENCE_LIST,
        lambda r, a, w: reference.name_view(r, a, ReferenceKind.AGENCY, "customs"),
    ),
    "reference rename": (
        Operation.REFERENCE_RENAME,
        lambda r, a, w: reference.rename(
            r, a, ReferenceKind.AGENCY, "customs", {"uz": "A", "ru": "B", "en": "C"}
        ),
    ),
    "export": (
        Operation.EXPORT,
        lambda r, a, w: coordination.may_export(
            r, a, utc_now().date() - timedelta(days=7), utc_now().date()
        ),
    ),
    "routes": (
        Operation.ROUTES_READ,
        lambda r, a, w: trafficking.route_summary(r, a, 30, utc_now().date()),
    ),
    "digest on demand": (
        Operation.DIGEST,
        lambda r, a, w: delivery.on_demand_digest(r, a, utc_now().date(), threshold_kg=Decimal(1)),
    ),
    "alert acknowledge": (
        Operation.ALERT_ACKNOWLEDGE,
        lambda r, a, w: alerting.acknowledge(r, a, w.alert, now=utc_now()),
    ),
    "alert ask": (
        Operation.ALERT_ASK,
        lambda r, a, w: alerting.begin_question(r, a, w.alert, now=utc_now()),
    ),
    "alert typed question": (
        Operation.ALERT_ASK,
        lambda r, a, w: alerting.typed_sender(r, a, _pending(PendingKind.QUESTION, w)),
    ),
    "alert answer": (
        Operation.ALERT_ANSWER,
        lambda r, a, w: alerting.begin_answer(r, a, w.question, now=utc_now()),
    ),
    "alert typed answer": (
        Operation.ALERT_ANSWER,
        lambda r, a, w: alerting.typed_sender(r, a, _pending(PendingKind.ANSWER, w)),
    ),
    "my reports": (
        Operation.REPORT_OPEN,
        lambda r, a, w: own_reports.page_of(r, a, 0, 5),
    ),
    "report open": (Operation.REPORT_OPEN, lambda r, a, w: own_reports.own(r, a, w.report)),
    "report withdraw": (
        Operation.REPORT_WITHDRAW,
        lambda r, a, w: own_reports.withdraw(r, a, w.report, now=utc_now()),
    ),
    "report amend": (
        Operation.REPORT_AMEND,
        lambda r, a, w: own_reports.amendable(r, a, w.report, now=utc_now(), window=WINDOW),
    ),
}

#: Operations where the report's or the question's owner matters, not only the role.
OWNED = {
    "report open",
    "report withdraw",
    "report amend",
    "alert answer",
    "alert typed answer",
}


def _wrong_actors(operation: Operation, name: str) -> list[tuple[str, Denial]]:
    """Every wrong actor for ``operation`` (by cast name), and the denial each must get."""
    roles = {
        Operation.EXPORT: "coordination",
        Operation.ROUTES_READ: "coordination",
        Operation.DIGEST: "coordination",
        Operation.ALERT_ACKNOWLEDGE: "coordination",
        Operation.ALERT_ASK: "coordination",
        Operation.ALERT_ANSWER: "filers",
        Operation.REPORT_OPEN: "filers",
        Operation.REPORT_AMEND: "filers",
        Operation.REPORT_WITHDRAW: "filers",
    }.get(operation, "admins")
    actors = [("nobody", Denial.NO_ACCOUNT)]
    if roles == "admins":
        actors += [
            ("blocked_admin", Denial.BLOCKED),
            ("coordinator", Denial.WRONG_ROLE),
            ("officer", Denial.WRONG_ROLE),
        ]
    elif roles == "coordination":
        actors += [("blocked_coordinator", Denial.BLOCKED), ("officer", Denial.WRONG_ROLE)]
    else:
        actors += [("blocked_officer", Denial.BLOCKED), ("coordinator", Denial.WRONG_ROLE)]
        if name in OWNED:
            actors.append(("other_officer", Denial.NOT_OWNER))
    return actors


def _right_actor(operation: Operation) -> str:
    if operation in (Operation.ALERT_ANSWER,) or operation.value.startswith("report."):
        return "officer"
    if operation in (
        Operation.EXPORT,
        Operation.ROUTES_READ,
        Operation.DIGEST,
        Operation.ALERT_ACKNOWLEDGE,
        Operation.ALERT_ASK,
    ):
        return "coordinator"
    return "admin"


CASES = [
    pytest.param(name, actor, denial, id=f"{name}-{actor}")
    for name, (operation, _) in OPERATIONS.items()
    for actor, denial in _wrong_actors(operation, name)
]


def _telegram_id(world: World, actor: str) -> int:
    return NOBODY if actor == "nobody" else int(getattr(world, actor))


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
