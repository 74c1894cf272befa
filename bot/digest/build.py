"""A day's digest as plain values: figures computed from reports, no Telegram, no SQL, no clock.

The caller decides which reports belong to the digest of ``day``: that day's reports, and the
reports of earlier days submitted after their own day's digest went out ("late" ones,
``report.local_day < day``). Every figure counts the reports of this digest that were not
withdrawn, late ones included, so that each report is counted in exactly one digest.
Completeness is about the day itself: a unit has filed when it submitted a report (any form,
a daily status too) whose reporting day is ``day``; a late report of an earlier day does not
count for today.

A report is *urgent* in the digest by the same rule as the alert (``bot.urgent.why_urgent``):
the officer marked it urgent, or it holds at least ``urgent_threshold_kg`` kilograms of one
substance (its items of that substance added up; different substances are not). So the digest
never lists as urgent a report coordinators were not alerted about, nor the reverse.

The values it returns are :mod:`bot.digest.figures`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from bot.digest.figures import (
    Amount,
    Comparison,
    Completeness,
    DayStats,
    Digest,
    Headline,
    Highlights,
    LargeSeizure,
    LateReport,
    Trend,
    UnitSummary,
    UrgentReport,
)
from bot.forms.definitions import FORMS, SEIZURE, SUBSTANCES
from bot.forms.parsing import plain_decimal
from bot.urgent import heaviest_substance_kg, large_by, why_urgent
from storage.models import Report, ReportStatus, Unit

#: The normalised units of measure (see ``bot.filing.NORMALISATION``), in the order shown.
NORMALISED_UNITS: tuple[str, ...] = ("kg", "l", "tablets", "pieces")
#: How many earlier days the comparison looks back.
HISTORY_DAYS = 7

_SUBSTANCE_ORDER = {option.key: position for position, option in enumerate(SUBSTANCES)}
_UNIT_ORDER = {unit: position for position, unit in enumerate(NORMALISED_UNITS)}
_FORM_ORDER = {key: position for position, key in enumerate(FORMS)}


def build_digest(
    day: date,
    reports: Sequence[Report],
    units: Sequence[Unit],
    history: Sequence[DayStats],
    *,
    urgent_threshold_kg: Decimal = Decimal(1),
    top_n: int = 5,
) -> Digest:
    """The digest of ``day`` from its reports (see the module's docstring for which)."""
    counted = sorted(
        (r for r in reports if r.status is not ReportStatus.WITHDRAWN),
        key=lambda r: (r.submitted_at, r.number),
    )
    withdrawn = len(reports) - len(counted)
    urgent = _urgent(counted, urgent_threshold_kg)
    urgent_numbers = {u.number for u in urgent}
    late = tuple(
        LateReport(r.number, r.unit_id, r.form, r.local_day) for r in counted if r.local_day < day
    )
    kg_seized = _kg(counted)
    headline = Headline(
        reports=len(counted),
        seizures=sum(1 for r in counted if r.form == SEIZURE.key),
        persons_detained=sum(r.persons_detained or 0 for r in counted),
        urgent=len(urgent),
        late=len(late),
        withdrawn=withdrawn,
        kg_seized=kg_seized,
        totals=_totals(counted),
        kg_equivalent=_kg_equivalent(counted),
        without_factor=_totals(counted, without_factor=True),
    )
    summaries = _per_unit(day, counted, units, urgent_numbers)
    active = [u for u in units if u.active]
    filed_ids = {s.unit_id for s in summaries if s.filed}
    filed = tuple(u.id for u in active if u.id in filed_ids)
    completeness = Completeness(
        active_units=len(active),
        filed=filed,
        missing=tuple(u.id for u in active if u.id not in filed_ids),
        rate=Fraction(len(filed), len(active)) if active else None,
        late=late,
    )
    today = DayStats(day, headline.reports, headline.seizures, headline.persons_detained, kg_seized)
    return Digest(
        day=day,
        headline=headline,
        units=summaries,
        completeness=completeness,
        highlights=Highlights(urgent=urgent, largest=_largest(counted, top_n)),
        comparison=_compare(today, history),
        urgent_threshold_kg=urgent_threshold_kg,
    )


def day_stats(digest: Digest) -> DayStats:
    """The figures to store for ``digest.day``: what later digests compare with."""
    headline = digest.headline
    return DayStats(
        day=digest.day,
        reports=headline.reports,
        seizures=headline.seizures,
        persons_detained=headline.persons_detained,
        kg_seized=headline.kg_seized,
    )


# -- the parts --------------------------------------------------------------------------------
def _kg(reports: Iterable[Report]) -> Decimal:
    total = sum(
        (
            item.normalized_quantity
            for r in reports
            for item in r.items
            if item.normalized_unit == "kg"
        ),
        Decimal(0),
    )
    return plain_decimal(total)


def _amount_key(substance: str, unit: str) -> tuple[int, str, int, str]:
    return (
        _SUBSTANCE_ORDER.get(substance, len(_SUBSTANCE_ORDER)),
        substance,
        _UNIT_ORDER.get(unit, len(_UNIT_ORDER)),
        unit,
    )


def _kg_equivalent(reports: Iterable[Report]) -> Decimal:
    total = sum(
        (
            equivalent
            for r in reports
            for item in r.items
            if (equivalent := item.kg_equivalent) is not None
        ),
        Decimal(0),
    )
    return plain_decimal(total)


def _totals(reports: Iterable[Report], *, without_factor: bool = False) -> tuple[Amount, ...]:
    """Per substance and normalised unit (never across units); ``without_factor``: only the
    items that have no kilogram equivalent."""
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    equivalents: dict[tuple[str, str], Decimal] = {}
    for report in reports:
        for item in report.items:
            equivalent = item.kg_equivalent
            if without_factor and equivalent is not None:
                continue
            key = (item.substance, item.normalized_unit)
            sums[key] += item.normalized_quantity
            if equivalent is not None:
                equivalents[key] = equivalents.get(key, Decimal(0)) + equivalent
    return tuple(
        Amount(
            substance,
            unit,
            plain_decimal(sums[substance, unit]),
            plain_decimal(equivalents[substance, unit])
            if (substance, unit) in equivalents
            else None,
        )
        for substance, unit in sorted(sums, key=lambda key: _amount_key(*key))
    )


def _urgent(reports: Iterable[Report], threshold_kg: Decimal) -> tuple[UrgentReport, ...]:
    """The reports coordinators were alerted about, by the alert's own rule (``why_urgent``)."""
    found = []
    for report in reports:
        reason = why_urgent(report, threshold_kg)
        if reason is None:
            continue
        large = large_by(report.items, threshold_kg)
        if large is not None and not (large.weighed and large.reported_kg >= threshold_kg):
            kg, equivalent = large.equivalent_kg, True  # only its kilogram equivalent is large
        else:
            kg, equivalent = heaviest_substance_kg(report.items), False
        found.append(
            UrgentReport(
                report.number,
                report.unit_id,
                report.form,
                reason.marked,
                reason.large,
                plain_decimal(kg),
                equivalent=equivalent,
            )
        )
    return tuple(found)


def _largest(reports: Iterable[Report], top_n: int) -> tuple[LargeSeizure, ...]:
    per_report: dict[tuple[str, int, str, str], Decimal] = defaultdict(Decimal)
    for report in reports:
        for item in report.items:
            key = (report.number, report.unit_id, item.substance, item.normalized_unit)
            per_report[key] += item.normalized_quantity
    by_unit: dict[str, list[LargeSeizure]] = defaultdict(list)
    for (number, unit_id, substance, unit), quantity in per_report.items():
        by_unit[unit].append(
            LargeSeizure(number, unit_id, substance, unit, plain_decimal(quantity))
        )
    largest: list[LargeSeizure] = []
    for unit in sorted(by_unit, key=lambda u: (_UNIT_ORDER.get(u, len(_UNIT_ORDER)), u)):
        ranked = sorted(
            by_unit[unit],
            key=lambda s: (-s.quantity, s.number, _amount_key(s.substance, s.unit)),
        )
        largest += ranked[: max(top_n, 0)]
    return tuple(largest)


def _per_unit(
    day: date, reports: Sequence[Report], units: Sequence[Unit], urgent: set[str]
) -> tuple[UnitSummary, ...]:
    by_unit: dict[int, list[Report]] = defaultdict(list)
    for report in reports:
        by_unit[report.unit_id].append(report)
    known = {unit.id for unit in units}
    rows: list[tuple[int, str, bool]] = [
        (unit.id, unit.code, unit.active) for unit in units if unit.active or by_unit.get(unit.id)
    ]
    rows += [(unit_id, f"#{unit_id}", False) for unit_id in sorted(set(by_unit) - known)]
    summaries = []
    for unit_id, code, active in rows:
        own = by_unit.get(unit_id, [])
        forms: dict[str, int] = defaultdict(int)
        for report in own:
            forms[report.form] += 1
        summaries.append(
            UnitSummary(
                unit_id=unit_id,
                code=code,
                active=active,
                filed=any(r.local_day == day for r in own),
                reports=len(own),
                by_form=tuple(
                    sorted(forms.items(), key=lambda kv: (_FORM_ORDER.get(kv[0], 99), kv[0]))
                ),
                totals=_totals(own),
                persons_detained=sum(r.persons_detained or 0 for r in own),
                urgent=sum(1 for r in own if r.number in urgent),
                late=sum(1 for r in own if r.local_day < day),
            )
        )
    return tuple(summaries)


def _compare(today: DayStats, history: Sequence[DayStats]) -> Comparison | None:
    """Today against the average of the days (up to 7) before it that have figures."""
    earliest = today.day - timedelta(days=HISTORY_DAYS)
    days = {stats.day: stats for stats in history if earliest <= stats.day < today.day}
    if not days:
        return None
    earlier = list(days.values())

    def trend(value: Decimal, values: Iterable[Decimal]) -> Trend:
        average = sum((Fraction(v) for v in values), Fraction(0)) / len(earlier)
        change = None
        if average:
            ratio = (Fraction(value) - average) * 100 / average
            rounded = math.floor(abs(ratio) + Fraction(1, 2))
            change = -rounded if ratio < 0 else rounded
        return Trend(today=value, average=average, change_percent=change)

    return Comparison(
        days=len(earlier),
        reports=trend(Decimal(today.reports), (Decimal(s.reports) for s in earlier)),
        seizures=trend(Decimal(today.seizures), (Decimal(s.seizures) for s in earlier)),
        persons_detained=trend(
            Decimal(today.persons_detained), (Decimal(s.persons_detained) for s in earlier)
        ),
        kg_seized=trend(today.kg_seized, (s.kg_seized for s in earlier)),
    )
