"""Writing spreadsheet cells that stay inert: the one writer behind every workbook the bot
sends (the digest's, :mod:`bot.digest.xlsx`; the seizure records', :mod:`bot.digest.ids_xlsx`).

Numbers are stored as numbers and moments as real date-times (naive, in local time: Excel has
no time zones), so that a coordinator can sort, filter and add up.

Formula injection. Officers type free text (notes, places, case references) that a coordinator
opens in Excel or LibreOffice. openpyxl turns any string that starts with ``=`` into a formula
(``data_type == "f"``), so ``=HYPERLINK("http://evil","click")`` would become a live link. Every
text cell here is written as a string instead (``data_type = "s"``, an inline string: no ``<f>``
element ever reaches the file). A text that *looks* like a formula (it starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return, the OWASP list) also gets the cell style
``quotePrefix``: this is exactly what Excel stores when a user types ``'=text``: the cell shows
the text as it is (no apostrophe), and it stays text even when someone edits the cell and
presses Enter. The officer's text is kept unchanged, without a visible apostrophe or invisible
characters, so searching and copying work. Characters that XML cannot hold (control characters)
are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.digest.labels import factor_text, unit_name
from bot.digest.xlsx_bytes import workbook_bytes
from bot.forms.parsing import plain_decimal
from bot.i18n import Translator
from storage.models import SeizureItem, Unit

__all__ = [
    "BOLD",
    "TITLE",
    "CellValue",
    "SheetWriter",
    "fit_columns",
    "put_text",
    "sheet_title",
]

#: Text that a spreadsheet could read as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE_LIMIT = 31
_SHEET_TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})
MIN_WIDTH, MAX_WIDTH = 8, 50
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)

CellValue = str | int | float | Decimal | datetime | date | None


def sheet_title(text: str, taken: set[str]) -> str:
    """A title Excel accepts: no ``[]:*?/\\``, at most 31 characters, unique in the book."""
    base = " ".join(text.translate(_SHEET_TITLE_FORBIDDEN).split()).strip("'")
    base = base[:SHEET_TITLE_LIMIT].strip() or "Sheet"
    title, n = base, 1
    while title.lower() in taken:
        n += 1
        suffix = f" ({n})"
        title = base[: SHEET_TITLE_LIMIT - len(suffix)] + suffix
    taken.add(title.lower())
    return title


def put_text(cell: Cell, text: str) -> None:
    """A string cell that no spreadsheet evaluates, whatever the officer typed."""
    cleaned = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.value = cleaned
    cell.data_type = "s"
    if cleaned.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


class SheetWriter:
    """A workbook in the reader's language and time zone, written a cell at a time."""

    def __init__(self, tr: Translator, timezone: tzinfo, units_by_id: dict[int, Unit]) -> None:
        self.tr = tr
        self.timezone = timezone
        self.units_by_id = units_by_id
        self.workbook = Workbook()
        self._titles: set[str] = set()
        self._first = True
        if tr.language == "en":
            self.date_format, self.datetime_format = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
        else:
            self.date_format, self.datetime_format = "dd.mm.yyyy", "dd.mm.yyyy hh:mm"

    def sheet(self, title: str) -> Worksheet:
        if self._first:
            sheet = self.workbook.active
            assert isinstance(sheet, Worksheet)
            sheet.title = sheet_title(title, self._titles)
            self._first = False
            return sheet
        created: Worksheet = self.workbook.create_sheet(sheet_title(title, self._titles))
        return created

    def put(self, sheet: Worksheet, row: int, column: int, value: CellValue) -> Cell:
        cell = sheet.cell(row=row, column=column)
        assert isinstance(cell, Cell)  # we never merge cells
        if isinstance(value, str):
            put_text(cell, value)
        elif isinstance(value, datetime):
            cell.value = self.local(value)
            cell.number_format = self.datetime_format
        elif isinstance(value, date):
            cell.value = value
            cell.number_format = self.date_format
        elif isinstance(value, Decimal):
            cell.value = plain_decimal(value)
        elif value is not None:
            cell.value = value
        return cell

    def put_row(
        self, sheet: Worksheet, row: int, values: Sequence[CellValue], *, bold: bool = False
    ) -> None:
        for column, value in enumerate(values, 1):
            cell = self.put(sheet, row, column, value)
            if bold:
                cell.font = BOLD

    def local(self, moment: datetime) -> datetime:
        """A naive local date-time: what Excel can hold. A naive input is taken as local."""
        if moment.tzinfo is None:
            return moment
        return moment.astimezone(self.timezone).replace(tzinfo=None)

    def yes_no(self, value: bool) -> str:
        return self.tr.gettext("Yes") if value else self.tr.gettext("No")

    def unit(self, unit_id: int) -> str:
        return unit_name(unit_id, self.units_by_id, self.tr)

    def finish_table(self, sheet: Worksheet) -> None:
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        fit_columns(sheet)

    def factor(self, item: SeizureItem) -> str:
        """The factor the item was filed with: weighed, ``1 kg/L``, ``no factor``…"""
        if item.normalized_unit == "kg":
            # Translators: in the "Factor" column: the item was weighed (g or kg), no factor.
            return self.tr.pgettext("factor", "weighed")
        return factor_text(item.kg_factor, item.normalized_unit, self.tr)

    def save(self) -> bytes:
        """The workbook's bytes, made in memory, never in a temporary file (xlsx_bytes.py)."""
        return workbook_bytes(self.workbook)


def _width(value: object) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def fit_columns(sheet: Worksheet, first_row: int = 1) -> None:
    """Wide enough for the content from ``first_row`` on, at most MAX_WIDTH; longer text wraps."""
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is None or not isinstance(cell.column, int):
                continue
            width = _width(cell.value)
            widths[cell.column] = max(widths.get(cell.column, 0), width)
            if width > MAX_WIDTH:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(
            max(width + 2, MIN_WIDTH), MAX_WIDTH
        )
