"""Fixtures shared by every layer of tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh database file with every migration applied."""
    database = await Database.open(tmp_path / "test.sqlite3")
    yield database
    await database.close()
