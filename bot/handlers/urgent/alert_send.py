"""Sending alerts: an urgent report's alert goes to the coordinators at once; one nobody
acknowledges goes out again.

* :func:`report_filed` hears each filed or amended report (bot/submission.py announces it after
  the receipt; bot/app.py subscribes it) and sends the alert created with it. The alert row is
  created once (its report is a unique key) together with one delivery row per recipient, then
  the deliveries are sent. A delivery that hit a passing Telegram error stays pending and the
  re-alert job sends it on its next pass; one to somebody who blocked the bot is recorded and
  skipped.
* :func:`realert_due` (the ``urgent-realert`` job, every minute) begins a new round for each
  alert that fell due and sends whatever is still owed. Time is passed in, so tests move it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot import alerting, urgent
from bot.authority import COORDINATION, denial_of
from bot.context import BotContext, Services
from bot.handlers.common import NOT_MODIFIED, already_shows
from bot.handlers.urgent.alert_view import (
    AlertView,
    alert_keyboard,
    alert_text,
    load_view,
    translator_for,
)
from bot.submission import Filed
from storage import Report, User
from storage.alerts import AlertDelivery, AlertMessage, DeliveryStatus
from storage.bot_settings import CoordinationGroup
from storage.clock import utc_now

log = logging.getLogger(__name__)

REALERT_JOB = "urgent-realert"
REALERT_INTERVAL_SECONDS = 60
#: Passing errors (flood control, network) to one chat before its delivery is given up.
MAX_DELIVERY_ATTEMPTS = 5
#: How long a sender holds a delivery it is sending (after a crash, the next pass takes it).
DELIVERY_LEASE = timedelta(minutes=2)


async def report_filed(services: Services, bot: Bot, filed: Filed) -> None:
    """After the receipt: send the alert created with the report (the job retries what fails)."""
    if filed.alert_id is not None:
        await deliver_pending(services, bot, utc_now(), alert_ids=[filed.alert_id])


async def alert_if_urgent(services: Services, bot: Bot, report: Report, now: datetime) -> bool:
    """Create the report's alert (once, however often this runs) and send it; True if created."""
    async with services.db.transaction() as repos:
        alert_id = await alerting.create_alert(
            repos, report, services.settings.urgent_threshold_kg, now
        )
    if alert_id is None:
        return False
    await deliver_pending(services, bot, now, alert_ids=[alert_id])
    return True


async def realert_due(services: Services, bot: Bot, now: datetime) -> int:
    """Begin a new round of every unacknowledged alert that fell due, then send everything
    still owed (earlier passes' passing failures included); returns how many copies went out."""
    settings = services.settings
    async with services.db.transaction() as repos:
        for alert in await repos.alerts.unacknowledged(max_repeats=settings.alert_max_repeats):
            due = urgent.realert_is_due(
                created_at=alert.created_at,
                last_sent_at=alert.last_sent_at,
                repeats=alert.repeats,
                now=now,
                repeat_every=settings.alert_repeat,
                max_repeats=settings.alert_max_repeats,
            )
            if not due:
                continue
            round_no = await repos.alerts.begin_round(alert.id, seen_repeats=alert.repeats, now=now)
            if round_no is not None:
                await repos.alerts.add_deliveries(
                    alert.id, round_no, await alerting.recipients(repos)
                )
                log.info("urgent alert %s not acknowledged: round %s", alert.id, round_no)
    return await deliver_pending(services, bot, now)


