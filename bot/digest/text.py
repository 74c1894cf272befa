"""The digest as Telegram HTML, in the reader's language, one list item per line.

Every word comes from the catalogs (plural forms wherever a count is shown); numbers, dates and
percentages are formatted the way the reader's language writes them; every name and value is
escaped. Lines stay short (a few hundred characters at most) so that the caller can split the
digest into messages at line boundaries (``bot.handlers.common.split_lines``).

This module holds the digest's order and its first sections (the headline, the units,
completeness); what stands out is :mod:`bot.digest.text_attention`, and the HTML pieces both
use are :mod:`bot.digest.markup`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from babel.lists import format_list

from bot.collation import collated
from bot.digest.figures import Amount, Digest, UnitSummary
from bot.digest.labels import (
    equivalent_text,
    form_title,
    percent_text,
    quantity_text,
    substance_label,
    unit_name,
)
from bot.digest.markup import BULLET, bold, count_line, escape, italic
from bot.digest.text_attention import comparison_lines, highlights_lines
from bot.i18n import Translator
from storage.models import Unit

__all__ = ["empty_day_text", "render_group_text", "render_text"]


def render_text(digest: Digest, tr: Translator, units_by_id: Mapping[int, Unit]) -> list[str]:
    """The digest for a coordinator, as lines of HTML (``<b>`` and ``<i>`` only)."""
    return [
        *_title(digest, tr),
        "",
        *_headline(digest, tr),
        "",
        *_per_unit(digest, tr, units_by_id),
        "",
        *_completeness(digest, tr, units_by_id),
        "",
        *highlights_lines(digest, tr, units_by_id),
        "",
        *comparison_lines(digest.comparison, tr),
    ]


def render_group_text(digest: Digest, tr: Translator, units_by_id: Mapping[int, Unit]) -> list[str]:
    """The digest for the coordination group chat.

    The digest holds no personal data: no officer's name, username or Telegram id, no
    free text an officer typed; only units, report numbers, forms and figures. So the group
    reads the same text as a coordinator does.
    """
    return render_text(digest, tr, units_by_id)


def empty_day_text(digest: Digest, tr: Translator) -> str:
    """The whole digest of a day without any report: the day, and how many units were silent."""
    missing = len(digest.completeness.missing)
    return escape(
        tr.ngettext(
            "No reports on {day}; {count} unit did not report.",
            "No reports on {day}; {count} units did not report.",
            missing,
        ).format(day=tr.format_date(digest.day, "long"), count=tr.format_number(missing))
    )


# -- sections ---------------------------------------------------------------------------------
def _title(digest: Digest, tr: Translator) -> list[str]:
    title = tr.gettext("Daily digest for {date}").format(date=tr.format_date(digest.day, "long"))
    return [bold(title)]


def _amount_line(amount: Amount, tr: Translator, indent: str = "") -> str:
    text = tr.gettext("{substance}: {quantity}").format(
        substance=substance_label(amount.substance, tr),
        quantity=quantity_text(amount.quantity, amount.unit, tr),
    )
    if amount.unit != "kg" and amount.kg_equivalent is not None:
        # Translators: a quantity as reported, then its kilogram equivalent, e.g.
        # "Heroin: 3 L (≈ 3 kg equivalent)".
        text = tr.gettext("{amount} ({equivalent})").format(
            amount=text, equivalent=equivalent_text(amount.kg_equivalent, tr)
        )
    return f"{indent}{BULLET} {escape(text)}"


def _equivalent_lines(kg: Decimal, without_factor: Sequence[Amount], tr: Translator) -> list[str]:
    """The kilogram-equivalent total under the quantities as reported, and what it leaves out
    (no factor): the two are never mixed up, nor litres added to kilograms unlabelled."""
    _ = tr.gettext
    # Translators: the total of every seized quantity converted to kilograms (weighed ones as
    # they are; litres, tablets and pieces through their factors), e.g. "Total in kilogram
    # equivalents: ≈ 3.5 kg".
    total = _("Total in kilogram equivalents: ≈ {quantity} kg")
    lines = [escape(total.format(quantity=tr.format_number(kg)))]
    if without_factor:
        lines.append(italic(_("Not included (no factor):")))
        lines += [_amount_line(amount, tr) for amount in without_factor]
    return lines


def _headline(digest: Digest, tr: Translator) -> list[str]:
    _ = tr.gettext
    h = digest.headline
    lines = [
        bold(_("Overview")),
        count_line(tr.ngettext("{count} report", "{count} reports", h.reports), h.reports, tr),
        count_line(tr.ngettext("{count} seizure", "{count} seizures", h.seizures), h.seizures, tr),
        count_line(
            tr.ngettext("{count} person detained", "{count} persons detained", h.persons_detained),
            h.persons_detained,
            tr,
        ),
        count_line(
            tr.ngettext("{count} urgent report", "{count} urgent reports", h.urgent), h.urgent, tr
        ),
    ]
    if h.late:
        lines.append(
            count_line(
                tr.ngettext(
                    "{count} late report (of an earlier day)",
                    "{count} late reports (of earlier days)",
                    h.late,
                ),
                h.late,
                tr,
            )
        )
    if h.withdrawn:
        lines.append(
            count_line(
                tr.ngettext(
                    "{count} report withdrawn (not counted)",
                    "{count} reports withdrawn (not counted)",
                    h.withdrawn,
                ),
                h.withdrawn,
                tr,
            )
        )
    if h.totals:
        lines.append(italic(_("Seized in total:")))
        lines += [_amount_line(amount, tr) for amount in h.totals]
        lines += _equivalent_lines(h.kg_equivalent, h.without_factor, tr)
    else:
        lines.append(escape(_("Nothing was seized.")))
    return lines


def _form_count(form: str, n: int, tr: Translator) -> str:
    """``2 seizures``; each form's words are their own message, for the plural forms."""
    if form == "seizure":
        text = tr.ngettext("{count} seizure", "{count} seizures", n)
    elif form == "joint_operation":
        text = tr.ngettext("{count} joint operation", "{count} joint operations", n)
    elif form == "incident":
        text = tr.ngettext("{count} incident report", "{count} incident reports", n)
    elif form == "daily_status":
        text = tr.ngettext("{count} daily status", "{count} daily statuses", n)
    else:
        return tr.gettext("{form}: {count}").format(
            form=form_title(form, tr), count=tr.format_number(n)
        )
    return text.format(count=tr.format_number(n))


