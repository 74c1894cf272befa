"""Fixtures the unit tests share: the bot's catalogs and its Russian and English translators, built
once per test module."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.i18n import Catalogs, Translator

TASHKENT = ZoneInfo("Asia/Tashkent")


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs(TASHKENT)


@pytest.fixture(scope="module")
def ru(catalogs: Catalogs) -> Translator:
    return catalogs.translator("ru")


@pytest.fixture(scope="module")
def en(catalogs: Catalogs) -> Translator:
    return catalogs.translator("en")
