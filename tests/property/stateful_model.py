"""The stateful tests' model of what the bot may say to whom, and playing a sequence of actions
(tests/property/stateful_actions.py) against the real Application with the checks after every
step."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.standin.models import SentMessage
from storage import Role
from tests.property.observations import database_health
from tests.property.stateful_actions import Action, Explore, Say, Send, Tap
from tests.property.world import (
    APOLOGY_MSGID,
    PEOPLE,
    World,
    file_report,
    routed_command,
    translations_of,
)

# --- what the bot may say to whom ---------------------------------------------------------

REFUSED = translations_of(
    "Sorry, this bot serves the field units of the drug-control programme only. "
    "To get access, ask your programme administrator for an invitation link.",
)
SUSPENDED = translations_of(
    "Your access to this bot is suspended. If you think this is a mistake, "
    "please contact your programme administrator."
)
INVITATION_REFUSED = translations_of(
    "This invitation has expired. Please ask your programme administrator for a new one.",
    "This invitation has already been used: each one works only once. "
    "Please ask your programme administrator for your own.",
    "This invitation was withdrawn by an administrator. "
    "Please ask your programme administrator for a new one.",
    "This invitation link is not valid. Check that you opened the whole link, "
    "or ask your programme administrator for a new one.",
)
DENIED = translations_of(
    "This is for administrators only.",
    "This is for coordinators and administrators.",
    "Reports are filed by officers. Coordinators receive them in the digest.",
)
APOLOGY = translations_of(APOLOGY_MSGID)
#: Who may use what, written out here rather than read from bot/access.py: the test is the
#: specification the access table must meet, so a wrong table fails it too.
FILERS = frozenset({Role.OFFICER, Role.ADMIN})
COORDINATION = frozenset({Role.COORDINATOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
MAY_RUN: dict[str, frozenset[Role]] = {
    **dict.fromkeys(["start", "help", "language", "cancel"], frozenset(Role)),
    **dict.fromkeys(["report", "myreports"], FILERS),
    **dict.fromkeys(["digest", "export", "routes"], COORDINATION),
    **dict.fromkeys(
        ["invite", "invites", "users", "user", "units", "audit", "bindgroup", "unbindgroup"],
        ADMINS,
    ),
    "settings": ADMINS,
}
MAY_TAP: dict[str, frozenset[Role]] = {
    "lang": frozenset(Role),
    **dict.fromkeys(["rep", "f", "my", "ans"], FILERS),
    "alr": COORDINATION,
    **dict.fromkeys(["inv", "usr", "unt"], ADMINS),
}
#: Refusals Telegram gives that the bot handles on purpose (a repeated tap changes nothing).
HANDLED_FAILURES: tuple[str, ...] = ()  # the bot never edits a message to what it shows

# --- playing them -------------------------------------------------------------------------


def buttons_shown(world: World, *, to: int | None, excluding: int | None = None) -> list[str]:
    """Every callback data the bot ever put on a keyboard in a chat (or in every other chat)."""
    found: list[str] = []
    for method, values in world.tg.state.calls:
        markup = values.get("reply_markup")
        chat = values.get("chat_id")
        if not isinstance(markup, dict) or method not in ("sendMessage", "editMessageText"):
            continue
        if (to is not None and chat != to) or (excluding is not None and chat == excluding):
            continue
        for row in markup.get("inline_keyboard", []):
            found += [str(b["callback_data"]) for b in row if "callback_data" in b]
    return found


def tap_target(world: World, tap: Tap) -> tuple[SentMessage, str] | None:
    """The message tapped and the data sent. A ``visible`` tap is on a button that is on the
    screen (of the ``message``-th newest message that has buttons); the other sources put their
    data on the ``message``-th newest message of the chat: a button once shown in this chat
    (``stale``), in somebody else's (``foreign``), one of either with a part replaced by junk
    (``mutated``), one with its id replaced by a small number (``enumerated``: other people's
    reports, users, alerts), or junk (``forged``)."""
    # Only text messages ever carry buttons (documents, photos and charts never do).
    messages = [m for m in world.tg.messages(tap.who.id) if not m.deleted and m.text]
    if tap.source == "visible":
        with_buttons = [m for m in messages if m.callback_data]
        if with_buttons:
            message = with_buttons[-1 - tap.message % len(with_buttons)]
            return message, message.callback_data[tap.pick % len(message.callback_data)]
    if not messages:
        return None  # nothing on the screen to tap
    message = messages[-1 - tap.message % len(messages)]
    choices = {
        "stale": buttons_shown(world, to=tap.who.id),
        "foreign": buttons_shown(world, to=None, excluding=tap.who.id),
        "mutated": buttons_shown(world, to=None),
        "enumerated": [d for d in buttons_shown(world, to=None) if re.search(r":\d+(:|$)", d)],
    }.get(tap.source, [])
    if not choices:
        return message, tap.junk
    data = choices[tap.pick % len(choices)]
    if tap.source == "enumerated":  # somebody else's id in a real button: the classic IDOR
        data = re.sub(r":\d+(?=:|$)", f":{tap.pick % 12 + 1}", data, count=1)
    if tap.source == "mutated":  # a real button with one part replaced: the forger's favourite
        parts = data.split(":")
        replaced = 2 + tap.pick % (len(parts) - 2) if len(parts) > 2 else 0  # keep prefix:v1
        parts[replaced] = tap.junk
        data = ":".join(parts).encode()[:64].decode(errors="ignore")  # Telegram's 64 bytes
        if not data:
            data = tap.junk
    return message, data


@dataclass(frozen=True)
class Standing:
    """What the gate will read about somebody: their role, or None for no active account."""

    role: Role | None


async def standings(world: World) -> dict[int, Standing]:
    async with world.app.services.db.read() as repos:
        found = {}
        for person in PEOPLE:
            account = await repos.users.get_by_telegram_id(person.id)
            active = account is not None and account.is_active
            found[person.id] = Standing(account.role if account and active else None)
    return found


async def play(world: World, action: Action) -> str | None:
    """Perform one action; the callback data tapped, if it was a tap."""
    if isinstance(action, Say):
        await world.say(action.who, action.text)
    elif isinstance(action, Tap):
        target = tap_target(world, action)
        if target is None:
            return None
        message, data = target
        await world.tap(action.who, message, data)
        return data
    elif isinstance(action, Explore):
        if action.command is not None:
            await world.say(action.who, action.command)
        for pick in action.picks:
            shown = [m for m in world.tg.messages(action.who.id) if m.callback_data]
            if not shown or shown[-1].deleted:
                break
            buttons = shown[-1].callback_data
            await world.tap(action.who, shown[-1], buttons[pick % len(buttons)])
        if action.text is not None:
            await world.say(action.who, action.text)
    elif isinstance(action, Send):
        if action.kind == "photo":
            await world.photo(action.who)
        elif action.kind == "sticker":
            await world.sticker(action.who)
        else:
            await world.location(action.who, action.latitude, action.longitude)
    else:
        fields = ("place", "descr", "caseref", "notes", "result", "remarks")
        await file_report(world, action.who, action.form, dict.fromkeys(fields, action.text))
    return None


def restricted(action: Action, data: str | None, role: Role) -> bool:
    """Whether the access table forbids what this single update asks of this role."""
    if isinstance(action, Say):
        command = routed_command(action.text)
        allowed = MAY_RUN.get(command) if command else None
    elif isinstance(action, Tap) and data is not None:
        allowed = MAY_TAP.get(data.split(":", 1)[0])
    else:
        return False
    return allowed is not None and role not in allowed


async def check_database(world: World) -> None:
    health = await database_health(world.database_path)
    assert health.integrity == ["ok"], health.integrity
    assert health.foreign_key_problems == [], health.foreign_key_problems
    assert health.orphan_reports == 0
