"""The digest at a glance, as a PNG: who filed today (left) and the last eight days (right).

matplotlib is used through ``Figure`` and the Agg canvas only, never ``pyplot``: no global
figure registry and no GUI backend, so charts can be drawn in a worker thread while the bot
serves other updates (each call has its own figure). Every text is set in DejaVu Sans, which
ships with matplotlib and covers Latin (o‘, g‘), Cyrillic and the arrows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import timedelta
from io import BytesIO

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from bot.collation import collated
from bot.digest.build import HISTORY_DAYS, day_stats
from bot.digest.figures import DayStats, Digest, UnitSummary
from bot.digest.labels import percent_text, unit_name
from bot.i18n import Translator
from storage.models import Unit

FONT = "DejaVu Sans"
FILED = "#2b7bba"
MISSING = "#d62728"
#: A late report (of an earlier day) is a report, not a missing one: its own colour, never red.
LATE = "#f2a900"
INACTIVE = "#9a9a9a"
TODAY = "#1f4e79"
EARLIER = "#9ecae1"
KG_LINE = "#e6550d"
NAME_LIMIT = 24
DPI = 100


def build_chart(
    digest: Digest,
    history: Sequence[DayStats],
    tr: Translator,
    *,
    units_by_id: Mapping[int, Unit] | None = None,
) -> bytes:
    """A PNG of about 1000×500 pixels; units are named by code unless ``units_by_id`` is given."""
    figure = draw_chart(digest, history, tr, units_by_id=units_by_id)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def draw_chart(
    digest: Digest,
    history: Sequence[DayStats],
    tr: Translator,
    *,
    units_by_id: Mapping[int, Unit] | None = None,
) -> Figure:
    """The chart as a figure (tests read its bars and legends instead of its pixels)."""

    def name(row: UnitSummary) -> str:
        return unit_name(row.unit_id, units_by_id, tr) if units_by_id else row.code

    rows = collated(digest.units, tr.language, name)
    height = min(max(5.0, 0.3 * len(rows) + 2.0), 10.0)
    figure = Figure(figsize=(11, height), dpi=DPI)
    FigureCanvasAgg(figure)
    # A fixed layout (no layout engine): it draws once, about twice as fast. The unit names are
    # cut to NAME_LIMIT characters, which is what the left margin holds.
    inch = 1 / height
    left, right = figure.subplots(
        1,
        2,
        width_ratios=[1.15, 1],
        gridspec_kw={
            "left": 0.17,
            "right": 0.94,
            "top": 1 - 0.95 * inch,
            "bottom": 0.75 * inch,
            "wspace": 0.22,
        },
    )
    title = tr.gettext("Daily digest for {date}").format(date=tr.format_date(digest.day, "long"))
    figure.suptitle(title, fontsize=13, fontweight="bold")
    _units_panel(left, rows, [_short(name(row)) for row in rows], digest, tr)
    _days_panel(right, digest, history, tr)
    for text in figure.findobj(Text):
        text.set_fontfamily(FONT)
    return figure


def _short(name: str) -> str:
    return name if len(name) <= NAME_LIMIT else name[: NAME_LIMIT - 1] + "…"


def _units_panel(
    ax: Axes, rows: Sequence[UnitSummary], names: Sequence[str], digest: Digest, tr: Translator
) -> None:
    """One bar per unit: the day's own reports, then its late ones (of earlier days) stacked
    in their own colour; red is kept for an active unit that filed nothing for the day."""
    _ = tr.gettext
    completeness = digest.completeness
    title = _("Reports per unit")
    if completeness.rate is not None:
        rate = tr.ngettext(
            "{filed} of {total} unit filed ({rate})",
            "{filed} of {total} units filed ({rate})",
            completeness.active_units,
        ).format(
            filed=tr.format_number(len(completeness.filed)),
            total=tr.format_number(completeness.active_units),
            rate=percent_text(completeness.rate, tr),
        )
        title = f"{title}\n{rate}"
    ax.set_title(title, fontsize=11, loc="left")
    if not rows:
        ax.text(0.5, 0.5, _("There are no active units."), ha="center", va="center")
        ax.set_axis_off()
        return
    missing = [row.active and not row.filed and not row.reports for row in rows]
    own = [row.reports - row.late for row in rows]
    positions = list(range(len(rows)))
    ax.barh(
        positions,
        own,
        color=[FILED if row.active else INACTIVE for row in rows],
        height=0.7,
    )
    ax.barh(positions, [row.late for row in rows], left=own, color=LATE, height=0.7)
    fontsize = 9 if len(rows) <= 16 else 7
    ax.set_yticks(positions, labels=names, fontsize=fontsize)
    for label, red in zip(ax.get_yticklabels(), missing, strict=True):
        label.set_color(MISSING if red else "#222222")
    ax.invert_yaxis()
    right = max(max((row.reports for row in rows), default=0), 1) * 1.25
    ax.set_xlim(0, right)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    gap = right * 0.01
    for position, row in zip(positions, rows, strict=True):
        if row.reports:
            caption = tr.format_number(row.reports)
            ax.text(row.reports + gap, position, caption, va="center", fontsize=fontsize)
        elif row.active and not row.filed:
            caption = _("did not file")
            ax.text(gap, position, caption, va="center", color=MISSING, fontsize=fontsize)
    ax.spines[["top", "right"]].set_visible(False)
    handles = [Patch(color=FILED, label=_("filed today"))]
    if any(row.late for row in rows):
        handles.append(Patch(color=LATE, label=_("late report (of an earlier day)")))
    if any(missing):
        handles.append(Patch(color=MISSING, label=_("did not file")))
    if any(not row.active for row in rows):
        handles.append(Patch(color=INACTIVE, label=_("inactive unit")))
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.06),
        ncols=len(handles),
        fontsize=8,
        frameon=False,
    )


def _days_panel(ax: Axes, digest: Digest, history: Sequence[DayStats], tr: Translator) -> None:
    _ = tr.gettext
    days = [digest.day - timedelta(days=HISTORY_DAYS - i) for i in range(HISTORY_DAYS + 1)]
    known = {stats.day: stats for stats in history if days[0] <= stats.day < digest.day}
    known[digest.day] = day_stats(digest)
    reports = [known[d].reports if d in known else math.nan for d in days]
    kg = [float(known[d].kg_seized) if d in known else math.nan for d in days]
    positions = list(range(len(days)))
    ax.set_title(
        tr.ngettext("Last {count} day", "Last {count} days", len(days)).format(
            count=tr.format_number(len(days))
        ),
        fontsize=11,
        loc="left",
    )
    colours = [TODAY if d == digest.day else EARLIER for d in days]
    bars = ax.bar(
        positions, reports, color=colours, width=0.65, label=tr.pgettext("column", "Reports")
    )
    ax.set_xticks(positions, labels=[tr.format_date(d, "day_month") for d in days], fontsize=8)
    ax.set_xlim(-0.6, len(days) - 0.4)
    ax.set_ylim(0, max([r for r in reports if not math.isnan(r)] + [1]) * 1.25)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(tr.pgettext("column", "Reports"), fontsize=9)
    ax.spines[["top"]].set_visible(False)
    kg_ax = ax.twinx()
    (line,) = kg_ax.plot(
        positions,
        kg,
        color=KG_LINE,
        marker="o",
        linewidth=2,
        label=tr.pgettext("column", "Seized, kg"),
    )
    kg_ax.set_ylim(0, max([k for k in kg if not math.isnan(k)] + [1.0]) * 1.25)
    kg_ax.set_ylabel(tr.pgettext("column", "Seized, kg"), fontsize=9, color=KG_LINE)
    kg_ax.tick_params(axis="y", colors=KG_LINE, labelsize=8)
    kg_ax.spines[["top"]].set_visible(False)
    ax.legend(
        handles=[bars, line],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
        ncols=2,
        fontsize=8,
        frameon=False,
    )
    if len(known) == 1:
        ax.text(
            0.5,
            0.55,
            _("No earlier data to compare with."),
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=9,
            color="#666666",
        )
