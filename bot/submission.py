"""Filing a finished draft: the report (or its amendment) stored with its urgent alert in one
transaction, then announced to whoever subscribed.

The report form (bot/handlers/report/) asks :func:`submit_draft`, sends the receipt, then
announces the filing through ``Services.filings``; the urgent lane subscribes to send the alert
created with the report (bot/app.py wires it). So the form never calls the urgent lane, and the
urgent lane never reaches into the form: each knows only these rules.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import alerting, filing, locating, own_reports
from bot.config import Settings
from bot.equivalents import Factors
from bot.forms.model import Form
from bot.forms.state import Draft
from storage import Repositories, User
from storage.models import Report


@dataclass(frozen=True)
class Filed:
    """A draft that is a stored report now (filed by this submission or by an earlier delivery
    of the same tap)."""

    report: Report
    amended: bool
    #: The urgent alert created with it, to send now; None: not urgent, alerted before (one
    #: alert per report), or stored by an earlier delivery.
    alert_id: int | None


@dataclass(frozen=True)
class NotAmendable:
    """The amended report is no longer the author's to amend (withdrawn, past the window)."""


FiledListener = Callable[[Filed], Awaitable[None]]


class Filings:
    """Who is told of each report filed or amended, once its transaction committed."""

    def __init__(self) -> None:
        self._listeners: list[FiledListener] = []

    def subscribe(self, listener: FiledListener) -> None:
        self._listeners.append(listener)

    async def announce(self, filed: Filed) -> None:
        """Every listener hears it, even when one before it failed (the first error is raised
        after the others ran: an alert is never held back by another subscriber)."""
        failure: BaseException | None = None
        for listener in self._listeners:
            try:
                await listener(filed)
            except Exception as error:
                failure = failure or error
        if failure is not None:
            raise failure


async def refusal(repos: Repositories, telegram_id: int) -> filing.Refusal | None:
    """Why this person may not file now: their account and unit as they are now, in the
    caller's transaction (the gate's copy may be stale)."""
    current = await repos.users.get_by_telegram_id(telegram_id)
    unit = await repos.units.get(current.unit_id) if current and current.unit_id else None
    return filing.may_file(current, unit) if current else filing.Refusal.NOT_OFFICER


async def submit_draft(
    repos: Repositories,
    account: User,
    form: Form,
    draft: Draft,
    answers: dict[str, Any],
    *,
    settings: Settings,
    now: datetime,
) -> Filed | filing.Refusal | NotAmendable:
    """Store the draft's report (or amendment) with its alert, in the caller's transaction;
    the draft goes with it. The same draft submitted again finds its report stored."""
    threshold = settings.urgent_threshold_kg
    report = await repos.reports.get_by_idempotency_key(draft.draft_id)
    alert_id: int | None = None
    if report is None and draft.amends is not None:
        report = await _amend(repos, account, form, draft, answers, settings=settings, now=now)
        if report is None:
            await repos.drafts.delete_if(account.id, draft.draft_id)
            return NotAmendable()
        # An amendment that makes the report urgent (marked, or a seizure now over the
        # threshold) alerts like a new report; a report alerted before is not alerted again.
        alert_id = await alerting.create_alert(repos, report, threshold, now)
    elif report is None:
        refused = await refusal(repos, account.telegram_id)
        if refused is not None:
            return refused
        # Filed for the unit just checked (now), not the gate's snapshot's.
        current = await repos.users.get_by_telegram_id(account.telegram_id)
        assert current is not None and current.unit_id is not None
        report = await repos.reports.create(
            filing.new_report(
                form,
                answers,
                draft_id=draft.draft_id,
                author=current,
                unit_id=current.unit_id,
                now=now,
                timezone=settings.timezone,
                # Read in this transaction: what the report is filed with is stored.
                factors=Factors.from_rows(await repos.factors.list()),
                placement=await locating.placement(repos, form, answers, current.unit_id),
            )
        )
        await repos.audit.add(
            "report.submitted", actor_telegram_id=account.telegram_id, target=report.number
        )
        alert_id = await alerting.create_alert(repos, report, threshold, now)
    await repos.drafts.delete_if(account.id, draft.draft_id)
    return Filed(report, amended=draft.amends is not None, alert_id=alert_id)


async def _amend(
    repos: Repositories,
    account: User,
    form: Form,
    draft: Draft,
    answers: dict[str, Any],
    *,
    settings: Settings,
    now: datetime,
) -> Report | None:
    assert draft.amends is not None
    if await repos.reports.get_version_by_idempotency_key(draft.draft_id) is not None:
        return await repos.reports.get(draft.amends)
    # The author and their role as they are now (rules layer): only their own, in the window.
    found = await own_reports.amendable(
        repos, account.telegram_id, draft.amends, now=now, window=settings.amend_window
    )
    if not isinstance(found, own_reports.Own):
        return None
    current = found.report
    # Amending keeps the factors the report was filed with (its kilogram equivalents stay).
    factors = Factors.from_rows(await repos.factors.list()).keeping(current.items)
    placed = await locating.placement(repos, form, dict(answers), current.unit_id)
    report = await repos.reports.amend(
        current.id,
        filing.report_changes(form, dict(answers), factors, placed),
        amended_by=account.id,
        idempotency_key=draft.draft_id,
        now=now,
    )
    await repos.audit.add(
        "report.amended", actor_telegram_id=account.telegram_id, target=report.number
    )
    return report
