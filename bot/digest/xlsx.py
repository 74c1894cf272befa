"""The digest's spreadsheet: a summary sheet, a sheet per form, and the seized items.

Every cell goes through :class:`~bot.digest.sheet_writer.SheetWriter`, which keeps officers'
text inert in Excel (see that module about formula injection); this module decides what the
sheets hold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from html import unescape
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from bot.collation import collated
from bot.digest.build import build_digest
from bot.digest.figures import Digest, UnitSummary
from bot.digest.labels import measure_label, substance_label
from bot.digest.sheet_writer import BOLD, TITLE, CellValue, SheetWriter, fit_columns
from bot.forms.definitions import FORMS
from bot.forms.model import Field, Form, Kind
from bot.forms.parsing import plain_decimal
from bot.forms.readback import item_text, urgency_text
from bot.i18n import Translator
from bot.retention import removed_answers
from bot.urgent import why_urgent
from storage.models import Report, ReportStatus, Unit

__all__ = ["build_period_xlsx", "build_xlsx"]


def build_xlsx(
    digest: Digest,
    reports: Sequence[Report],
    units: Sequence[Unit],
    tr: Translator,
    *,
    timezone: tzinfo | None = None,
) -> bytes:
    """The workbook as bytes. Moments are shown in ``timezone`` (the translator's by default)."""
    book = _DigestBook(
        tr, timezone or tr.timezone, {unit.id: unit for unit in units}, digest.urgent_threshold_kg
    )
    title = tr.gettext("Daily digest for {date}").format(date=tr.format_date(digest.day, "long"))
    book.summary(digest, title, daily=True)
    return book.finish(reports)


def build_period_xlsx(
    first: date,
    last: date,
    reports: Sequence[Report],
    units: Sequence[Unit],
    tr: Translator,
    *,
    timezone: tzinfo | None = None,
    urgent_threshold_kg: Decimal = Decimal(1),
) -> bytes:
    """The reports of a period (``/export FROM TO``): the same sheets as a day's workbook.

    The summary holds the period's figures and the per-unit table; completeness and lateness
    belong to a single day's digest and are left out.
    """
    digest = build_digest(last, reports, units, [], urgent_threshold_kg=urgent_threshold_kg)
    book = _DigestBook(
        tr, timezone or tr.timezone, {unit.id: unit for unit in units}, digest.urgent_threshold_kg
    )
    title = tr.gettext("Reports from {first} to {last}").format(
        first=tr.format_date(first, "long"), last=tr.format_date(last, "long")
    )
    book.summary(digest, title, daily=False)
    return book.finish(reports)


class _DigestBook(SheetWriter):
    """The digest's workbook: the summary first, then a sheet per form and the items."""

    def __init__(
        self,
        tr: Translator,
        timezone: tzinfo,
        units_by_id: dict[int, Unit],
        urgent_threshold_kg: Decimal,
    ) -> None:
        super().__init__(tr, timezone, units_by_id)
        #: The urgent column says what coordinators were told (bot/urgent.py why_urgent).
        self.urgent_threshold_kg = urgent_threshold_kg

    def finish(self, reports: Sequence[Report]) -> bytes:
        """A sheet per form and the seized items after the summary; the workbook's bytes."""
        ordered = sorted(reports, key=lambda r: (r.submitted_at, r.number))
        for form in FORMS.values():
            self.form_sheet(form, [r for r in ordered if r.form == form.key])
        self.items_sheet(ordered)
        return self.save()

    def summary(self, digest: Digest, title: str, *, daily: bool) -> None:
        """Headline, seized substances, the per-unit table and (for a day) completeness."""
        tr = self.tr
        _ = tr.gettext
        sheet = self.sheet(tr.pgettext("sheet", "Summary"))
        self.put(sheet, 1, 1, title).font = TITLE
        h = digest.headline
        row = 3
        self.put(sheet, row, 1, _("Overview")).font = BOLD
        overview: list[tuple[str, CellValue]] = [
            (tr.pgettext("column", "Reports"), h.reports),
            (tr.pgettext("column", "Seizures"), h.seizures),
            (_("Persons detained"), h.persons_detained),
            (tr.pgettext("column", "Urgent reports"), h.urgent),
        ]
        if daily:  # lateness is about one day's digest
            overview.append((tr.pgettext("column", "Late reports"), h.late))
        overview += [
            (tr.pgettext("column", "Withdrawn reports"), h.withdrawn),
            (tr.pgettext("column", "Seized, kg"), h.kg_seized),
            # Weighed kilograms plus litres, tablets and pieces through their factors.
            (tr.pgettext("column", "Kilogram equivalent, total"), h.kg_equivalent),
        ]
        for label, value in overview:
            row += 1
            self.put_row(sheet, row, [label, value])

        row += 2
        self.put(sheet, row, 1, tr.pgettext("column", "Seized")).font = BOLD
        row += 1
        self.put_row(
            sheet,
            row,
            [
                _("Substance"),
                _("Quantity"),
                _("Measure"),
                tr.pgettext("column", "Kilogram equivalent"),
            ],
            bold=True,
        )
        for amount in h.totals:
            row += 1
            self.put_row(
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
        self.put(sheet, row, 1, _("By unit")).font = BOLD
        row += 1
        forms = list(FORMS.values())
        columns: list[tuple[str, Callable[[UnitSummary], CellValue]]] = [
            (tr.pgettext("column", "Unit"), lambda u: self.unit(u.unit_id)),
            (tr.pgettext("column", "Code"), lambda u: u.code),
            (tr.pgettext("column", "Active"), lambda u: self.yes_no(u.active)),
        ]
        if daily:
            columns.append(
                (
                    tr.pgettext("column", "Filed"),
                    lambda u: self.yes_no(u.filed) if u.active else None,
                )
            )
        columns.append((tr.pgettext("column", "Reports"), lambda u: u.reports))
        columns += [(_form_sheet_name(form, tr), _count_of(form.key)) for form in forms]
        columns += [
            (_("Persons detained"), lambda u: u.persons_detained),
            (tr.pgettext("column", "Urgent reports"), lambda u: u.urgent),
        ]
        if daily:
            columns.append((tr.pgettext("column", "Late reports"), lambda u: u.late))
        columns.append(
            (
                tr.pgettext("column", "Seized, kg"),
                lambda u: sum((a.quantity for a in u.totals if a.unit == "kg"), Decimal(0)),
            )
        )
        self.put_row(sheet, row, [header for header, _value in columns], bold=True)
        for summary in collated(digest.units, tr.language, lambda u: self.unit(u.unit_id)):
            row += 1
            self.put_row(sheet, row, [value(summary) for _header, value in columns])

        if daily:
            self.completeness(sheet, row, digest)
        sheet.freeze_panes = "A2"
        fit_columns(sheet, first_row=2)  # the title may run across the empty cells beside it

    def completeness(self, sheet: Worksheet, row: int, digest: Digest) -> None:
        tr = self.tr
        _ = tr.gettext
        completeness = digest.completeness
        row += 2
        self.put(sheet, row, 1, _("Completeness")).font = BOLD
        for label, value in (
            (tr.pgettext("column", "Active units"), completeness.active_units),
            (tr.pgettext("column", "Units that filed"), len(completeness.filed)),
            (tr.pgettext("column", "Units that did not file"), len(completeness.missing)),
        ):
            row += 1
            self.put_row(sheet, row, [label, value])
        row += 1
        self.put(sheet, row, 1, tr.pgettext("column", "Reporting rate"))
        if completeness.rate is not None:
            rate = self.put(sheet, row, 2, float(completeness.rate))
            rate.number_format = "0%"
        if completeness.missing:
            row += 2
            self.put(sheet, row, 1, tr.pgettext("column", "Units that did not file")).font = BOLD
            for name in collated(map(self.unit, completeness.missing), tr.language, str):
                row += 1
                self.put(sheet, row, 1, name)

    def form_sheet(self, form: Form, reports: Sequence[Report]) -> None:
        tr = self.tr
        sheet = self.sheet(_form_sheet_name(form, tr))
        fields = [
            spec for spec in form.fields if spec.key not in (form.urgent_field, form.occurred_field)
        ]
        headers = [
            tr.pgettext("column", "Number"),
            tr.pgettext("column", "Unit"),
            tr.pgettext("column", "Reporting day"),
            tr.pgettext("column", "Filed at"),
            tr.pgettext("column", "Occurred at"),
            tr.gettext("Urgent"),
            tr.pgettext("column", "Status"),
            *(tr.gettext(spec.label) for spec in fields),
        ]
        self.put_row(sheet, 1, headers, bold=True)
        for row, report in enumerate(reports, 2):
            removed = removed_answers(report, tr)
            self.put_row(
                sheet,
                row,
                [
                    report.number,
                    self.unit(report.unit_id),
                    report.local_day,
                    report.submitted_at,
                    report.occurred_at,
                    urgency_text(why_urgent(report, self.urgent_threshold_kg), tr),
                    self.status(report.status),
                    *(
                        removed[spec.key]
                        if spec.key in removed
                        else self.answer(spec, report.answers.get(spec.key))
                        for spec in fields
                    ),
                ],
            )
        self.finish_table(sheet)

    def items_sheet(self, reports: Sequence[Report]) -> None:
        tr = self.tr
        sheet = self.sheet(tr.pgettext("sheet", "Seized items"))
        headers = [
            tr.pgettext("column", "Number"),
            tr.pgettext("column", "Unit"),
            tr.pgettext("column", "Status"),
            tr.gettext("Substance"),
            tr.gettext("Quantity"),
            tr.gettext("Measure"),
            tr.pgettext("column", "Normalised quantity"),
            tr.pgettext("column", "Normalised unit"),
            tr.pgettext("column", "Kilogram equivalent"),
            tr.pgettext("column", "Factor"),
        ]
        self.put_row(sheet, 1, headers, bold=True)
        row = 1
        for report in reports:
            for item in report.items:
                row += 1
                self.put_row(
                    sheet,
                    row,
                    [
                        report.number,
                        self.unit(report.unit_id),
                        self.status(report.status),
                        substance_label(item.substance, tr),
                        item.quantity,
                        measure_label(item.measure, tr),
                        item.normalized_quantity,
                        measure_label(item.normalized_unit, tr),
                        item.kg_equivalent,
                        self.factor(item),
                    ],
                )
        self.finish_table(sheet)

    def status(self, status: ReportStatus) -> str:
        if status is ReportStatus.WITHDRAWN:
            return self.tr.pgettext("status", "withdrawn")
        return self.tr.pgettext("status", "filed")

    # -- answers ----------------------------------------------------------------------------
    def answer(self, spec: Field, value: Any) -> CellValue:
        """An answer as a cell: numbers stay numbers, moments date-times, the rest text."""
        tr = self.tr
        if value is None or value == [] or value == "":
            return None
        if spec.kind is Kind.CHOICE:
            option = spec.option(str(value))
            return tr.label(option) if option else str(value)
        if spec.kind is Kind.MULTI:
            return ", ".join(tr.label(o) for o in spec.options if o.key in value)
        if spec.kind is Kind.YES_NO:
            return self.yes_no(bool(value))
        if spec.kind is Kind.NUMBER:
            return plain_decimal(Decimal(str(value)))
        if spec.kind is Kind.DATETIME:
            return datetime.fromisoformat(str(value))
        if spec.kind is Kind.PLACE:
            if value.get("type") == "location":
                return tr.gettext("location {latitude}, {longitude}").format(
                    latitude=f"{value['lat']:.5f}", longitude=f"{value['lon']:.5f}"
                )
            return str(value.get("text", ""))
        if spec.kind is Kind.PHOTOS:
            return len(value)
        if spec.kind is Kind.GROUP:
            return "; ".join(self.item(spec, item) for item in value)
        return str(value)

    def item(self, group: Field, item: dict[str, Any]) -> str:
        """One seizure item as the chat shows it, without HTML: ``Tramadol — 1 tablet``."""
        return unescape(item_text(group, item, self.tr))


def _count_of(form_key: str) -> Callable[[UnitSummary], CellValue]:
    """A unit's number of reports on one form."""
    return lambda summary: dict(summary.by_form).get(form_key, 0)


def _form_sheet_name(form: Form, tr: Translator) -> str:
    """A short plural name for a form's sheet (form titles are too long for a sheet's tab)."""
    if form.key == "seizure":
        return tr.pgettext("sheet", "Seizures")
    if form.key == "joint_operation":
        return tr.pgettext("sheet", "Joint operations")
    if form.key == "incident":
        return tr.pgettext("sheet", "Incidents")
    if form.key == "daily_status":
        return tr.pgettext("sheet", "Daily status")
    return tr.gettext(form.title)
