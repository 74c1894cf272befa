"""The digest lane's people, group and reports, shared by the digest's end-to-end tests and
those that need a digest day (group language, HTML replies, review of step 6): two
coordinators, two officers, the coordination group, a report filed on a given local day."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.standin import StandIn, TgChat, TgUser
from storage import Role
from storage.bot_settings import COORDINATION_GROUP
from storage.models import NewReport, NewSeizureItem
from tests.e2e.conftest import SeedUser

TASHKENT = ZoneInfo("Asia/Tashkent")
COORDINATOR_RU = TgUser(id=9301, first_name="Ольга", language_code="ru")
COORDINATOR_EN = TgUser(id=9302, first_name="John", language_code="en")
OFFICER_TER = TgUser(id=9303, first_name="Bekzod", language_code="uz")
OFFICER_SAM = TgUser(id=9304, first_name="Timur", language_code="ru")
GROUP = TgChat(id=-100777, type="supergroup", title="Situation Centre")


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TASHKENT).astimezone(UTC)


async def add_report(
    app: object,
    telegram_id: int,
    day: date,
    key: str,
    *,
    submitted: datetime,
    kg: str | None = None,
) -> str:
    db = app.services.db  # type: ignore[attr-defined]
    async with db.transaction() as repos:
        user = await repos.users.get_by_telegram_id(telegram_id)
        items = ()
        if kg is not None:
            items = (NewSeizureItem("heroin", Decimal(kg), "kg", Decimal(kg), "kg"),)
        report = await repos.reports.create(
            NewReport(
                form="seizure" if kg else "daily_status",
                form_code="SZ" if kg else "DS",
                unit_id=user.unit_id,
                author_id=user.id,
                idempotency_key=key,
                occurred_at=None,
                submitted_at=submitted,
                local_day=day,
                urgent=False,
                answers={},
                place_text=None,
                latitude=None,
                longitude=None,
                persons_detained=0 if kg else None,
                items=items,
            )
        )
    return report.number


async def setup_people(seed_user: SeedUser) -> None:
    """Registered people who have talked to the bot before (so Telegram knows their chats)."""
    await seed_user(COORDINATOR_RU, Role.COORDINATOR, None)
    await seed_user(COORDINATOR_EN, Role.COORDINATOR, None)
    await seed_user(OFFICER_TER, Role.OFFICER, "IMT-TER")
    await seed_user(OFFICER_SAM, Role.OFFICER, "IMT-SAM")


async def bind_group(app: object, tg: StandIn) -> None:
    tg.add_chat(GROUP)
    async with app.services.db.transaction() as repos:  # type: ignore[attr-defined]
        value = json.dumps({"chat_id": GROUP.id, "title": GROUP.title})
        await repos.settings.set(COORDINATION_GROUP, value, by=None)
