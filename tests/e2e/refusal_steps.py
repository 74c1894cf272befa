"""The people the gate refuses and their standing, a bot run with the refusals' faults injected, and
the Bot API calls made since a point: what the fail-closed tests of the gate share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

from telegram.request import HTTPXRequest

from bot.app import build_application
from bot.config import Settings
from bot.context import FieldReportApplication
from bot.standin import StandIn, TgChat, TgUser
from storage import Role
from storage.bot_settings import COORDINATION_GROUP
from storage.clock import utc_now
from tests.e2e.conftest import SeedUser

#: Short enough that a "slow" answer is a timeout, long enough for a loaded machine's normal
#: answers from a local stand-in.
READ_TIMEOUT = 1.0

OFFICER = TgUser(id=9302, first_name="Officer", language_code="en")
SUSPENDED_ADMIN = TgUser(id=9303, first_name="Former", language_code="en")
ADMIN = TgUser(id=9304, first_name="Admin", language_code="en")
GROUP = TgChat(id=-100777, type="supergroup", title="Duty group")


@asynccontextmanager
async def running(settings: Settings, **overrides: Any) -> AsyncIterator[FieldReportApplication]:
    """The bot, polling, with a short read timeout so a slow answer is a timeout."""
    request = HTTPXRequest(connection_pool_size=32, read_timeout=READ_TIMEOUT)
    app = build_application(replace(settings, **overrides), request=request)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


@dataclass(frozen=True)
class Standing:
    """Everything a refused update could have changed."""

    audit: tuple[str, ...]
    open_invitations: int
    group: str | None
    users: int

    @staticmethod
    async def of(app: FieldReportApplication) -> Standing:
        async with app.services.db.read() as repos:
            audit = await repos.audit.latest(500)
            return Standing(
                audit=tuple(entry.action for entry in audit),
                open_invitations=await repos.invites.count_open(now=utc_now()),
                group=await repos.settings.get(COORDINATION_GROUP),
                users=await repos.users.count(),
            )


def calls_since(tg: StandIn, start: int) -> list[str]:
    return [name for name, _ in tg.calls[start:] if name != "getUpdates"]


async def seed_everybody(tg: StandIn, seed_user: SeedUser) -> None:
    await seed_user(OFFICER, Role.OFFICER, "IMT-TER")
    await seed_user(SUSPENDED_ADMIN, Role.ADMIN, None, blocked=True)
    await seed_user(ADMIN, Role.ADMIN, None)
    tg.add_chat(GROUP)


# --- the gate's own failures ------------------------------------------------------------------

APOLOGY = "Sorry, something went wrong on our side. Please try again in a moment."
