"""The stateful tests' model of people using the bot: what the bot may say to whom, the actions
every kind of person takes (as Hypothesis strategies), and playing them against the real
Application with the checks after every step."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import strategies as st

from bot import access
from bot.standin.models import SentMessage
from storage import Role
from tests.property.observations import database_health
from tests.property.world import (
    ADMIN,
    APOLOGY_MSGID,
    BLOCKED,
    BOT_USERNAME,
    COORDINATOR,
    OFFICER_A,
    OFFICER_B,
    PEOPLE,
    STRANGER,
    Person,
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
# --- the actions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Say:
    who: Person
    text: str


@dataclass(frozen=True)
class Tap:
    """A tap on one of the bot's messages in the person's chat; ``source`` says where the
    callback data comes from (see ``tap_target``), ``pick`` chooses among the candidates."""

    who: Person
    message: int
    source: str
    pick: int
    junk: str


@dataclass(frozen=True)
class Send:
    who: Person
    kind: str
    latitude: float = 0.0
    longitude: float = 0.0


@dataclass(frozen=True)
class File:
    who: Person
    form: str
    text: str


@dataclass(frozen=True)
class Explore:
    """A person going through their screens: maybe a command, then taps on the newest buttons
    (``picks``: which button each time), then maybe a typed answer (a unit's name, a question
    to the officer, an answer to a coordinator…)."""

    who: Person
    command: str | None
    picks: tuple[int, ...]
    text: str | None


Action = Say | Tap | Send | File | Explore
ACTORS = [OFFICER_A] * 3 + [OFFICER_B] * 2 + [ADMIN] * 2 + [COORDINATOR] * 2 + [BLOCKED, STRANGER]
actor = st.sampled_from(ACTORS)
INJECTIONS = [
    "<b>&</b>",
    "<b>bold</b> <i>x</i> &amp; &lt;",
    "<a href='javascript:alert(1)'>x</a>",
    "</b></i></code><script>alert(1)</script>",
    "'); DROP TABLE reports; --",
    "1; DELETE FROM users WHERE 1=1; --",
    "' OR '1'='1",
    "Robert'); DROP TABLE units;--",
    "%s %d {0} {number} {{}}",
    "\u202eevil\u202c",
    "\u200f123\u200e",
    "🙂👍🏽👨‍👩‍👧",
    "٣",
    "1e309",
    "NaN",
    "-0",
    "1.5",
    "2",
    "0",
    "Ayritom",
    "12:30",
    "29.11.2026 10:00",
]
#: Free text that breaks Telegram's HTML unless the bot escapes it.
MARKUP = [text for text in INJECTIONS if any(c in text for c in "<>&")]
JUNK_ARGS = [
    "",
    "x",
    "01.01.2026",
    "2026-01-01 2026-01-07",
    "01.01.2000 31.12.2099",
    "digest 09:00",
    "reminder 7.30",
    "digest 25:00",
    "@olga",
    "@",
    str(OFFICER_A.id),
    "0",
    "-1",
    "999999999999999999",
    "200",
    "abc",
    "<b>",
    "'); DROP TABLE users; --",
]
#: Every command of the access table (a bare /digest builds a chart: rare on purpose), odd ones.
COMMANDS = [f"/{name}" for name in sorted(access.COMMANDS) if name != "digest"] + [
    "/START",
    f"/users@{BOT_USERNAME}",
    "/users@other_bot",
    "/frobnicate",
    "/_",
]
#: What each role mostly sends: its own commands (with junk arguments), so the walk gets deep
#: into its screens; everybody also sends every other command, to meet the denials.
OWN_COMMANDS: dict[Role | None, list[str]] = {
    Role.ADMIN: ["users", "units", "invite", "invites", "audit", "user", "settings", "export"],
    Role.COORDINATOR: ["digest", "export", "routes", "language", "help"],
    Role.OFFICER: ["report", "myreports", "cancel", "language"],
    None: ["start", "help"],
}


def real_text(text: str) -> bool:
    """Telegram delivers no empty or blank message and none over 4096 characters."""
    return bool(text.strip()) and len(text) <= 4096


junk_argument = st.one_of(st.sampled_from(JUNK_ARGS), st.text(max_size=30))


def commands_for(who: Person) -> st.SearchStrategy[str]:
    own = OWN_COMMANDS[who.role]
    return st.one_of(
        st.sampled_from([f"/{name}" for name in own if name != "digest"]),
        st.builds("/{} {}".format, st.sampled_from(own), junk_argument),
        st.sampled_from(COMMANDS),
        st.builds("/{}".format, st.from_regex(r"[A-Za-z0-9_]{1,12}", fullmatch=True)),
    ).filter(real_text)


typed_text = st.one_of(
    st.sampled_from(INJECTIONS),
    st.text(min_size=1, max_size=200),
    st.builds(
        lambda unit, n: (unit * n)[:4096], st.text(min_size=1, max_size=5), st.integers(1, 4096)
    ),
)
message_text = typed_text.filter(real_text)
IDENTIFIER = st.from_regex(r"[A-Za-z0-9_.\-]{1,12}", fullmatch=True)
forged_part = st.one_of(
    IDENTIFIER,
    st.integers(0, 20).map(str),  # real ids of reports, users, alerts…
    st.integers(0, 10**18 - 1).map(str),
    st.sampled_from(["open", "page", "wd", "wdy", "amend", "card", "ack", "ask", "reply", "new"]),
    st.text(max_size=10),
)
forged_data = st.one_of(
    st.text(min_size=1, max_size=64),
    st.builds(
        lambda prefix, parts: ":".join([prefix, "v1", *parts]),
        st.sampled_from(sorted(access.CALLBACKS)),
        st.lists(forged_part, max_size=5),
    ),
).filter(lambda data: 1 <= len(data.encode()) <= 64)


def actions_of(who: Person) -> st.SearchStrategy[Action]:
    """One action of ``who``, of a kind drawn by ``WEIGHTS``."""
    me = st.just(who)
    by_kind: dict[str, st.SearchStrategy[Action]] = {
        "tap": st.builds(
            Tap,
            me,
            st.one_of(st.just(0), st.integers(0, 5)),  # mostly the newest message, as people do
            st.sampled_from(
                ["visible"] * 4 + ["stale", "foreign", "enumerated", "mutated", "forged"]
            ),
            st.integers(0, 30),
            forged_data,
        ),
        "command": st.builds(Say, me, commands_for(who)),
        "text": st.builds(Say, me, message_text),
        "photo or sticker": st.builds(Send, me, st.sampled_from(["photo", "sticker"])),
        "location": st.builds(
            Send,
            me,
            st.just("location"),
            st.floats(-90, 90, allow_nan=False),
            st.floats(-180, 180, allow_nan=False),
        ),
        "report": st.builds(
            File,
            me,
            st.sampled_from(["seizure", "incident", "joint_operation", "daily_status"]),
            st.one_of(st.sampled_from(MARKUP), st.sampled_from(INJECTIONS), typed_text).filter(
                real_text
            ),
        ),
        "explore": st.builds(
            Explore,
            me,
            st.one_of(
                st.none(),
                st.sampled_from([f"/{name}" for name in OWN_COMMANDS[who.role]]),
                st.builds("/user {}".format, st.sampled_from(PEOPLE).map(lambda p: p.id)),
            ),
            st.lists(st.integers(0, 12), min_size=1, max_size=5).map(tuple),
            st.one_of(st.none(), message_text),
        ),
    }
    kinds = [kind for kind, weight in WEIGHTS.items() for _ in range(weight)]
    return st.sampled_from(kinds).flatmap(by_kind.__getitem__)


#: How often each kind of action comes (people mostly tap what they see, then type commands).
WEIGHTS = {
    "tap": 8,
    "command": 5,
    "explore": 4,
    "text": 3,
    "photo or sticker": 1,
    "location": 1,
    "report": 2,
}

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
