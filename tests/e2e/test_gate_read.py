"""The gate reads the person and their draft in one hop (storage/hot_path.py): when that read
fails, the update stops with an apology, as when reading the person alone failed."""

from __future__ import annotations

import sqlite3

import pytest

from bot.config import Settings
from bot.standin import StandIn
from storage import hot_path
from tests.e2e.conftest import SeedUser
from tests.e2e.refusal_steps import APOLOGY, OFFICER, Standing, calls_since, running, seed_everybody


async def test_a_failing_read_of_the_person_state_stops_the_update(
    tg: StandIn, settings: Settings, seed_user: SeedUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_everybody(tg, seed_user)
    real = hot_path.person_state

    def person_state(conn: sqlite3.Connection, telegram_id: int) -> object:
        if telegram_id == OFFICER.id:
            raise sqlite3.OperationalError("database is locked")
        return real(conn, telegram_id)

    monkeypatch.setattr(hot_path, "person_state", person_state)
    async with running(settings) as app:
        before = await Standing.of(app)
        start = len(tg.calls)
        await tg.send_text(OFFICER, "/report")
        apology = await tg.next_message(OFFICER.id)
        await tg.wait_idle()
        assert apology.text == APOLOGY
        assert calls_since(tg, start) == ["sendMessage"]
        assert await Standing.of(app) == before
