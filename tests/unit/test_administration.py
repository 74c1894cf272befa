"""The rules of administration as plain functions: nothing an admin does can lock everybody out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import administration
from bot.administration import InvalidText, Refusal, TextProblem, UserReference
from storage import Role, Unit, UnitKind, User, UserStatus

MOMENT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TERMEZ = Unit(1, "IMT-TER", UnitKind.IMT, "Termiz", "Термез", "Termez", active=True)
AYRITOM = Unit(2, "BLO-AYR", UnitKind.BLO, "Ayritom", "Айритом", "Ayritom", active=True)
CLOSED = Unit(3, "IMT-OLD", UnitKind.IMT, "Eski", "Старый", "Old", active=False)


def person(
    user_id: int,
    role: Role,
    unit: Unit | None = None,
    status: UserStatus = UserStatus.ACTIVE,
) -> User:
    return User(
        id=user_id,
        telegram_id=1000 + user_id,
        display_name=f"Person {user_id}",
        username=None,
        role=role,
        unit_id=unit.id if unit else None,
        language=None,
        status=status,
        created_at=MOMENT,
        updated_at=MOMENT,
    )


ADMIN = person(1, Role.ADMIN)
OTHER_ADMIN = person(2, Role.ADMIN)
OFFICER = person(3, Role.OFFICER, TERMEZ)
COORDINATOR = person(4, Role.COORDINATOR)
BLOCKED_ADMIN = person(5, Role.ADMIN, status=UserStatus.BLOCKED)


# --- blocking -----------------------------------------------------------------------------


def test_an_admin_blocks_an_officer() -> None:
    assert administration.may_block(ADMIN, OFFICER, active_admins=1) is None


def test_an_admin_cannot_block_themselves_while_another_admin_is_active() -> None:
    assert administration.may_block(ADMIN, ADMIN, active_admins=2) is Refusal.SELF_BLOCK


def test_the_last_active_admin_can_never_be_blocked() -> None:
    assert administration.may_block(ADMIN, ADMIN, active_admins=1) is Refusal.LAST_ADMIN
    # Two admins acting at once: the count read in the transaction says one is left.
    assert administration.may_block(ADMIN, OTHER_ADMIN, active_admins=1) is Refusal.LAST_ADMIN


def test_one_of_two_admins_may_block_the_other() -> None:
    assert administration.may_block(ADMIN, OTHER_ADMIN, active_admins=2) is None


def test_blocking_somebody_blocked_changes_nothing() -> None:
    assert administration.may_block(ADMIN, BLOCKED_ADMIN, active_admins=1) is Refusal.UNCHANGED


def test_unblocking() -> None:
    assert administration.may_unblock(ADMIN, BLOCKED_ADMIN) is None
    assert administration.may_unblock(ADMIN, OFFICER) is Refusal.UNCHANGED


@pytest.mark.parametrize("actor", [OFFICER, COORDINATOR, BLOCKED_ADMIN])
def test_only_an_active_admin_acts(actor: User) -> None:
    assert administration.may_block(actor, OFFICER, active_admins=2) is Refusal.NOT_ADMIN
    assert administration.may_unblock(actor, BLOCKED_ADMIN) is Refusal.NOT_ADMIN
    assert administration.may_move(actor, OFFICER, AYRITOM) is Refusal.NOT_ADMIN
    assert (
        administration.may_change_role(actor, OFFICER, Role.COORDINATOR, TERMEZ, 2)
        is Refusal.NOT_ADMIN
    )


# --- roles --------------------------------------------------------------------------------


def test_an_officer_becomes_a_coordinator() -> None:
    assert administration.may_change_role(ADMIN, OFFICER, Role.COORDINATOR, TERMEZ, 1) is None


def test_an_admin_cannot_demote_themselves() -> None:
    refusal = administration.may_change_role(ADMIN, ADMIN, Role.COORDINATOR, None, 2)
    assert refusal is Refusal.SELF_DEMOTE


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.OFFICER])
def test_the_last_active_admin_can_never_be_demoted(role: Role) -> None:
    assert administration.may_change_role(ADMIN, ADMIN, role, TERMEZ, 1) is Refusal.LAST_ADMIN
    assert administration.may_change_role(ADMIN, OTHER_ADMIN, role, TERMEZ, 1) is Refusal.LAST_ADMIN


def test_one_of_two_admins_may_demote_the_other() -> None:
    assert administration.may_change_role(ADMIN, OTHER_ADMIN, Role.COORDINATOR, None, 2) is None


def test_a_blocked_admin_does_not_count_as_the_last_one() -> None:
    # A blocked admin is no active admin: demoting them never leaves the bot without one.
    assert administration.may_change_role(ADMIN, BLOCKED_ADMIN, Role.OFFICER, TERMEZ, 1) is None


def test_making_somebody_an_officer_needs_an_active_unit() -> None:
    assert (
        administration.may_change_role(ADMIN, COORDINATOR, Role.OFFICER, None, 1)
        is Refusal.OFFICER_NEEDS_UNIT
    )
    assert (
        administration.may_change_role(ADMIN, COORDINATOR, Role.OFFICER, CLOSED, 1)
        is Refusal.UNIT_INACTIVE
    )
    assert administration.may_change_role(ADMIN, COORDINATOR, Role.OFFICER, TERMEZ, 1) is None


def test_the_same_role_again_changes_nothing() -> None:
    assert (
        administration.may_change_role(ADMIN, OFFICER, Role.OFFICER, TERMEZ, 1) is Refusal.UNCHANGED
    )


# --- units --------------------------------------------------------------------------------


def test_an_officer_must_keep_a_unit() -> None:
    assert administration.may_move(ADMIN, OFFICER, None) is Refusal.OFFICER_NEEDS_UNIT
    assert administration.may_move(ADMIN, OFFICER, AYRITOM) is None


def test_coordinators_and_admins_may_have_no_unit() -> None:
    coordinator = person(6, Role.COORDINATOR, TERMEZ)
    admin = person(7, Role.ADMIN, TERMEZ)
    assert administration.may_move(ADMIN, coordinator, None) is None
    assert administration.may_move(ADMIN, admin, None) is None


def test_nobody_is_moved_into_a_deactivated_unit_or_where_they_are() -> None:
    assert administration.may_move(ADMIN, OFFICER, CLOSED) is Refusal.UNIT_INACTIVE
    assert administration.may_move(ADMIN, OFFICER, TERMEZ) is Refusal.UNCHANGED
    assert administration.may_move(ADMIN, COORDINATOR, None) is Refusal.UNCHANGED


def test_only_border_liaison_offices_have_crossing_points() -> None:
    assert administration.may_have_crossing_points(AYRITOM)
    assert not administration.may_have_crossing_points(TERMEZ)


# --- typed values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("  Ayritom ", "Ayritom"),
        ("Termez-2", "Termez-2"),
        ("Termiz   chegara  posti", "Termiz chegara posti"),
        ("Farg‘ona <b>&</b>", "Farg‘ona <b>&</b>"),  # kept as typed, escaped when shown
        ("x" * 64, "x" * 64),
    ],
)
def test_names_are_trimmed(typed: str, name: str) -> None:
    assert administration.clean_name(typed) == name


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", TextProblem.EMPTY),
        ("   ", TextProblem.EMPTY),
        ("x" * 65, TextProblem.TOO_LONG),
        ("Ayri\ntom", TextProblem.CONTROL),
        ("Ayri\x00tom", TextProblem.CONTROL),
        ("Ayri\u2028tom", TextProblem.CONTROL),
    ],
)
def test_bad_names_are_refused(typed: str, problem: TextProblem) -> None:
    with pytest.raises(InvalidText) as caught:
        administration.clean_name(typed)
    assert caught.value.problem is problem


@pytest.mark.parametrize(("typed", "code"), [("blo-ter", "BLO-TER"), (" IMT-2 ", "IMT-2")])
def test_codes_are_upper_case(typed: str, code: str) -> None:
    assert administration.clean_code(typed) == code


@pytest.mark.parametrize(
    "typed", ["B", "BLO TER", "BLO--TER", "-BLO", "БЛО-ТЕР", "BLO_TER", "X" * 17, "ＢＬＯ"]
)
def test_bad_codes_are_refused(typed: str) -> None:
    with pytest.raises(InvalidText) as caught:
        administration.clean_code(typed)
    assert caught.value.problem is TextProblem.BAD_CODE


def test_duplicates_ignore_case() -> None:
    assert administration.is_duplicate("AYRITOM", ["Termez-2", "Ayritom"])
    assert not administration.is_duplicate("Ayritom-2", ["Ayritom"])


@pytest.mark.parametrize(
    ("typed", "reference"),
    [
        ("123456789", UserReference(telegram_id=123456789)),
        (" 42 ", UserReference(telegram_id=42)),
        ("@dilnoza", UserReference(username="dilnoza")),
        ("@Some_User_1", UserReference(username="Some_User_1")),
    ],
)
def test_user_references(typed: str, reference: UserReference) -> None:
    assert administration.parse_user_reference(typed) == reference


@pytest.mark.parametrize(
    "typed",
    ["", "abc", "1" * 30, "0", "-5", "12 34", "@", "@ name", "<b>1</b>", "@a-b", "9" * 5000, "١٢٣"],
)
def test_bad_user_references(typed: str) -> None:
    assert administration.parse_user_reference(typed) is None
