"""The digest's figures: a fixed day of reports in (tests/unit/digest_samples.py), exact numbers
out."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from bot.digest.build import build_digest, day_stats
from bot.digest.figures import (
    Amount,
    DayStats,
    LargeSeizure,
    LateReport,
    UrgentReport,
)
from bot.urgent import why_urgent
from storage.models import Report, ReportStatus
from tests.unit.digest_samples import (
    DAY,
    HISTORY,
    REPORTS,
    TERMEZ_IMT,
    UNITS,
    YESTERDAY,
    local,
    make_report,
    sample_digest,
)


# -- headline ---------------------------------------------------------------------------------
def test_headline_counts_every_report_but_the_withdrawn_one() -> None:
    h = sample_digest().headline
    assert h.reports == 9
    assert h.seizures == 5
    assert h.persons_detained == 7
    assert h.urgent == 3  # two marked urgent, one large seizure (1.2 kg ≥ 1 kg)
    assert h.late == 1
    assert h.withdrawn == 1
    assert h.kg_seized == Decimal("4.7")


def test_totals_are_exact_per_substance_and_normalised_unit() -> None:
    assert sample_digest().headline.totals == (
        # Kilograms are their own equivalent; these items were made without a factor.
        Amount("heroin", "kg", Decimal("2.5"), Decimal("2.5")),
        Amount("opium", "kg", Decimal("0.25"), Decimal("0.25")),
        Amount("hashish", "kg", Decimal("1.95"), Decimal("1.95")),
        Amount("tramadol", "tablets", Decimal(1500)),
        Amount("pregabalin", "pieces", Decimal(1)),
        Amount("precursor", "l", Decimal("1.5")),
    )


def test_grams_are_never_added_to_tablets() -> None:
    report = make_report(
        "SZ-2026-000900",
        TERMEZ_IMT,
        local(DAY, 9),
        items=(("tramadol", "20", "g"), ("tramadol", "30", "tablets")),
    )
    digest = build_digest(DAY, [report], UNITS, [])
    assert digest.headline.totals == (
        Amount("tramadol", "kg", Decimal("0.02"), Decimal("0.02")),
        Amount("tramadol", "tablets", Decimal(30)),
    )
    assert digest.headline.kg_seized == Decimal("0.02")


# -- per unit ---------------------------------------------------------------------------------
def test_per_unit_table_lists_active_units_and_inactive_ones_with_reports() -> None:
    rows = {row.unit_id: row for row in sample_digest().units}
    assert list(rows) == [
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
    ]  # the units' order; Olot (inactive, idle) left out
    assert rows[1].by_form == (("seizure", 1), ("joint_operation", 1))
    assert rows[1].reports == 2
    assert rows[1].totals == (
        Amount("heroin", "kg", Decimal("0.5"), Decimal("0.5")),
        Amount("tramadol", "tablets", Decimal(300)),
        Amount("precursor", "l", Decimal("1.5")),
    )
    assert rows[3].totals == (
        Amount("heroin", "kg", Decimal(2), Decimal(2)),
        Amount("hashish", "kg", Decimal("0.75"), Decimal("0.75")),
    )
    assert (rows[3].persons_detained, rows[3].urgent) == (2, 1)
    assert rows[5].by_form == (("seizure", 1), ("incident", 1))
    assert (rows[6].reports, rows[6].late, rows[6].filed) == (1, 1, False)
    assert (rows[7].active, rows[7].filed, rows[7].by_form) == (False, True, (("daily_status", 1),))
    assert (rows[8].reports, rows[8].totals, rows[8].filed) == (0, (), False)  # withdrawn only


def test_a_report_of_a_unit_nobody_passed_still_counts() -> None:
    stranger = replace(REPORTS[5], unit_id=99)
    digest = build_digest(DAY, [stranger], UNITS, [])
    assert digest.units[-1].unit_id == 99
    assert digest.units[-1].code == "#99"
    assert digest.headline.reports == 1


# -- completeness -----------------------------------------------------------------------------
def test_completeness_counts_active_units_that_filed_for_the_day() -> None:
    c = sample_digest().completeness
    assert c.active_units == 7
    assert c.filed == (1, 2, 3, 4, 5)  # a daily status counts (Nukus)
    assert c.missing == (6, 8)  # Bukhara's report is late (yesterday's); Jizzakh's withdrawn
    assert c.rate == Fraction(5, 7)
    assert c.late == (LateReport("SZ-2026-000099", 6, "seizure", YESTERDAY),)


# -- highlights -------------------------------------------------------------------------------
def test_urgent_reports_in_the_order_they_were_submitted() -> None:
    assert sample_digest().highlights.urgent == (
        # 2 kg of heroin and 0.75 kg of hashish: the heaviest substance is what counts
        UrgentReport("SZ-2026-000101", 3, "seizure", True, True, Decimal(2)),
        UrgentReport("SZ-2026-000103", 2, "seizure", False, True, Decimal("1.2")),
        UrgentReport("IN-2026-000031", 5, "incident", True, False, Decimal(0)),
    )


def test_the_urgent_threshold_is_configurable() -> None:
    digest = build_digest(DAY, REPORTS, UNITS, [], urgent_threshold_kg=Decimal("0.5"))
    assert [u.number for u in digest.highlights.urgent] == [
        "SZ-2026-000101",
        "SZ-2026-000102",  # 0.5 kg reaches 0.5 kg
        "SZ-2026-000103",
        "IN-2026-000031",
    ]
    digest = build_digest(DAY, REPORTS, UNITS, [], urgent_threshold_kg=Decimal(3))
    assert [u.number for u in digest.highlights.urgent] == ["SZ-2026-000101", "IN-2026-000031"]


@pytest.mark.parametrize("threshold", ["0.5", "0.75", "1", "1.2", "2", "2.75", "3"])
def test_the_digest_lists_as_urgent_exactly_what_the_alert_rule_calls_urgent(
    threshold: str,
) -> None:
    """One rule for the alert and the digest: a report is in the digest's urgent list if and
    only if ``why_urgent`` (the rule that alerts coordinators) calls it urgent."""
    split = _seizure_split_over_items()
    reports = (*REPORTS, split)
    digest = build_digest(DAY, reports, UNITS, [], urgent_threshold_kg=Decimal(threshold))
    counted = [r for r in reports if r.status is not ReportStatus.WITHDRAWN]
    listed = {u.number: u for u in digest.highlights.urgent}
    for report in counted:
        reason = why_urgent(report, Decimal(threshold))
        if report.number not in listed:
            assert reason is None, report.number
            continue
        assert reason is not None, report.number
        assert (listed[report.number].marked, listed[report.number].large) == (
            reason.marked,
            reason.large,
        )


def test_items_of_one_substance_add_up_and_different_substances_do_not() -> None:
    split = _seizure_split_over_items()  # 0.6 kg + 0.6 kg of heroin, 0.9 kg of hashish
    digest = build_digest(DAY, (*REPORTS, split), UNITS, [], urgent_threshold_kg=Decimal(1))
    (found,) = [u for u in digest.highlights.urgent if u.number == split.number]
    assert found.large and found.kg == Decimal("1.2")
    digest = build_digest(DAY, (*REPORTS, split), UNITS, [], urgent_threshold_kg=Decimal("1.3"))
    assert split.number not in [u.number for u in digest.highlights.urgent]


def _seizure_split_over_items() -> Report:
    """A seizure entered as several items, none of them large on its own."""
    return make_report(
        "SZ-2026-000120",
        TERMEZ_IMT,
        local(DAY, 12, 0),
        items=(("heroin", "600", "g"), ("heroin", "0.6", "kg"), ("hashish", "900", "g")),
    )


def test_largest_seizures_compare_kg_with_kg_only() -> None:
    assert sample_digest().highlights.largest == (
        LargeSeizure("SZ-2026-000101", 3, "heroin", "kg", Decimal(2)),
        LargeSeizure("SZ-2026-000103", 2, "hashish", "kg", Decimal("1.2")),
        LargeSeizure("SZ-2026-000101", 3, "hashish", "kg", Decimal("0.75")),
        LargeSeizure("SZ-2026-000102", 1, "heroin", "kg", Decimal("0.5")),
        LargeSeizure("SZ-2026-000099", 6, "opium", "kg", Decimal("0.25")),
        LargeSeizure("SZ-2026-000102", 1, "precursor", "l", Decimal("1.5")),
        LargeSeizure("SZ-2026-000105", 5, "tramadol", "tablets", Decimal(1200)),
        LargeSeizure("SZ-2026-000102", 1, "tramadol", "tablets", Decimal(300)),
        LargeSeizure("SZ-2026-000105", 5, "pregabalin", "pieces", Decimal(1)),
    )


def test_top_n_limits_each_unit_of_measure() -> None:
    largest = build_digest(DAY, REPORTS, UNITS, [], top_n=1).highlights.largest
    assert [(s.number, s.unit) for s in largest] == [
        ("SZ-2026-000101", "kg"),
        ("SZ-2026-000102", "l"),
        ("SZ-2026-000105", "tablets"),
        ("SZ-2026-000105", "pieces"),
    ]


def test_items_of_one_substance_in_one_report_are_added_up() -> None:
    report = make_report(
        "SZ-2026-000901",
        TERMEZ_IMT,
        local(DAY, 9),
        items=(("heroin", "600", "g"), ("heroin", "0.6", "kg")),
    )
    digest = build_digest(DAY, [report], UNITS, [])
    assert digest.highlights.largest == (
        LargeSeizure("SZ-2026-000901", 3, "heroin", "kg", Decimal("1.2")),
    )
    assert digest.highlights.urgent[0].large  # 1.2 kg in one report reaches 1 kg


# -- comparison -------------------------------------------------------------------------------
def test_comparison_with_the_average_of_the_previous_seven_days() -> None:
    comparison = sample_digest().comparison
    assert comparison is not None
    assert comparison.days == 7
    assert comparison.reports.today == Decimal(9)
    assert comparison.reports.average == Fraction(7)
    assert comparison.reports.change_percent == 29  # 28.57 %
    assert comparison.seizures.average == Fraction(2)
    assert comparison.seizures.change_percent == 150
    assert comparison.persons_detained.average == Fraction(4)
    assert comparison.persons_detained.change_percent == 75
    assert comparison.kg_seized.today == Decimal("4.7")
    assert comparison.kg_seized.average == 2
    assert comparison.kg_seized.change_percent == 135


def test_comparison_uses_the_days_it_has_and_ignores_others() -> None:
    history = [
        DayStats(DAY - timedelta(days=1), 12, 4, 8, Decimal("9.4")),
        DayStats(DAY - timedelta(days=2), 6, 0, 0, Decimal(0)),
        DayStats(DAY - timedelta(days=8), 1000, 1000, 1000, Decimal(1000)),  # too old
        DayStats(DAY, 1000, 1000, 1000, Decimal(1000)),  # not earlier
    ]
    comparison = build_digest(DAY, REPORTS, UNITS, history).comparison
    assert comparison is not None
    assert comparison.days == 2
    assert comparison.reports.average == 9
    assert comparison.reports.change_percent == 0
    assert comparison.seizures.change_percent == 150  # 5 against 2
    assert comparison.kg_seized.average == Fraction(47, 10)
    assert comparison.kg_seized.change_percent == 0
    assert comparison.persons_detained.change_percent == 75  # 7 against 4


def test_a_fall_is_negative_and_a_zero_average_has_no_percentage() -> None:
    history = [DayStats(DAY - timedelta(days=1), 12, 0, 0, Decimal(0))]
    comparison = build_digest(DAY, REPORTS, UNITS, history).comparison
    assert comparison is not None
    assert comparison.reports.change_percent == -25
    assert comparison.seizures.change_percent is None
    assert comparison.kg_seized.change_percent is None


def test_no_history_no_comparison() -> None:
    assert build_digest(DAY, REPORTS, UNITS, []).comparison is None


def test_day_stats_are_the_digests_own_figures() -> None:
    assert day_stats(sample_digest()) == DayStats(DAY, 9, 5, 7, Decimal("4.7"))


# -- empty day --------------------------------------------------------------------------------
def test_an_empty_day_is_all_zeros_and_every_active_unit_missing() -> None:
    digest = build_digest(DAY, [], UNITS, HISTORY)
    h = digest.headline
    assert (h.reports, h.seizures, h.persons_detained, h.urgent, h.late, h.withdrawn) == (
        0,
        0,
        0,
        0,
        0,
        0,
    )
    assert h.kg_seized == 0
    assert h.totals == ()
    assert digest.completeness.filed == ()
    assert digest.completeness.missing == (1, 2, 3, 4, 5, 6, 8)
    assert digest.completeness.rate == 0
    assert digest.highlights.urgent == ()
    assert digest.highlights.largest == ()
    assert all(row.reports == 0 and row.active for row in digest.units)
    assert digest.comparison is not None
    assert digest.comparison.reports.change_percent == -100
    assert day_stats(digest) == DayStats(DAY, 0, 0, 0, Decimal(0))


def test_no_units_at_all_has_no_rate() -> None:
    digest = build_digest(DAY, [], [], [])
    assert digest.completeness.rate is None
    assert digest.completeness.active_units == 0
    assert digest.units == ()
    assert digest.comparison is None


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.number)
def test_each_report_alone_is_counted_at_most_once(report: Report) -> None:
    digest = build_digest(DAY, [report], UNITS, [])
    withdrawn = report.status is ReportStatus.WITHDRAWN
    assert digest.headline.reports == (0 if withdrawn else 1)
    assert digest.headline.withdrawn == (1 if withdrawn else 0)
    assert sum(row.reports for row in digest.units) == digest.headline.reports