def _unit_lines(row: UnitSummary, tr: Translator, units_by_id: Mapping[int, Unit]) -> list[str]:
    name = bold(unit_name(row.unit_id, units_by_id, tr))
    # Translators: {unit} is the unit's name, e.g. "Termiz IMT: 3 reports".
    head = tr.ngettext("{unit}: {count} report", "{unit}: {count} reports", row.reports)
    lines = [escape(head).format(unit=name, count=escape(tr.format_number(row.reports)))]
    forms = [_form_count(form, n, tr) for form, n in row.by_form]
    if forms:
        lines.append(f"  {escape(format_list(forms, style='standard', locale=tr.locale))}")
    if row.late:
        lines.append(
            "  "
            + count_line(
                tr.ngettext(
                    "{count} late report (of an earlier day)",
                    "{count} late reports (of earlier days)",
                    row.late,
                ),
                row.late,
                tr,
            )
        )
    if row.persons_detained:
        lines.append(
            "  "
            + count_line(
                tr.ngettext(
                    "{count} person detained", "{count} persons detained", row.persons_detained
                ),
                row.persons_detained,
                tr,
            )
        )
    lines += [_amount_line(amount, tr, "  ") for amount in row.totals]
    return lines


def _per_unit(digest: Digest, tr: Translator, units_by_id: Mapping[int, Unit]) -> list[str]:
    lines = [bold(tr.gettext("By unit"))]
    rows = [row for row in digest.units if row.reports]
    rows = collated(rows, tr.language, lambda row: unit_name(row.unit_id, units_by_id, tr))
    if not rows:
        return [*lines, escape(tr.gettext("No unit filed a report."))]
    for row in rows:
        lines += _unit_lines(row, tr, units_by_id)
    return lines


def _completeness(digest: Digest, tr: Translator, units_by_id: Mapping[int, Unit]) -> list[str]:
    _ = tr.gettext
    c = digest.completeness
    lines = [bold(_("Completeness"))]
    if c.rate is None:
        lines.append(escape(_("There are no active units.")))
    else:
        lines.append(
            escape(
                tr.ngettext(
                    "{filed} of {total} unit filed ({rate})",
                    "{filed} of {total} units filed ({rate})",
                    c.active_units,
                ).format(
                    filed=tr.format_number(len(c.filed)),
                    total=tr.format_number(c.active_units),
                    rate=percent_text(c.rate, tr),
                )
            )
        )
        if c.missing:
            lines.append(
                count_line(
                    tr.ngettext(
                        "{count} unit did not file:", "{count} units did not file:", len(c.missing)
                    ),
                    len(c.missing),
                    tr,
                )
            )
            missing = [unit_name(unit_id, units_by_id, tr) for unit_id in c.missing]
            lines += [f"{BULLET} {escape(name)}" for name in collated(missing, tr.language, str)]
        else:
            lines.append(escape(_("Every active unit filed.")))
    if c.late:
        lines.append(
            count_line(
                tr.ngettext(
                    "{count} late report, filed after its day's digest:",
                    "{count} late reports, filed after their day's digest:",
                    len(c.late),
                ),
                len(c.late),
                tr,
            )
        )
        for late in c.late:
            text = _("{number} — {unit}, {day}").format(
                number=late.number,
                unit=unit_name(late.unit_id, units_by_id, tr),
                day=tr.format_date(late.local_day, "medium"),
            )
            lines.append(f"{BULLET} {escape(text)}")
    return lines
