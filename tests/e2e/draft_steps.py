"""Walking a joint operation up to its vehicles question, and reading an officer's stored draft
beside the running bot: the steps the applied-once and webhook tests share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.standin import TgUser
from storage import Database
from tests.support.driver import Officer

OFFICER = TgUser(id=8101, first_name="Bekzod", language_code="en")

PERSONS = "How many persons were checked?"


async def stored_draft(path: Path, telegram_id: int = OFFICER.id) -> dict[str, Any]:
    """The officer's draft answers, read beside the running bot."""
    db = await Database.open(path)
    try:
        async with db.read() as repos:
            user = await repos.users.get_by_telegram_id(telegram_id)
            assert user is not None
            stored = await repos.drafts.get(user.id)
    finally:
        await db.close()
    assert stored is not None
    answers = stored.data["answers"]
    assert isinstance(answers, dict)
    return answers


async def at_the_vehicles(o: Officer) -> None:
    await o.start_form("joint_operation")
    await o.tap_form("start", "dt", "now")
    await o.tap_form("end", "dt", "now")
    await o.tap_form("agencies", "opt", "mia")
    await o.tap_form("agencies", "done")
    assert any(":vehicles:" in data for data in o.last().callback_data), o.last().text
