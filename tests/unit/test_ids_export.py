"""``/export ids``: the seizure records' rows cell by cell, their headers and machine names,
the totals sheet, and officers' text kept inert."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from bot.digest.ids_xlsx import COLUMNS, build_ids_xlsx, ids_rows
from bot.i18n import Catalogs
from storage.models import Precision, Route, SeizureItem
from tests.unit.digest_samples import (
    AYRITOM_BLO,
    DAY,
    INJECTION,
    TASHKENT,
    TERMEZ_IMT,
    UNITS,
    local,
    make_report,
)

MACHINE_NAMES = [
    "seizure_date",
    "drug",
    "quantity",
    "measure",
    "kg_equivalent",
    "kg_factor",
    "place_name",
    "region",
    "latitude",
    "longitude",
    "location_precision",
    "transport_mode",
    "concealment",
    "country_of_origin",
    "country_of_departure",
    "transit_countries",
    "destination_country",
    "trafficker_nationalities",
    "persons_detained",
    "agency",
    "unit",
    "case_reference",
    "report_number",
]

#: A seizure at a crossing point with its whole route: heroin weighed, tramadol by the tablet.
AT_THE_POINT = replace(
    make_report(
        "SZ-2026-000041",
        TERMEZ_IMT,
        local(DAY, 10),
        items=(("heroin", "1500", "g"), ("tramadol", "2000", "tablets")),
        detained=2,
        occurred=local(date(2026, 11, 26), 23, 30),
        answers={
            "conceal": "vehicle",
            "transport": "truck",
            "nations": ["tj", "uz"],
            "agencies": ["customs", "border"],
            "caseref": "42/2026",
        },
    ),
    place_text="Ayritom",
    latitude=37.2361,
    longitude=67.2014,
    precision=Precision.POINT,
    route=Route("af", "tj", ("ir", "tm"), "unknown"),
)
AT_THE_POINT = replace(
    AT_THE_POINT,
    items=(
        AT_THE_POINT.items[0],
        replace(AT_THE_POINT.items[1], kg_factor=Decimal("0.0001")),
    ),
)
#: A typed place at a border office with no region, the route skipped, a hostile case number.
TYPED = replace(
    make_report(
        "SZ-2026-000042",
        AYRITOM_BLO,
        local(DAY, 12),
        items=(("precursor", "3", "l"),),
        answers={"caseref": INJECTION, "agencies": ["sss"]},
    ),
    place_text="=cmd|' /C calc'!A0",
    latitude=37.25,
    longitude=67.25,
    precision=Precision.UNIT,
    route=Route(),
)
TYPED = replace(TYPED, items=(replace(TYPED.items[0], kg_factor=None),))
WITHDRAWN = make_report(
    "SZ-2026-000043", TERMEZ_IMT, local(DAY, 13), items=(("opium", "5", "kg"),), withdrawn=True
)
STATUS = make_report("DS-2026-000044", TERMEZ_IMT, local(DAY, 14))
REPORTS = (TYPED, WITHDRAWN, AT_THE_POINT, STATUS)


def test_the_columns_have_stable_machine_names() -> None:
    assert [column.name for column in COLUMNS] == MACHINE_NAMES


def test_rows_cell_by_cell_in_english(catalogs: Catalogs) -> None:
    rows = ids_rows(REPORTS, UNITS, catalogs.translator("en"), timezone=TASHKENT)
    assert [dict(zip(MACHINE_NAMES, row, strict=True)) for row in rows] == [
        {
            "seizure_date": date(2026, 11, 26),  # when it happened, not when it was filed
            "drug": "Heroin",
            "quantity": Decimal("1500"),
            "measure": "g",
            "kg_equivalent": Decimal("1.5"),
            "kg_factor": "weighed",
            "place_name": "Ayritom",
            "region": "Surkhandarya Region",
            "latitude": 37.2361,
            "longitude": 67.2014,
            "location_precision": "crossing point",
            "transport_mode": "Truck",
            "concealment": "Hidden in a vehicle",
            "country_of_origin": "Afghanistan",
            "country_of_departure": "Tajikistan",
            "transit_countries": "Iran, Turkmenistan",
            "destination_country": "Unknown",
            "trafficker_nationalities": "Uzbekistan, Tajikistan",
            "persons_detained": 2,
            "agency": "State Customs Committee, Border Troops",
            "unit": "Termez IMT",
            "case_reference": "42/2026",
            "report_number": "SZ-2026-000041",
        },
        {
            "seizure_date": date(2026, 11, 26),
            "drug": "Tramadol",
            "quantity": Decimal("2000"),
            "measure": "tablets",
            "kg_equivalent": Decimal("0.2"),
            "kg_factor": "100\u00a0mg per tablet",
            "place_name": "Ayritom",
            "region": "Surkhandarya Region",
            "latitude": 37.2361,
            "longitude": 67.2014,
            "location_precision": "crossing point",
            "transport_mode": "Truck",
            "concealment": "Hidden in a vehicle",
            "country_of_origin": "Afghanistan",
            "country_of_departure": "Tajikistan",
            "transit_countries": "Iran, Turkmenistan",
            "destination_country": "Unknown",
            "trafficker_nationalities": "Uzbekistan, Tajikistan",
            "persons_detained": 2,
            "agency": "State Customs Committee, Border Troops",
            "unit": "Termez IMT",
            "case_reference": "42/2026",
            "report_number": "SZ-2026-000041",
        },
        {
            "seizure_date": DAY,  # no time given: the reporting day
            "drug": "Precursor (acetic anhydride etc.)",
            "quantity": Decimal("3"),
            "measure": "L",
            "kg_equivalent": None,
            "kg_factor": "no factor",
            "place_name": "=cmd|' /C calc'!A0",
            "region": None,  # BLO-AYR names no city of ours
            "latitude": 37.25,
            "longitude": 67.25,
            "location_precision": "unit’s location",
            "transport_mode": None,
            "concealment": None,
            "country_of_origin": None,
            "country_of_departure": None,
            "transit_countries": None,
            "destination_country": None,
            "trafficker_nationalities": None,
            "persons_detained": None,
            "agency": "State Security Service",
            "unit": "Ayritom BLO",
            "case_reference": INJECTION,
            "report_number": "SZ-2026-000042",
        },
    ]


@pytest.mark.parametrize("language", ["uz", "uz_Cyrl", "ru", "en"])
def test_the_workbook_in_every_language(catalogs: Catalogs, language: str) -> None:
    tr = catalogs.translator(language)
    content, items = build_ids_xlsx(DAY, DAY, REPORTS, UNITS, tr, timezone=TASHKENT)
    assert items == 3
    book = load_workbook(BytesIO(content))
    records, totals = book.worksheets
    assert records.title == tr.pgettext("sheet", "Seizure records")
    assert totals.title == tr.pgettext("sheet", "Totals")
    headers = [cell.value for cell in records[1]]
    assert headers == [tr.gettext(column.header) for column in COLUMNS]
    assert len(set(headers)) == len(headers)
    assert [cell.value for cell in records[2]] == MACHINE_NAMES
    assert records.max_row == 2 + 3
    assert records.freeze_panes == "A3"
    cells = {name: cell for name, cell in zip(MACHINE_NAMES, records[3], strict=True)}
    assert cells["seizure_date"].is_date
    assert cells["quantity"].value == 1500 and cells["kg_equivalent"].value == 1.5
    assert cells["latitude"].value == pytest.approx(37.2361)
    if language == "uz":
        assert cells["region"].value == "Surxondaryo viloyati"
        assert cells["location_precision"].value == "chegara o‘tkazish punkti"
    if language == "ru":
        assert cells["region"].value == "Сурхандарьинская область"
        assert cells["location_precision"].value == "пункт пропуска"


def test_officers_text_stays_inert(catalogs: Catalogs) -> None:
    tr = catalogs.translator("en")
    content, _items = build_ids_xlsx(DAY, DAY, REPORTS, UNITS, tr, timezone=TASHKENT)
    records = load_workbook(BytesIO(content)).worksheets[0]
    last = {name: cell for name, cell in zip(MACHINE_NAMES, records[5], strict=True)}
    for name in ("place_name", "case_reference"):
        cell = last[name]
        assert isinstance(cell, Cell)
        assert cell.data_type == "s" and cell.quotePrefix, name
    assert last["case_reference"].value == INJECTION


def test_totals_per_drug_and_measure_and_the_equivalent(catalogs: Catalogs) -> None:
    tr = catalogs.translator("en")
    content, _items = build_ids_xlsx(DAY, DAY, REPORTS, UNITS, tr, timezone=TASHKENT)
    totals = load_workbook(BytesIO(content)).worksheets[1]
    rows = list(totals.iter_rows(min_row=3, values_only=True))
    assert rows[0] == ("Drug", "Quantity", "Measure", "Kilogram equivalent")
    assert rows[1] == ("drug", "quantity", "measure", "kg_equivalent")
    # The withdrawn opium is no record; litres and tablets are never added to kilograms.
    assert rows[2:5] == [
        ("Heroin", 1.5, "kg", 1.5),
        ("Tramadol", 2000, "tablets", 0.2),
        ("Precursor (acetic anhydride etc.)", 3, "L", "no factor"),
    ]
    assert ("Kilogram equivalent, total", 1.7, None, None) in rows
    assert any(row[0] and "without a factor" in str(row[0]) for row in rows)


def test_a_period_without_seizures_has_the_headers_only(catalogs: Catalogs) -> None:
    tr = catalogs.translator("ru")
    content, items = build_ids_xlsx(DAY, DAY, (STATUS, WITHDRAWN), UNITS, tr, timezone=TASHKENT)
    assert items == 0
    records = load_workbook(BytesIO(content)).worksheets[0]
    assert records.max_row == 2


def test_items_keep_the_factor_they_were_filed_with(catalogs: Catalogs) -> None:
    """The factor column is the item's own, whatever the factor is now."""
    item = SeizureItem(
        "tramadol", Decimal(10), "tablets", Decimal(10), "tablets", Decimal("0.0003")
    )
    report = replace(AT_THE_POINT, items=(item,))
    (row,) = ids_rows([report], UNITS, catalogs.translator("en"), timezone=TASHKENT)
    cells = dict(zip(MACHINE_NAMES, row, strict=True))
    assert cells["kg_equivalent"] == Decimal("0.003")
    assert cells["kg_factor"] == "300\u00a0mg per tablet"
