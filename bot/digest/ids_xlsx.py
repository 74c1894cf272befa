"""``/export ids FROM TO``: the period's seizures as individual drug seizure records.

One row per seized item in the layout of UNODC's Individual Drug Seizures collection, so the
programme can hand its records on without retyping: the headers in the requester's language
and, under them, a row of machine names that never change (a script reading the file keys on
them, whatever language the file was asked in). A second sheet holds the period's totals per
drug and measure, never added up across measures, and the kilogram-equivalent totals, labelled
as such.

Withdrawn reports are no seizure records and are left out. Every cell is written by the
spreadsheet writer every workbook shares (bot/digest/sheet_writer.py), so officers' text stays
inert in Excel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

from openpyxl.styles import Font

from bot.digest.build import build_digest
from bot.digest.labels import measure_label, substance_label, unit_name
from bot.digest.sheet_writer import CellValue, SheetWriter, fit_columns
from bot.forms.definitions import SEIZURE
from bot.i18n import N_, NP_, Translator
from bot.regions import region_name
from bot.retention import removed_answers
from storage.models import Precision, Report, ReportStatus, SeizureItem, Unit

MACHINE_NAMES = Font(italic=True, color="666666")


@dataclass(frozen=True)
class Column:
    """A record's column: its stable machine name and its header (an N_ or NP_ message)."""

    name: str
    header: str

    def title(self, tr: Translator) -> str:
        return tr.gettext(self.header)


#: The record's columns, in the order of the individual drug seizure record.
COLUMNS: tuple[Column, ...] = (
    Column("seizure_date", N_("Date of seizure")),
    Column("drug", NP_("column", "Drug")),
    Column("quantity", N_("Quantity")),
    Column("measure", N_("Measure")),
    Column("kg_equivalent", NP_("column", "Kilogram equivalent")),
    Column("kg_factor", NP_("column", "Factor")),
    Column("place_name", NP_("column", "Place name")),
    Column("region", NP_("column", "Region")),
    Column("latitude", NP_("column", "Latitude")),
    Column("longitude", NP_("column", "Longitude")),
    Column("location_precision", NP_("column", "Location precision")),
    Column("transport_mode", NP_("column", "Mode of transport")),
    Column("concealment", N_("Concealment")),
    Column("country_of_origin", N_("Country of origin")),
    Column("country_of_departure", N_("Country of departure")),
    Column("transit_countries", N_("Transit countries")),
    Column("destination_country", N_("Country of destination")),
    Column("trafficker_nationalities", NP_("column", "Trafficker nationalities")),
    Column("persons_detained", N_("Persons detained")),
    Column("agency", N_("Agencies")),
    Column("unit", NP_("column", "Unit")),
    Column("case_reference", N_("Case reference")),
    Column("report_number", NP_("column", "Report number")),
)


#: Answers removed after the retention period (bot/retention.py) and the record's column each
#: fed; the record's other columns are figures and stay.
_REMOVED_COLUMNS = (
    ("place", "place_name"),
    ("nations", "trafficker_nationalities"),
    ("caseref", "case_reference"),
)


def precision_label(precision: Precision | None, tr: Translator) -> str | None:
    """How closely the coordinates place the seizure, in the reader's language."""
    if precision is None:
        return None
    labels = {
        # Translators: in the "Location precision" column: the officer shared a location.
        Precision.EXACT: tr.pgettext("precision", "location shared"),
        # Translators: in the "Location precision" column: the chosen crossing point's place.
        Precision.POINT: tr.pgettext("precision", "crossing point"),
        # Translators: in the "Location precision" column: the place is the unit's location.
        Precision.UNIT: tr.pgettext("precision", "unit’s location"),
        # Translators: in the "Location precision" column: neither the place nor the unit has
        # coordinates.
        Precision.NONE: tr.pgettext("precision", "no coordinates"),
    }
    return labels[precision]


class RecordWriter:
    """Turns a report's items into rows of :data:`COLUMNS` in the reader's language."""

    def __init__(self, book: SheetWriter, units_by_id: dict[int, Unit]) -> None:
        self.book = book
        self.tr = book.tr
        self.units_by_id = units_by_id

    def rows(self, report: Report) -> list[list[CellValue]]:
        """One row per item, the report's own columns repeated on each (a record per drug)."""
        values = self._report_values(report)
        return [
            [
                values[column.name]
                if column.name in values
                else self._item_value(column.name, item)
                for column in COLUMNS
            ]
            for item in report.items
        ]

    def _item_value(self, name: str, item: SeizureItem) -> CellValue:
        item_values: dict[str, Callable[[], CellValue]] = {
            "drug": lambda: substance_label(item.substance, self.tr),
            "quantity": lambda: item.quantity,
            "measure": lambda: measure_label(item.measure, self.tr),
            "kg_equivalent": lambda: item.kg_equivalent,
            "kg_factor": lambda: self.book.factor(item),
        }
        return item_values[name]()

    def _report_values(self, report: Report) -> dict[str, CellValue]:
        tr = self.tr
        route = report.route
        unit = self.units_by_id.get(report.unit_id)
        return {
            "seizure_date": self.seizure_date(report),
            "place_name": report.place_text,
            "region": region_name(unit, tr),
            "latitude": report.latitude,
            "longitude": report.longitude,
            "location_precision": precision_label(report.precision, tr),
            "transport_mode": self.chosen("transport", report.answers),
            "concealment": self.chosen("conceal", report.answers),
            "country_of_origin": self.chosen("origin", route.origin if route else None),
            "country_of_departure": self.chosen("departure", route.departure if route else None),
            "transit_countries": self.chosen("transit", list(route.transit) if route else None),
            "destination_country": self.chosen("destination", route.destination if route else None),
            "trafficker_nationalities": self.chosen("nations", report.answers),
            "persons_detained": report.persons_detained,
            "agency": self.chosen("agencies", report.answers),
            "unit": unit_name(report.unit_id, self.units_by_id, tr),
            "case_reference": str(report.answers.get("caseref") or "") or None,
            "report_number": report.number,
        } | self._removed(report)

    def _removed(self, report: Report) -> dict[str, CellValue]:
        """The columns whose answers were removed after the retention period: the marker."""
        removed = removed_answers(report, self.tr)
        return {column: removed[key] for key, column in _REMOVED_COLUMNS if key in removed}

    def seizure_date(self, report: Report) -> date:
        """The day it happened as the officer said (local), else the reporting day."""
        if report.occurred_at is not None:
            return self.book.local(report.occurred_at).date()
        return report.local_day

    def chosen(self, key: str, given: Any) -> str | None:
        """The option(s) chosen for the seizure form's question ``key``, comma-separated.

        ``given`` is the answer itself, or the report's answers to look ``key`` up in."""
        spec = SEIZURE.field(key)
        assert spec is not None
        value = given.get(key) if isinstance(given, dict) else given
        if value is None or value == [] or value == "":
            return None
        keys = [value] if isinstance(value, str) else list(value)
        names = [self.tr.label(option) for option in spec.options if option.key in keys]
        return ", ".join(names) or None


