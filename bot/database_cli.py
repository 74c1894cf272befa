"""The database's commands: ``encrypt``, ``rekey``, ``backup PATH`` and ``restore PATH``.

The file work itself (a new file, checked, then an atomic swap) is storage/rewrite.py's; this
module says what each command needs, refuses what would be unsafe, and answers in one sentence
(never with the key, never with a traceback).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.config import ConfigError, Settings
from bot.key_setting import read_key_file
from storage import cipher, in_use, rewrite

COMMANDS = ("encrypt", "rekey", "backup", "restore")
NO_KEY = "set DATABASE_KEY_FILE (or DATABASE_KEY) to the database's key first."


def add_arguments(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    commands.add_parser(
        "encrypt", help="encrypt a plain database in place with the key (bot stopped)"
    )
    rekey = commands.add_parser(
        "rekey", help="re-encrypt the database under a new key (bot stopped)"
    )
    rekey.add_argument("new_key_file", help="the file that holds the new key")
    backup = commands.add_parser("backup", help="copy the database while the bot runs")
    backup.add_argument("path", help="the new file to write the copy to")
    restore = commands.add_parser(
        "restore", help="replace the database with a backup, once it checks out (bot stopped)"
    )
    restore.add_argument("path", help="the backup to restore")


def key_problem(settings: Settings) -> str | None:
    """One sentence when the database exists and does not open with the settings' key (or
    needs one), else None: start-up stops on it before anything else is opened."""
    path = settings.database_path
    if not path.exists():
        return None
    try:
        cipher.open_checked(path, settings.database_key).close()
    except cipher.CannotOpen as exc:
        return str(exc)
    except Exception as exc:  # sqlite3's or sqlcipher3's own errors: a file we cannot read
        return f"The database {path} cannot be read: {exc}."
    return None


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Carry out one of :data:`COMMANDS`; the exit status."""
    # A full disk, a file it may not write: either driver's error, or the system's.
    failures: tuple[type[Exception], ...] = (*cipher.DatabaseError, OSError)
    try:
        if args.command == "encrypt":
            return _encrypt(settings)
        if args.command == "rekey":
            return _rekey(settings, Path(args.new_key_file))
        if args.command == "backup":
            return _backup(settings, Path(args.path))
        return _restore(settings, Path(args.path))
    except (cipher.CannotOpen, in_use.InUse, rewrite.RewriteFailed, ConfigError) as exc:
        print(f"{args.command}: {exc}", file=sys.stderr)
        return 2
    except failures as exc:
        print(f"{args.command}: {exc}.", file=sys.stderr)
        return 2


def _encrypt(settings: Settings) -> int:
    path, key = settings.database_path, settings.database_key
    if key is None:
        print(f"encrypt: {NO_KEY}", file=sys.stderr)
        return 2
    if not path.exists():
        print(
            f"encrypt: there is no database at {path}; the bot creates it encrypted when it "
            "starts with the key set.",
            file=sys.stderr,
        )
        return 2
    if not cipher.is_plain_database(path):
        problem = key_problem(settings)
        if problem is not None:
            print(f"encrypt: {problem}", file=sys.stderr)
            return 2
        print(f"{path} is encrypted with this key already.")
        return 0
    counts = rewrite.convert(path, None, key)
    print(
        f"{path} is encrypted now ({counts.get('reports', 0)} reports). Backups made before "
        "are still plain: destroy them once a new backup is made."
    )
    return 0


def _rekey(settings: Settings, new_key_file: Path) -> int:
    path, key = settings.database_path, settings.database_key
    if key is None:
        print(f"rekey: {NO_KEY}", file=sys.stderr)
        return 2
    new_key = read_key_file(new_key_file, "rekey", ConfigError)
    if new_key == key:
        print("rekey: the new key is the key in use; nothing to do.", file=sys.stderr)
        return 2
    problem = key_problem(settings)
    if problem is not None and _opens_with(path, new_key):
        # An earlier rekey was cut short after its rename, before it could say so.
        print(
            f"{path} is encrypted with the new key already (an earlier rekey finished): put "
            "the new key where DATABASE_KEY_FILE points before the bot starts again."
        )
        return 0
    if problem is not None or not path.exists():
        print(f"rekey: {problem or f'there is no database at {path}.'}", file=sys.stderr)
        return 2
    counts = rewrite.convert(path, key, new_key)
    print(
        f"{path} is encrypted with the new key now ({counts.get('reports', 0)} reports): "
        "put the new key where DATABASE_KEY_FILE points before the bot starts again."
    )
    return 0


def _opens_with(path: Path, key: cipher.DatabaseKey) -> bool:
    try:
        cipher.open_checked(path, key).close()
    except cipher.CannotOpen:
        return False
    return True


def _backup(settings: Settings, target: Path) -> int:
    if target.exists():
        print(f"backup: {target} exists already; choose a new file.", file=sys.stderr)
        return 2
    key = settings.database_key
    if key is not None and key.reveal() in str(target):
        print("backup: the file name must not contain the key.", file=sys.stderr)
        return 2
    count = asyncio.run(_write_backup(settings, target))
    print(f"backup written to {target} ({count} reports" + (", encrypted)" if key else ")"))
    return 0


async def _write_backup(settings: Settings, target: Path) -> int:
    from storage import Database

    db = await Database.open(settings.database_path)
    try:
        await db.backup(target)
    finally:
        await db.close()
    return await _count_reports(target, settings.database_key)


async def _count_reports(path: Path, key: cipher.DatabaseKey | None) -> int:
    from storage import Database

    copy = await Database.open(path, key=key)
    try:
        async with copy.read() as repos:
            return await repos.reports.count_all()
    finally:
        await copy.close()


def _restore(settings: Settings, backup: Path) -> int:
    path, key = settings.database_path, settings.database_key
    if not backup.is_file():
        print(f"restore: there is no backup at {backup}.", file=sys.stderr)
        return 2
    if path.exists() and backup.resolve() == path.resolve():
        print("restore: that is the database itself, not a backup of it.", file=sys.stderr)
        return 2
    if key is not None and cipher.is_plain_database(backup):
        print(
            f"restore: {backup} is a plain backup and a key is set: restore it without the key, "
            "then run `python -m bot encrypt`.",
            file=sys.stderr,
        )
        return 2
    # The backup must open with the key before anything is copied or replaced.
    cipher.open_checked(backup, key).close()
    count = asyncio.run(_restore_checked(backup, path, key))
    print(f"restored {backup} to {path} ({count} reports)")
    return 0


async def _restore_checked(backup: Path, path: Path, key: cipher.DatabaseKey | None) -> int:
    """Copy, migrate and count the backup beside the database; then swap it in."""
    with rewrite.restoring(backup, path, key) as work:
        return await _count_reports(work, key)
