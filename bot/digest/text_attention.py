"""The digest's last two sections, pointing a coordinator at what stands out: the urgent
reports and the largest seizures ("Needs attention"), and today against the average of earlier
days ("Compared with earlier days").

Lines of Telegram HTML like the rest of the digest (:mod:`bot.digest.text`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from bot.digest.figures import Comparison, Digest, Trend, UrgentReport
from bot.digest.labels import (
    equivalent_text,
    form_title,
    percent_text,
    plural_count,
    quantity_text,
    substance_label,
    unit_name,
)
from bot.digest.markup import BULLET, bold, count_line, escape, italic
from bot.forms.parsing import plain_decimal
from bot.i18n import Translator
from storage.models import Unit

__all__ = ["comparison_lines", "highlights_lines"]


def highlights_lines(digest: Digest, tr: Translator, units_by_id: Mapping[int, Unit]) -> list[str]:
    """ "Needs attention": the urgent reports with why, and the largest seizures."""
    _ = tr.gettext
    h = digest.highlights
    lines = [bold(_("Needs attention"))]
    if h.urgent:
        lines.append(
            count_line(
                tr.ngettext("{count} urgent report:", "{count} urgent reports:", len(h.urgent)),
                len(h.urgent),
                tr,
            )
        )
    else:
        lines.append(escape(_("No urgent reports.")))
    for urgent in h.urgent:
        lines.append(f"{BULLET} {escape(_urgent_line(urgent, units_by_id, tr))}")
    if h.largest:
        lines.append(italic(_("Largest seizures:")))
    for seizure in h.largest:
        text = _("{substance}: {quantity} — {number}, {unit}").format(
            substance=substance_label(seizure.substance, tr),
            quantity=quantity_text(seizure.quantity, seizure.unit, tr),
            number=seizure.number,
            unit=unit_name(seizure.unit_id, units_by_id, tr),
        )
        lines.append(f"{BULLET} {escape(text)}")
    return lines


def _rounded(value: Fraction, places: int) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return plain_decimal(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _change(trend: Trend, tr: Translator) -> str:
    if trend.change_percent is None:
        return tr.gettext("no change") if trend.today == 0 else tr.gettext("up from zero")
    if trend.change_percent == 0:
        return tr.gettext("no change")
    arrow = "↑" if trend.change_percent > 0 else "↓"
    return f"{arrow} {percent_text(Decimal(abs(trend.change_percent)) / 100, tr)}"


def _trend_line(
    trend: Trend, tr: Translator, message: Callable[[int], str], places: int = 1
) -> str:
    today = plain_decimal(trend.today)
    text = message(plural_count(today)).format(
        count=tr.format_number(today),
        average=tr.format_number(_rounded(trend.average, places)),
        change=_change(trend, tr),
    )
    return escape(text)


def comparison_lines(comparison: Comparison | None, tr: Translator) -> list[str]:
    """Today's reports, seizures, persons and kilograms against the earlier days' average."""
    _ = tr.gettext
    if comparison is None:
        return [
            bold(_("Compared with earlier days")),
            escape(_("No earlier data to compare with.")),
        ]
    title = tr.ngettext(
        "Compared with the average of the previous {count} day",
        "Compared with the average of the previous {count} days",
        comparison.days,
    ).format(count=tr.format_number(comparison.days))
    return [
        bold(title),
        _trend_line(
            comparison.reports,
            tr,
            lambda n: tr.ngettext(
                "{count} report (average {average}; {change})",
                "{count} reports (average {average}; {change})",
                n,
            ),
        ),
        _trend_line(
            comparison.seizures,
            tr,
            lambda n: tr.ngettext(
                "{count} seizure (average {average}; {change})",
                "{count} seizures (average {average}; {change})",
                n,
            ),
        ),
        _trend_line(
            comparison.persons_detained,
            tr,
            lambda n: tr.ngettext(
                "{count} person detained (average {average}; {change})",
                "{count} persons detained (average {average}; {change})",
                n,
            ),
        ),
        _trend_line(
            comparison.kg_seized,
            tr,
            # Translators: kilograms seized today, their average over earlier days, the change.
            lambda n: tr.gettext("{count} kg seized (average {average} kg; {change})"),
            places=3,
        ),
    ]


def _urgent_line(urgent: UrgentReport, units_by_id: Mapping[int, Unit], tr: Translator) -> str:
    """One urgent report with why it is urgent, a whole sentence for each combination of reasons
    (reasons of different grammar joined in code read badly in every language)."""
    _ = tr.gettext
    parts = {
        "number": urgent.number,
        "unit": unit_name(urgent.unit_id, units_by_id, tr),
        "form": form_title(urgent.form, tr),
        "quantity": equivalent_text(urgent.kg, tr)
        if urgent.equivalent
        else quantity_text(urgent.kg, "kg", tr),
    }
    if urgent.marked and urgent.large:
        # Translators: a report the officer marked urgent that also holds a large seizure;
        # {quantity} is the weight of its heaviest substance, e.g. "2.75 kg".
        text = _("{number} — {unit}: {form} (marked urgent; large seizure of {quantity})")
    elif urgent.large:
        # Translators: {quantity} is the weight of the report's heaviest substance, e.g. "2.75 kg".
        text = _("{number} — {unit}: {form} (large seizure of {quantity})")
    else:
        text = _("{number} — {unit}: {form} (marked urgent)")
    return text.format(**parts)
