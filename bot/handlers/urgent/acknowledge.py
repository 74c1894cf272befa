"""A coordinator's "Acknowledge" under an alert: every copy of the alert shows who acknowledged
it, and the officer who filed the report is told.
"""

from __future__ import annotations

import logging
from html import escape

from telegram import Update
from telegram.error import TelegramError

from bot import alerting
from bot.authority import Refused
from bot.context import BotContext
from bot.handlers.common import stale_button
from bot.handlers.refusals import actor_id, tell_refused
from bot.handlers.urgent.alert_send import show_acknowledged
from bot.handlers.urgent.alert_view import load_view, person_name, translator_for
from storage import User
from storage.clock import utc_now

log = logging.getLogger(__name__)


async def acknowledge(update: Update, context: BotContext, account: User, alert_id: int) -> None:
    """The tapped copy first, then the other copies, then the officer (once, on the first
    acknowledgement)."""
    query = update.callback_query
    assert query is not None
    services = context.services
    async with context.db.transaction() as repos:
        acked = await alerting.acknowledge(repos, actor_id(update), alert_id, now=utc_now())
        first = isinstance(acked, alerting.Acknowledgement) and acked.first
        view = (
            await load_view(repos, alert_id)
            if isinstance(acked, alerting.Acknowledgement)
            else None
        )
        copies = await repos.alerts.messages(alert_id) if view else []
        readers = {c.chat_id: await repos.users.get_by_telegram_id(c.chat_id) for c in copies}
        group = await repos.settings.coordination_group()
        author = await repos.users.get(view.report.author_id) if view else None
    if isinstance(acked, Refused):
        await tell_refused(update, context, acked)
        return
    if view is None:
        await stale_button(update, context)
        return
    tapped = query.message
    where = (tapped.chat.id, tapped.message_id) if tapped is not None else None
    mine = [c for c in copies if (c.chat_id, c.message_id) == where]
    others = [c for c in copies if (c.chat_id, c.message_id) != where]
    # The tapped copy first, so the spinner stops on the result; then the other copies.
    for copy in mine:
        await show_acknowledged(
            services, context.bot, view, copy, readers.get(copy.chat_id), group, shown=tapped
        )
    _ = context.tr.gettext
    if not first:
        await query.answer(
            _("Already acknowledged by {name} at {time}.").format(
                name=person_name(view.acknowledger),
                time=context.tr.format_datetime(view.alert.acknowledged_at or utc_now(), "short"),
            ),
            show_alert=True,
        )
        return
    await query.answer(_("Acknowledged. The officer will be told."))
    log.info("alert %s acknowledged by user %s", alert_id, account.id)
    for copy in others:
        await show_acknowledged(services, context.bot, view, copy, readers.get(copy.chat_id), group)
    if author is not None and author.is_active:
        tr = translator_for(services, author)
        assert view.alert.acknowledged_at is not None
        notice = "✅ " + tr.gettext(
            "Your report {number} was acknowledged by {name} at {time}."
        ).format(
            number=f"<b>{escape(view.report.number)}</b>",
            name=escape(person_name(view.acknowledger)),
            time=escape(tr.format_datetime(view.alert.acknowledged_at, "short")),
        )
        try:
            await context.bot.send_message(author.telegram_id, notice)
        except TelegramError as error:
            log.warning("could not tell officer %s of the acknowledgement: %s", author.id, error)
