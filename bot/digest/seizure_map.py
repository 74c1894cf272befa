"""The digest's map, as a PNG: Uzbekistan and its neighbours, each unit's seizures of the day
(a dark disc) inside those of the last 7 days (a light disc), sized by the number of seizures.

Drawn like the chart (bot/digest/chart.py): a ``Figure`` on the Agg canvas, never ``pyplot``,
every text in DejaVu Sans (Latin with o‘ g‘, Cyrillic). The country outlines are Natural
Earth's, public domain, via world-atlas (ISC), clipped and simplified once by
tools/make_outlines.py into bot/digest/data/outlines.json; no tile server, no network. The
map is plate carrée with the longitudes shrunk by cos(41°), which keeps Uzbekistan's shape
true enough at this scale without a projection library.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from io import BytesIO
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon
from matplotlib.text import Text

from bot.digest.map_data import (
    MapUnit,
    SeizureMap,
    kg_text,
    map_title,
    totals_text,
    unplaced_text,
)
from bot.i18n import Translator
from bot.places import REGION

FONT = "DejaVu Sans"
DPI = 100
SEA = "#d4e6f1"
LAND = "#efece6"
HOME = "#fdf3dc"  # Uzbekistan
BORDER = "#8c8c8c"
WEEK = "#9ecae1"
TODAY = "#c0392b"
QUIET = "#7f7f7f"  # a unit without seizures in the period
LABEL = "#222222"
#: Marker area (points²) per seizure and its bounds: one seizure is still easy to see, and the
#: busiest unit's disc is never larger than MAX_AREA (a busy week shrinks every disc alike, so
#: the Fergana valley's three units stay apart).
AREA_PER_SEIZURE = 55.0
MIN_AREA = 70.0
MAX_AREA = 1500.0
#: Shrinks longitudes so that a degree east is as long as a degree north at 41° N.
ASPECT = 1 / math.cos(math.radians(41.0))
NAME_LIMIT = 24


Box = tuple[float, float, float, float]
LABEL_POINTS = 9.0
#: Points to pixels at DPI, and a DejaVu Sans character's average width at LABEL_POINTS.
PIXELS_PER_POINT = DPI / 72
CHAR_PIXELS = 0.62 * LABEL_POINTS * PIXELS_PER_POINT


@cache
def outlines() -> dict[str, Any]:
    """The committed outlines (read once per process)."""
    text = resources.files("bot.digest").joinpath("data/outlines.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def country_names(tr: Translator) -> dict[str, tuple[str, float, float]]:
    """The countries named on the map, in the reader's language, and where the name goes.

    A country an admin can rename (reference data, /names) is shown by its current name.
    """
    names = {
        "uz": (tr.pgettext("country", "Uzbekistan"), 61.4, 44.1),
        "kz": (tr.pgettext("country", "Kazakhstan"), 66.5, 46.6),
        "kg": (tr.pgettext("country", "Kyrgyzstan"), 76.3, 42.0),
        "tj": (tr.pgettext("country", "Tajikistan"), 72.4, 38.4),
        "tm": (tr.pgettext("country", "Turkmenistan"), 58.3, 39.4),
        "af": (tr.pgettext("country", "Afghanistan"), 66.0, 35.1),
        "ir": (tr.pgettext("country", "Iran"), 54.0, 35.4),
        "pk": (tr.pgettext("country", "Pakistan"), 72.5, 34.4),
        "cn": (tr.pgettext("country", "China"), 78.6, 38.6),
    }
    for key, (_catalog_name, lon, lat) in names.items():
        current = tr.reference_names.get(("country", key))
        if current:
            names[key] = (current, lon, lat)
    return names


@dataclass(frozen=True)
class Scale:
    """Disc areas for one map: proportional to the seizures, the busiest unit's at most
    MAX_AREA; the legend shows a few round counts up to the busiest."""

    per_seizure: float
    examples: tuple[int, ...]

    @classmethod
    def of(cls, units: Sequence[MapUnit]) -> Scale:
        busiest = max((unit.week for unit in units), default=0)
        per_seizure = min(AREA_PER_SEIZURE, MAX_AREA / max(busiest, 1))
        if busiest <= 10:
            examples: tuple[int, ...] = (1, 5, 10)
        else:
            examples = tuple(sorted({1, _round_down(busiest / 4), _round_down(busiest)}))
        return cls(per_seizure, examples)

    def area(self, seizures: int) -> float:
        return max(MIN_AREA, self.per_seizure * seizures)


def _round_down(value: float) -> int:
    """The largest of 1, 2, 5, 10, 20, 50… not above ``value`` (at least 1)."""
    best = 1
    magnitude = 1
    while magnitude <= value:
        for step in (1, 2, 5):
            if step * magnitude <= value:
                best = step * magnitude
        magnitude *= 10
    return best


def build_map(seizures: SeizureMap, tr: Translator) -> bytes:
    """A PNG of about 1000×860 pixels."""
    figure = draw_map(seizures, tr)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def draw_map(seizures: SeizureMap, tr: Translator) -> Figure:
    """The map as a figure (tests read its texts and markers instead of its pixels)."""
    figure = Figure(figsize=(10, 8.6), dpi=DPI)
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0.02, 0.19, 0.96, 0.69))
    scale = Scale.of(seizures.units)
    _countries(ax, tr)
    _units(ax, seizures.units, scale, tr)
    figure.suptitle(
        map_title(seizures, tr),
        fontsize=15,
        fontweight="bold",
        y=0.975,
    )
    figure.text(0.5, 0.905, totals_text(seizures, tr), ha="center", fontsize=11.5)
    _legend(figure, scale, tr)
    notes = []
    if seizures.unplaced:
        notes.append(unplaced_text(seizures.unplaced, tr))
    # Translators: {source} is the name of the map data's source, "Natural Earth".
    source = tr.gettext("Country outlines: {source} (public domain).")
    notes.append(source.format(source="Natural Earth"))
    figure.text(0.5, 0.01, "\n".join(notes), fontsize=9, color="#555555", ha="center", va="bottom")
    if not seizures.week:
        ax.text(
            0.5,
            0.5,
            tr.gettext("No seizures in the last 7 days."),
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=15,
            bbox={"boxstyle": "round,pad=0.6", "facecolor": "white", "edgecolor": BORDER},
        )
    for text in figure.findobj(Text):
        text.set_fontfamily(FONT)
    return figure


def _countries(ax: Axes, tr: Translator) -> None:
    ax.set_facecolor(SEA)
    for country in outlines()["countries"]:
        home = country["key"] == "uz"
        for ring in country["rings"]:
            ax.add_patch(
                Polygon(
                    [(lon, lat) for lon, lat in ring],
                    closed=True,
                    facecolor=HOME if home else LAND,
                    edgecolor="#555555" if home else BORDER,
                    linewidth=1.4 if home else 0.8,
                    zorder=2 if home else 1,
                )
            )
    for key, (name, lon, lat) in country_names(tr).items():
        ax.text(
            lon,
            lat,
            name.upper() if key == "uz" else name,
            ha="center",
            va="center",
            fontsize=11 if key == "uz" else 10,
            color="#6b6b6b",
            fontweight="bold" if key == "uz" else "normal",
            zorder=3,
        )
    ax.set_xlim(REGION.west, REGION.east)
    ax.set_ylim(REGION.south, REGION.north)
    ax.set_aspect(ASPECT)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor(BORDER)


def _units(ax: Axes, units: Sequence[MapUnit], scale: Scale, tr: Translator) -> None:
    # The biggest discs first, so a small one next to them stays visible on top.
    ordered = sorted(units, key=lambda unit: -unit.week)
    quiet = [unit for unit in ordered if not unit.week]
    active = [unit for unit in ordered if unit.week]
    if quiet:
        ax.scatter(
            [u.longitude for u in quiet],
            [u.latitude for u in quiet],
            s=18,
            color=QUIET,
            zorder=4,
        )
    if active:
        ax.scatter(
            [u.longitude for u in active],
            [u.latitude for u in active],
            s=[scale.area(u.week) for u in active],
            color=WEEK,
            edgecolors="#2b7bba",
            linewidths=1.0,
            alpha=0.85,
            zorder=5,
        )
        today = [u for u in active if u.today]
        ax.scatter(
            [u.longitude for u in today],
            [u.latitude for u in today],
            s=[scale.area(u.today) for u in today],
            color=TODAY,
            edgecolors="white",
            linewidths=0.8,
            zorder=6,
        )
    ax.apply_aspect()  # the axes' final box, so that data → pixels below is exact
    # Labels keep off every disc (a unit's own included), then off each other.
    placed: list[Box] = []
    for unit in ordered:
        x, y = ax.transData.transform((unit.longitude, unit.latitude))
        radius = math.sqrt(scale.area(unit.week) if unit.week else 18) / 2 * PIXELS_PER_POINT
        placed.append((x - radius, y - radius, x + radius, y + radius))
    for unit in sorted(active, key=lambda u: (-u.latitude, u.longitude)):
        _label(ax, unit, scale, tr, placed)


def _label(ax: Axes, unit: MapUnit, scale: Scale, tr: Translator, placed: list[Box]) -> None:
    """The unit's name and figures next to its disc, on the first side where no earlier label
    is (right, left, above, below); all measured in the figure's pixels."""
    name = unit.name if len(unit.name) <= NAME_LIMIT else unit.name[: NAME_LIMIT - 1] + "…"
    figures = f"{tr.format_number(unit.today)} / {tr.format_number(unit.week)}"
    if unit.week_kg:
        figures += f" · {kg_text(unit.week_kg, tr)}"
    width = CHAR_PIXELS * max(len(name), len(figures)) + 6
    height = 2 * LABEL_POINTS * PIXELS_PER_POINT * 1.2 + 6
    radius = math.sqrt(scale.area(unit.week)) / 2 * PIXELS_PER_POINT + 3
    x, y = ax.transData.transform((unit.longitude, unit.latitude))
    candidates = [  # (left, bottom) of the label's box, and how the text is anchored there
        (x + radius, y - height / 2, "left", "center"),
        (x - radius - width, y - height / 2, "right", "center"),
        (x - width / 2, y + radius, "center", "bottom"),
        (x - width / 2, y - radius - height, "center", "top"),
    ]
    # Crowded (the Fergana valley): further out to either side, joined to the disc by a line.
    for step in (1, -1, 2, -2, 3, -3):
        shift = step * (height + 2) - height / 2
        candidates.append((x + radius + 12, y + shift, "left", "center"))
        candidates.append((x - radius - 12 - width, y + shift, "right", "center"))

    def crowding(candidate: tuple[float, float, str, str]) -> float:
        box = (candidate[0], candidate[1], candidate[0] + width, candidate[1] + height)
        return sum(_overlap(box, other) for other in placed)

    chosen = min(candidates, key=crowding)  # the first free one, else the least crowded
    left, bottom, ha, va = chosen
    placed.append((left, bottom, left + width, bottom + height))
    anchor = (
        {"left": left + 3, "right": left + width - 3, "center": left + width / 2}[ha],
        {"center": bottom + height / 2, "bottom": bottom + 3, "top": bottom + height - 3}[va],
    )
    offset = ((anchor[0] - x) / PIXELS_PER_POINT, (anchor[1] - y) / PIXELS_PER_POINT)
    leader = None
    if candidates.index(chosen) >= 4:
        leader = {"arrowstyle": "-", "color": "#555555", "linewidth": 0.7, "shrinkA": 0}
    ax.annotate(
        f"{name}\n{figures}",
        (unit.longitude, unit.latitude),
        xytext=offset,
        textcoords="offset points",
        ha=ha,
        va=va,
        fontsize=LABEL_POINTS,
        color=LABEL,
        zorder=7,
        linespacing=1.15,
        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.8, "linewidth": 0},
        arrowprops=leader,
    )


def _overlap(a: Box, b: Box) -> float:
    """How much two boxes overlap (their common area, in pixels²)."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _legend(figure: Figure, scale: Scale, tr: Translator) -> None:
    def disc(colour: str, size: float, label: str, edge: str = "none") -> Line2D:
        return Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markersize=math.sqrt(size),
            markerfacecolor=colour,
            markeredgecolor=edge,
            label=label,
        )

    handles = [
        disc(TODAY, MIN_AREA, tr.gettext("today")),
        disc(WEEK, MIN_AREA, tr.gettext("last 7 days"), "#2b7bba"),
        disc(QUIET, 18, tr.gettext("no seizures")),
    ]
    handles += [
        disc(
            "white",
            scale.area(count),
            tr.ngettext("{count} seizure", "{count} seizures", count).format(
                count=tr.format_number(count)
            ),
            "#555555",
        )
        for count in scale.examples
    ]
    figure.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.05),
        ncols=3,
        fontsize=9.5,
        frameon=False,
        handletextpad=1.1,
        columnspacing=2.0,
        labelspacing=1.3,
        title=tr.gettext("Next to each unit: seizures today / in the last 7 days · kilograms"),
        title_fontsize=9.5,
    )
