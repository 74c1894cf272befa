"""What the digest's map shows, as plain values: each unit's seizures of the day and of the
last :data:`WEEK_DAYS` days, where the unit is, and what cannot be placed.

A seizure is a submitted (not withdrawn) report on the seizure form, counted on its reporting
day; its kilograms are its items measured by weight (grams and kilograms, normalised to kg;
storage adds them up: ``ReportRepository.seizure_tallies``).
Litres, tablets and pieces are not added to kilograms (they are different measures), so a
seizure of tablets counts as a seizure with no kilograms. The figures are plain data so that
the map can be drawn in a worker process (bot/workers.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bot.digest.labels import quantity_text
from bot.forms.definitions import SEIZURE
from bot.i18n import Translator
from storage import Repositories, SeizureTally, Unit

#: The map's second figure covers the day and the six before it: the catalogs say "7 days".
WEEK_DAYS = 7


@dataclass(frozen=True)
class MapUnit:
    """One unit on the map: its name in the reader's language and its seizures."""

    name: str
    latitude: float
    longitude: float
    today: int
    today_kg: Decimal
    week: int
    week_kg: Decimal


@dataclass(frozen=True)
class SeizureMap:
    """The map of ``day``: the units that have a place (active ones, and any with seizures)."""

    day: date
    units: tuple[MapUnit, ...]
    #: Units with seizures in the period but no coordinates: left off the map, counted.
    unplaced: int
    today: int
    today_kg: Decimal
    week: int
    week_kg: Decimal


def build_seizure_map(
    day: date, tallies: Iterable[SeizureTally], units: Sequence[Unit], language: str
) -> SeizureMap:
    """The map's figures from the week's seizures (``tallies`` of other days are ignored)."""
    first = day - timedelta(days=WEEK_DAYS - 1)
    today: dict[int, int] = defaultdict(int)
    today_kg: dict[int, Decimal] = defaultdict(Decimal)
    week: dict[int, int] = defaultdict(int)
    week_kg: dict[int, Decimal] = defaultdict(Decimal)
    for seizure in tallies:
        if not first <= seizure.local_day <= day:
            continue
        week[seizure.unit_id] += 1
        week_kg[seizure.unit_id] += seizure.kg
        if seizure.local_day == day:
            today[seizure.unit_id] += 1
            today_kg[seizure.unit_id] += seizure.kg
    shown: list[MapUnit] = []
    unplaced = 0
    for unit in units:
        if not unit.active and not week[unit.id]:
            continue
        if unit.coordinates is None:
            unplaced += bool(week[unit.id])
            continue
        shown.append(
            MapUnit(
                name=unit.name(language),
                latitude=unit.coordinates.latitude,
                longitude=unit.coordinates.longitude,
                today=today[unit.id],
                today_kg=today_kg[unit.id],
                week=week[unit.id],
                week_kg=week_kg[unit.id],
            )
        )
    known = {unit.id for unit in units}
    # A unit that is gone from the list (never, as units are kept) still counts as unplaced.
    unplaced += sum(1 for unit_id, count in week.items() if count and unit_id not in known)
    return SeizureMap(
        day=day,
        units=tuple(shown),
        unplaced=unplaced,
        today=sum(today.values()),
        today_kg=sum(today_kg.values(), Decimal(0)),
        week=sum(week.values()),
        week_kg=sum(week_kg.values(), Decimal(0)),
    )


async def read_seizure_map(repos: Repositories, day: date, language: str) -> SeizureMap:
    """The map of ``day`` read through the repositories (the week's seizures and the units)."""
    first = day - timedelta(days=WEEK_DAYS - 1)
    tallies = await repos.reports.seizure_tallies(SEIZURE.key, first, day)
    return build_seizure_map(day, tallies, await repos.units.list(), language)


# --- words (here, not with the drawing: the bot's process captions the map without matplotlib)


def kg_text(kg: Decimal, tr: Translator) -> str:
    """Kilograms as the map shows them: tenths from 1 kg up, grams below."""
    rounded = kg.quantize(Decimal("0.1") if kg >= 1 else Decimal("0.001"))
    return quantity_text(rounded.normalize() if rounded else Decimal(0), "kg", tr)


def map_title(seizures: SeizureMap, tr: Translator) -> str:
    return tr.gettext("Seizures by unit, {date}").format(date=tr.format_date(seizures.day, "long"))


def totals_text(seizures: SeizureMap, tr: Translator) -> str:
    today = tr.ngettext(
        "Today: {count} seizure, {kg}", "Today: {count} seizures, {kg}", seizures.today
    ).format(count=tr.format_number(seizures.today), kg=kg_text(seizures.today_kg, tr))
    week = tr.ngettext(
        "Last 7 days: {count} seizure, {kg}",
        "Last 7 days: {count} seizures, {kg}",
        seizures.week,
    ).format(count=tr.format_number(seizures.week), kg=kg_text(seizures.week_kg, tr))
    return f"{today}   ·   {week}"


def unplaced_text(count: int, tr: Translator) -> str:
    return tr.ngettext(
        "{count} unit with seizures has no coordinates and is not on the map.",
        "{count} units with seizures have no coordinates and are not on the map.",
        count,
    ).format(count=tr.format_number(count))


#: Telegram's limit for a photo's caption.
MAX_CAPTION = 1024


def map_caption(seizures: SeizureMap, tr: Translator) -> str:
    """The map's caption: its title, the totals, and how many units it could not place."""
    lines = [map_title(seizures, tr), totals_text(seizures, tr).replace("   ·   ", "\n")]
    if seizures.unplaced:
        lines.append(unplaced_text(seizures.unplaced, tr))
    return "\n".join(lines)[:MAX_CAPTION]
