"""The urgent alert's rules over the database, each in the caller's transaction: raise the
alert of an urgent report (with its report, never after it) and say who receives it; the
coordinators' and officers' acts on it: acknowledge it, begin a question about it, begin the
answer to a question, send what was typed.

Who acts is read again here (bot/authority.py): a coordinator demoted after the alert arrived
acknowledges nothing, and only the officer who filed the report answers questions about it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot import urgent
from bot.authority import Denial, Operation, Refused, acting, refuse
from storage import Report, ReportStatus, Repositories, Role, User
from storage.alerts import Alert, AlertQuestion, PendingKind, PendingReply, Recipient

log = logging.getLogger(__name__)


async def recipients(repos: Repositories) -> list[Recipient]:
    """Every active coordinator, then the bound coordination group if there is one."""
    found = [
        Recipient(chat_id=user.telegram_id, user_id=user.id)
        for user in await repos.users.active_by_role(Role.COORDINATOR)
    ]
    group = await repos.settings.coordination_group()
    if group is not None:
        found.append(Recipient(chat_id=group.chat_id, user_id=None))
    return found


async def create_alert(
    repos: Repositories, report: Report, threshold_kg: Decimal, now: datetime
) -> int | None:
    """In the report's own transaction: an urgent report is never stored without its alert.
    The alert's id, to send it once committed; None: not urgent, or alerted before (one alert
    per report)."""
    reason = urgent.why_urgent(report, threshold_kg)
    if reason is None:
        return None
    alert = await repos.alerts.create(report.id, reason.value, now=now)
    if alert is None:
        return None
    await repos.alerts.add_deliveries(alert.id, 0, await recipients(repos))
    await repos.audit.add(
        "alert.created",
        actor_telegram_id=None,
        target=report.number,
        details={"reason": reason.value},
    )
    log.info("urgent alert %s for report %s (%s)", alert.id, report.number, reason.value)
    return alert.id


@dataclass(frozen=True)
class Acknowledgement:
    actor: User
    alert: Alert
    first: bool  # False: somebody acknowledged it before


async def acknowledge(
    repos: Repositories, actor_telegram_id: int | None, alert_id: int, *, now: datetime
) -> Acknowledgement | Refused | None:
    """None: no such alert."""
    actor = await acting(
        repos, actor_telegram_id, Operation.ALERT_ACKNOWLEDGE, target=str(alert_id)
    )
    if isinstance(actor, Refused):
        return actor
    alert = await repos.alerts.get(alert_id)
    if alert is None:
        return None
    first = await repos.alerts.acknowledge(alert_id, actor.id, now=now)
    if first:
        report = await repos.reports.get(alert.report_id)
        await repos.audit.add(
            "alert.acknowledged",
            actor_telegram_id=actor.telegram_id,
            target=report.number if report else str(alert_id),
        )
    return Acknowledgement(actor, alert, first)


@dataclass(frozen=True)
class Begun:
    """A question or an answer the actor may now type (``pending``), or why not."""

    actor: User
    withdrawn: bool = False  # the report was withdrawn: nothing to ask about
    answered: bool = False  # the question has its answer already


async def begin_question(
    repos: Repositories, actor_telegram_id: int | None, alert_id: int, *, now: datetime
) -> Begun | Refused | None:
    """ "Ask for details": what the actor types next is the question. None: no such alert."""
    actor = await acting(repos, actor_telegram_id, Operation.ALERT_ASK, target=str(alert_id))
    if isinstance(actor, Refused):
        return actor
    alert = await repos.alerts.get(alert_id)
    report = await repos.reports.get(alert.report_id) if alert else None
    if alert is None or report is None:
        return None
    if report.status is ReportStatus.WITHDRAWN:
        return Begun(actor, withdrawn=True)
    await repos.alerts.set_pending(actor.id, PendingKind.QUESTION, alert_id=alert_id, now=now)
    return Begun(actor)


async def begin_answer(
    repos: Repositories, actor_telegram_id: int | None, question_id: int, *, now: datetime
) -> Begun | Refused | None:
    """ "Reply": what the actor types next is the answer — only the officer who was asked,
    the report's author. None: no such question."""
    actor = await acting(repos, actor_telegram_id, Operation.ALERT_ANSWER, target=str(question_id))
    if isinstance(actor, Refused):
        return actor
    question = await repos.alerts.get_question(question_id)
    if question is None:
        return None
    refused = await _not_the_asked_officer(repos, actor, question)
    if refused is not None:
        return refused
    if question.answer is not None:
        return Begun(actor, answered=True)
    await repos.alerts.set_pending(
        actor.id, PendingKind.ANSWER, alert_id=question.alert_id, question_id=question.id, now=now
    )
    return Begun(actor)


async def _not_the_asked_officer(
    repos: Repositories, actor: User, question: AlertQuestion
) -> Refused | None:
    alert = await repos.alerts.get(question.alert_id)
    report = await repos.reports.get(alert.report_id) if alert else None
    if report is not None and report.author_id == actor.id:
        return None
    return await refuse(
        repos,
        actor.telegram_id,
        Operation.ALERT_ANSWER,
        Denial.NOT_OWNER,
        actor=actor,
        target=str(question.id),
    )


async def typed_sender(
    repos: Repositories, actor_telegram_id: int | None, pending: PendingReply
) -> User | Refused:
    """Who sends the typed question or answer, checked again when it arrives: the role may
    have changed since the button was tapped."""
    if pending.kind is PendingKind.QUESTION:
        return await acting(
            repos, actor_telegram_id, Operation.ALERT_ASK, target=str(pending.alert_id)
        )
    actor = await acting(
        repos, actor_telegram_id, Operation.ALERT_ANSWER, target=str(pending.question_id)
    )
    if isinstance(actor, Refused):
        return actor
    question = (
        await repos.alerts.get_question(pending.question_id)
        if pending.question_id is not None
        else None
    )
    if question is None:
        return await refuse(
            repos, actor.telegram_id, Operation.ALERT_ANSWER, Denial.NOT_OWNER, actor=actor
        )
    refused = await _not_the_asked_officer(repos, actor, question)
    return refused if refused is not None else actor
