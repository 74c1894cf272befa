"""The database encrypted at rest: what a stolen file or backup shows (nothing), what a wrong
key does (stops, in one sentence), and that encrypt, rekey, backup and restore never lose it."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import database_cli
from bot.config import ConfigError, Settings, load_settings
from bot.workers import Workers
from storage import Database, cipher, in_use, rewrite
from tests.unit.encrypted_databases import (
    KEY,
    NEW_KEY,
    ROOT,
    _bot,
    _file_reports,
    _no_clue_in,
    _numbers,
)


def _settings(path: Path, key: cipher.DatabaseKey | None = KEY) -> Settings:
    return Settings(database_path=path, database_key=key)


async def test_an_encrypted_database_is_unreadable_without_its_key(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    await _file_reports(path, 3, KEY)
    _no_clue_in(path)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(path).execute("SELECT count(*) FROM reports").fetchone()
    for wrong in (cipher.DatabaseKey("b2" * 32), cipher.DatabaseKey("a passphrase"), None):
        with pytest.raises(cipher.CannotOpen) as refused:
            await Database.open(path, key=wrong)
        assert str(path) in str(refused.value) and KEY.reveal() not in str(refused.value)
    assert len(await _numbers(path, KEY)) == 3


async def test_a_passphrase_works_as_well_as_a_raw_key(tmp_path: Path) -> None:
    """A passphrase with a quote in it (PRAGMA key takes no parameters: it is escaped)."""
    path = tmp_path / "bot.sqlite3"
    await _file_reports(path, 2, NEW_KEY)
    _no_clue_in(path)
    assert not NEW_KEY.is_raw and KEY.is_raw
    assert len(await _numbers(path, NEW_KEY)) == 2
    assert NEW_KEY.reveal() not in repr(_settings(path, NEW_KEY))


def test_the_key_comes_from_a_file_and_never_both_ways(tmp_path: Path) -> None:
    key_file = tmp_path / "db.key"
    key_file.write_text(KEY.reveal() + "\n")
    settings = load_settings({"DATABASE_KEY_FILE": str(key_file)}, env_file=None)
    assert settings.database_key == KEY
    assert load_settings({"DATABASE_KEY": "a passphrase"}, env_file=None).database_key is not None
    assert load_settings({}, env_file=None).database_key is None
    with pytest.raises(ConfigError, match="not both"):
        load_settings({"DATABASE_KEY_FILE": str(key_file), "DATABASE_KEY": "x"}, env_file=None)
    with pytest.raises(ConfigError, match="cannot be read") as unreadable:
        load_settings({"DATABASE_KEY_FILE": str(tmp_path / "missing")}, env_file=None)
    assert "missing" in str(unreadable.value)


async def test_a_wrong_key_stops_start_up_with_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    await _file_reports(path, 1, KEY)
    wrong = "a wrong passphrase"
    started = _bot(
        "run",
        env={
            "DATABASE_PATH": str(path),
            "DATABASE_KEY": wrong,
            "BOT_TOKEN": "123456:NOT-USED",
            "TELEGRAM_API_URL": "http://127.0.0.1:9",
        },
    )
    assert started.returncode == 2
    assert started.stderr.count("\n") == 1 and "key" in started.stderr
    assert wrong not in started.stderr + started.stdout and "Traceback" not in started.stderr


async def test_encrypt_converts_a_plain_database_and_refuses_while_it_is_open(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bot.sqlite3"
    await _file_reports(path, 4, None)
    before = await _numbers(path, None)
    open_db = await Database.open(path)
    try:
        with pytest.raises(in_use.InUse, match="stop the bot"):
            rewrite.convert(path, None, KEY)
    finally:
        await open_db.close()
    assert database_cli.run(_settings(path), _args("encrypt")) == 0
    _no_clue_in(path)
    assert await _numbers(path, KEY) == before
    assert os.listdir(tmp_path) == ["bot.sqlite3"]
    # Once more: nothing to do.
    assert database_cli.run(_settings(path), _args("encrypt")) == 0


async def test_rekey_puts_the_database_under_the_new_key_only(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    await _file_reports(path, 3, KEY)
    before = await _numbers(path, KEY)
    new_key_file = tmp_path / "new.key"
    new_key_file.write_text(NEW_KEY.reveal())
    args = _args("rekey", new_key_file=str(new_key_file))
    assert database_cli.run(_settings(path), args) == 0
    assert await _numbers(path, NEW_KEY) == before
    with pytest.raises(cipher.CannotOpen):
        await Database.open(path, key=KEY)


def test_a_backup_is_encrypted_and_restores_every_report(tmp_path: Path) -> None:
    path = tmp_path / "data" / "bot.sqlite3"
    asyncio.run(_file_reports(path, 5, KEY))
    before = asyncio.run(_numbers(path, KEY))
    backup = tmp_path / "backups" / "2026-03-14.sqlite3"
    cipher.remember(path, KEY)  # as `python -m bot` does for the database it serves
    assert database_cli.run(_settings(path), _args("backup", path=str(backup))) == 0
    _no_clue_in(backup)
    asyncio.run(_file_reports_more(path))
    running_bot = in_use.hold_shared(path)  # what every open Database holds
    try:
        assert database_cli.run(_settings(path), _args("restore", path=str(backup))) == 2
    finally:
        in_use.release(running_bot)
    assert asyncio.run(_later_reports(path)) == 2
    assert database_cli.run(_settings(path), _args("restore", path=str(backup))) == 0
    assert asyncio.run(_numbers(path, KEY)) == before
    assert asyncio.run(_later_reports(path)) == 0
    # A backup that does not open with the key replaces nothing.
    assert database_cli.run(_settings(path, NEW_KEY), _args("restore", path=str(backup))) == 2
    assert asyncio.run(_numbers(path, KEY)) == before


async def _file_reports_more(path: Path) -> None:
    await _file_reports(path, 2, None, officer=101)  # with the key the process knows for it


async def _later_reports(path: Path) -> int:
    """Reports in the restored database besides the backup's five (none: filed later)."""
    db = await Database.open(path)
    try:
        async with db.read() as repos:
            return await repos.reports.count_all() - 5
    finally:
        await db.close()


