"""An amendment re-evaluates the urgent lane: the report's one alert is created when an
amendment makes it urgent, and never a second time."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import filing
from bot.alerting import create_alert
from bot.equivalents import WEIGHT_ONLY
from bot.forms.definitions import SEIZURE
from storage import Database, Report, Repositories, Role

NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)
THRESHOLD = Decimal(1)


def seizure(kg: str, *, urgent: bool = False) -> dict[str, object]:
    return {
        "items": [{"substance": "heroin", "qty": kg, "measure": "kg"}],
        "detained": "0",
        "urgent": urgent,
    }


async def amend(repos: Repositories, report: Report, key: str, kg: str) -> Report:
    return await repos.reports.amend(
        report.id,
        filing.report_changes(SEIZURE, seizure(kg), WEIGHT_ONLY),
        amended_by=report.author_id,
        idempotency_key=key,
        now=NOW,
    )


async def test_an_amendment_over_the_threshold_alerts_once(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "amend.sqlite3")
    try:
        async with db.transaction() as repos:
            unit = await repos.units.get_by_code("IMT-TER")
            assert unit is not None
            author = await repos.users.create(
                telegram_id=1, role=Role.OFFICER, display_name="A", unit_id=unit.id
            )
            await repos.users.create(telegram_id=2, role=Role.COORDINATOR, display_name="C")
            report = await repos.reports.create(
                filing.new_report(
                    SEIZURE,
                    seizure("0.4"),
                    draft_id="d1",
                    author=author,
                    unit_id=unit.id,
                    now=NOW,
                    timezone=ZoneInfo("Asia/Tashkent"),
                    factors=WEIGHT_ONLY,
                )
            )
            assert await create_alert(repos, report, THRESHOLD, NOW) is None  # 0.4 kg
            crossed = await amend(repos, report, "d2", "1.2")
            assert await create_alert(repos, crossed, THRESHOLD, NOW) is not None
            alert = await repos.alerts.get_by_report(report.id)
            assert alert is not None and alert.reason == "large"
            assert len(await repos.alerts.deliveries(alert.id)) == 1  # the coordinator
            still = await amend(repos, crossed, "d3", "1.5")
            assert await create_alert(repos, still, THRESHOLD, NOW) is None  # alerted already
            assert len(await repos.alerts.deliveries(alert.id)) == 1
    finally:
        await db.close()
