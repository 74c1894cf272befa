"""The actions every kind of person takes in the stateful tests, as Hypothesis strategies: what they
say (commands with junk arguments, injections, markup), tap (shown, stale or forged buttons), send
and file, and how often each is drawn."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from bot import access
from storage import Role
from tests.property.world import (
    ADMIN,
    BLOCKED,
    BOT_USERNAME,
    COORDINATOR,
    OFFICER_A,
    OFFICER_B,
    PEOPLE,
    STRANGER,
    Person,
)

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
