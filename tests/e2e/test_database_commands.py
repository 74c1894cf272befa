"""`encrypt` and `restore` refuse while the bot runs, by polling or on its webhook: the bot
holds the database's shared lock for as long as it serves (storage/in_use.py)."""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import replace

from bot import database_cli
from bot.config import Settings
from bot.standin import StandIn
from storage import cipher
from tests.e2e.conftest import RunBot

KEY = cipher.DatabaseKey("c3" * 32)


async def test_encrypt_and_restore_refuse_while_the_bot_serves(
    run_bot: RunBot, settings: Settings, tg: StandIn
) -> None:
    path = settings.database_path
    backup = path.with_name("backup.sqlite3")
    async with run_bot():
        await tg.wait_idle()
        made = argparse.Namespace(command="backup", path=str(backup))
        assert await asyncio.to_thread(database_cli.run, settings, made) == 0
        keyed = replace(settings, database_key=KEY)
        encrypt = argparse.Namespace(command="encrypt")
        assert await asyncio.to_thread(database_cli.run, keyed, encrypt) == 2
        restore = argparse.Namespace(command="restore", path=str(backup))
        assert await asyncio.to_thread(database_cli.run, settings, restore) == 2
    assert cipher.is_plain_database(path)
    assert not [p for p in path.parent.iterdir() if p.suffix in (".converting", ".restoring")]
