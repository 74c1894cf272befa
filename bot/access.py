"""Who may use what: one table of commands and callback prefixes per role, decided in one place.

The gate (bot/handlers/gate.py) applies it to every update before any feature sees it, with the
person's role read from the database at that moment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

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
    "audit": ADMINS,
    "bindgroup": ADMINS,
    "unbindgroup": ADMINS,
    "settings": ADMINS,
    "digest": COORDINATION,
    "export": COORDINATION,
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
    "alr": COORDINATION,  # acknowledging an urgent alert, asking for details
    "ans": FILERS,  # an officer answering a coordinator's question
}

#: The only commands answered in a group chat (everything else there is ignored)…
GROUP_COMMANDS = frozenset({"bindgroup", "unbindgroup"})
#: …and the only buttons: the coordination group's copy of an urgent alert.
GROUP_CALLBACKS = frozenset({"alr"})


_COMMAND = re.compile(r"/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?")


class Denial(StrEnum):
    ADMINS_ONLY = "admins_only"
    FILERS_ONLY = "filers_only"
    COORDINATION_ONLY = "coordination_only"


@dataclass(frozen=True)
class Request:
    """What an update asks for, as far as access is concerned."""

    command: str | None = None
    callback_prefix: str | None = None


def parse_command(text: str | None, bot_username: str | None) -> tuple[str, str] | None:
    """``("start", "abc")`` for ``/start@our_bot abc``; None when it is not a command to us."""
    # Telegram ends a command at the first character that is not [A-Za-z0-9_] (a space, a line
    # break, a comma…) and PTB's CommandHandler follows it: so must we, or "/users\nx" would run
    # /users while the gate saw no command at all.
    match = _COMMAND.match(text or "")
    if match is None:
        return None
    name, addressee = match[1], match[2]
    if addressee and bot_username and addressee.lower() != bot_username.lower():
        return None
    if len(name) > 32:
        return None
    return name.lower(), (text or "")[match.end() :].strip()


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
