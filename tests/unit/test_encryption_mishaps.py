"""Encryption on an operator's bad day: a DATABASE_PATH that is a symlink, a rekey cut short
after its rename, a disk too full for the encrypted copy. Each time one database opens with a
key the operator has, nothing plain stays behind, and the command answers in one sentence."""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

from bot import database_cli
from bot.config import Settings
from storage import cipher
from tests.unit.test_encryption import KEY, NEW_KEY, _file_reports, _no_clue_in, _numbers


def _settings(path: Path, key: cipher.DatabaseKey | None = KEY) -> Settings:
    return Settings(database_path=path, database_key=key)


def _args(command: str, **values: str) -> argparse.Namespace:
    return argparse.Namespace(command=command, **values)


def _linked(tmp_path: Path) -> tuple[Path, Path]:
    """The database on its volume, and DATABASE_PATH a symlink to it from elsewhere."""
    (tmp_path / "volume").mkdir()
    (tmp_path / "app").mkdir()
    real = tmp_path / "volume" / "bot.sqlite3"
    link = tmp_path / "app" / "bot.sqlite3"
    link.symlink_to(real)
    return real, link


async def test_encrypt_through_a_symlink_encrypts_the_file_it_points_to(tmp_path: Path) -> None:
    """Renaming over the link itself left the plain database where the link pointed (on the
    data volume, readable by whoever copies it) and the encrypted one beside the link."""
    real, link = _linked(tmp_path)
    await _file_reports(real, 2, None)
    before = await _numbers(real, None)
    assert database_cli.run(_settings(link), _args("encrypt")) == 0
    assert link.is_symlink() and link.resolve() == real
    _no_clue_in(real)
    assert await _numbers(real, KEY) == before
    assert sorted(os.listdir(real.parent)) == ["bot.sqlite3"]
    assert os.listdir(link.parent) == ["bot.sqlite3"]


def test_restore_and_rekey_through_a_symlink_replace_the_file_it_points_to(
    tmp_path: Path,
) -> None:
    real, link = _linked(tmp_path)
    asyncio.run(_file_reports(real, 3, KEY))
    cipher.remember(link, KEY)
    backup = tmp_path / "backup.sqlite3"
    assert database_cli.run(_settings(link), _args("backup", path=str(backup))) == 0
    assert database_cli.run(_settings(link), _args("restore", path=str(backup))) == 0
    assert link.is_symlink()
    assert asyncio.run(_numbers(real, KEY)) == asyncio.run(_numbers(backup, KEY))
    new_key_file = tmp_path / "new.key"
    new_key_file.write_text(NEW_KEY.reveal())
    assert database_cli.run(_settings(link), _args("rekey", new_key_file=str(new_key_file))) == 0
    assert link.is_symlink() and len(asyncio.run(_numbers(real, NEW_KEY))) == 3
    assert sorted(os.listdir(real.parent)) == ["bot.sqlite3"]