def _args(command: str, **values: str) -> object:
    import argparse

    return argparse.Namespace(command=command, **values)


def _reports_in_worker(path: Path) -> list[str]:
    """Run in a worker process: the database opens there with the key the bot knows."""
    return asyncio.run(_numbers(path, None))


async def test_a_worker_process_opens_the_encrypted_database(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    await _file_reports(path, 2, KEY)
    cipher.remember(path, KEY)
    assert len(await Workers("process").run(_reports_in_worker, path)) == 2


def test_a_kill_at_any_moment_of_encrypt_leaves_a_readable_database(tmp_path: Path) -> None:
    """SIGKILL at random moments of ``python -m bot encrypt``: every time, the database opens
    (plain or encrypted) with all its rows, and a new run finishes the job."""
    original = tmp_path / "original.sqlite3"
    conn = sqlite3.connect(original)
    conn.execute("CREATE TABLE filler (n INTEGER PRIMARY KEY, data BLOB)")
    conn.executemany(
        "INSERT INTO filler (data) VALUES (?)", ((os.urandom(200),) for _ in range(20_000))
    )
    conn.commit()
    conn.close()
    expected = {"filler": 20_000}
    env = {"DATABASE_KEY": KEY.reveal()}

    def attempt(name: str) -> subprocess.Popen[bytes]:
        path = tmp_path / name / "bot.sqlite3"
        path.parent.mkdir()
        shutil.copyfile(original, path)
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "encrypt"],
            cwd=ROOT,
            env={**env, "PATH": os.environ.get("PATH", ""), "DATABASE_PATH": str(path)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    started = datetime.now(UTC)
    assert attempt("whole").wait(timeout=60) == 0
    whole = (datetime.now(UTC) - started).total_seconds()
    rng = random.Random(15)
    for run in range(6):
        proc = attempt(f"killed{run}")
        try:
            proc.wait(timeout=rng.uniform(0.4, 1.0) * whole)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        path = tmp_path / f"killed{run}" / "bot.sqlite3"
        key = None if cipher.is_plain_database(path) else KEY
        conn = cipher.open_checked(path, key)
        try:
            assert rewrite.table_counts(conn) == expected
        finally:
            conn.close()
        assert database_cli.run(_settings(path), _args("encrypt")) == 0
        conn = cipher.open_checked(path, KEY)
        try:
            assert rewrite.table_counts(conn) == expected
        finally:
            conn.close()


def test_the_commands_refuse_what_would_be_unsafe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bot.sqlite3"
    asyncio.run(_file_reports(path, 1, None))
    assert database_cli.run(_settings(path, None), _args("encrypt")) == 2
    assert "DATABASE_KEY_FILE" in capsys.readouterr().err
    named = tmp_path / f"backup-{KEY.reveal()}.sqlite3"
    assert database_cli.run(_settings(path), _args("backup", path=str(named))) == 2
    refusal = capsys.readouterr().err
    assert "must not contain the key" in refusal and KEY.reveal() not in refusal
    assert not named.exists() and cipher.is_plain_database(path)


def test_a_bot_without_a_key_never_loads_sqlcipher() -> None:
    """SQLCipher's library is 5 MB of resident memory: a plain database does without it."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, bot.app, bot.__main__; print('sqlcipher3' in sys.modules)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert loaded.stdout.strip() == "False"
