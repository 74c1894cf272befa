"""The sandbox refuses any file that is not a sandbox database, and looks at it without
changing a byte: a real database (or any file) given to --database by mistake stays as it was."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from bot.config import Settings
from bot.sandbox import seed
from bot.sandbox.runner import Sandbox, SandboxError
from storage import Database

from .recording_web import RecordingWeb


def _fingerprint(path: Path) -> tuple[str, list[str]]:
    files = sorted(p.name for p in path.parent.iterdir())
    return hashlib.sha256(path.read_bytes()).hexdigest(), files


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def _refused(tmp_path: Path, database: Path) -> str:
    sandbox = Sandbox(
        Settings(database_path=tmp_path / "real.sqlite3"),
        database=database,
        port=0,
        web_factory=RecordingWeb,
    )
    with pytest.raises(SandboxError) as refused:
        await sandbox.start()
    assert sandbox.application is None and sandbox.web is None
    return str(refused.value)


async def test_a_real_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    real = tmp_path / "real" / "fieldreport.sqlite3"
    db = await Database.open(real)
    await db.close()
    with sqlite3.connect(real) as conn:  # as an older install may have it: a rollback journal
        conn.execute("PRAGMA journal_mode = DELETE")
    before = _fingerprint(real)
    assert "not a sandbox database" in await _refused(tmp_path, real)
    assert _fingerprint(real) == before
    with sqlite3.connect(f"{real.as_uri()}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


async def test_a_file_that_is_no_database_is_refused_in_one_sentence(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("the seizure at Ayritom, 3 kg\n" * 100)
    before = _fingerprint(notes)
    assert "not a sandbox database" in await _refused(tmp_path, notes)
    assert _fingerprint(notes) == before


async def test_an_interrupted_seed_leaves_no_database_the_next_start_would_trust(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C while the first start seeds: the next start seeds again, in full."""
    database = tmp_path / "sandbox.sqlite3"

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(seed, "bulk_load", interrupted)
    sandbox = Sandbox(
        Settings(database_path=tmp_path / "real.sqlite3"),
        database=database,
        port=0,
        web_factory=RecordingWeb,
    )
    with pytest.raises(KeyboardInterrupt):
        await sandbox.start()
    assert _names(tmp_path) == []
    monkeypatch.undo()
    async with Sandbox(
        Settings(database_path=tmp_path / "real.sqlite3"),
        database=database,
        port=0,
        web_factory=RecordingWeb,
    ):
        with sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True) as conn:
            (reports,) = conn.execute("SELECT COUNT(*) FROM reports").fetchone()
    assert reports > 100
