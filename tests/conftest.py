"""Fixtures shared by every layer of tests."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import settings

from storage import Database

# In CI the random tests replay the same examples every run: a red build is always reproducible.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh database file with every migration applied."""
    database = await Database.open(tmp_path / "test.sqlite3")
    yield database
    await database.close()
