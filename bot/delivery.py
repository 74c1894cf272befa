"""The scheduled digest and the reminders: made once, delivered once to each recipient.

A digest run is recorded with the reports that belong to it in one transaction; each recipient
gets a delivery row that records how many parts (text messages, spreadsheet, chart, map) went
out.
After a crash the next pass sends only what is missing; Telegram errors are retried with
backoff honouring ``retry_after``; a recipient who blocked the bot is recorded and skipped.
Every function takes ``now``: tests move time instead of waiting.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot import callbacks
from bot.authority import COORDINATION, Operation, Refused, acting, denial_of
from bot.context import Services
from bot.coordination import group_language
from bot.digest.build import build_digest, day_stats
from bot.digest.figures import DayStats, Digest
from bot.digest.jobs import DayFiles, day_files
from bot.digest.map_data import map_caption, read_seizure_map
from bot.digest.text import empty_day_text, render_group_text, render_text
from bot.handlers.common import split_lines
from bot.i18n import Translator, resolve_language
from bot.schedule import (
    DEFAULT_DIGEST_TIME,
    DEFAULT_REMINDER_TIME,
    latest_due_digest_day,
    parse_clock,
    retry_delay,
)
from storage import Repositories, Role, Unit
from storage.models import Report

log = logging.getLogger(__name__)

DIGEST_TIME = "digest_time"
REMINDER_TIME = "reminder_time"
MAX_ATTEMPTS = 8
HISTORY_DAYS = 7


async def configured_times(repos: Repositories) -> tuple[time, time]:
    digest = parse_clock(await repos.settings.get(DIGEST_TIME) or "") or DEFAULT_DIGEST_TIME
    reminder = parse_clock(await repos.settings.get(REMINDER_TIME) or "") or DEFAULT_REMINDER_TIME
    return digest, reminder


def stats_to_json(stats: DayStats) -> str:
    return json.dumps(
        {
            k: (str(v) if isinstance(v, Decimal | date) else v)
            for k, v in dataclasses.asdict(stats).items()
        }
    )


def stats_from_json(text: str) -> DayStats:
    data: dict[str, Any] = json.loads(text)
    return DayStats(
        day=date.fromisoformat(data["day"]),
        reports=int(data["reports"]),
        seizures=int(data["seizures"]),
        persons_detained=int(data["persons_detained"]),
        kg_seized=Decimal(data["kg_seized"]),
    )


async def digest_for(
    repos: Repositories, day: date, *, scheduled: bool, threshold_kg: Decimal
) -> tuple[Digest, list[Report], list[Unit], list[DayStats]]:
    """The digest of ``day``: a scheduled run's own reports, or (on demand) the day's reports."""
    if scheduled:
        reports = await repos.reports.by_digest_day(day)
    else:
        reports = await repos.reports.by_local_day(day)
    units = await repos.units.list()
    history = [
        stats_from_json(text) for _, text in await repos.digests.stats_before(day, HISTORY_DAYS)
    ]
    digest = build_digest(day, reports, units, history, urgent_threshold_kg=threshold_kg)
    return digest, reports, units, history


async def make_due_run(services: Services, now: datetime) -> date | None:
    """Create the most recent digest run that has fallen due, once; its day, or None."""
    tz = services.settings.timezone
    async with services.db.transaction() as repos:
        digest_time, _ = await configured_times(repos)
        day = latest_due_digest_day(now, digest_time, tz)
        if not await repos.digests.has_runs() and not await repos.digests.unassigned(day):
            return None  # a new installation: no digest of days before it had any report
        if not await repos.digests.create_run(day, now=now):
            return None
        assigned = await repos.digests.assign_reports(day)
        digest, _, _, _ = await digest_for(
            repos, day, scheduled=True, threshold_kg=services.settings.urgent_threshold_kg
        )
        await repos.digests.set_stats(day, stats_to_json(day_stats(digest)))
        default = services.settings.default_language
        for user in await repos.users.active_by_role(Role.COORDINATOR):
            language = resolve_language(user.language, user.telegram_language, default)
            await repos.digests.add_delivery(
                day, user.telegram_id, language=language, is_group=False, now=now
            )
        group = await repos.settings.coordination_group()
        if group is not None:
            await repos.digests.add_delivery(
                day,
                group.chat_id,
                language=group_language(group, default),
                is_group=True,
                now=now,
            )
        await repos.audit.add(
            "digest.created",
            actor_telegram_id=None,
            target=day.isoformat(),
            details={"reports": assigned},
        )
    log.info("digest run %s created with %d reports", day, assigned)
    return day


async def digest_parts(
    services: Services, day: date, tr: Translator, *, group: bool, scheduled: bool
) -> list[tuple[str, Any]]:
    """What a recipient receives, in order: text chunks, the spreadsheet, the chart, the map."""
    async with services.db.read() as repos:
        found = await digest_for(
            repos, day, scheduled=scheduled, threshold_kg=services.settings.urgent_threshold_kg
        )
    return await _parts(services, found, tr, group=group)


async def on_demand_digest(
    repos: Repositories, actor_telegram_id: int | None, day: date, *, threshold_kg: Decimal
) -> tuple[Digest, list[Report], list[Unit], list[DayStats]] | Refused:
    """``/digest [day]``: the actor checked, the day read and the reading audited together."""
    actor = await acting(repos, actor_telegram_id, Operation.DIGEST, target=day.isoformat())
    if isinstance(actor, Refused):
        return actor
    found = await digest_for(repos, day, scheduled=False, threshold_kg=threshold_kg)
    await repos.audit.add(
        "digest.on_demand",
        actor_telegram_id=actor.telegram_id,
        target=day.isoformat(),
        details={"reports": len(found[1])},
    )
    return found


async def on_demand_parts(
    services: Services, actor_telegram_id: int | None, day: date, tr: Translator
) -> list[tuple[str, Any]] | Refused:
    """What ``/digest [day]`` sends, or the refusal (see :func:`on_demand_digest`)."""
    async with services.db.transaction() as repos:
        found = await on_demand_digest(
            repos, actor_telegram_id, day, threshold_kg=services.settings.urgent_threshold_kg
        )
    if isinstance(found, Refused):
        return found
    parts = await _parts(services, found, tr, group=False)
    # Asked again now: the files wait for the worker (behind other people's exports), and a
    # coordinator blocked or demoted meanwhile must not receive the day (refusal audited).
    async with services.db.transaction() as repos:
        still = await acting(repos, actor_telegram_id, Operation.DIGEST, target=day.isoformat())
    return still if isinstance(still, Refused) else parts


async def _parts(
    services: Services,
    found: tuple[Digest, list[Report], list[Unit], list[DayStats]],
    tr: Translator,
    *,
    group: bool,
) -> list[tuple[str, Any]]:
    digest, reports, units, history = found
    if not reports:
        # Nothing to tabulate or draw: one line instead of an empty spreadsheet and chart.
        return [("text", empty_day_text(digest, tr))]
    units_by_id = {unit.id: unit for unit in units}
    lines = (render_group_text if group else render_text)(digest, tr, units_by_id)
    parts: list[tuple[str, Any]] = [("text", chunk) for chunk in split_lines(lines)]
    async with services.db.read() as repos:
        seizures = await read_seizure_map(repos, digest.day, tr.language)
    # Spreadsheet, chart and map take up to seconds of CPU: in a worker process (bot/workers.py).
    spreadsheet, chart, drawn = await services.workers.run(
        day_files,
        DayFiles(
            digest,
            reports,
            units,
            history,
            tr.language,
            services.settings.timezone,
            dict(tr.reference_names),
            seizures,
        ),
    )
    parts.append(("xlsx", spreadsheet))
    parts.append(("chart", chart))
    if drawn is not None:
        parts.append(("map", (drawn, map_caption(seizures, tr))))
    return parts


async def send_part(
    bot: Bot,
    chat_id: int,
    part: tuple[str, Any],
    day: date,
    tr: Translator,
    *,
    show_action: bool = False,
) -> None:
    kind, payload = part
    if kind == "text":
        await bot.send_message(chat_id, payload)
    elif kind == "xlsx":
        if show_action:  # somebody is waiting for it; a broadcast spends no message on this
            await bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
        await bot.send_document(
            chat_id,
            payload,
            filename=f"fieldreport-{day.isoformat()}.xlsx",
            caption=tr.gettext("Reports of {day}").format(day=tr.format_date(day, "long")),
        )
    elif kind == "map":
        picture, caption = payload
        await bot.send_photo(chat_id, picture, caption=caption)
    else:
        await bot.send_photo(
            chat_id,
            payload,
            caption=tr.gettext("Daily digest for {date}").format(date=tr.format_date(day, "long")),
        )


async def deliver_due(services: Services, bot: Bot, now: datetime) -> int:
    """Send every delivery that is due; returns how many were completed."""
    async with services.db.read() as repos:
        due = await repos.digests.due_deliveries(now)
    completed = 0
    cache: dict[tuple[date, str, bool], list[tuple[str, Any]]] = {}
    for delivery in due:
        async with services.db.read() as repos:
            entitled = await still_entitled(repos, delivery.chat_id, is_group=delivery.is_group)
        if not entitled:
            async with services.db.transaction() as repos:
                await repos.digests.finish(
                    delivery.day,
                    delivery.chat_id,
                    status="failed",
                    now=now,
                    error="the recipient may no longer receive the digest",
                )
            log.info("digest %s: chat %s may no longer receive it", delivery.day, delivery.chat_id)
            continue
        tr = services.catalogs.translator(delivery.language)
        key = (delivery.day, delivery.language, delivery.is_group)
        if key not in cache:
            cache[key] = await digest_parts(
                services, delivery.day, tr, group=delivery.is_group, scheduled=True
            )
        parts = cache[key]
        sent = delivery.parts_sent
        try:
            for part in parts[sent:]:
                await send_part(bot, delivery.chat_id, part, delivery.day, tr)
                sent += 1
                async with services.db.transaction() as repos:
                    await repos.digests.record_part(delivery.day, delivery.chat_id, sent)
        except Forbidden as error:
            async with services.db.transaction() as repos:
                await repos.digests.finish(
                    delivery.day, delivery.chat_id, status="blocked", now=now, error=str(error)
                )
            log.info("digest %s: chat %s blocked the bot", delivery.day, delivery.chat_id)
            continue
        except (RetryAfter, NetworkError, BadRequest) as error:
            retry_after = error.retry_after if isinstance(error, RetryAfter) else None
            wait = retry_delay(delivery.attempts + 1, _seconds(retry_after))
            give_up = delivery.attempts + 1 >= MAX_ATTEMPTS or isinstance(error, BadRequest)
            async with services.db.transaction() as repos:
                await repos.digests.retry_later(
                    delivery.day,
                    delivery.chat_id,
                    error=str(error),
                    next_attempt_at=now + wait,
                    give_up=give_up,
                )
            log.warning(
                "digest %s to %s failed (%s); retry in %s",
                delivery.day,
                delivery.chat_id,
                error,
                wait,
            )
            continue
        except TelegramError as error:
            # Any other refusal (a group upgraded to a supergroup: ChatMigrated…) ends this
            # delivery only; escaping would stop every later recipient's digest, on every tick.
            async with services.db.transaction() as repos:
                await repos.digests.finish(
                    delivery.day, delivery.chat_id, status="failed", now=now, error=str(error)
                )
            log.warning("digest %s to %s refused (%s)", delivery.day, delivery.chat_id, error)
            continue
        async with services.db.transaction() as repos:
            await repos.digests.finish(delivery.day, delivery.chat_id, status="sent", now=now)
        completed += 1
    return completed


async def still_entitled(repos: Repositories, chat_id: int, *, is_group: bool) -> bool:
    """Whether ``chat_id`` may still receive what was addressed to it when its delivery was
    made (a digest run, an alert round): an active coordinator (or admin), or the group bound
    now. A retry after a failed send can come hours later, after a block or an unbinding."""
    if is_group:
        group = await repos.settings.coordination_group()
        return group is not None and group.chat_id == chat_id
    person = await repos.users.get_by_telegram_id(chat_id)
    return denial_of(person, COORDINATION) is None


def _seconds(retry_after: float | timedelta | None) -> float | None:
    if retry_after is None:
        return None
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)


async def send_reminders(services: Services, bot: Bot, now: datetime) -> int:
    """Remind every active officer of an active unit that filed nothing today, once a day."""
    tz = services.settings.timezone
    today = now.astimezone(tz).date()
    default = services.settings.default_language
    async with services.db.transaction() as repos:
        _, reminder_time = await configured_times(repos)
        if now.astimezone(tz).time() < reminder_time:
            return 0
        filed = {
            r.unit_id
            for r in await repos.reports.by_local_day(today)
            if r.status.value == "submitted"
        }
        already = await repos.digests.reminded(today)
        targets = []
        for unit in await repos.units.list(active_only=True):
            if unit.id in filed:
                continue
            for officer in await repos.users.active_officers_of_unit(unit.id):
                if officer.id not in already and await repos.digests.record_reminder(
                    today, officer.id, now=now
                ):
                    targets.append(officer)
    for officer in targets:
        tr = services.catalogs.translator(
            resolve_language(officer.language, officer.telegram_language, default)
        )
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        tr.gettext("File a report"), callback_data=callbacks.pack("rep", "menu")
                    )
                ],
                [
                    InlineKeyboardButton(
                        tr.gettext("Nothing to report today"),
                        callback_data=callbacks.pack("rep", "new", "daily_status"),
                    )
                ],
            ]
        )
        try:
            await bot.send_message(
                officer.telegram_id,
                tr.gettext(
                    "Your unit has not filed a report today. Please file one, "
                    "or send the daily status if there is nothing to report."
                ),
                reply_markup=keyboard,
            )
        except TelegramError as error:  # one unreachable officer must not stop the others
            log.warning("reminder to %s failed: %s", officer.telegram_id, error)
    return len(targets)
