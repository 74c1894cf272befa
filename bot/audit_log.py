"""The audit log as an admin reads it: what happened in words, people by name, no raw data.

An entry is stored as an action code (``user.moved``), the actor's Telegram id, a target and a
small JSON object of details (bot/authority.py, bot/people.py… write them). Here each code
gets its own catalog entry, people are named with their id, and the details become a short
line of "label: value" pairs in the reader's language. A code written by a newer version (or
details this module does not know) are still shown, as code, never hidden.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.authority import Operation
from bot.forms.definitions import MEASURES
from bot.i18n import N_, Translator
from bot.menus import role_name
from storage import AuditEntry, Role, User

_MEASURES = {option.key: option.label for option in MEASURES}

#: What each action code means, one catalog entry each.
ACTIONS: dict[str, str] = {
    "access.refused": N_("Access refused"),
    "access.denied": N_("Command not allowed for this role"),
    "access.flood": N_("Too many messages"),
    "admin.bootstrap": N_("First administrator set up"),
    "admin.cli": N_("Administrator added from the server"),
    "alert.created": N_("Urgent alert raised"),
    "alert.acknowledged": N_("Urgent alert acknowledged"),
    "alert.question": N_("Coordinator asked for details"),
    "alert.answer": N_("Officer answered a question"),
    "audit.read": N_("Audit log viewed"),
    "crossing_point.added": N_("Crossing point added"),
    "crossing_point.removed": N_("Crossing point removed"),
    "digest.created": N_("Daily digest prepared"),
    "digest.on_demand": N_("Digest viewed on request"),
    "export": N_("Reports exported"),
    "export.ids": N_("Seizure records exported"),
    "routes.read": N_("Routes viewed on request"),
    "group.bound": N_("Coordination group connected"),
    "group.unbound": N_("Coordination group disconnected"),
    "group.language": N_("Coordination group language changed"),
    "invite.created": N_("Invitation created"),
    "invite.revoked": N_("Invitation revoked"),
    "invite.used": N_("Invitation used"),
    "invite.refused": N_("Invitation link not accepted"),
    "report.submitted": N_("Report filed"),
    "report.amended": N_("Report amended"),
    "report.withdrawn": N_("Report withdrawn"),
    "retention.applied": N_("Personal data older than the retention period removed"),
    "settings.changed": N_("Setting changed"),
    "unit.created": N_("Unit added"),
    "unit.renamed": N_("Unit renamed"),
    "unit.deactivated": N_("Unit deactivated"),
    "unit.reactivated": N_("Unit reactivated"),
    "reference.renamed": N_("Name of an agency, a substance or a country corrected"),
    "factor.changed": N_("Kilogram-equivalent factor changed"),
    "user.role_changed": N_("Role changed"),
    "user.moved": N_("Moved to another unit"),
    "user.blocked": N_("Access suspended"),
    "user.unblocked": N_("Access restored"),
    # Refusals of the rules layer (bot/authority.py): "<operation>_refused".
    **{
        op.refused_action: label
        for op, label in {
            Operation.USER_LIST: N_("Refused: view the users"),
            Operation.USER_CARD: N_("Refused: open a person's card"),
            Operation.ROLE_CHANGE: N_("Refused: change a role"),
            Operation.MOVE: N_("Refused: move a person to another unit"),
            Operation.BLOCK: N_("Refused: suspend access"),
            Operation.UNBLOCK: N_("Refused: restore access"),
            Operation.INVITE_CREATE: N_("Refused: create an invitation"),
            Operation.INVITE_REVOKE: N_("Refused: revoke an invitation"),
            Operation.INVITE_LIST: N_("Refused: view the invitations"),
            Operation.UNIT_LIST: N_("Refused: view the units"),
            Operation.UNIT_CREATE: N_("Refused: add a unit"),
            Operation.UNIT_RENAME: N_("Refused: rename a unit"),
            Operation.UNIT_SWITCH: N_("Refused: deactivate or reactivate a unit"),
            Operation.CROSSING_POINT_ADD: N_("Refused: add a crossing point"),
            Operation.CROSSING_POINT_REMOVE: N_("Refused: remove a crossing point"),
            Operation.GROUP_BIND: N_("Refused: connect the coordination group"),
            Operation.GROUP_UNBIND: N_("Refused: disconnect the coordination group"),
            Operation.GROUP_LANGUAGE: N_("Refused: change the group's language"),
            Operation.SETTINGS_READ: N_("Refused: view the settings"),
            Operation.SETTINGS_CHANGE: N_("Refused: change the settings"),
            Operation.AUDIT_READ: N_("Refused: view the audit log"),
            Operation.REFERENCE_LIST: N_(
                "Refused: view the names of agencies, substances and countries"
            ),
            Operation.REFERENCE_RENAME: N_(
                "Refused: correct the name of an agency, a substance or a country"
            ),
            Operation.FACTOR_LIST: N_("Refused: view the kilogram-equivalent factors"),
            Operation.FACTOR_CHANGE: N_("Refused: change a kilogram-equivalent factor"),
            Operation.EXPORT: N_("Refused: export reports"),
            Operation.ROUTES_READ: N_("Refused: view the routes"),
            Operation.DIGEST: N_("Refused: view the digest"),
            Operation.ALERT_ACKNOWLEDGE: N_("Refused: acknowledge an urgent alert"),
            Operation.ALERT_ASK: N_("Refused: ask for details"),
            Operation.ALERT_ANSWER: N_("Refused: answer a question"),
            Operation.REPORT_OPEN: N_("Refused: open a report"),
            Operation.REPORT_AMEND: N_("Refused: amend a report"),
            Operation.REPORT_WITHDRAW: N_("Refused: withdraw a report"),
        }.items()
    },
}

#: The detail keys shown, in this order, with their labels; other keys are shown as they are.
DETAILS: dict[str, str] = {
    "reason": N_("reason"),
    "role": N_("role"),
    "unit": N_("unit"),
    "from": N_("from"),
    "to": N_("to"),
    "unit_from": N_("previous unit"),
    "unit_to": N_("new unit"),
    "reports": N_("reports"),
    "items": N_("seizure records"),
    "seizures": N_("seizures"),
    "entries": N_("entries"),
    "value": N_("value"),
    "language": N_("language"),
    "kind": N_("kind"),
    "name": N_("name"),
    "command": N_("command"),
    "expires_at": N_("valid until"),
    "actor_role": N_("their role"),
    "blocked": N_("access suspended"),
    "coordinates": N_("coordinates"),
    # A retention run (bot/retention.py): how much of each kind went.
    "days": N_("retention period, days"),
    "photos": N_("photos"),
    "versions": N_("report versions"),
    "questions": N_("questions and answers"),
    "drafts": N_("drafts"),
    "updates": N_("stored updates"),
    "profiles": N_("names of blocked people"),
}
#: Keys that only repeat what the line already says, or are internal.
HIDDEN = frozenset({"title", "id", "callback", "name_uz", "name_ru", "name_en", "before", "after"})

#: The reasons of refusals (bot/authority.py, bot/administration.py, bot/invitations.py).
REASONS: dict[str, str] = {
    "no_account": N_("not registered"),
    "blocked": N_("access suspended"),
    "wrong_role": N_("not allowed for this role"),
    "not_owner": N_("not their own"),
    "not_admin": N_("not an administrator"),
    "unchanged": N_("nothing to change"),
    "self_block": N_("cannot suspend oneself"),
    "self_demote": N_("cannot remove one's own administrator role"),
    "last_admin": N_("the last administrator"),
    "officer_needs_unit": N_("an officer needs a unit"),
    "unit_inactive": N_("the unit is deactivated"),
    "malformed": N_("damaged link"),
    "unknown": N_("unknown link"),
    "expired": N_("expired"),
    "used": N_("already used"),
    "revoked": N_("revoked"),
    "marked": N_("marked urgent"),
    "large": N_("large seizure"),
    "marked_large": N_("marked urgent, large seizure"),
    "registered": N_("already registered"),
}
MAX_VALUE = 80


@dataclass(frozen=True)
class AuditPage:
    """Entries, newest first, and the people they name (by Telegram id)."""

    entries: list[AuditEntry]
    people: Mapping[int, User]


def named_ids(entries: Iterable[AuditEntry]) -> set[int]:
    """The Telegram ids an audit page names: actors, and the people actions were done to."""
    found = {e.actor_telegram_id for e in entries if e.actor_telegram_id is not None}
    for entry in entries:
        if _target_is_person(entry.action) and entry.target and entry.target.lstrip("-").isdigit():
            found.add(int(entry.target))
    return found


def _target_is_person(action: str) -> bool:
    return action.startswith(("user.", "admin."))


def action_label(action: str, tr: Translator) -> str:
    known = ACTIONS.get(action)
    return tr.gettext(known) if known else action


def person_label(telegram_id: int, people: Mapping[int, User], tr: Translator) -> str:
    """``Ali Valiyev (id 123)``; ``@ali (id 123)``; ``id 123`` for somebody never registered."""
    person = people.get(telegram_id)
    name = ""
    if person is not None:
        name = person.display_name.strip() or (f"@{person.username}" if person.username else "")
    if not name:
        return tr.gettext("id {id}").format(id=telegram_id)
    return tr.gettext("{name} (id {id})").format(name=name, id=telegram_id)


def entry_lines(page: AuditPage, tr: Translator) -> list[str]:
    """One HTML block per entry (its lines kept together when the page is split)."""
    return [_entry(entry, page.people, tr) for entry in page.entries]


def _entry(entry: AuditEntry, people: Mapping[int, User], tr: Translator) -> str:
    moment = tr.format_datetime(entry.at, "short")
    head = f"<b>{_e(moment)}</b> · {_e(action_label(entry.action, tr))}"
    details = _details(entry, tr)
    parts = []
    if entry.actor_telegram_id is not None:
        parts.append(_e(person_label(entry.actor_telegram_id, people, tr)))
    else:
        parts.append(_e(tr.gettext("the bot")))
    target = _target(entry, details, people, tr)
    if target:
        parts.append("→ " + _e(target))
    text = f"{head}\n{' '.join(parts)}"
    shown = _detail_text(details, tr)
    if shown:
        text += f"\n<i>{_e(shown)}</i>"
    return text


def _details(entry: AuditEntry, tr: Translator) -> dict[str, Any]:
    if not entry.details:
        return {}
    try:
        loaded = json.loads(entry.details)
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _target(
    entry: AuditEntry, details: Mapping[str, Any], people: Mapping[int, User], tr: Translator
) -> str:
    target = entry.target or ""
    if not target:
        return ""
    if _target_is_person(entry.action) and target.lstrip("-").isdigit():
        return person_label(int(target), people, tr)
    if entry.action.startswith("invite."):
        return tr.gettext("invitation #{number}").format(number=target)
    if entry.action.startswith("group.") and isinstance(details.get("title"), str):
        return _short(details["title"])
    if entry.action.startswith("reference."):  # "agency:customs": its name as shown now
        kind, _, key = target.partition(":")
        return tr.reference_names.get((kind, key), target)
    if entry.action.startswith("factor."):  # "heroin:l": the substance's name, and the unit
        substance, _, unit = target.partition(":")
        name = tr.reference_names.get(("substance", substance), substance)
        return f"{name} ({tr.gettext(_MEASURES.get(unit, unit))})"
    if entry.action in ("export", "export.ids", "routes.read") and ".." in target:
        first, _, last = target.partition("..")
        return f"{_day(first, tr)} — {_day(last, tr)}"
    return _day(target, tr)


def _detail_text(details: Mapping[str, Any], tr: Translator) -> str:
    ordered = [k for k in DETAILS if k in details] + sorted(
        k for k in details if k not in DETAILS and k not in HIDDEN
    )
    pairs = []
    for key in ordered:
        value = _value(key, details[key], tr)
        if value:
            label = tr.gettext(DETAILS[key]) if key in DETAILS else key
            pairs.append(tr.gettext("{label}: {value}").format(label=label, value=value))
    after = details.get("after")
    if isinstance(after, dict):
        name = after.get(tr.language) or after.get("en")
        if isinstance(name, str):
            pairs.append(
                tr.gettext("{label}: {value}").format(label=tr.gettext("name"), value=_short(name))
            )
    return "; ".join(pairs)


def _value(key: str, value: object, tr: Translator) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return tr.gettext("yes") if value else tr.gettext("no")
    if isinstance(value, int | float):
        return tr.format_number(value)
    if isinstance(value, str):
        if key in ("reason",) and value in REASONS:
            return tr.gettext(REASONS[value])
        if value in {role.value for role in Role} and key in ("role", "from", "to", "actor_role"):
            return role_name(Role(value), tr)
        if key == "expires_at":
            return _day(value[:10], tr)
        return _day(_short(value), tr)
    return ""  # nested data is summarised elsewhere (a renamed unit's new name) or left out


def _day(text: str, tr: Translator) -> str:
    """An ISO day as the reader writes days; any other text as it is."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return tr.format_date(date.fromisoformat(text))
        except ValueError:
            return text
    return text


def _short(text: str) -> str:
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _e(text: str) -> str:
    return html.escape(text, quote=False)
