"""What the command line refuses, in one sentence and exit status 2, before anything starts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.sandbox.cast import DEMO_CAST
from bot.sandbox.seed import seed_demo
from storage import Database

TOKEN = "123456:REAL-looking-token"


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No .env of the developer's and no sandbox settings but those a test sets; the log
    handlers main() installs (on a captured stderr) removed afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "SANDBOX_PORT", "SANDBOX_PASSWORD", "WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "real.sqlite3"))
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9")  # nothing listens there
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str], *words: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err  # one sentence
    for word in words:
        assert word in err


def test_listening_beyond_this_machine_needs_a_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _refused(["sandbox", "--listen", "0.0.0.0"], capsys, "0.0.0.0", "--password")
    _refused(["sandbox", "--listen", "192.168.1.20", "--password", "short"], capsys, "8 characters")


@pytest.mark.parametrize("port", ["0", "65536", "http", "80a", "٨٠٨٠", "-1"])
def test_a_port_must_be_a_number_from_1_to_65535(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _refused(["sandbox", "--port", port], capsys, "--port", "65535")


def test_a_bad_sandbox_port_setting_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SANDBOX_PORT", "eighty")
    _refused(["sandbox"], capsys, "SANDBOX_PORT")


def test_a_real_token_for_the_same_database_stops_the_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    _refused(["sandbox", "--database", str(tmp_path / "real.sqlite3")], capsys, "BOT_TOKEN")
    assert not (tmp_path / "real.sqlite3").exists()
    # DATABASE_PATH named as the sandbox's own default file is the same case.
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "sandbox.sqlite3"))
    _refused(["sandbox"], capsys, "BOT_TOKEN", "--database")


def test_the_sandbox_never_opens_a_real_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def real_database() -> None:
        db = await Database.open(tmp_path / "real.sqlite3")
        await db.close()

    asyncio.run(real_database())
    _refused(["sandbox", "--database", str(tmp_path / "real.sqlite3")], capsys, "not a sandbox")


def test_the_real_bot_refuses_a_sandbox_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(seed_demo(tmp_path / "real.sqlite3", DEMO_CAST, now=datetime.now(UTC)))
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    _refused(["run"], capsys, "sandbox database", "DATABASE_PATH")


def test_run_without_a_token_explains_where_one_comes_from_and_serves_no_demo_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server or container that lost its token must not start serving demo people: only
    `make run` (``--sandbox-without-token``) turns a missing token into the sandbox."""
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "@BotFather" in err
    assert "python -m bot sandbox" in err
    assert not (tmp_path / "sandbox.sqlite3").exists()
