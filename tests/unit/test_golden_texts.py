"""The receipt, an urgent alert and the summary of a seizure report, exactly, in every language
(the route with its skipped transit shown as not given, the place at the unit's location).

Each golden file (tests/golden/{receipt,alert,summary}_{uz,uz_Cyrl,ru,en}.txt) is what an officer
or a coordinator reads for one fixed seizure report, built by the bot's own render functions.
After a change of wording or translation, rewrite them with ``UPDATE_GOLDEN=1 pytest …`` and read
the diff as a human before committing: these files are where a native speaker reviews the bot.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.config import LANGUAGES
from bot.forms.definitions import SEIZURE
from bot.forms.receipt import receipt_text
from bot.forms.render import summary
from bot.forms.state import Draft, ShowSummary
from bot.handlers.urgent.alert_view import AlertView, alert_text
from bot.i18n import Catalogs
from bot.urgent import Reason, why_urgent
from storage.alerts import Alert
from storage.models import Precision, Report, Route
from tests.unit.digest_samples import DAY, TERMEZ_IMT, local, make_report

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
THRESHOLD_KG = Decimal(1)

#: The seized items as (substance, quantity, measure): "1 tablet" and "24 tablets" both occur.
ITEMS = (
    ("heroin", "2", "kg"),
    ("hashish", "750", "g"),
    ("tramadol", "1", "tablets"),
    ("pregabalin", "24", "tablets"),
)
#: A seizure as an officer of Termez IMT files it: marked urgent, and 2 kg of heroin is large.
ANSWERS: dict[str, Any] = {
    "when": local(DAY, 6, 40).isoformat(),
    "place": {"type": "text", "text": "Ayritom, <post 2>"},
    "items": [{"substance": s, "qty": q, "measure": m} for s, q, m in ITEMS],
    "conceal": "vehicle",
    "transport": "truck",
    "origin": "af",
    "departure": "tj",
    "destination": "ru",
    "detained": "2",
    "nations": ["af", "uz"],
    "agencies": ["customs", "border"],
    "caseref": "12/2026",
    "notes": "Found in the spare wheel & under the seats.",
    "urgent": True,
}


def filed() -> Report:
    report = make_report(
        "SZ-2026-000101",
        TERMEZ_IMT,
        local(DAY, 9, 15),
        urgent=True,
        items=ITEMS,
        detained=2,
        occurred=local(DAY, 6, 40),
        answers=dict(ANSWERS),
    )
    # A typed place: the record places it at the unit (Termez); the transit was skipped.
    return replace(
        report,
        place_text="Ayritom, <post 2>",
        latitude=37.2242,
        longitude=67.2783,
        precision=Precision.UNIT,
        route=Route(origin="af", departure="tj", destination="ru"),
    )


def alert_of(report: Report) -> AlertView:
    reason = why_urgent(report, THRESHOLD_KG)
    assert reason is Reason.MARKED_AND_LARGE
    at = report.submitted_at.astimezone(UTC)
    alert = Alert(1, report.id, reason.value, at, None, None, 0, at)
    return AlertView(alert, report, TERMEZ_IMT, None)


def texts(catalogs: Catalogs, language: str) -> dict[str, str]:
    tr = catalogs.translator(language)
    report = filed()
    reason = why_urgent(report, THRESHOLD_KG)
    draft = Draft("0123456789abcdef", "seizure", dict(ANSWERS))
    shown, _keyboard = summary(SEIZURE, draft, ShowSummary(), tr, urgency=reason)
    return {
        "receipt": receipt_text(report, reason, tr, amended=False),
        "alert": alert_text(alert_of(report), tr, THRESHOLD_KG),
        "summary": shown,
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_texts_read_exactly_as_the_golden_ones(catalogs: Catalogs, language: str) -> None:
    for name, text in texts(catalogs, language).items():
        path = GOLDEN / f"{name}_{language}.txt"
        if os.environ.get("UPDATE_GOLDEN") == "1":
            path.write_text(text + "\n", encoding="utf-8")
        assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1, then read it"
        assert text + "\n" == path.read_text(encoding="utf-8"), (
            f"the {language} {name} changed: if on purpose, run with UPDATE_GOLDEN=1 and read it"
        )


def test_the_fixed_report_is_the_one_the_texts_describe() -> None:
    """The golden texts are about an urgent seizure whose measures agree with their numbers."""
    report = filed()
    assert report.submitted_at.tzinfo is not None
    assert report.submitted_at.astimezone(UTC) == datetime(2026, 11, 27, 4, 15, tzinfo=UTC)
    assert why_urgent(report, THRESHOLD_KG) is Reason.MARKED_AND_LARGE


def test_the_english_texts_say_one_tablet_and_file_the_report(catalogs: Catalogs) -> None:
    shown = texts(catalogs, "en")
    for text in shown.values():
        assert "1 tablets" not in text
    assert "Tramadol — 1\u00a0tablet\n" in shown["alert"] + "\n"
    assert "Pregabalin — 24\u00a0tablets" in shown["summary"]
    assert "marked urgent by the officer; large seizure: 1\u00a0kg or more" in shown["alert"]
    assert "&lt;post 2&gt;" in shown["alert"] and "<post 2>" not in shown["summary"]
