"""Letting one update past the gate as if it had seen someone else, and reading the audit log and an
account afterwards: what the tests of the lock behind the gate share."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.context import BotContext, FieldReportApplication
from bot.i18n import resolve_language
from storage import AuditEntry, User

GATE_GROUP = -1


def leak_gate_once(app: FieldReportApplication, telegram_id: int, seen: User | None) -> list[int]:
    """Make the gate let the next update of ``telegram_id`` through, as if it had seen ``seen``
    (an admin an instant before a demotion; nobody, for a stranger): what happens when the
    gate's refusal fails or the role changes between the gate and the act."""
    leaked: list[int] = []
    catalogs, default = app.services.catalogs, app.services.settings.default_language
    for handler in app.handlers[GATE_GROUP]:
        real = handler.callback

        async def leaky(update: Update, context: BotContext, real: Any = real) -> None:
            person = update.effective_user
            if person is not None and person.id == telegram_id and not leaked:
                leaked.append(update.update_id)
                language = resolve_language(
                    seen.language if seen else None, person.language_code, default
                )
                context.tr = catalogs.translator(language)
                context.account = seen
                return
            if update.update_id in leaked:
                return
            await real(update, context)

        handler.callback = leaky
    return leaked


async def audit(app: FieldReportApplication) -> list[AuditEntry]:
    async with app.services.db.read() as repos:
        return list(reversed(await repos.audit.latest(500)))


async def account(app: FieldReportApplication, telegram_id: int) -> User:
    async with app.services.db.read() as repos:
        found = await repos.users.get_by_telegram_id(telegram_id)
    assert found is not None
    return found
