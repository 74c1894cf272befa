"""Operations on what the coordination sees, each in the caller's transaction: the bound group,
the digest and reminder times, the audit log, the export of reports.

Who acts is read again here (bot/authority.py). Reading the audit log and exporting reports are
audited themselves (who, how much, which period): both hand protected data out of the bot.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, time
from enum import StrEnum

from bot.audit_log import AuditPage, named_ids
from bot.authority import Operation, Refused, acting
from bot.config import LANGUAGES
from storage import Repositories, User
from storage.bot_settings import COORDINATION_GROUP, CoordinationGroup


@dataclass(frozen=True)
class Bound:
    """The group as bound now; ``already``: it was so before (nothing changed)."""

    group: CoordinationGroup
    already: bool


async def bind_group(
    repos: Repositories, actor_telegram_id: int | None, chat_id: int, title: str, language: str
) -> Bound | Refused:
    """Make ``chat_id`` the one group that receives the digest and urgent alerts, reading
    ``language`` (the binding admin's, changed later with the group's own buttons). Binding
    the group already bound changes nothing."""
    actor = await acting(repos, actor_telegram_id, Operation.GROUP_BIND, target=str(chat_id))
    if isinstance(actor, Refused):
        return actor
    current = await repos.settings.coordination_group()
    if current is not None and current.chat_id == chat_id:
        return Bound(current, already=True)
    group = CoordinationGroup(chat_id, title, language if language in LANGUAGES else None)
    await repos.settings.set_coordination_group(group, by=actor.telegram_id)
    await repos.audit.add(
        "group.bound",
        actor_telegram_id=actor.telegram_id,
        target=str(chat_id),
        details={"title": title, "language": group.language},
    )
    return Bound(group, already=False)


async def set_group_language(
    repos: Repositories, actor_telegram_id: int | None, chat_id: int, language: str
) -> Bound | Refused | None:
    """The bound group ``chat_id`` reads ``language`` from now on (digest, urgent alerts).

    None when ``chat_id`` is not the bound group (any more) or the language is not ours: the
    button is stale. Choosing the language it already reads changes nothing."""
    actor = await acting(repos, actor_telegram_id, Operation.GROUP_LANGUAGE, target=str(chat_id))
    if isinstance(actor, Refused):
        return actor
    current = await repos.settings.coordination_group()
    if current is None or current.chat_id != chat_id or language not in LANGUAGES:
        return None
    if current.language == language:
        return Bound(current, already=True)
    group = replace(current, language=language)
    await repos.settings.set_coordination_group(group, by=actor.telegram_id)
    await repos.audit.add(
        "group.language",
        actor_telegram_id=actor.telegram_id,
        target=str(chat_id),
        details={"title": current.title, "language": language},
    )
    return Bound(group, already=False)


def group_language(group: CoordinationGroup, default: str) -> str:
    """The language the group reads: its own, else the bot's default."""
    return group.language if group.language in LANGUAGES else default


class Unbound(StrEnum):
    DONE = "done"
    NONE_BOUND = "none_bound"
    OTHER_GROUP = "other_group"  # sent in a group that is not the bound one


async def unbind_group(
    repos: Repositories, actor_telegram_id: int | None, *, in_group: int | None
) -> Unbound | Refused:
    """Unbind the group; from a group (``in_group`` its id), only that group itself."""
    actor = await acting(repos, actor_telegram_id, Operation.GROUP_UNBIND)
    if isinstance(actor, Refused):
        return actor
    current = await repos.settings.coordination_group()
    bound_id = current.chat_id if current else None
    if in_group is not None and bound_id != in_group:
        return Unbound.OTHER_GROUP
    if bound_id is None:
        return Unbound.NONE_BOUND
    if not await repos.settings.delete(COORDINATION_GROUP):
        return Unbound.NONE_BOUND
    await repos.audit.add(
        "group.unbound", actor_telegram_id=actor.telegram_id, target=str(bound_id)
    )
    return Unbound.DONE


async def check_settings_reader(
    repos: Repositories, actor_telegram_id: int | None
) -> Refused | None:
    """Whether the actor may see the configured times (they are read by bot/delivery.py)."""
    actor = await acting(repos, actor_telegram_id, Operation.SETTINGS_READ)
    return actor if isinstance(actor, Refused) else None


async def change_time(
    repos: Repositories, actor_telegram_id: int | None, key: str, moment: time
) -> Refused | None:
    """Store a new digest or reminder time (``key``); the caller reschedules the jobs."""
    actor = await acting(repos, actor_telegram_id, Operation.SETTINGS_CHANGE, target=key)
    if isinstance(actor, Refused):
        return actor
    value = moment.strftime("%H:%M")
    await repos.settings.set(key, value, by=actor.telegram_id)
    await repos.audit.add(
        "settings.changed",
        actor_telegram_id=actor.telegram_id,
        target=key,
        details={"value": value},
    )
    return None


async def read_audit(
    repos: Repositories, actor_telegram_id: int | None, count: int
) -> AuditPage | Refused:
    """The latest ``count`` entries and the people they name; the reading is recorded after
    them, not among them."""
    actor = await acting(repos, actor_telegram_id, Operation.AUDIT_READ)
    if isinstance(actor, Refused):
        return actor
    entries = await repos.audit.latest(count)
    people = {}
    for telegram_id in named_ids(entries):
        person = await repos.users.get_by_telegram_id(telegram_id)
        if person is not None:
            people[telegram_id] = person
    await repos.audit.add(
        "audit.read", actor_telegram_id=actor.telegram_id, details={"entries": len(entries)}
    )
    return AuditPage(entries, people)


async def may_export(
    repos: Repositories, actor_telegram_id: int | None, first: date, last: date
) -> User | Refused:
    """Whether the actor may export ``first``..``last`` (a refusal is audited).

    The reports themselves are read by the worker process that builds the workbook
    (bot/digest/jobs.py): a 92-day period must not hold this process's connection.
    """
    period = f"{first.isoformat()}..{last.isoformat()}"
    return await acting(repos, actor_telegram_id, Operation.EXPORT, target=period)


async def record_export(
    repos: Repositories,
    actor: User,
    first: date,
    last: date,
    *,
    reports: int,
    items: int | None = None,
) -> None:
    """The audit line of an export that reached the person: who, which period, how much
    (``items``: the seizure records of an ``/export ids``, which says so)."""
    details: dict[str, object] = {"from": first.isoformat(), "to": last.isoformat()}
    details["reports"] = reports
    if items is not None:
        details["items"] = items
    await repos.audit.add(
        "export" if items is None else "export.ids",
        actor_telegram_id=actor.telegram_id,
        target=f"{first.isoformat()}..{last.isoformat()}",
        details=details,
    )
