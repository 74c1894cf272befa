"""Encryption on an operator's bad day: a DATABASE_PATH that is a symlink, a rekey cut short
after its rename, a disk too full for the encrypted copy. Each time one database opens with a
key the operator has, nothing plain stays behind, and the command answers in one sentence."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot import database_cli
from bot.config import Settings
from bot.digest.xlsx import build_xlsx
from bot.i18n import Catalogs
from storage import cipher, in_use, rewrite
from tests.unit.digest_samples import REPORTS, SHEETS, TASHKENT, UNITS, sample_digest
from tests.unit.encrypted_databases import (
    KEY,
    NEW_KEY,
    _bot,
    _file_reports,
    _no_clue_in,
    _numbers,
)


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


def test_a_rekey_cut_short_after_its_rename_is_said_so_when_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Killed after the rename, before it could say so: the database opens with the new key
    only. Run again with the same new key file, rekey says the job is done and what is left
    (the key file to swap), instead of calling the operator's key wrong."""
    path = tmp_path / "bot.sqlite3"
    asyncio.run(_file_reports(path, 2, KEY))
    new_key_file = tmp_path / "new.key"
    new_key_file.write_text(NEW_KEY.reveal() + "\n")
    real_fsync = rewrite._fsync

    def killed_after_the_rename(target: Path) -> None:
        real_fsync(target)
        if target == path.parent:
            raise KeyboardInterrupt  # stands for SIGKILL: nothing after this line runs

    monkeypatch.setattr(rewrite, "_fsync", killed_after_the_rename)
    with pytest.raises(KeyboardInterrupt):
        database_cli.run(_settings(path), _args("rekey", new_key_file=str(new_key_file)))
    monkeypatch.setattr(rewrite, "_fsync", real_fsync)
    capsys.readouterr()

    assert database_cli.run(_settings(path), _args("rekey", new_key_file=str(new_key_file))) == 0
    said = capsys.readouterr()
    assert "new key" in said.out and "DATABASE_KEY_FILE" in said.out
    assert NEW_KEY.reveal() not in said.out + said.err
    assert len(asyncio.run(_numbers(path, NEW_KEY))) == 2


def test_an_encrypt_that_fails_leaves_no_work_file_and_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A disk too full for the encrypted copy: the half-written copy used to stay, holding the
    space the bot then lacks, and the command ended in a traceback."""
    path = tmp_path / "bot.sqlite3"
    asyncio.run(_file_reports(path, 2, None))
    before = asyncio.run(_numbers(path, None))

    def disk_full(conn: object, work: Path, key: cipher.DatabaseKey, alias: str) -> None:
        work.write_bytes(b"\0" * 65536)  # what was written before the disk filled up
        raise cipher.OperationalError[1]("database or disk is full")

    monkeypatch.setattr(cipher, "attach_encrypted", disk_full)
    assert database_cli.run(_settings(path), _args("encrypt")) == 2
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and "disk is full" in said and KEY.reveal() not in said
    assert os.listdir(tmp_path) == ["bot.sqlite3"]
    assert asyncio.run(_numbers(path, None)) == before


def test_a_restore_onto_no_database_keeps_a_starting_bot_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Restoring onto a fresh volume failed when the database's directory was still to be
    made, and took no lock: a bot started meanwhile made and opened the database, then the
    restore renamed its copy over it, and the bot went on writing reports into a file no
    longer on the disk."""
    path = tmp_path / "data" / "bot.sqlite3"
    source = tmp_path / "old" / "bot.sqlite3"
    asyncio.run(_file_reports(source, 2, KEY))
    backup = tmp_path / "backup.sqlite3"
    cipher.remember(source, KEY)
    assert database_cli.run(_settings(source), _args("backup", path=str(backup))) == 0
    checked = database_cli._count_reports
    starting_bot: list[str] = []

    async def bot_starts_meanwhile(work: Path, key: cipher.DatabaseKey | None) -> int:
        path.parent.mkdir(parents=True, exist_ok=True)  # as storage.Database.open does
        path.touch()
        try:
            in_use.release(in_use.hold_shared(path))
            starting_bot.append("opened the database being restored")
        except in_use.InUse:
            starting_bot.append("refused")
        return await checked(work, key)

    monkeypatch.setattr(database_cli, "_count_reports", bot_starts_meanwhile)
    assert database_cli.run(_settings(path), _args("restore", path=str(backup))) == 0
    assert starting_bot == ["refused"]
    assert asyncio.run(_numbers(path, KEY)) == asyncio.run(_numbers(source, KEY))


