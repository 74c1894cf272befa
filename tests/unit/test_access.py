import pytest

from bot import access
from bot.flood import FloodGuard, Verdict
from storage import Role


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start", ("start", "")),
        ("/start abc_DEF-123", ("start", "abc_DEF-123")),
        ("/Report@FieldReport_Bot", ("report", "")),
        ("/report@other_bot", None),
        ("/audit  50 ", ("audit", "50")),
        ("hello", None),
        ("", None),
        (None, None),
        ("/", None),
        ("/<b>", None),
        ("/" + "x" * 100, None),
    ],
)
def test_commands_are_recognised_only_when_meant_for_us(
    text: str | None, expected: tuple[str, str] | None
) -> None:
    assert access.parse_command(text, "fieldreport_bot") == expected


@pytest.mark.parametrize(
    ("role", "request_", "expected"),
    [
        (Role.OFFICER, access.Request(command="report"), None),
        (Role.OFFICER, access.Request(command="users"), access.Denial.ADMINS_ONLY),
        (Role.COORDINATOR, access.Request(command="report"), access.Denial.FILERS_ONLY),
        (Role.COORDINATOR, access.Request(callback_prefix="f"), access.Denial.FILERS_ONLY),
        (Role.COORDINATOR, access.Request(callback_prefix="usr"), access.Denial.ADMINS_ONLY),
        (Role.ADMIN, access.Request(callback_prefix="usr"), None),
        (Role.OFFICER, access.Request(command="unknowncommand"), None),
        (Role.OFFICER, access.Request(callback_prefix="zzz"), None),
        (Role.OFFICER, access.Request(), None),
    ],
)
def test_decisions(role: Role, request_: access.Request, expected: access.Denial | None) -> None:
    assert access.decide(role, request_) == expected


def test_flood_guard_warns_once_then_ignores_then_forgives() -> None:
    guard = FloodGuard(limit=30, window=10.0, cooldown=60.0)
    verdicts = [guard.check(1, now=100.0 + i * 0.1) for i in range(35)]
    assert verdicts[:30] == [Verdict.SERVE] * 30
    assert verdicts[30] == Verdict.WARN
    assert verdicts[31:] == [Verdict.IGNORE] * 4
    assert guard.check(2, now=103.0) == Verdict.SERVE  # somebody else is served meanwhile
    assert guard.check(1, now=170.0) == Verdict.SERVE  # after the cooldown


def test_a_steady_person_is_never_stopped() -> None:
    guard = FloodGuard(limit=30, window=10.0)
    assert all(guard.check(1, now=i * 0.5) == Verdict.SERVE for i in range(1000))
