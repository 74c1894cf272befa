"""The report form's housekeeping jobs: discard drafts left untouched too long (telling their
authors), and forget applied updates once no redelivery can come."""

from __future__ import annotations

import logging

from bot import once
from bot.context import BotContext
from bot.handlers.report.draft_view import expired_notice
from bot.i18n import resolve_language
from storage.clock import utc_now

log = logging.getLogger(__name__)


async def expire_drafts(context: BotContext) -> None:
    """Job: discard drafts untouched for ``DRAFT_TTL_HOURS`` and tell their authors."""
    cutoff = utc_now() - context.settings.draft_ttl
    async with context.db.transaction() as repos:
        expired = await repos.drafts.older_than(cutoff)
        notices = []
        for stored in expired:
            if await repos.drafts.delete_if(stored.user_id, stored.draft_id):
                user = await repos.users.get(stored.user_id)
                if user is not None and user.is_active:
                    notices.append((user, stored.form))
    for user, form_key in notices:
        context.tr = context.services.catalogs.translator(
            resolve_language(
                user.language, user.telegram_language, context.settings.default_language
            )
        )
        try:
            await context.bot.send_message(user.telegram_id, expired_notice(context, form_key))
        except Exception:  # one unreachable officer must not stop the others' notices
            log.exception("could not tell user %s that their draft expired", user.telegram_id)


async def forget_applied_updates(context: BotContext) -> None:
    """Job: keep the record of applied updates only as long as a redelivery can come."""
    await once.forget_old(context.db, utc_now())