async def deliver_pending(
    services: Services, bot: Bot, now: datetime, *, alert_ids: list[int] | None = None
) -> int:
    """Send the deliveries still owed, to every chat at once; one chat's failure or delay never
    holds up the others (each copy is retried on its own: a 429 by the rate limiter, anything
    else by the next pass)."""
    async with services.db.read() as repos:
        due = await repos.alerts.pending_deliveries(alert_ids)
        views: dict[int, AlertView] = {}
        people: dict[int, User | None] = {}
        group = await repos.settings.coordination_group()
        for delivery in due:
            if delivery.alert_id not in views:
                view = await load_view(repos, delivery.alert_id)
                assert view is not None
                views[delivery.alert_id] = view
            if delivery.user_id is not None and delivery.user_id not in people:
                people[delivery.user_id] = await repos.users.get(delivery.user_id)
        bound = group.chat_id if group is not None else None

    async def send(delivery: AlertDelivery) -> bool:
        person = people.get(delivery.user_id) if delivery.user_id is not None else None
        # Who may still receive it (a copy retried after a failure comes later): an active
        # coordinator (or admin) as they are now, or the group bound now.
        entitled = (
            denial_of(person, COORDINATION) is None
            if delivery.user_id is not None
            else delivery.chat_id == bound
        )
        if not entitled:
            await _finish(services, delivery, DeliveryStatus.FAILED)
            return False
        return await _send_copy(
            services, bot, delivery, views[delivery.alert_id], person, now, group=group
        )

    # All at once: a chat that hangs or is paused by Telegram delays nobody else's copy.
    results = await asyncio.gather(*(send(delivery) for delivery in due), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        raise failures[0]
    return sum(1 for r in results if r is True)


async def _send_copy(
    services: Services,
    bot: Bot,
    delivery: AlertDelivery,
    view: AlertView,
    person: User | None,
    now: datetime,
    *,
    group: CoordinationGroup | None = None,
) -> bool:
    async with services.db.transaction() as repos:
        claimed = await repos.alerts.claim_delivery(
            delivery.alert_id,
            delivery.round_no,
            delivery.chat_id,
            now=now,
            until=now + DELIVERY_LEASE,
        )
    if not claimed:  # another pass (or the submit that created it) is sending this one
        return False
    tr = translator_for(services, person, group)
    minutes = urgent.minutes_since(view.alert.created_at, now) if delivery.round_no else None
    text = alert_text(view, tr, services.settings.urgent_threshold_kg, reminder_minutes=minutes)
    try:
        message = await bot.send_message(
            delivery.chat_id,
            text,
            reply_markup=alert_keyboard(tr, view.alert.id, acknowledged=False),
        )
    except Forbidden as error:
        log.info("alert %s: chat %s blocked the bot (%s)", view.alert.id, delivery.chat_id, error)
        await _finish(services, delivery, DeliveryStatus.BLOCKED)
        return False
    except BadRequest as error:  # before NetworkError, its base class: this one will not pass
        log.warning("alert %s to chat %s refused: %s", view.alert.id, delivery.chat_id, error)
        await _finish(services, delivery, DeliveryStatus.FAILED)
        return False
    except (RetryAfter, NetworkError) as error:
        give_up = delivery.attempts + 1 >= MAX_DELIVERY_ATTEMPTS
        log.warning(
            "alert %s to chat %s failed (%s); %s",
            view.alert.id,
            delivery.chat_id,
            error,
            "giving up" if give_up else "left for the next pass",
        )
        if give_up:
            await _finish(services, delivery, DeliveryStatus.FAILED)
        else:
            async with services.db.transaction() as repos:
                await repos.alerts.delivery_attempted(
                    delivery.alert_id, delivery.round_no, delivery.chat_id
                )
        return False
    except TelegramError as error:
        log.warning("alert %s to chat %s failed: %s", view.alert.id, delivery.chat_id, error)
        await _finish(services, delivery, DeliveryStatus.FAILED)
        return False
    async with services.db.transaction() as repos:
        await repos.alerts.add_message(view.alert.id, message.chat_id, message.message_id)
        await repos.alerts.finish_delivery(
            delivery.alert_id, delivery.round_no, delivery.chat_id, DeliveryStatus.SENT
        )
        fresh = await load_view(repos, view.alert.id)
    if fresh is not None and fresh.alert.acknowledged:
        # Acknowledged while this copy was on its way: the acknowledgement edited the others.
        await show_acknowledged(
            services,
            bot,
            fresh,
            AlertMessage(view.alert.id, message.chat_id, message.message_id),
            person,
            group,
        )
    return True


async def _finish(services: Services, delivery: AlertDelivery, status: DeliveryStatus) -> None:
    async with services.db.transaction() as repos:
        await repos.alerts.finish_delivery(
            delivery.alert_id, delivery.round_no, delivery.chat_id, status
        )


async def show_acknowledged(
    services: Services,
    bot: Bot,
    view: AlertView,
    copy: AlertMessage,
    reader: User | None,
    group: CoordinationGroup | None = None,
    shown: object = None,
) -> bool:
    """Edit one copy to its acknowledged form; False when Telegram would not (it is logged).
    ``shown``: the copy as a tap brought it, not edited when it reads so already."""
    tr = translator_for(services, reader, group)
    text = alert_text(view, tr, services.settings.urgent_threshold_kg)
    markup = alert_keyboard(tr, view.alert.id, acknowledged=True)
    if already_shows(shown, text, markup):
        return True
    try:
        await bot.edit_message_text(
            text, chat_id=copy.chat_id, message_id=copy.message_id, reply_markup=markup
        )
    except BadRequest as error:
        if NOT_MODIFIED in str(error).lower():
            return True
        log.warning("alert %s: could not edit copy in %s: %s", view.alert.id, copy.chat_id, error)
        return False
    except TelegramError as error:
        log.warning("alert %s: could not edit copy in %s: %s", view.alert.id, copy.chat_id, error)
        return False
    return True


async def realert_job(context: BotContext) -> None:
    await realert_due(context.services, context.bot, utc_now())
