"""Who may use what: one table of commands and callback prefixes per role, decided in one place.

The gate (bot/handlers/gate.py) applies it to every update before any feature sees it, with the
person's role read from the database at that moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple, Protocol

from storage import Role

EVERYONE: frozenset[Role] = frozenset(Role)
FILERS: frozenset[Role] = frozenset({Role.OFFICER, Role.ADMIN})
ADMINS: frozenset[Role] = frozenset({Role.ADMIN})
COORDINATION: frozenset[Role] = frozenset({Role.COORDINATOR, Role.ADMIN})

#: Commands and the roles that may use them. A command not listed is unknown: the fallback
#: answers it for anybody registered.
COMMANDS: dict[str, frozenset[Role]] = {
    "start": EVERYONE,
    "help": EVERYONE,
    "language": EVERYONE,
    "report": FILERS,
    "myreports": FILERS,
    "cancel": EVERYONE,  # a draft, an admin's open question, a coordinator's question
    "invite": ADMINS,
    "invites": ADMINS,
    "users": ADMINS,
    "user": ADMINS,
    "units": ADMINS,
    "names": ADMINS,  # agencies' and substances' names (reference data)
    "factors": ADMINS,  # kilogram-equivalent factors (reference data)
    "audit": ADMINS,
    "bindgroup": ADMINS,
    "unbindgroup": ADMINS,
    "settings": ADMINS,
    "digest": COORDINATION,
    "export": COORDINATION,
    "routes": COORDINATION,
}

#: Callback-data prefixes (bot/callbacks.py) and the roles that may tap them.
CALLBACKS: dict[str, frozenset[Role]] = {
    "lang": EVERYONE,
    "rep": FILERS,
    "f": FILERS,
    "my": FILERS,
    "inv": ADMINS,
    "usr": ADMINS,
    "unt": ADMINS,
    "ref": ADMINS,  # /names
    "kgf": ADMINS,  # /factors
    "alr": COORDINATION,  # acknowledging an urgent alert, asking for details
    "grp": ADMINS,  # the coordination group's language
    "ans": FILERS,  # an officer answering a coordinator's question
}

#: The only commands answered in a group chat (everything else there is ignored)…
GROUP_COMMANDS = frozenset({"bindgroup", "unbindgroup"})
#: …and the only buttons: the coordination group's copy of an urgent alert, and the group's
#: language (under the /bindgroup confirmation).
GROUP_CALLBACKS = frozenset({"alr", "grp"})


class Denial(StrEnum):
    ADMINS_ONLY = "admins_only"
    FILERS_ONLY = "filers_only"
    COORDINATION_ONLY = "coordination_only"


@dataclass(frozen=True)
class Request:
    """What an update asks for, as far as access is concerned."""

    command: str | None = None
    callback_prefix: str | None = None


class Entity(Protocol):
    """What we read of a ``MessageEntity`` (telegram.MessageEntity has these fields)."""

    @property
    def type(self) -> str: ...

    @property
    def offset(self) -> int: ...

    @property
    def length(self) -> int: ...


class Carrier(Protocol):
    """What we read of a ``Message`` to find its command (telegram.Message has these)."""

    @property
    def text(self) -> str | None: ...

    @property
    def entities(self) -> Sequence[Entity]: ...


class Command(NamedTuple):
    """A command meant for us: its lower-case name and what follows it."""

    name: str
    #: The words after the command joined by one space: ``/start <payload>``.
    payload: str

    @property
    def args(self) -> tuple[str, ...]:
        """The words after the command, as PTB's ``context.args``."""
        return tuple(self.payload.split())


def command_in(message: Carrier | None, bot_username: str | None) -> Command | None:
    """:func:`parse_command` for a message (None: no message, no command)."""
    if message is None:
        return None
    return parse_command(message.text, message.entities, bot_username)


def parse_command(
    text: str | None, entities: Sequence[Entity] | None, bot_username: str | None
) -> Command | None:
    """The command PTB's ``CommandHandler`` will run for this message, or None.

    It must be exactly the one PTB runs, or the gate would check one command and let another
    through (a ``/settingsx`` whose entity covers ``/settings`` ran /settings for an officer).
    So it reads what PTB reads: the text (never a caption), the *first* entity only, which
    must be a ``bot_command`` at offset 0; the name is ``text[1:length]`` (PTB slices code
    points, as here), split at ``@``, where the addressee must be us; the arguments are the
    whitespace-separated words after the first one (PTB's ``context.args``).
    """
    if not text or not entities:
        return None
    first = entities[0]
    if first.type != "bot_command" or first.offset != 0:
        return None
    name, *addressees = text[1 : first.length].split("@")
    addressee = addressees[0] if addressees else bot_username
    if bot_username is None or addressee is None or addressee.lower() != bot_username.lower():
        return None
    if not name:
        return None
    return Command(name.lower(), " ".join(text.split()[1:]))


def command_for_log(command: Command | None) -> str | None:
    """The command's name if it is in the access table: the only form fit for a log line."""
    if command is None:
        return None
    return command.name if command.name in COMMANDS else "unknown"


def callback_prefix(data: str | None) -> str | None:
    if not data:
        return None
    return data.split(":", 1)[0]


def decide(role: Role, request: Request) -> Denial | None:
    """None when ``role`` may do what ``request`` asks; otherwise why not."""
    allowed: frozenset[Role] | None = None
    if request.command is not None:
        allowed = COMMANDS.get(request.command)
    elif request.callback_prefix is not None:
        allowed = CALLBACKS.get(request.callback_prefix)
    if allowed is None or role in allowed:
        return None
    if allowed == ADMINS:
        return Denial.ADMINS_ONLY
    if allowed == COORDINATION:
        return Denial.COORDINATION_ONLY
    return Denial.FILERS_ONLY
