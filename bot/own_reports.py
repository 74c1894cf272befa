"""An author's operations on their own reports, each in the caller's transaction: list, open,
withdraw, amend.

Who acts is read again here (bot/authority.py), and ownership with it: an officer reaches only
the reports they filed. Somebody else's report is refused as NOT_OWNER and audited; the handler
says "not found", which tells nothing about other people's reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import filing
from bot.authority import Denial, Operation, Refused, acting, refuse
from storage import Repositories, User
from storage.models import Report


@dataclass(frozen=True)
class OwnPage:
    total: int
    page: int
    pages: int
    reports: list[Report]


async def page_of(
    repos: Repositories, actor_telegram_id: int | None, page: int, page_size: int
) -> OwnPage | Refused:
    """One page of the actor's own reports, newest first."""
    actor = await acting(repos, actor_telegram_id, Operation.REPORT_OPEN)
    if isinstance(actor, Refused):
        return actor
    total = await repos.reports.count_by_author(actor.id)
    pages = max(1, -(-total // page_size))
    page = min(max(page, 0), pages - 1)
    reports = await repos.reports.list_by_author(actor.id, limit=page_size, offset=page * page_size)
    return OwnPage(total, page, pages, reports)


@dataclass(frozen=True)
class Own:
    actor: User
    report: Report


async def own(
    repos: Repositories,
    actor_telegram_id: int | None,
    report_id: int,
    operation: Operation = Operation.REPORT_OPEN,
) -> Own | Refused | None:
    """The actor's own report; None: no such report; another author's: refused, audited."""
    actor = await acting(repos, actor_telegram_id, operation, target=str(report_id))
    if isinstance(actor, Refused):
        return actor
    report = await repos.reports.get(report_id)
    if report is None:
        return None
    if report.author_id != actor.id:
        return await refuse(
            repos, actor.telegram_id, operation, Denial.NOT_OWNER, actor=actor, target=report.number
        )
    return Own(actor, report)


async def withdraw(
    repos: Repositories, actor_telegram_id: int | None, report_id: int, *, now: datetime
) -> tuple[Own, bool] | Refused | None:
    """Withdraw the actor's own report; the flag is False when it already was withdrawn."""
    found = await own(repos, actor_telegram_id, report_id, Operation.REPORT_WITHDRAW)
    if not isinstance(found, Own):
        return found
    withdrawn = await repos.reports.withdraw(found.report.id, now=now)
    if withdrawn:
        await repos.audit.add(
            "report.withdrawn",
            actor_telegram_id=found.actor.telegram_id,
            target=found.report.number,
        )
    return found, withdrawn


async def amendable(
    repos: Repositories,
    actor_telegram_id: int | None,
    report_id: int,
    *,
    now: datetime,
    window: timedelta,
) -> Own | Refused | None:
    """The actor's own report if it may still be amended; None: gone or too late."""
    found = await own(repos, actor_telegram_id, report_id, Operation.REPORT_AMEND)
    if isinstance(found, Own) and not filing.can_amend(found.report, now, window):
        return None
    return found
