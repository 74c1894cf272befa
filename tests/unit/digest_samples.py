"""The digest tests' data set: the units, a fixed day of reports and the seven days before it
(``UNITS``, ``REPORTS``, ``HISTORY``), shared by the figures, text, XLSX, chart, map and export
tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.digest.build import build_digest
from bot.digest.figures import (
    DayStats,
    Digest,
)
from bot.filing import normalise
from bot.forms.definitions import FORMS
from storage.models import Report, ReportStatus, SeizureItem, Unit, UnitKind

TASHKENT = ZoneInfo("Asia/Tashkent")
DAY = date(2026, 11, 27)
TASHKENT_IMT = Unit(
    1, "IMT-TAS", UnitKind.IMT, "Toshkent mobil guruhi", "ММГ Ташкент", "Tashkent IMT", True
)
SAMARKAND_IMT = Unit(
    2, "IMT-SAM", UnitKind.IMT, "Samarqand mobil guruhi", "ММГ Самарканд", "Samarkand IMT", True
)
TERMEZ_IMT = Unit(
    3, "IMT-TER", UnitKind.IMT, "Termiz mobil guruhi", "ММГ Термез", "Termez IMT", True
)
NUKUS_IMT = Unit(4, "IMT-NUK", UnitKind.IMT, "Nukus mobil guruhi", "ММГ Нукус", "Nukus IMT", True)
AYRITOM_BLO = Unit(
    5, "BLO-AYR", UnitKind.BLO, "Ayritom chegara aloqa idorasi", "ПОС Айритом", "Ayritom BLO", True
)
BUKHARA_IMT = Unit(
    6, "IMT-BUX", UnitKind.IMT, "Buxoro mobil guruhi", "ММГ Бухара", "Bukhara IMT", True
)
OLD_UNIT = Unit(7, "IMT-OLD", UnitKind.IMT, "Eski guruh", "Старая группа", "Old team", False)
JIZZAKH_IMT = Unit(
    8, "IMT-JIZ", UnitKind.IMT, "Jizzax mobil guruhi", "ММГ Джизак", "Jizzakh IMT", True
)
OLOT_BLO = Unit(
    9, "BLO-OLO", UnitKind.BLO, "Olot chegara aloqa idorasi", "ПОС Олот", "Olot BLO", False
)
UNITS = (
    TASHKENT_IMT,
    SAMARKAND_IMT,
    TERMEZ_IMT,
    NUKUS_IMT,
    AYRITOM_BLO,
    BUKHARA_IMT,
    OLD_UNIT,
    JIZZAKH_IMT,
    OLOT_BLO,
)
UNITS_BY_ID = {unit.id: unit for unit in UNITS}
INJECTION = '=HYPERLINK("http://x","y")'


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TASHKENT)


def make_report(
    number: str,
    unit: Unit,
    submitted: datetime,
    *,
    answers: dict[str, Any] | None = None,
    urgent: bool = False,
    withdrawn: bool = False,
    items: tuple[tuple[str, str, str], ...] = (),
    detained: int | None = None,
    occurred: datetime | None = None,
) -> Report:
    """A stored report as the repository returns it; ``items`` are (substance, qty, measure)."""
    code = number.split("-")[0]
    form = next(f.key for f in FORMS.values() if f.code == code)
    seizure_items = tuple(
        SeizureItem(substance, Decimal(qty), measure, *normalise(Decimal(qty), measure))
        for substance, qty, measure in items
    )
    all_answers = dict(answers or {})
    if form == "seizure":
        all_answers.setdefault(
            "items", [{"substance": s, "qty": q, "measure": m} for s, q, m in items]
        )
        all_answers.setdefault("detained", str(detained or 0))
        all_answers.setdefault("urgent", urgent)
        all_answers.setdefault("agencies", ["customs"])
    if occurred is not None:
        all_answers.setdefault("when", occurred.isoformat())
    at = submitted.astimezone(UTC)
    return Report(
        id=int(number.rsplit("-", 1)[1]),
        number=number,
        form=form,
        form_code=code,
        unit_id=unit.id,
        author_id=100 + unit.id,
        occurred_at=occurred.astimezone(UTC) if occurred else None,
        submitted_at=at,
        local_day=submitted.astimezone(TASHKENT).date(),
        status=ReportStatus.WITHDRAWN if withdrawn else ReportStatus.SUBMITTED,
        urgent=urgent,
        version=1,
        answers=all_answers,
        place_text=None,
        latitude=None,
        longitude=None,
        persons_detained=detained,
        items=seizure_items,
        attachments=(),
        updated_at=at,
    )


YESTERDAY = DAY - timedelta(days=1)
REPORTS = (
    make_report(
        "SZ-2026-000101",
        TERMEZ_IMT,
        local(DAY, 9, 15),
        urgent=True,
        items=(("heroin", "2", "kg"), ("hashish", "750", "g")),
        detained=2,
        occurred=local(DAY, 6, 40),
        answers={
            "place": {"type": "text", "text": "Ayritom"},
            "conceal": "vehicle",
            "transport": "truck",
            "nations": ["af", "uz"],
            "caseref": "-12/2026",
            "photos": [{"file_id": "a", "file_unique_id": "ua"}],
        },
    ),
    make_report(
        "SZ-2026-000102",
        TASHKENT_IMT,
        local(DAY, 11, 40),
        items=(("heroin", "500", "g"), ("tramadol", "300", "tablets"), ("precursor", "1500", "ml")),
        detained=1,
        occurred=local(DAY, 10, 0),
        answers={"place": {"type": "location", "lat": 41.311081, "lon": 69.240562}},
    ),
    make_report(
        "SZ-2026-000103",
        SAMARKAND_IMT,
        local(DAY, 14, 5),
        items=(("hashish", "1.2", "kg"),),
        detained=0,
        occurred=local(DAY, 13, 30),
        answers={"notes": INJECTION, "place": {"type": "text", "text": "@bazaar +1"}},
    ),
    make_report(
        "JO-2026-000044",
        TASHKENT_IMT,
        local(DAY, 18, 0),
        answers={
            "start": local(DAY, 8, 0).isoformat(),
            "end": local(DAY, 17, 30).isoformat(),
            "agencies": ["mia", "customs"],
            "vehicles": "120",
            "persons": "310",
            "result": "Checks at the southern checkpoint",
        },
        occurred=None,
    ),
    make_report(
        "IN-2026-000031",
        AYRITOM_BLO,
        local(DAY, 20, 10),
        urgent=True,
        occurred=local(DAY, 19, 45),
        answers={
            "category": "intel",
            "place": {"type": "text", "text": "Ayritom"},
            "descr": "A group plans a crossing <tonight> & tomorrow",
            "urgent": True,
        },
    ),
    make_report("DS-2026-000201", NUKUS_IMT, local(DAY, 8, 5), answers={"remarks": "All quiet"}),
    # Late: yesterday's, submitted after yesterday's digest went out; its unit filed nothing today.
    make_report(
        "SZ-2026-000099",
        BUKHARA_IMT,
        local(YESTERDAY, 22, 30),
        items=(("opium", "250", "g"),),
        detained=1,
        occurred=local(YESTERDAY, 21, 0),
    ),
    # Withdrawn: left out of every figure; its unit has not filed.
    make_report(
        "SZ-2026-000104",
        JIZZAKH_IMT,
        local(DAY, 10, 0),
        withdrawn=True,
        items=(("heroin", "5", "kg"),),
        detained=4,
        urgent=True,
    ),
    # An inactive unit's report still counts and shows in the per-unit table.
    make_report("DS-2026-000202", OLD_UNIT, local(DAY, 9, 0)),
    make_report(
        "SZ-2026-000105",
        AYRITOM_BLO,
        local(DAY, 16, 20),
        items=(("tramadol", "1200", "tablets"), ("pregabalin", "1", "pieces")),
        detained=3,
        occurred=local(DAY, 15, 0),
    ),
)
HISTORY = tuple(
    DayStats(DAY - timedelta(days=7 - i), reports, seizures, detained, Decimal(kg))
    for i, (reports, seizures, detained, kg) in enumerate(
        [
            (6, 2, 3, "1.5"),
            (8, 3, 5, "2"),
            (7, 1, 2, "0.5"),
            (5, 2, 4, "3"),
            (9, 4, 6, "4.2"),
            (7, 2, 4, "1.3"),
            (7, 0, 4, "1.5"),
        ]
    )
)


def sample_digest() -> Digest:
    return build_digest(DAY, REPORTS, UNITS, HISTORY)


#: The digest spreadsheet's sheets, in order.
SHEETS = ["Summary", "Seizures", "Joint operations", "Incidents", "Daily status", "Seized items"]
