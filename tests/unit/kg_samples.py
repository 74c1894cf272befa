"""What the kilogram-equivalent tests share: the factors migration 0015 seeds, a seizure's answers,
and one stored item as filing makes it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot import filing
from bot.equivalents import (
    Factors,
)
from bot.forms.definitions import SEIZURE, SUBSTANCES
from storage import Report, Repositories, Role, SeizureItem, User
from tests.unit.digest_samples import DAY, TERMEZ_IMT, local, make_report

TASHKENT = ZoneInfo("Asia/Tashkent")
NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)

LANGUAGES = ("uz", "uz_Cyrl", "ru", "en")
#: What migration 0015 seeds: litres at 1 kg/L for every substance, methamphetamine tablets at
#: 100 mg; nothing else.
SEEDED = Factors(
    {(option.key, "l"): Decimal(1) for option in SUBSTANCES}
    | {("meth", "tablets"): Decimal("0.0001")}
)


def seizure(*items: tuple[str, str, str], urgent: bool = False) -> dict[str, Any]:
    return {
        "items": [{"substance": s, "qty": q, "measure": m} for s, q, m in items],
        "detained": "0",
        "urgent": urgent,
    }


def item(substance: str, qty: str, measure: str, factors: Factors = SEEDED) -> SeizureItem:
    """One stored item as filing makes it with ``factors``."""
    (made,) = filing.report_changes(SEIZURE, seizure((substance, qty, measure)), factors).items
    return SeizureItem(
        made.substance,
        made.quantity,
        made.measure,
        made.normalized_quantity,
        made.normalized_unit,
        made.kg_factor,
    )


async def file(repos: Repositories, author: User, *items: tuple[str, str, str], key: str) -> Report:
    factors = Factors.from_rows(await repos.factors.list())
    assert author.unit_id is not None
    return await repos.reports.create(
        filing.new_report(
            SEIZURE,
            seizure(*items),
            draft_id=key,
            author=author,
            unit_id=author.unit_id,
            now=NOW,
            timezone=TASHKENT,
            factors=factors,
        )
    )


async def people(repos: Repositories) -> tuple[User, User]:
    unit = await repos.units.get_by_code("IMT-TER")
    assert unit is not None
    admin = await repos.users.create(telegram_id=1, role=Role.ADMIN, display_name="Zarina")
    officer = await repos.users.create(
        telegram_id=2, role=Role.OFFICER, display_name="Bekzod", unit_id=unit.id
    )
    return admin, officer


# -- the urgent rule -------------------------------------------------------------------------


def filed(*items: SeizureItem, urgent: bool = False) -> Report:
    report = make_report("SZ-2026-000101", TERMEZ_IMT, local(DAY, 9), urgent=urgent)
    return replace(report, items=items)
