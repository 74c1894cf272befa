"""The digest's chart: a real, small PNG, drawn for any day, in any of our scripts."""

from __future__ import annotations

import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest
from matplotlib.colors import to_hex

from bot.collation import sort_key
from bot.config import LANGUAGES
from bot.digest.build import build_digest
from bot.digest.chart import FILED, LATE, MISSING, build_chart, draw_chart
from bot.digest.figures import DayStats, Digest
from bot.i18n import Catalogs
from storage.models import Unit
from tests.unit.digest_samples import (
    DAY,
    HISTORY,
    REPORTS,
    TASHKENT_IMT,
    TERMEZ_IMT,
    UNITS,
    UNITS_BY_ID,
    local,
    make_report,
    sample_digest,
)
from tests.unit.png_checks import check

#: Names that need Cyrillic (ё too), the Uzbek o‘ and g‘, and a dash.
NAMES: dict[int, Unit] = {
    unit.id: replace(
        unit, name_uz=f"Farg‘ona {unit.code}", name_ru=f"Ёлки — {unit.name_ru}", name_en="Fergana"
    )
    for unit in UNITS
}


@pytest.fixture(scope="module")
def charts(catalogs: Catalogs) -> dict[str, bytes]:
    """The sample day's chart per language, drawn with every warning an error: a letter
    without a glyph (it would show as a box) warns."""
    drawn = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for language in LANGUAGES:
            tr = catalogs.translator(language)
            drawn[language] = build_chart(sample_digest(), HISTORY, tr, units_by_id=NAMES)
    return drawn


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_days_chart_is_a_valid_small_png(charts: dict[str, bytes], language: str) -> None:
    assert check(charts[language]) == (1100, 500)


def test_each_language_draws_its_own_words(charts: dict[str, bytes]) -> None:
    assert len(set(charts.values())) == len(LANGUAGES)


@pytest.mark.parametrize(
    "digest",
    [
        build_digest(DAY, [], UNITS, []),  # nothing filed, no history
        build_digest(DAY, [], [], []),  # not even a unit
        build_digest(DAY, REPORTS, UNITS, HISTORY[:2]),  # a short history
    ],
    ids=["empty", "no-units", "short-history"],
)
def test_a_chart_is_drawn_for_any_day(catalogs: Catalogs, digest: Digest) -> None:
    history = HISTORY if digest.comparison else ()
    check(build_chart(digest, history, catalogs.translator("uz")))


def test_many_units_make_a_taller_chart_within_bounds(catalogs: Catalogs) -> None:
    many = tuple(replace(UNITS[0], id=200 + i, code=f"IMT-{i:02}") for i in range(30))
    digest = build_digest(DAY, REPORTS, (*UNITS, *many), HISTORY)
    _, height = check(build_chart(digest, HISTORY, catalogs.translator("ru")))
    assert height > 500


def test_quick_repeatable_and_without_pyplot(catalogs: Catalogs, charts: dict[str, bytes]) -> None:
    started = time.perf_counter()
    again = build_chart(sample_digest(), HISTORY, catalogs.translator("ru"), units_by_id=NAMES)
    elapsed = time.perf_counter() - started
    assert again == charts["ru"]  # no time stamp, no randomness in the file
    assert elapsed < 1.5  # about 0.3 s; generous for a busy CI machine
    assert "matplotlib.pyplot" not in sys.modules


def test_charts_drawn_in_threads_match(catalogs: Catalogs, charts: dict[str, bytes]) -> None:
    tr = catalogs.translator("en")
    with ThreadPoolExecutor(max_workers=3) as pool:
        drawn = list(
            pool.map(lambda _: build_chart(sample_digest(), HISTORY, tr, units_by_id=NAMES), [1, 2])
        )
    assert drawn == [charts["en"]] * 2


def test_the_picture_depends_on_the_figures(catalogs: Catalogs, charts: dict[str, bytes]) -> None:
    tr = catalogs.translator("en")
    extra = make_report("DS-2026-000300", UNITS[5], local(DAY, 10))
    more = build_digest(DAY, (*REPORTS, extra), UNITS, HISTORY)
    assert build_chart(more, HISTORY, tr, units_by_id=NAMES) != charts["en"]
    stats = [*HISTORY[:-1], DayStats(HISTORY[-1].day, 30, 0, 0, HISTORY[-1].kg_seized)]
    assert build_chart(sample_digest(), stats, tr, units_by_id=NAMES) != charts["en"]


def test_a_late_report_has_its_own_colour_never_the_red_of_no_report(catalogs: Catalogs) -> None:
    """Read from the figure itself: the bars' lengths and colours, the labels, the legend."""
    only_late = make_report("DS-2026-000401", TERMEZ_IMT, local(DAY, 9))
    only_late = replace(only_late, local_day=DAY - timedelta(days=1))
    late_too = replace(
        make_report("DS-2026-000402", TASHKENT_IMT, local(DAY, 9)), local_day=DAY - timedelta(1)
    )
    on_time = make_report("DS-2026-000403", TASHKENT_IMT, local(DAY, 10))
    digest = build_digest(DAY, [only_late, late_too, on_time], UNITS, HISTORY)
    tr = catalogs.translator("en")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure = draw_chart(digest, HISTORY, tr, units_by_id=UNITS_BY_ID)
        figure.canvas.draw()
    units_ax = figure.axes[0]
    names = [label.get_text() for label in units_ax.get_yticklabels()]
    own, late = units_ax.containers[:2]
    bars = {
        name: (own_bar.get_width(), late_bar.get_width(), to_hex(late_bar.get_facecolor()))
        for name, own_bar, late_bar in zip(names, own, late, strict=True)
    }
    assert bars["Termez IMT"] == (0, 1, LATE)
    assert bars["Tashkent IMT"] == (1, 1, LATE)
    label_colours = {
        label.get_text(): to_hex(label.get_color()) for label in units_ax.get_yticklabels()
    }
    assert label_colours["Termez IMT"] != MISSING  # a bar is drawn: not "no report"
    assert label_colours["Nukus IMT"] == MISSING  # active, nothing at all
    assert bars["Nukus IMT"][:2] == (0, 0)
    for bar in [*own, *late]:
        assert to_hex(bar.get_facecolor()) != MISSING
    legend = units_ax.get_legend()
    entries = {
        text.get_text(): to_hex(patch.get_facecolor())
        for text, patch in zip(legend.get_texts(), legend.get_patches(), strict=True)
    }
    assert entries[tr.gettext("late report (of an earlier day)")] == LATE
    assert entries[tr.gettext("did not file")] == MISSING
    assert entries[tr.gettext("filed today")] == FILED


def test_units_are_listed_in_the_readers_alphabetical_order(catalogs: Catalogs) -> None:
    figure = draw_chart(
        sample_digest(), HISTORY, catalogs.translator("ru"), units_by_id=UNITS_BY_ID
    )
    names = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert names == sorted(names, key=lambda name: sort_key(name, "ru"))
    assert names.index("ММГ Бухара") < names.index("ММГ Ташкент")
