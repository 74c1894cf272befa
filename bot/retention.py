"""Retention: personal data is kept ``RETENTION_DAYS`` (default: for ever), the figures for good.

Detainee details, photos and free text are personal data; the programme's statistics are not.
Once a report was submitted longer ago than the period, a daily job (and one run at start-up)
removes from it, from every stored version of it, and from its photos:

============================  ===================================================================
gone                          why
============================  ===================================================================
every typed (TEXT) answer     notes, case reference, a joint operation's result, an incident's
                              description, remarks: free text that names people and cases
photos                        the ``photos`` answer and the report's attachments (Telegram file
                              ids: whoever holds one can fetch the picture)
nationalities                 the detained persons' citizenship (``nations``)
a typed place name            the place answer when it was typed, and ``place_text`` with it
============================  ===================================================================

Kept, because the digest, ``/export``, ``/export ids``, ``/routes`` and the map count them: the
number, form, unit, author, reporting day, times, status, urgency, the seized items (drug,
quantity, measure, normalised quantity, kilogram factor), the number of persons detained, the
route countries, concealment, transport, agencies, an incident's category, a joint operation's
counts, the coordinates and their precision (a shared location, a crossing point or the unit's),
and a crossing point's name (reference data, not typed). The report records which answers went
and after how many days, and every view shows "removed after N days" in their place.

Also within the period: coordinators' questions about urgent reports and the officers' answers
(their text becomes a dash; that they were asked and answered stays), drafts untouched for that
long, and updates the webhook recorded (storage/retention.py). People whose access has been
suspended for that long lose their name and username (shown by their Telegram id from then on).
Not touched: the audit log (who did what, by Telegram id; its details never hold content),
applied updates (keys only, pruned after a day: bot/once.py), PTB's stored state (message ids
and an admin's open question, no report data) and reference data (units, crossing points).

Each run is audited (``retention.applied``) with its counts, never with content. The work is
done in batches, each a short transaction of its own (storage/retention.py).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.forms.definitions import FORMS, NATIONALITIES
from bot.forms.model import Form, Kind
from bot.i18n import Translator
from storage.clock import utc_now
from storage.db import Database
from storage.models import Report
from storage.retention import (
    AnswerRemoval,
    ReportsDone,
    drop_blocked_profiles_sync,
    empty_write_ahead_log_sync,
    forget_drafts_sync,
    forget_received_updates_sync,
    remove_from_reports_sync,
    remove_question_texts_sync,
)

if TYPE_CHECKING:  # the exports import the markers below: no bot machinery for them
    from bot.context import BotContext, FieldReportApplication

log = logging.getLogger(__name__)

JOB = "retention"
#: Seconds after the JobQueue started: the start-up run (then one a day from it).
FIRST_RUN_DELAY = 3.0
INTERVAL = timedelta(days=1)
#: Rows per transaction: small enough that an update never waits long behind a batch.
BATCH = 200


def personal_answers(form: Form) -> AnswerRemoval:
    """What of a report on ``form`` is personal data (the table in the module docstring)."""
    keys = tuple(
        spec.key
        for spec in form.fields
        if spec.kind in (Kind.TEXT, Kind.PHOTOS) or spec.options == NATIONALITIES
    )
    return AnswerRemoval(keys=keys, typed_place=form.place_field)


#: Per form key, read once: forms are data that never change at run time.
REMOVALS: dict[str, AnswerRemoval] = {key: personal_answers(form) for key, form in FORMS.items()}


def removed_text(days: int, tr: Translator) -> str:
    """What stands where an answer was removed: ``removed after 90 days``."""
    # Translators: in place of an answer (notes, photos, nationalities…) that was deleted
    # because the report is older than the retention period.
    return tr.ngettext("removed after {days} day", "removed after {days} days", days).format(
        days=days
    )


def removed_answers(report: Report, tr: Translator) -> dict[str, str]:
    """The report's removed answers (field keys), each with its marker; {} when none were."""
    if report.removal is None:
        return {}
    marker = removed_text(report.removal.after_days, tr)
    return {key: marker for key in report.removal.fields}


@dataclass(frozen=True)
class RetentionRun:
    """What one run removed: counts only (they go into the audit log)."""

    days: int
    reports: int = 0
    photos: int = 0
    versions: int = 0
    questions: int = 0
    drafts: int = 0
    updates: int = 0
    profiles: int = 0


async def apply_retention(db: Database, days: int, now: datetime) -> RetentionRun:
    """Remove what is older than ``days`` at ``now``, batch by batch; audit the run."""
    before = now - timedelta(days=days)
    done = ReportsDone()
    while True:
        batch = await db.run_transaction(
            remove_from_reports_sync, REMOVALS, before=before, after_days=days, now=now, limit=BATCH
        )
        done = ReportsDone(
            done.reports + batch.reports,
            done.photos + batch.photos,
            done.versions + batch.versions,
        )
        if batch.reports < BATCH:
            break
    others = {}
    for name, step in (
        ("questions", remove_question_texts_sync),
        ("drafts", forget_drafts_sync),
        ("updates", forget_received_updates_sync),
        ("profiles", drop_blocked_profiles_sync),
    ):
        total = 0
        while True:
            changed = await db.run_transaction(step, before=before, limit=BATCH)
            total += changed
            if changed < BATCH:
                break
        others[name] = total
    await db.run_read(empty_write_ahead_log_sync)
    run = RetentionRun(days, done.reports, done.photos, done.versions, **others)
    async with db.transaction() as repos:
        await repos.audit.add(
            "retention.applied",
            actor_telegram_id=None,
            target=before.date().isoformat(),
            details=asdict(run),
            now=now,
        )
    log.info(
        "retention: %d report(s), %d photo(s), %d version(s), %d question(s), %d draft(s),"
        " %d update(s), %d profile(s) older than %d days",
        run.reports,
        run.photos,
        run.versions,
        run.questions,
        run.drafts,
        run.updates,
        run.profiles,
        days,
    )
    return run


async def retention_job(context: BotContext) -> None:
    days = context.services.settings.retention_days
    if days is not None:
        await apply_retention(context.services.db, days, utc_now())


def schedule_retention(application: FieldReportApplication) -> None:
    """Run at start-up (once the JobQueue runs) and every day after; nothing when
    ``RETENTION_DAYS`` is unset or this replica runs no jobs."""
    queue = application.job_queue
    settings = application.services.settings
    if queue is None or not settings.run_jobs or settings.retention_days is None:
        return
    if not queue.get_jobs_by_name(JOB):
        queue.run_repeating(retention_job, interval=INTERVAL, first=FIRST_RUN_DELAY, name=JOB)