def ids_rows(
    reports: Sequence[Report], units: Sequence[Unit], tr: Translator, *, timezone: tzinfo
) -> list[list[CellValue]]:
    """The records' rows (without the headers): the seizures filed, oldest first."""
    units_by_id = {unit.id: unit for unit in units}
    writer = RecordWriter(SheetWriter(tr, timezone, units_by_id), units_by_id)
    return [row for report in seizures(reports) for row in writer.rows(report)]


def seizures(reports: Sequence[Report]) -> list[Report]:
    """The period's seizure records: submitted seizure reports, oldest first."""
    return sorted(
        (
            r
            for r in reports
            if r.form == SEIZURE.key and r.status is ReportStatus.SUBMITTED and r.items
        ),
        key=lambda r: (r.local_day, r.submitted_at, r.number),
    )


def build_ids_xlsx(
    first: date,
    last: date,
    reports: Sequence[Report],
    units: Sequence[Unit],
    tr: Translator,
    *,
    timezone: tzinfo | None = None,
) -> tuple[bytes, int]:
    """The records' workbook and how many records (items) it holds."""
    zone = timezone or tr.timezone
    units_by_id = {unit.id: unit for unit in units}
    book = SheetWriter(tr, zone, units_by_id)
    writer = RecordWriter(book, units_by_id)
    sheet = book.sheet(tr.pgettext("sheet", "Seizure records"))
    book.put_row(sheet, 1, [column.title(tr) for column in COLUMNS], bold=True)
    book.put_row(sheet, 2, [column.name for column in COLUMNS])
    for cell in sheet[2]:
        cell.font = MACHINE_NAMES
    row = 2
    records = seizures(reports)
    for report in records:
        for values in writer.rows(report):
            row += 1
            book.put_row(sheet, row, values)
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = f"A2:{sheet.cell(row=row, column=len(COLUMNS)).coordinate}"
    fit_columns(sheet)
    _totals_sheet(book, first, last, records)
    return book.save(), row - 2


def _totals_sheet(book: SheetWriter, first: date, last: date, records: Sequence[Report]) -> None:
    """The period's quantities per drug and measure, and the kilogram equivalents."""
    tr = book.tr
    headline = build_digest(last, records, [], []).headline
    sheet = book.sheet(tr.pgettext("sheet", "Totals"))
    book.put(
        sheet,
        1,
        1,
        tr.gettext("Seizures from {first} to {last}").format(
            first=tr.format_date(first, "long"), last=tr.format_date(last, "long")
        ),
    ).font = Font(bold=True, size=14)
    columns = [
        (tr.pgettext("column", "Drug"), "drug"),
        (tr.gettext("Quantity"), "quantity"),
        (tr.gettext("Measure"), "measure"),
        (tr.pgettext("column", "Kilogram equivalent"), "kg_equivalent"),
    ]
    book.put_row(sheet, 3, [header for header, _name in columns], bold=True)
    book.put_row(sheet, 4, [name for _header, name in columns])
    for cell in sheet[4]:
        cell.font = MACHINE_NAMES
    row = 4
    for amount in headline.totals:
        row += 1
        book.put_row(
            sheet,
            row,
            [
                substance_label(amount.substance, tr),
                amount.quantity,
                measure_label(amount.unit, tr),
                amount.kg_equivalent
                if amount.kg_equivalent is not None
                else tr.gettext("no factor"),
            ],
        )
    row += 2
    book.put_row(
        sheet,
        row,
        [tr.pgettext("column", "Kilogram equivalent, total"), headline.kg_equivalent],
        bold=True,
    )
    if headline.without_factor:
        row += 1
        # Translators: under the kilogram-equivalent total of the seizure records' totals.
        book.put(
            sheet,
            row,
            1,
            tr.gettext(
                "Litres, tablets and pieces of a drug without a factor are in no kilogram "
                "equivalent."
            ),
        )
    sheet.freeze_panes = "A5"
    fit_columns(sheet, first_row=3)  # the title may run across the empty cells beside it
