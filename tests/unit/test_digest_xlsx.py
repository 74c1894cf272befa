"""The digest's spreadsheet, opened again with openpyxl and read cell by cell."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from bot.digest.build import build_digest
from bot.digest.sheet_writer import put_text, sheet_title
from bot.digest.xlsx import build_period_xlsx, build_xlsx
from bot.i18n import Catalogs
from tests.unit.digest_samples import (
    DAY,
    HISTORY,
    INJECTION,
    REPORTS,
    SAMARKAND_IMT,
    SHEETS,
    UNITS,
    local,
    make_report,
    sample_digest,
)


@pytest.fixture(scope="module")
def data(catalogs: Catalogs) -> bytes:
    return build_xlsx(sample_digest(), REPORTS, UNITS, catalogs.translator("en"))


@pytest.fixture(scope="module")
def book(data: bytes) -> Workbook:
    return load_workbook(BytesIO(data))


def rows(sheet: Worksheet) -> list[tuple[object, ...]]:
    return list(sheet.iter_rows(values_only=True))


def row_of(sheet: Worksheet, number: str) -> tuple[Cell, ...]:
    found = [row for row in sheet.iter_rows() if row[0].value == number]
    assert len(found) == 1, number
    return tuple(cell for cell in found[0] if isinstance(cell, Cell))


def by_header(sheet: Worksheet, number: str) -> dict[str, Cell]:
    headers = [cell.value for cell in sheet[1]]
    return {str(h): cell for h, cell in zip(headers, row_of(sheet, number), strict=False)}


def test_sheets_and_headers(book: Workbook) -> None:
    assert book.sheetnames == SHEETS
    seizures = book["Seizures"]
    assert [cell.value for cell in seizures[1]] == [
        "Number",
        "Unit",
        "Reporting day",
        "Filed at",
        "Occurred at",
        "Urgent",
        "Status",
        "Place",
        "Items",
        "Concealment",
        "Transport",
        "Country of origin",
        "Country of departure",
        "Transit countries",
        "Country of destination",
        "Persons detained",
        "Nationalities",
        "Agencies",
        "Case reference",
        "Notes",
        "Photos",
    ]
    assert [cell.value for cell in book["Seized items"][1]] == [
        "Number",
        "Unit",
        "Status",
        "Substance",
        "Quantity",
        "Measure",
        "Normalised quantity",
        "Normalised unit",
        "Kilogram equivalent",
        "Factor",
    ]
    for name in SHEETS[1:]:
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.b for cell in sheet[1] if cell.value is not None)
        assert sheet.auto_filter.ref


def test_a_reports_row_cell_by_cell(book: Workbook) -> None:
    row = by_header(book["Seizures"], "SZ-2026-000101")
    assert row["Unit"].value == "Termez IMT"
    assert row["Reporting day"].value == datetime(2026, 11, 27)
    assert row["Reporting day"].is_date
    assert row["Filed at"].value == datetime(2026, 11, 27, 9, 15)  # Tashkent time, naive
    assert row["Filed at"].is_date
    assert "hh:mm" in row["Filed at"].number_format
    assert row["Occurred at"].value == datetime(2026, 11, 27, 6, 40)
    assert row["Urgent"].value == "Yes — large seizure"  # as coordinators were told
    assert row["Status"].value == "filed"
    assert row["Place"].value == "Ayritom"
    assert row["Items"].value == "Heroin — 2\u00a0kg; Hashish — 750\u00a0g"
    assert row["Concealment"].value == "Hidden in a vehicle"
    assert row["Transport"].value == "Truck"
    assert row["Persons detained"].value == 2
    assert row["Persons detained"].data_type == "n"
    assert row["Nationalities"].value == "Uzbekistan, Afghanistan"
    assert row["Agencies"].value == "State Customs Committee"
    assert row["Photos"].value == 1
    assert row["Notes"].value is None


def test_other_forms_and_withdrawn_reports(book: Workbook) -> None:
    operation = by_header(book["Joint operations"], "JO-2026-000044")
    assert operation["Occurred at"].value is None  # no "when": started/ended are its moments
    assert operation["Ended"].value == datetime(2026, 11, 27, 17, 30)
    assert operation["Ended"].is_date
    assert operation["Vehicles inspected"].value == 120
    assert operation["Persons checked"].value == 310
    assert operation["Agencies"].value == "Ministry of Internal Affairs, State Customs Committee"
    incident = by_header(book["Incidents"], "IN-2026-000031")
    assert incident["Category"].value == "Intelligence on a route or group"
    assert incident["Description"].value == "A group plans a crossing <tonight> & tomorrow"
    assert [r[0] for r in rows(book["Daily status"])[1:]] == ["DS-2026-000201", "DS-2026-000202"]
    withdrawn = by_header(book["Seizures"], "SZ-2026-000104")
    assert withdrawn["Status"].value == "withdrawn"
    location = by_header(book["Seizures"], "SZ-2026-000102")["Place"].value
    assert location == "location 41.31108, 69.24056"


def test_seized_items_are_numbers_with_their_normalised_unit(book: Workbook) -> None:
    items = rows(book["Seized items"])[1:]
    assert len(items) == 10  # the withdrawn report's item too, marked by its status
    assert ("SZ-2026-000102", "Tashkent IMT", "filed", "Precursor (acetic anhydride etc.)",
            1500, "ml", 1.5, "L", None, "no factor") in items  # fmt: skip
    assert ("SZ-2026-000101", "Termez IMT", "filed", "Hashish", 750, "g", 0.75, "kg",
            0.75, "weighed") in items  # fmt: skip
    for item in items:
        assert isinstance(item[4], int | float)
        assert isinstance(item[6], int | float)


def test_the_summary_holds_numbers(book: Workbook) -> None:
    summary = book["Summary"]
    values = rows(summary)
    assert values[0][0] == "Daily digest for 27 November 2026"
    pairs = {row[0]: row[1] for row in values if row[0] is not None}
    assert pairs["Reports"] == 9
    assert pairs["Seizures"] == 5
    assert pairs["Persons detained"] == 7
    assert pairs["Urgent reports"] == 3
    assert pairs["Late reports"] == 1
    assert pairs["Withdrawn reports"] == 1
    assert pairs["Seized, kg"] == pytest.approx(4.7)
    assert pairs["Active units"] == 7
    assert pairs["Units that filed"] == 5
    assert pairs["Heroin"] == 2.5
    assert pairs["Tramadol"] == 1500
    rate = next(row for row in summary.iter_rows() if row[0].value == "Reporting rate")[1]
    assert rate.value == pytest.approx(5 / 7)
    assert rate.number_format == "0%"
    header = values.index(next(row for row in values if row[0] == "Unit" and row[1] == "Code"))
    assert values[header][:6] == ("Unit", "Code", "Active", "Filed", "Reports", "Seizures")
    table = {row[1]: row for row in values[header + 1 : header + 9]}
    assert table["IMT-TAS"][2:7] == ("Yes", "Yes", 2, 1, 1)
    assert table["IMT-BUX"][3] == "No"  # only a late report
    assert table["IMT-OLD"][2:4] == ("No", None)  # inactive: filing is not asked of it
    assert table["IMT-TER"][-1] == 2.75
    assert summary.freeze_panes == "A2"


def test_a_formula_typed_by_an_officer_stays_inert_text(data: bytes, book: Workbook) -> None:
    notes = by_header(book["Seizures"], "SZ-2026-000103")["Notes"]
    assert notes.value == INJECTION
    assert notes.data_type == "s"
    assert notes.quotePrefix  # Excel shows it as text and keeps it text on edit
    place = by_header(book["Seizures"], "SZ-2026-000103")["Place"]
    assert (place.value, place.data_type, place.quotePrefix) == ("@bazaar +1", "s", True)
    case = by_header(book["Seizures"], "SZ-2026-000101")["Case reference"]
    assert (case.value, case.quotePrefix) == ("-12/2026", True)
    plain = by_header(book["Seizures"], "SZ-2026-000101")["Place"]
    assert not plain.quotePrefix
    with zipfile.ZipFile(BytesIO(data)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    for xml in sheets:
        assert b"<f>" not in xml
        assert b"<f " not in xml  # no formula element anywhere in the workbook
    assert any(b'<is><t>=HYPERLINK("http://x","y")</t></is>' in xml for xml in sheets)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_every_formula_trigger_is_neutralised(text: str) -> None:
    sheet = Workbook().active
    assert isinstance(sheet, Worksheet)
    cell = sheet.cell(1, 1)
    assert isinstance(cell, Cell)
    put_text(cell, text)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)


def test_control_characters_are_dropped_not_fatal(catalogs: Catalogs) -> None:
    report = make_report(
        "SZ-2026-000600",
        SAMARKAND_IMT,
        local(DAY, 12),
        items=(("heroin", "1", "kg"),),
        answers={"notes": "bell\x07 and\x1b escape"},
    )
    data = build_xlsx(
        build_digest(DAY, [report], UNITS, []), [report], UNITS, catalogs.translator("en")
    )
    notes = by_header(load_workbook(BytesIO(data))["Seizures"], "SZ-2026-000600")["Notes"]
    assert notes.value == "bell and escape"


def test_moments_follow_the_time_zone_given(catalogs: Catalogs) -> None:
    data = build_xlsx(sample_digest(), REPORTS, UNITS, catalogs.translator("en"), timezone=UTC)
    row = by_header(load_workbook(BytesIO(data))["Seizures"], "SZ-2026-000101")
    assert row["Filed at"].value == datetime(2026, 11, 27, 4, 15)


@pytest.mark.parametrize(
    ("language", "place", "unit", "date_format"),
    [
        ("ru", "Место", "ММГ Термез", "dd.mm.yyyy hh:mm"),
        ("uz", "Joy", "Termiz mobil guruhi", "dd.mm.yyyy hh:mm"),
        ("en", "Place", "Termez IMT", "yyyy-mm-dd hh:mm"),
    ],
)
def test_headers_and_names_are_in_the_readers_language(
    catalogs: Catalogs, language: str, place: str, unit: str, date_format: str
) -> None:
    tr = catalogs.translator(language)
    data = build_xlsx(sample_digest(), REPORTS, UNITS, tr)
    book = load_workbook(BytesIO(data))
    seizures = book[sheet_title(tr.pgettext("sheet", "Seizures"), set())]
    assert place in [cell.value for cell in seizures[1]]
    assert unit in [cell.value for cell in seizures["B"]]
    assert seizures["D2"].number_format == date_format


def test_an_empty_day_gives_header_only_sheets(catalogs: Catalogs) -> None:
    digest = build_digest(DAY, [], UNITS, HISTORY)
    book = load_workbook(BytesIO(build_xlsx(digest, [], UNITS, catalogs.translator("ru"))))
    for sheet in book.worksheets[1:]:
        assert sheet.max_row == 1
    assert book.worksheets[0]["B4"].value == 0


def test_column_widths_are_reasonable(book: Workbook) -> None:
    for sheet in book.worksheets:
        widths = [dimension.width for dimension in sheet.column_dimensions.values()]
        assert widths
        assert all(8 <= width <= 50 for width in widths)
    seizures = book["Seizures"]
    assert seizures.column_dimensions["A"].width >= len("SZ-2026-000101")


@pytest.mark.parametrize(
    ("text", "taken", "expected"),
    [
        ("Daily status: nothing to report", set(), "Daily status nothing to report"),
        ("Seizures", {"seizures"}, "Seizures (2)"),
        ("a/b\\c?d*e[f]g", set(), "a b c d e f g"),
        ("x" * 40, set(), "x" * 31),
        ("::", set(), "Sheet"),
    ],
)
def test_sheet_titles_are_valid_for_excel(text: str, taken: set[str], expected: str) -> None:
    title = sheet_title(text, taken)
    assert len(title) <= 31
    assert not set(title) & set("[]:*?/\\")
    assert title == expected


def test_a_periods_workbook_has_the_same_sheets_without_completeness(
    catalogs: Catalogs,
) -> None:
    first = DAY - timedelta(days=6)
    data = build_period_xlsx(first, DAY, REPORTS, UNITS, catalogs.translator("en"))
    book = load_workbook(BytesIO(data))
    assert book.sheetnames == SHEETS
    values = rows(book["Summary"])
    assert values[0][0] == "Reports from 21 November 2026 to 27 November 2026"
    labels = [row[0] for row in values]
    assert "Completeness" not in labels
    assert "Late reports" not in labels
    pairs = {row[0]: row[1] for row in values if row[0] is not None}
    assert (pairs["Reports"], pairs["Seizures"], pairs["Withdrawn reports"]) == (9, 5, 1)
    header = next(row for row in values if row[0] == "Unit")
    assert "Filed" not in header
    assert len(rows(book["Seizures"])) == 1 + 6
