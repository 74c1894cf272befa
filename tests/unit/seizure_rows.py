"""A seizure filed straight into the repositories by a Termez officer, at a fixed moment: the report
the storage tests of alerts and of the one-hop transactions build on."""

from __future__ import annotations

from datetime import UTC, datetime

from storage import NewReport, Repositories, Role
from storage.drafts import new_draft_id

T0 = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


async def _report(repos: Repositories, author_telegram_id: int = 100) -> tuple[int, int]:
    """(report id, author's user id) of a new seizure filed by a Termez officer."""
    unit = await repos.units.get_by_code("IMT-TER")
    assert unit is not None
    author = await repos.users.get_by_telegram_id(author_telegram_id)
    if author is None:
        author = await repos.users.create(
            telegram_id=author_telegram_id, role=Role.OFFICER, unit_id=unit.id
        )
    report = await repos.reports.create(
        NewReport(
            form="seizure",
            form_code="SZ",
            unit_id=unit.id,
            author_id=author.id,
            idempotency_key=new_draft_id(),
            occurred_at=T0,
            submitted_at=T0,
            local_day=T0.date(),
            urgent=True,
            answers={},
            place_text="Ayritom",
            latitude=None,
            longitude=None,
            persons_detained=1,
        )
    )
    return report.id, author.id