def test_a_failed_restore_onto_no_database_leaves_none(tmp_path: Path) -> None:
    path = tmp_path / "data" / "bot.sqlite3"
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("not a database")
    assert database_cli.run(_settings(path), _args("restore", path=str(not_a_backup))) == 2
    assert not path.exists()


def test_a_spreadsheet_is_made_in_memory_never_in_a_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """openpyxl's own save writes each sheet's XML (every report's text, names and case
    numbers) to a file in /tmp first, on the server's disk beside an encrypted database, and
    removes it afterwards: its blocks stay readable there, and the whole file stays when the
    worker is killed while saving (it dies with the bot)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(os, "remove", lambda path: None)  # killed before it could remove them
    data = build_xlsx(sample_digest(), REPORTS, UNITS, Catalogs(TASHKENT).translator("en"))
    assert load_workbook(BytesIO(data)).sheetnames == SHEETS
    assert os.listdir(tmp_path) == []


def test_a_bot_opening_the_database_as_it_is_replaced_locks_the_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bot that opened the file just before a restore or rekey renamed the new one over it,
    and took its lock just after: it held the lock of a file no longer on the disk while using
    the new one, so the next restore or rekey did not see it running."""
    path = tmp_path / "bot.sqlite3"
    path.write_bytes(b"")
    newer = tmp_path / "bot.sqlite3.restoring"
    newer.write_bytes(b"")
    real_flock = in_use.fcntl.flock

    def replaced_meanwhile(fd: int, operation: int) -> None:
        if newer.exists():
            os.replace(newer, path)
        real_flock(fd, operation)

    monkeypatch.setattr(in_use.fcntl, "flock", replaced_meanwhile)
    held = in_use.hold_shared(path)
    try:
        with pytest.raises(in_use.InUse), in_use.exclusive(path):
            pass
    finally:
        in_use.release(held)


@pytest.mark.parametrize(("command", "status"), [("migrate", 2), ("health", 1), ("add-admin", 2)])
def test_a_command_during_a_rewrite_says_so_in_one_sentence(
    tmp_path: Path, command: str, status: int
) -> None:
    """`migrate`, `health` (the image's HEALTHCHECK, every 30 s) or `add-admin` while encrypt,
    rekey or restore holds the database ended in a traceback."""
    path = tmp_path / "bot.sqlite3"
    asyncio.run(_file_reports(path, 1, KEY))
    args = [command, "--ready"] if command == "health" else [command]
    if command == "add-admin":
        args.append("123456")
    with in_use.exclusive(path):
        done = _bot(*args, env={"DATABASE_PATH": str(path), "DATABASE_KEY": KEY.reveal()})
    assert done.returncode == status
    assert done.stderr.count("\n") == 1 and "another command" in done.stderr


def test_a_large_sort_on_an_encrypted_database_stays_in_memory(tmp_path: Path) -> None:
    """SQLite spills a sort bigger than its cache to a temporary file, which SQLCipher does not
    encrypt, unless temporary storage is in memory (how sqlcipher3 is built, and the bot never
    changes it): an export's ORDER BY over many reports must leave nothing on the disk."""
    path = tmp_path / "bot.sqlite3"
    conn = cipher.connect_sync(path, KEY)
    try:
        conn.execute("PRAGMA cache_size = 10")  # a few pages: the sort cannot fit
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.executemany(
            "INSERT INTO notes VALUES (?)", ((os.urandom(300).hex(),) for _ in range(5000))
        )
        conn.commit()
        opened: set[str] = set()

        def files_open_now(value: str) -> str:
            for fd in os.listdir("/proc/self/fd"):
                with contextlib.suppress(OSError):
                    opened.add(os.readlink(f"/proc/self/fd/{fd}"))
            return value

        conn.create_function("files_open_now", 1, files_open_now)
        conn.execute("SELECT files_open_now(text) FROM notes ORDER BY text").fetchall()
    finally:
        conn.close()
    assert not [name for name in opened if "etilqs_" in name]  # SQLite's temporary files
