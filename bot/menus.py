"""Which commands each kind of person sees in Telegram's menu, and how they are described."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_, Translator
from storage import Role


@dataclass(frozen=True)
class MenuCommand:
    command: str
    description: str  # an N_-marked message, translated when the menu is set

    def describe(self, tr: Translator) -> str:
        return tr.gettext(self.description)


START = MenuCommand("start", N_("Start and see who you are"))
HELP = MenuCommand("help", N_("What this bot can do for you"))
LANGUAGE = MenuCommand("language", N_("Change the language"))
REPORT = MenuCommand("report", N_("File a report"))
MY_REPORTS = MenuCommand("myreports", N_("My reports: view, amend, withdraw"))
CANCEL = MenuCommand("cancel", N_("Cancel the report being filled in"))
INVITE = MenuCommand("invite", N_("Invite a new user"))
INVITES = MenuCommand("invites", N_("Open invitations"))
USERS = MenuCommand("users", N_("Users: roles, units, blocking"))
UNITS = MenuCommand("units", N_("Units and crossing points"))
NAMES = MenuCommand("names", N_("Names of agencies, substances and countries"))
FACTORS = MenuCommand("factors", N_("Kilogram equivalents of litres, tablets and pieces"))
AUDIT = MenuCommand("audit", N_("The latest audit log entries"))
DIGEST = MenuCommand("digest", N_("The digest of a day"))
EXPORT = MenuCommand("export", N_("Reports of a period as a spreadsheet"))
ROUTES = MenuCommand("routes", N_("Most frequent routes and concealment methods"))
SETTINGS = MenuCommand("settings", N_("Digest and reminder times"))

#: What somebody who is not registered (yet) sees.
PUBLIC_MENU: tuple[MenuCommand, ...] = (START, HELP, LANGUAGE)

#: What each role sees; later capabilities add their commands here.
ROLE_MENUS: dict[Role, tuple[MenuCommand, ...]] = {
    Role.OFFICER: (REPORT, MY_REPORTS, CANCEL, HELP, LANGUAGE, START),
    Role.COORDINATOR: (DIGEST, EXPORT, ROUTES, HELP, LANGUAGE, START),
    Role.ADMIN: (
        INVITE,
        INVITES,
        USERS,
        UNITS,
        NAMES,
        FACTORS,
        AUDIT,
        SETTINGS,
        DIGEST,
        EXPORT,
        ROUTES,
        REPORT,
        MY_REPORTS,
        CANCEL,
        HELP,
        LANGUAGE,
        START,
    ),
}


def menu_for(role: Role | None) -> tuple[MenuCommand, ...]:
    return PUBLIC_MENU if role is None else ROLE_MENUS[role]


def role_name(role: Role, tr: Translator) -> str:
    names = {
        Role.OFFICER: tr.pgettext("role", "officer"),
        Role.COORDINATOR: tr.pgettext("role", "coordinator"),
        Role.ADMIN: tr.pgettext("role", "administrator"),
    }
    return names[role]
