"""The digest's map: its figures from the reports, and the PNG drawn in every language."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from matplotlib.collections import PathCollection
from matplotlib.text import Text

from bot.config import LANGUAGES
from bot.digest.map_data import (
    SeizureMap,
    build_seizure_map,
    map_caption,
    read_seizure_map,
    unplaced_text,
)
from bot.digest.seizure_map import (
    AREA_PER_SEIZURE,
    MAX_AREA,
    MIN_AREA,
    Scale,
    build_map,
    draw_map,
    outlines,
)
from bot.i18n import Catalogs, Translator
from bot.places import REGION
from storage import (
    Coordinates,
    Database,
    NewReport,
    NewSeizureItem,
    Report,
    ReportStatus,
    Role,
    SeizureTally,
)
from storage.clock import utc_now
from tests.unit.digest_samples import (
    AYRITOM_BLO,
    BUKHARA_IMT,
    DAY,
    OLD_UNIT,
    TASHKENT_IMT,
    TERMEZ_IMT,
    local,
    make_report,
)
from tests.unit.png_checks import check

TASHKENT_AT = replace(TASHKENT_IMT, coordinates=Coordinates(41.2995, 69.2401))
TERMEZ_AT = replace(TERMEZ_IMT, coordinates=Coordinates(37.2242, 67.2783))
BUKHARA_AT = replace(BUKHARA_IMT, coordinates=Coordinates(39.7747, 64.4286))
#: A border liaison office nobody has placed yet, and a closed team that still has a place.
UNITS = (TASHKENT_AT, TERMEZ_AT, BUKHARA_AT, AYRITOM_BLO, replace(OLD_UNIT, coordinates=None))

REPORTS = (
    make_report(
        "SZ-2026-000001",
        TERMEZ_AT,
        local(DAY, 9),
        items=(("heroin", "2", "kg"), ("hashish", "750", "g"), ("tramadol", "300", "tablets")),
    ),
    make_report(
        "SZ-2026-000002",
        TERMEZ_AT,
        local(DAY - timedelta(days=6), 9),
        items=(("opium", "1", "kg"),),
    ),
    # Too old for the week, withdrawn, or not a seizure: none counts.
    make_report(
        "SZ-2026-000003",
        TERMEZ_AT,
        local(DAY - timedelta(days=7), 9),
        items=(("opium", "5", "kg"),),
    ),
    make_report(
        "SZ-2026-000004",
        TASHKENT_AT,
        local(DAY, 10),
        items=(("heroin", "9", "kg"),),
        withdrawn=True,
    ),
    make_report("DS-2026-000005", TASHKENT_AT, local(DAY, 10)),
    # Tablets only: a seizure with no kilograms.
    make_report(
        "SZ-2026-000006",
        TASHKENT_AT,
        local(DAY - timedelta(days=2), 9),
        items=(("tramadol", "40", "tablets"),),
    ),
    # A unit without coordinates: counted in the totals, left off the map.
    make_report("SZ-2026-000007", AYRITOM_BLO, local(DAY, 12), items=(("hashish", "3", "kg"),)),
)


def tallies_of(reports: Iterable[Report]) -> list[SeizureTally]:
    """The reports as ``ReportRepository.seizure_tallies`` reduces them (the last test below
    checks that it does): submitted seizures, with their items by weight added up."""
    return [
        SeizureTally(
            report.id,
            report.unit_id,
            report.local_day,
            sum(
                (i.normalized_quantity for i in report.items if i.normalized_unit == "kg"),
                Decimal(0),
            ),
        )
        for report in reports
        if report.form == "seizure" and report.status is ReportStatus.SUBMITTED
    ]


TALLIES = tallies_of(REPORTS)


def sample() -> SeizureMap:
    return build_seizure_map(DAY, TALLIES, UNITS, "en")


def test_each_unit_has_its_days_and_weeks_seizures_and_kilograms() -> None:
    seizures = sample()
    by_name = {unit.name: unit for unit in seizures.units}
    assert set(by_name) == {"Tashkent IMT", "Termez IMT", "Bukhara IMT"}  # the closed team: none
    termez = by_name["Termez IMT"]
    assert (termez.today, termez.today_kg, termez.week, termez.week_kg) == (
        1,
        Decimal("2.75"),
        2,
        Decimal("3.75"),
    )
    assert (termez.latitude, termez.longitude) == (37.2242, 67.2783)
    tashkent = by_name["Tashkent IMT"]
    assert (tashkent.today, tashkent.week, tashkent.week_kg) == (0, 1, Decimal(0))
    assert by_name["Bukhara IMT"].week == 0  # shown as a quiet unit
    assert seizures.unplaced == 1  # Ayritom
    assert (seizures.today, seizures.today_kg) == (2, Decimal("5.75"))
    assert (seizures.week, seizures.week_kg) == (4, Decimal("6.75"))


def test_names_are_in_the_readers_language() -> None:
    names = {unit.name for unit in build_seizure_map(DAY, TALLIES, UNITS, "ru").units}
    assert "ММГ Термез" in names
    cyrillic = {unit.name for unit in build_seizure_map(DAY, TALLIES, UNITS, "uz_Cyrl").units}
    assert "Термиз мобиль гуруҳи" in cyrillic


def test_the_outlines_cover_the_region_and_say_where_they_come_from() -> None:
    data = outlines()
    assert "Natural Earth" in data["attribution"] and "public domain" in data["attribution"]
    keys = {country["key"] for country in data["countries"]}
    assert {"uz", "kz", "kg", "tj", "tm", "af", "ir", "pk", "cn"} <= keys
    uzbekistan = next(c for c in data["countries"] if c["key"] == "uz")
    points = [point for ring in uzbekistan["rings"] for point in ring]
    assert all(REGION.west <= lon <= REGION.east for lon, _lat in points)
    assert all(REGION.south <= lat <= REGION.north for _lon, lat in points)


def drawn_texts(seizures: SeizureMap, tr: Translator) -> str:
    figure = draw_map(seizures, tr)
    return "\n".join(text.get_text() for text in figure.findobj(Text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_map_is_drawn_in_every_language_without_a_missing_glyph(
    catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    seizures = build_seizure_map(DAY, TALLIES, UNITS, language)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a letter without a glyph warns
        png = build_map(seizures, tr)
        texts = drawn_texts(seizures, tr)
    width, height = check(png)
    assert (width, height) == (1000, 860)
    title = tr.gettext("Seizures by unit, {date}").format(date=tr.format_date(DAY, "long"))
    assert title in texts
    assert unplaced_text(1, tr) in texts
    assert tr.pgettext("country", "Uzbekistan").upper() in texts
    assert tr.ngettext("{count} seizure", "{count} seizures", 5).format(count=5) in texts
    for unit in seizures.units:
        if unit.week:
            assert unit.name in texts


def test_a_country_an_admin_renamed_is_named_as_now(catalogs: Catalogs) -> None:
    tr = replace(catalogs.translator("en"), reference_names={("country", "kz"): "Qazaqstan"})
    assert "Qazaqstan" in drawn_texts(sample(), tr)


def test_discs_are_at_the_units_and_sized_by_seizures(catalogs: Catalogs) -> None:
    figure = draw_map(sample(), catalogs.translator("en"))
    ax = figure.axes[0]
    layers = [c for c in ax.collections if isinstance(c, PathCollection)]
    quiet, week, today = layers
    assert [tuple(p) for p in quiet.get_offsets()] == [(64.4286, 39.7747)]  # Bukhara
    assert sorted(tuple(p) for p in week.get_offsets()) == [(67.2783, 37.2242), (69.2401, 41.2995)]
    sizes = dict(zip((tuple(p) for p in week.get_offsets()), week.get_sizes(), strict=True))
    assert sizes[(67.2783, 37.2242)] > sizes[(69.2401, 41.2995)]  # Termez: 2 seizures, Tashkent 1
    assert [tuple(p) for p in today.get_offsets()] == [(67.2783, 37.2242)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_week_without_seizures_is_still_a_map_saying_so(
    catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    quiet = build_seizure_map(DAY, (), UNITS, language)
    assert (quiet.week, quiet.unplaced) == (0, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check(build_map(quiet, tr))
        texts = drawn_texts(quiet, tr)
    assert tr.gettext("No seizures in the last 7 days.") in texts
    assert unplaced_text(1, tr) not in texts


def test_no_unit_with_a_place_is_still_a_map(catalogs: Catalogs) -> None:
    nowhere = build_seizure_map(DAY, TALLIES, [replace(u, coordinates=None) for u in UNITS], "ru")
    assert nowhere.units == () and nowhere.unplaced == 3
    tr = catalogs.translator("ru")
    assert unplaced_text(3, tr) in drawn_texts(nowhere, tr)
    check(build_map(nowhere, tr))


async def test_the_map_reads_the_week_through_the_repositories(db: Database) -> None:
    """Storage's lean reading gives what whole reports give: withdrawn reports, other forms
    and other days left out, grams added as kilograms, tablets not."""
    grams = NewSeizureItem("hashish", Decimal(750), "g", Decimal("0.75"), "kg")
    kilo = NewSeizureItem("heroin", Decimal(1), "kg", Decimal(1), "kg")
    tablets = NewSeizureItem("tramadol", Decimal(300), "tablets", Decimal(300), "tablets")
    async with db.transaction() as repos:
        termez = await repos.units.get_by_code("IMT-TER")
        assert termez is not None
        author = await repos.users.create(telegram_id=1, role=Role.OFFICER, unit_id=termez.id)
        made = [
            (0, "seizure", (kilo, grams, tablets)),
            (0, "daily_status", ()),
            (3, "seizure", (tablets,)),
            (3, "seizure", (kilo,)),  # withdrawn below
            (6, "seizure", (kilo,)),
            (7, "seizure", (kilo,)),  # the day before the week
        ]
        stored = []
        for number, (days_ago, form, items) in enumerate(made):
            at = local(DAY - timedelta(days=days_ago), 9)
            stored.append(
                await repos.reports.create(
                    NewReport(
                        form=form,
                        form_code="SZ" if form == "seizure" else "DS",
                        unit_id=termez.id,
                        author_id=author.id,
                        idempotency_key=f"key-{number}",
                        occurred_at=None,
                        submitted_at=at,
                        local_day=at.date(),
                        urgent=False,
                        answers={},
                        place_text=None,
                        latitude=None,
                        longitude=None,
                        persons_detained=0,
                        items=items,
                    )
                )
            )
        await repos.reports.withdraw(stored[3].id, now=utc_now())
    first = DAY - timedelta(days=6)
    async with db.read() as repos:
        tallies = await repos.reports.seizure_tallies("seizure", first, DAY)
        whole = await repos.reports.between_days(first, DAY)
        seizures = await read_seizure_map(repos, DAY, "uz")
    assert tallies == sorted(tallies_of(whole), key=lambda tally: tally.report_id)
    assert [(t.local_day, t.kg) for t in tallies] == [
        (DAY, Decimal("1.75")),
        (DAY - timedelta(days=3), Decimal(0)),
        (DAY - timedelta(days=6), Decimal(1)),
    ]
    assert len(seizures.units) == 13  # every mobile team has its city's coordinates
    termiz = next(unit for unit in seizures.units if unit.name == termez.name("uz"))
    assert (termiz.today, termiz.today_kg) == (1, Decimal("1.75"))
    assert (termiz.week, termiz.week_kg) == (3, Decimal("2.75"))
    assert seizures.unplaced == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_caption_names_the_day_the_totals_and_the_units_left_off(
    catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    caption = map_caption(build_seizure_map(DAY, TALLIES, UNITS, language), tr)
    assert len(caption) <= 1024
    lines = caption.split("\n")
    assert lines[0] == tr.gettext("Seizures by unit, {date}").format(
        date=tr.format_date(DAY, "long")
    )
    assert lines[1] == tr.ngettext(
        "Today: {count} seizure, {kg}", "Today: {count} seizures, {kg}", 2
    ).format(
        count=2, kg=tr.gettext("{quantity} kg").format(quantity=tr.format_number(Decimal("5.8")))
    )
    assert lines[-1] == unplaced_text(1, tr)


def test_a_busy_week_shrinks_every_disc_alike_and_the_legend_follows() -> None:
    quiet = Scale.of(sample().units)
    assert quiet.examples == (1, 5, 10)
    assert (quiet.area(10), quiet.area(1)) == (
        10 * AREA_PER_SEIZURE,
        MIN_AREA,
    )  # 1 is at least MIN_AREA
    busy_units = tuple(replace(unit, week=unit.week * 100) for unit in sample().units)
    busy = Scale.of(busy_units)
    assert busy.area(200) <= MAX_AREA  # Termez, the busiest
    assert busy.area(200) == 2 * busy.area(100)  # still proportional
    assert busy.examples == (1, 50, 200)
