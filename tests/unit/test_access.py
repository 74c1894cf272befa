from datetime import UTC, datetime

import pytest
from telegram import Chat, Message, MessageEntity, Update
from telegram.ext import CommandHandler

from bot import access
from bot.flood import FloodGuard, Verdict
from storage import Role


def command_entity(length: int, offset: int = 0, kind: str = "bot_command") -> MessageEntity:
    return MessageEntity(kind, offset, length)


def marked(text: str) -> list[MessageEntity]:
    """The entity Telegram puts on a leading ``/command[@bot]``."""
    if not text.startswith("/"):
        return []
    return [command_entity(len(text.split()[0]))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start", ("start", "")),
        ("/start abc_DEF-123", ("start", "abc_DEF-123")),
        ("/Report@FieldReport_Bot", ("report", "")),
        ("/report@other_bot", None),
        ("/audit  50 ", ("audit", "50")),
        ("/settings digest\t07:00", ("settings", "digest 07:00")),
        ("/", None),
        ("/@fieldreport_bot", None),
    ],
)
def test_commands_are_recognised_only_when_meant_for_us(
    text: str, expected: tuple[str, str] | None
) -> None:
    assert access.parse_command(text, marked(text), "fieldreport_bot") == expected


@pytest.mark.parametrize(
    ("text", "entities", "expected"),
    [
        # The entity decides, not the text: PTB runs /settings here, so the gate must see it.
        ("/settingsx 07:00", [command_entity(9)], "settings"),
        ("/settings 07:00", [command_entity(5)], "sett"),
        ("/settings", [command_entity(40)], "settings"),  # longer than the text
        ("/settings", [], None),  # no entity: not a command at all
        ("/settings", None, None),
        ("x /settings", [command_entity(9, offset=2)], None),  # not at the start
        ("/settings", [command_entity(9, kind="bold"), command_entity(9)], None),  # not first
        ("/export /audit", [command_entity(7), command_entity(6, offset=8)], "export"),
        ("/users@fieldreport_bot@x", [command_entity(24)], "users"),
        ("/users@", [command_entity(7)], None),
        (None, [command_entity(6)], None),
    ],
)
def test_the_first_entity_decides_the_command(
    text: str | None, entities: list[MessageEntity] | None, expected: str | None
) -> None:
    parsed = access.parse_command(text, entities, "fieldreport_bot")
    assert (parsed.name if parsed else None) == expected


class _Bot:
    username = "fieldreport_bot"


FORGERIES = [
    ("/settingsx 07:00", [(0, 9)]),
    ("/settings 07:00", [(0, 5)]),
    ("/settings", [(0, 40)]),
    ("/settings", []),
    ("x /settings", [(2, 9)]),
    ("/export /audit", [(0, 7), (8, 6)]),
    ("/audit@fieldreport_bot", [(0, 22)]),
    ("/audit@FieldReport_Bot 5", [(0, 22)]),
    ("/audit@other_bot", [(0, 16)]),
    ("/AUDIT", [(0, 6)]),
    ("/audİt", [(0, 6)]),
    ("/start abc", [(0, 6)]),
    ("/startabc", [(0, 6)]),
    ("/users\nx", [(0, 6)]),
    ("/Kelvin", [(0, 7)]),
    ("/users@fieldreport_bot@x", [(0, 24)]),
    ("/", [(0, 1)]),
]


@pytest.mark.parametrize(("text", "spans"), FORGERIES)
def test_the_gate_sees_the_command_ptb_runs(text: str, spans: list[tuple[int, int]]) -> None:
    """PTB's own CommandHandler is the judge: whatever it would run, the gate must name."""
    entities = [command_entity(length, offset) for offset, length in spans]
    message = Message(1, datetime.now(UTC), Chat(1, "private"), text=text, entities=entities)
    message.set_bot(_Bot())  # type: ignore[arg-type]
    update = Update(1, message=message)
    runs = [
        name
        for name in access.COMMANDS
        if CommandHandler(name, _never).check_update(update) not in (None, False)
    ]
    parsed = access.parse_command(text, entities, "fieldreport_bot")
    assert runs == ([parsed.name] if parsed and parsed.name in access.COMMANDS else [])
    if runs:
        handler = CommandHandler(runs[0], _never)
        checked = handler.check_update(update)
        assert isinstance(checked, tuple) and parsed is not None
        assert tuple(checked[0]) == parsed.args  # context.args


async def _never(update: object, context: object) -> None:
    raise AssertionError("not called")


def test_a_log_line_names_only_commands_of_the_table() -> None:
    def command(text: str) -> str | None:
        return access.command_for_log(access.parse_command(text, marked(text), "fieldreport_bot"))

    assert command("/export 2026-01-01") == "export"
    assert command("/Dilnoza_Karimova") == "unknown"
    assert command("hello") is None


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
