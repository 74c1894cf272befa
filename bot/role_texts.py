"""Sentences that say which role somebody has: one whole sentence per role (and with or without
a unit), never a role name slotted into a sentence.

"You are signed in as {role}, {unit}" reads well in English only: Russian and Uzbek need the role
in another case or with another ending, and the unit attached differently. Each sentence is
therefore its own catalog entry, and translators write it the way their language says it.
Every function returns HTML: ``name_html`` is given as HTML already (a name, perhaps with the
Telegram id in ``<code>``), a unit's name as plain text.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from bot.i18n import N_, Translator
from storage import Role

_SIGNED_IN: Mapping[tuple[Role, bool], str] = {
    (Role.OFFICER, False): N_("Hello, {name}! You are signed in as an officer."),
    (Role.OFFICER, True): N_("Hello, {name}! You are signed in as an officer of {unit}."),
    (Role.COORDINATOR, False): N_("Hello, {name}! You are signed in as a coordinator."),
    (Role.COORDINATOR, True): N_("Hello, {name}! You are signed in as a coordinator of {unit}."),
    (Role.ADMIN, False): N_("Hello, {name}! You are signed in as an administrator."),
    (Role.ADMIN, True): N_("Hello, {name}! You are signed in as an administrator of {unit}."),
}

_ALREADY_REGISTERED: Mapping[tuple[Role, bool], str] = {
    (Role.OFFICER, False): N_("You are already registered as an officer: no invitation is needed."),
    (Role.OFFICER, True): N_(
        "You are already registered as an officer of {unit}: no invitation is needed."
    ),
    (Role.COORDINATOR, False): N_(
        "You are already registered as a coordinator: no invitation is needed."
    ),
    (Role.COORDINATOR, True): N_(
        "You are already registered as a coordinator of {unit}: no invitation is needed."
    ),
    (Role.ADMIN, False): N_(
        "You are already registered as an administrator: no invitation is needed."
    ),
    (Role.ADMIN, True): N_(
        "You are already registered as an administrator of {unit}: no invitation is needed."
    ),
}

_CURRENT_ROLE: Mapping[Role, str] = {
    Role.OFFICER: N_("{name} is an officer. Choose the new role:"),
    Role.COORDINATOR: N_("{name} is a coordinator. Choose the new role:"),
    Role.ADMIN: N_("{name} is an administrator. Choose the new role:"),
}

_ROLE_CHANGED: Mapping[Role, str] = {
    Role.OFFICER: N_("{name} is now an officer."),
    Role.COORDINATOR: N_("{name} is now a coordinator."),
    Role.ADMIN: N_("{name} is now an administrator."),
}

_YOUR_ROLE_CHANGED: Mapping[Role, str] = {
    Role.OFFICER: N_("An administrator changed your role: you are now an officer."),
    Role.COORDINATOR: N_("An administrator changed your role: you are now a coordinator."),
    Role.ADMIN: N_("An administrator changed your role: you are now an administrator."),
}


def signed_in(tr: Translator, role: Role, name_html: str, unit: str | None) -> str:
    """The greeting of ``/start``: who the bot takes the reader for."""
    return tr.gettext(_SIGNED_IN[role, unit is not None]).format(
        name=name_html, unit=escape(unit or "")
    )


def already_registered(tr: Translator, role: Role, unit: str | None) -> str:
    """A registered person opened an invitation: they keep the account they have."""
    return tr.gettext(_ALREADY_REGISTERED[role, unit is not None]).format(unit=escape(unit or ""))


def current_role(tr: Translator, role: Role, name_html: str) -> str:
    """The question of the role screen, saying the role the person has now."""
    return tr.gettext(_CURRENT_ROLE[role]).format(name=name_html)


def role_changed(tr: Translator, role: Role, name_html: str) -> str:
    """What the administrator is told once the new role is saved."""
    return tr.gettext(_ROLE_CHANGED[role]).format(name=name_html)


def your_role_changed(tr: Translator, role: Role) -> str:
    """What the person whose role changed is told, in their own language."""
    return tr.gettext(_YOUR_ROLE_CHANGED[role])
