"""Encrypted databases for the tests of encryption: the keys, reports carrying a clue that
must never be readable in an encrypted file's bytes, and the bot's command line as a process."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from storage import Database, NewReport, Role, cipher
from storage.drafts import new_draft_id

KEY = cipher.DatabaseKey("a1" * 32)
NEW_KEY = cipher.DatabaseKey("correct horse battery staple, it's long")
#: Written into a report: must never be found in the bytes of an encrypted file.
CLUE = "Cargo hidden in the Nukus grain truck"
ROOT = Path(__file__).resolve().parents[2]


async def _file_reports(
    path: Path, count: int, key: cipher.DatabaseKey | None, officer: int = 100
) -> None:
    db = await Database.open(path, key=key)
    try:
        async with db.transaction() as repos:
            unit = await repos.units.get_by_code("IMT-TER")
            assert unit is not None
            user = await repos.users.create(telegram_id=officer, role=Role.OFFICER, unit_id=unit.id)
            now = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
            for _ in range(count):
                await repos.reports.create(
                    NewReport(
                        form="seizure",
                        form_code="SZ",
                        unit_id=unit.id,
                        author_id=user.id,
                        idempotency_key=new_draft_id(),
                        occurred_at=None,
                        submitted_at=now,
                        local_day=now.date(),
                        urgent=False,
                        answers={"note": CLUE},
                        place_text=None,
                        latitude=None,
                        longitude=None,
                        persons_detained=None,
                    )
                )
    finally:
        await db.close()


async def _numbers(path: Path, key: cipher.DatabaseKey | None) -> list[str]:
    db = await Database.open(path, key=key, migrate=False)
    try:
        async with db.read() as repos:
            reports = await repos.reports.list_by_author(1, limit=10_000, offset=0)
    finally:
        await db.close()
    return sorted(report.number for report in reports)


def _no_clue_in(path: Path) -> None:
    data = path.read_bytes()
    assert CLUE.encode() not in data and b"SQLite format 3" not in data


def _bot(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
