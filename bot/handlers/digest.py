"""/digest, /export and /settings, and the jobs that send the digest and the reminders.

The jobs are built from the database at start-up with fixed names and replaced when an admin
changes a time; each of them only calls the idempotent functions of bot/delivery.py, so a job
that runs twice, late, or after a restart sends nothing twice.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from html import escape

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import CommandHandler

from bot import coordination, delivery
from bot.authority import Refused
from bot.context import BotContext, FieldReportApplication
from bot.digest.jobs import IDS_LAYOUT, REPORTS_LAYOUT, PeriodExport, period_export
from bot.handlers.refusals import actor_id, refused_text, tell_refused
from bot.schedule import parse_clock
from storage import User
from storage.clock import utc_now

log = logging.getLogger(__name__)

DIGEST_JOB = "digest-daily"
REMINDER_JOB = "reminder-daily"
DELIVERY_JOB = "digest-deliveries"
DELIVERY_INTERVAL = 30.0
CATCH_UP_JOB = "digest-catch-up"
#: Seconds after the JobQueue started: the start-up tick that sends a digest missed while down.
CATCH_UP_DELAY = 1.0
EARLIEST_YEAR = 2000


def parse_day(text: str, today: date) -> date | None:
    """``28.11.2026``, ``2026-11-28``, ``28.11`` (this year); None when it is not a date."""
    text = text.strip()
    day: date | None = None
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(text, fmt).date()
            break
        except ValueError:
            continue
    if day is None:
        try:
            day = datetime.strptime(f"{text}.{today.year}", "%d.%m.%Y").date()
        except ValueError:
            return None
    # Nothing was filed before the programme; far-away years only overflow date arithmetic.
    return day if day.year >= EARLIEST_YEAR else None


async def digest_command(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    _ = context.tr.gettext
    today = utc_now().astimezone(context.settings.timezone).date()
    args = context.args or []
    day = today
    if args:
        parsed = parse_day(args[0], today) if len(args) == 1 and len(args[0]) <= 20 else None
        if parsed is None:
            await chat.send_message(
                _("Usage: /digest or /digest DD.MM.YYYY, for example /digest {example}.").format(
                    example=(today - timedelta(days=1)).strftime("%d.%m.%Y")
                )
            )
            return
        if parsed > today:
            await chat.send_message(_("That day has not come yet."))
            return
        day = parsed
    person = actor_id(update) or chat.id
    if not context.services.heavy.take(person):  # an export of theirs is being made
        await chat.send_message(_still_preparing(context))
        return
    with context.services.heavy.held(person):
        await chat.send_action(ChatAction.TYPING)
        parts = await delivery.on_demand_parts(context.services, actor_id(update), day, context.tr)
        if isinstance(parts, Refused):
            await tell_refused(update, context, parts)
            return
        for part in parts:
            await delivery.send_part(context.bot, chat.id, part, day, context.tr, show_action=True)


async def export_command(update: Update, context: BotContext) -> None:
    """``/export FROM TO`` (the reports' sheets) or ``/export ids FROM TO`` (seizure records)."""
    chat = update.effective_chat
    assert chat is not None
    _ = context.tr.gettext
    today = utc_now().astimezone(context.settings.timezone).date()
    args = list(context.args or [])
    example = {
        "first": (today - timedelta(days=7)).strftime("%d.%m.%Y"),
        "last": today.strftime("%d.%m.%Y"),
    }
    usage = _(
        "Usage: /export FROM TO, for example /export {first} {last}. "
        "Seizure records, one row per seized item: /export ids FROM TO."
    ).format(**example)
    layout = REPORTS_LAYOUT
    if args and args[0].lower() == IDS_LAYOUT:
        layout, args = IDS_LAYOUT, args[1:]
        usage = _("Usage: /export ids FROM TO, for example /export ids {first} {last}.").format(
            **example
        )
    if len(args) != 2 or any(len(arg) > 20 for arg in args):
        await chat.send_message(usage)
        return
    first, last = parse_day(args[0], today), parse_day(args[1], today)
    if first is None or last is None:
        await chat.send_message(usage)
        return
    if first > last:
        await chat.send_message(_("The first day is after the last one. Please swap them."))
        return
    limit = context.settings.export_max_days
    if (last - first).days + 1 > limit:
        await chat.send_message(
            context.tr.ngettext(
                "The period is too long: at most {limit} day.",
                "The period is too long: at most {limit} days.",
                limit,
            ).format(limit=limit)
        )
        return
    async with context.db.transaction() as repos:
        actor = await coordination.may_export(repos, actor_id(update), first, last)
    if isinstance(actor, Refused):
        await tell_refused(update, context, actor)
        return
    person = actor.telegram_id
    heavy = context.services.heavy
    if not heavy.take(person):
        await chat.send_message(_still_preparing(context))
        return
    try:
        # In the background: the person's next updates are served while the file is made.
        context.application.create_task(
            _send_export(context, chat.id, actor, first, last, layout), update=update
        )
    except BaseException:
        heavy.release(person)
        raise


async def _send_export(
    context: BotContext, chat_id: int, actor: User, first: date, last: date, layout: str
) -> None:
    """Build the period's workbook in a worker process and send it; the person may then ask
    for another. The export is audited once it reached them."""
    with context.services.heavy.held(actor.telegram_id):
        await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
        job = PeriodExport(
            context.settings.database_path,
            first,
            last,
            context.tr.language,
            context.settings.timezone,
            context.settings.urgent_threshold_kg,
            dict(context.tr.reference_names),
            layout=layout,
        )
        workbook = await context.services.workers.run(period_export, job)
        # Asked again now: building the file takes seconds, and a coordinator blocked or
        # demoted meanwhile must not receive the period's reports (the refusal is audited).
        async with context.db.transaction() as repos:
            still = await coordination.may_export(repos, actor.telegram_id, first, last)
        if isinstance(still, Refused):
            await context.bot.send_message(chat_id, refused_text(still, context.tr))
            return
        period = {
            "first": escape(context.tr.format_date(first)),
            "last": escape(context.tr.format_date(last)),
        }
        if layout == IDS_LAYOUT:
            name = f"fieldreport-ids-{first.isoformat()}-{last.isoformat()}.xlsx"
            # Translators: a file's caption, a label without a full stop (see the one above).
            caption = context.tr.ngettext(
                "{count} seizure record from {first} to {last}",
                "{count} seizure records from {first} to {last}",
                workbook.items,
            ).format(count=context.tr.format_number(workbook.items), **period)
        else:
            name = f"fieldreport-{first.isoformat()}-{last.isoformat()}.xlsx"
            # Translators: a file's caption, a label without a full stop (a date written with
            # one, "6 дек. 2026 г.", would end in two).
            caption = context.tr.ngettext(
                "{count} report from {first} to {last}",
                "{count} reports from {first} to {last}",
                workbook.reports,
            ).format(count=context.tr.format_number(workbook.reports), **period)
        await context.bot.send_document(chat_id, workbook.content, filename=name, caption=caption)
        async with context.db.transaction() as repos:
            await coordination.record_export(
                repos,
                actor,
                first,
                last,
                reports=workbook.reports,
                items=workbook.items if layout == IDS_LAYOUT else None,
            )


def _still_preparing(context: BotContext) -> str:
    return context.tr.gettext(
        "I am still preparing your previous export. Please wait until it arrives, then ask again."
    )


async def settings_command(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    _ = context.tr.gettext
    args = context.args or []
    names = {"digest": delivery.DIGEST_TIME, "reminder": delivery.REMINDER_TIME}
    if len(args) == 2 and args[0].lower() in names and parse_clock(args[1]) is not None:
        moment = parse_clock(args[1])
        assert moment is not None
        async with context.db.transaction() as repos:
            refused = await coordination.change_time(
                repos, actor_id(update), names[args[0].lower()], moment
            )
        if refused is not None:
            await tell_refused(update, context, refused)
            return
        await schedule_jobs(context.application)  # type: ignore[arg-type]
    elif args:
        await chat.send_message(
            _(
                "Usage: /settings digest HH:MM or /settings reminder HH:MM, "
                "for example /settings digest 08:00."
            )
        )
        return
    async with context.db.transaction() as repos:
        refused = await coordination.check_settings_reader(repos, actor_id(update))
        digest_time, reminder_time = await delivery.configured_times(repos)
    if refused is not None:
        await tell_refused(update, context, refused)
        return
    await chat.send_message(
        _(
            "Daily digest: {digest}. Reminder to units that have not filed: {reminder} "
            "({timezone})."
        ).format(
            digest=digest_time.strftime("%H:%M"),
            reminder=reminder_time.strftime("%H:%M"),
            timezone=escape(str(context.settings.timezone)),
        )
        + "\n"
        + _("To change them: /settings digest HH:MM or /settings reminder HH:MM.")
    )


# -- jobs ----------------------------------------------------------------------------------------
async def digest_job(context: BotContext) -> None:
    now = utc_now()
    await delivery.make_due_run(context.services, now)
    await delivery.deliver_due(context.services, context.bot, now)


async def reminder_job(context: BotContext) -> None:
    await delivery.send_reminders(context.services, context.bot, utc_now())


async def schedule_jobs(application: FieldReportApplication) -> None:
    """(Re)build the named jobs from the times stored in the database."""
    queue = application.job_queue
    if queue is None or not application.services.settings.run_jobs:
        return
    async with application.services.db.read() as repos:
        digest_time, reminder_time = await delivery.configured_times(repos)
    tz = application.services.settings.timezone
    for name in (DIGEST_JOB, REMINDER_JOB):
        for job in queue.get_jobs_by_name(name):
            job.schedule_removal()
    queue.run_daily(digest_job, _aware(digest_time, tz), name=DIGEST_JOB)
    queue.run_daily(reminder_job, _aware(reminder_time, tz), name=REMINDER_JOB)
    if not queue.get_jobs_by_name(DELIVERY_JOB):
        # Retries failed deliveries; the first tick is schedule_catch_up's, once the queue runs.
        queue.run_repeating(
            digest_job, interval=DELIVERY_INTERVAL, first=DELIVERY_INTERVAL, name=DELIVERY_JOB
        )


def schedule_catch_up(application: FieldReportApplication) -> None:
    """Tick once right after the JobQueue started: a digest missed while the bot was down
    goes out at once. Timed from the start, not from initialize(): a first run time that
    passed during a slow start-up (deleteWebhook retried) would be skipped as a misfire."""
    queue = application.job_queue
    if queue is None or not application.services.settings.run_jobs:
        return
    queue.run_once(digest_job, when=CATCH_UP_DELAY, name=CATCH_UP_JOB)


def _aware(moment: time, tz: object) -> time:
    return moment.replace(tzinfo=tz)  # type: ignore[arg-type]


def register(application: FieldReportApplication) -> None:
    application.add_handler(CommandHandler("digest", digest_command))
    application.add_handler(CommandHandler("export", export_command))
    application.add_handler(CommandHandler("settings", settings_command))
