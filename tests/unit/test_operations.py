"""Operations: backups that restore, a private database file, a health check, a secret token."""

from __future__ import annotations

import io
import logging
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.logging_setup import configure_logging
from storage import Database, Role
from storage.models import NewReport


async def _with_reports(path: Path, count: int) -> None:
    db = await Database.open(path)
    try:
        async with db.transaction() as repos:
            unit = await repos.units.get_by_code("IMT-TER")
            assert unit is not None
            user = await repos.users.create(telegram_id=1, role=Role.OFFICER, unit_id=unit.id)
            for n in range(count):
                await repos.reports.create(
                    NewReport(
                        form="daily_status",
                        form_code="DS",
                        unit_id=unit.id,
                        author_id=user.id,
                        idempotency_key=f"key{n}",
                        occurred_at=None,
                        submitted_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
                        local_day=date(2026, 11, 20),
                        urgent=False,
                        answers={"remarks": str(n)},
                        place_text=None,
                        latitude=None,
                        longitude=None,
                        persons_detained=None,
                    )
                )
    finally:
        await db.close()


async def test_the_database_file_is_private(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "private.sqlite3")
    await db.close()
    mode = stat.S_IMODE((tmp_path / "private.sqlite3").stat().st_mode)
    assert mode == 0o600


async def test_a_backup_taken_while_open_restores_every_report(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite3"
    await _with_reports(live, 25)
    db = await Database.open(live)  # the bot keeps it open while the backup runs
    try:
        await db.backup(tmp_path / "backups" / "copy.sqlite3")
        with pytest.raises(FileExistsError):
            await db.backup(tmp_path / "backups" / "copy.sqlite3")
    finally:
        await db.close()
    restored_path = tmp_path / "restored.sqlite3"
    (tmp_path / "backups" / "copy.sqlite3").rename(restored_path)
    restored = await Database.open(restored_path)
    try:
        async with restored.read() as repos:
            assert await repos.reports.count_all() == 25
            report = await repos.reports.get_by_number("DS-2026-000025")
    finally:
        await restored.close()
    assert report is not None
    assert report.answers == {"remarks": "24"}
    assert stat.S_IMODE(restored_path.stat().st_mode) == 0o600


def test_backup_health_and_migrate_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.sqlite3"))
    assert main(["health"]) == 1
    assert "no database" in capsys.readouterr().err
    assert main(["migrate"]) == 0
    assert main(["health", "--ready"]) == 0
    assert main(["backup", str(tmp_path / "b.sqlite3")]) == 0
    assert "0 reports" in capsys.readouterr().out
    assert main(["backup", str(tmp_path / "b.sqlite3")]) == 2
    assert "exists already" in capsys.readouterr().err


def test_the_token_appears_in_no_log_line_at_any_level() -> None:
    token = "123456:AAE-very-secret-token"
    stream = io.StringIO()
    configure_logging("DEBUG", [token])
    root = logging.getLogger()
    root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
    try:
        logging.getLogger("httpx").warning("POST https://api.telegram.org/bot%s/getMe", token)
        logging.getLogger("telegram.ext").debug("token %s", token)
        try:
            raise ConnectionError(f"could not reach https://api.telegram.org/bot{token}/getUpdates")
        except ConnectionError:
            logging.getLogger("telegram.ext.Updater").exception("network error")
    finally:
        root.handlers.clear()
        root.setLevel(logging.WARNING)
    output = stream.getvalue()
    assert token not in output
    # Library records never carry it (bot/logging_setup.guard_content) and the one place left,
    # the traceback's text, is redacted by the formatter.
    assert output.count("[REDACTED]") == 1
    assert "ConnectionError" in output
