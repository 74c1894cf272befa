"""Every protected operation of the rules layer and how to call it, the people of the test's world,
and for each operation its wrong actors (with the denial each must get) and its right actor."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal

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
from bot.authority import Denial, Operation
from storage import (
    ReferenceKind,
    Repositories,
    Role,
    UnitKind,
)
from storage.alerts import PendingKind, PendingReply
from storage.clock import utc_now

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
