"""The demo data: a month of reports by the cast's units, as the bot leaves them at ``now``."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.digest.map_data import read_seizure_map
from bot.filing import route_of
from bot.forms.definitions import INCIDENT, SEIZURE
from bot.forms.record_view import record_lines
from bot.i18n import Catalogs
from bot.locating import place_of
from bot.places import REGION
from bot.sandbox.cast import BORDER_OFFICES, DEMO_CAST, background_officers
from bot.sandbox.demo_records import NEAR_DEGREES
from bot.sandbox.demo_reports import TASHKENT
from bot.sandbox.marker import is_sandbox
from bot.sandbox.seed import DAYS, REPORTS_PER_DAY, seed_demo
from storage import Coordinates, Database, Precision, Role, UnitKind

#: 14:30 in Tashkent: after the digest time (08:00), before the reminder time (18:00).
AFTERNOON = datetime(2026, 6, 15, 9, 30, tzinfo=UTC)
TODAY = date(2026, 6, 15)


async def _seeded(tmp_path: Path, now: datetime) -> sqlite3.Connection:
    path = tmp_path / "sandbox.sqlite3"
    await seed_demo(path, DEMO_CAST, now=now)
    return sqlite3.connect(path)


def _per_day(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT local_day, COUNT(*) FROM reports GROUP BY local_day"))


async def test_thirty_days_of_reports_end_now(tmp_path: Path) -> None:
    conn = await _seeded(tmp_path, AFTERNOON)
    days = _per_day(conn)
    assert sorted(days) == [
        (TODAY - timedelta(days=n)).isoformat() for n in range(DAYS - 1, -1, -1)
    ]
    for day, count in days.items():
        if day != TODAY.isoformat():
            assert 0.75 * REPORTS_PER_DAY - 1 <= count <= 1.25 * REPORTS_PER_DAY + 1, day
    # Today has only its morning so far (07:00-14:30 of 07:00-24:00), nothing after now.
    assert 0 < days[TODAY.isoformat()] <= 1.25 * REPORTS_PER_DAY * 7.5 / 17 + 1
    (latest,) = conn.execute("SELECT MAX(submitted_at) FROM reports").fetchone()
    assert datetime.fromisoformat(latest) <= AFTERNOON
    forms = Counter(form for (form,) in conn.execute("SELECT form FROM reports"))
    assert set(forms) == {"seizure", "incident", "joint_operation", "daily_status"}
    assert conn.execute("SELECT COUNT(*) FROM seizure_items").fetchone()[0] > forms["seizure"]


async def test_every_unit_reports_through_its_own_officers(tmp_path: Path) -> None:
    conn = await _seeded(tmp_path, AFTERNOON)
    per_unit = dict(
        conn.execute(
            "SELECT u.code, COUNT(*) FROM reports r JOIN units u ON u.id = r.unit_id"
            " GROUP BY u.code"
        )
    )
    codes = {m.unit_code for m in DEMO_CAST.members if m.unit_code} | {
        m.unit_code for m in background_officers()
    }
    assert set(per_unit) == codes
    assert len(codes) == 13 + len(BORDER_OFFICES)
    strangers = conn.execute(
        "SELECT COUNT(*) FROM reports r JOIN users a ON a.id = r.author_id"
        " WHERE a.unit_id <> r.unit_id OR a.role <> 'officer'"
    ).fetchone()[0]
    assert strangers == 0
    authors = {
        tid
        for (tid,) in conn.execute(
            "SELECT DISTINCT a.telegram_id FROM reports r JOIN users a ON a.id = r.author_id"
        )
    }
    cast_officers = {m.telegram_id for m in DEMO_CAST.members if m.role is Role.OFFICER}
    assert cast_officers <= authors  # each person a visitor can be has reports of their own


async def test_people_roles_languages_and_the_group(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.sqlite3"
    await seed_demo(path, DEMO_CAST, now=AFTERNOON)
    assert await is_sandbox(path) is True
    db = await Database.open(path)
    try:
        async with db.read() as repos:
            for member in DEMO_CAST.members:
                if member.is_group:
                    continue
                user = await repos.users.get_by_telegram_id(member.telegram_id)
                assert user is not None
                assert user.role is member.role
                assert user.telegram_language == member.language
                unit = await repos.units.get(user.unit_id) if user.unit_id else None
                assert (unit.code if unit else None) == member.unit_code
            admins = await repos.users.active_by_role(Role.ADMIN)
            coordinators = await repos.users.active_by_role(Role.COORDINATOR)
            group = await repos.settings.coordination_group()
            offices = {}
            for office in BORDER_OFFICES:
                unit = await repos.units.get_by_code(office.code)
                assert unit is not None
                points = await repos.crossing_points.list_for_unit(unit.id)
                offices[office.code] = [p.name for p in points]
                # The map and the record of a seizure place them: none is left without.
                assert unit.coordinates is not None
                assert all(p.coordinates is not None for p in points)
    finally:
        await db.close()
    assert [a.telegram_id for a in admins] == [DEMO_CAST.admin.telegram_id]
    assert sorted(c.telegram_language or "" for c in coordinators) == ["ru", "uz"]
    assert DEMO_CAST.group is not None
    assert group is not None
    assert group.chat_id == DEMO_CAST.group.telegram_id
    assert offices["BLO-AYR"] == sorted(p.label for p in BORDER_OFFICES[0].points)
    assert all(offices.values())


async def test_earlier_days_are_digested_and_today_waits_for_its_digest(tmp_path: Path) -> None:
    conn = await _seeded(tmp_path, AFTERNOON)
    undigested = dict(
        conn.execute(
            "SELECT local_day, COUNT(*) FROM reports WHERE digest_day IS NULL GROUP BY local_day"
        )
    )
    assert undigested == {TODAY.isoformat(): _per_day(conn)[TODAY.isoformat()]}
    misfiled = conn.execute(
        "SELECT COUNT(*) FROM reports WHERE digest_day IS NOT NULL AND digest_day <> local_day"
    ).fetchone()[0]
    assert misfiled == 0
    runs = {
        day: (made, json.loads(stats))
        for day, made, stats in conn.execute("SELECT day, created_at, stats FROM digest_runs")
    }
    assert sorted(runs) == sorted(d for d in _per_day(conn) if d != TODAY.isoformat())
    for day, (made, stats) in runs.items():
        submitted = conn.execute(
            "SELECT COUNT(*) FROM reports WHERE local_day = ? AND status = 'submitted'", (day,)
        ).fetchone()[0]
        assert stats["reports"] == submitted
        assert datetime.fromisoformat(made) <= AFTERNOON
    assert conn.execute("SELECT COUNT(*) FROM reminders").fetchone()[0] == 0


async def test_before_the_digest_time_yesterday_is_still_due(tmp_path: Path) -> None:
    """06:00 in Tashkent: nobody has filed today, and yesterday's digest goes out at 08:00."""
    early = datetime(2026, 6, 15, 1, 0, tzinfo=UTC)
    conn = await _seeded(tmp_path, early)
    days = _per_day(conn)
    assert TODAY.isoformat() not in days
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    assert (
        conn.execute("SELECT COUNT(*) FROM digest_runs WHERE day = ?", (yesterday,)).fetchone()[0]
        == 0
    )
    assert (
        conn.execute("SELECT COUNT(*) FROM reports WHERE digest_day IS NULL").fetchone()[0]
        == days[yesterday]
    )


@pytest.mark.parametrize("hour", [19, 23])
async def test_after_the_reminder_time_the_silent_units_were_reminded(
    tmp_path: Path, hour: int
) -> None:
    evening = datetime(2026, 6, 15, hour, 0, tzinfo=TASHKENT)
    conn = await _seeded(tmp_path, evening)
    silent_units = conn.execute(
        "SELECT id FROM units WHERE id NOT IN (SELECT unit_id FROM reports WHERE local_day = ?"
        " AND status = 'submitted')",
        (TODAY.isoformat(),),
    ).fetchall()
    reminded = conn.execute(
        "SELECT COUNT(*) FROM reminders WHERE day = ?", (TODAY.isoformat(),)
    ).fetchone()[0]
    officers_of_silent = conn.execute(
        "SELECT COUNT(*) FROM users WHERE role = 'officer' AND unit_id IN"
        " (SELECT id FROM units WHERE id NOT IN (SELECT unit_id FROM reports"
        " WHERE local_day = ? AND status = 'submitted'))",
        (TODAY.isoformat(),),
    ).fetchone()[0]
    assert silent_units  # some units are quiet on any given day
    assert reminded == officers_of_silent > 0


def test_the_cast_is_consistent() -> None:
    ids = [m.telegram_id for m in (*DEMO_CAST.members, *background_officers())]
    assert len(ids) == len(set(ids))
    people = [m for m in DEMO_CAST.members if not m.is_group]
    assert {m.language for m in people} == {"uz", "ru", "en"}
    assert Counter(m.role for m in people)[Role.COORDINATOR] == 2
    assert {m.language for m in people if m.role is Role.COORDINATOR} == {"uz", "ru"}
    ter = [m for m in people if m.unit_code == "IMT-TER"]
    assert any(m.language == "uz" for m in ter)
    group = DEMO_CAST.group
    assert group is not None
    assert group.telegram_id < 0
    assert DEMO_CAST.member(group.speaker_id or 0) is not None
    for member in people:
        if member.role is Role.OFFICER:
            assert member.places, member
            assert member.unit_code in DEMO_CAST.unit_names
            assert set(DEMO_CAST.unit_names[member.unit_code]) == {"uz", "ru", "en"}
        for place in member.places:
            assert 37 < place.latitude < 46 and 55 < place.longitude < 74  # Uzbekistan
    blo = [m for m in people if (m.unit_code or "").startswith("BLO-")]
    assert {m.places[0].label for m in blo} >= {"Ayritom", "Oybek", "Do‘stlik", "Yallama", "Olot"}


async def test_every_urgent_report_has_its_alert_acknowledged_before_now(tmp_path: Path) -> None:
    conn = await _seeded(tmp_path, AFTERNOON)
    marked = conn.execute(
        "SELECT COUNT(*) FROM reports WHERE urgent = 1 AND status = 'submitted'"
    ).fetchone()[0]
    alerts = conn.execute(
        "SELECT a.reason, a.acknowledged_at, r.submitted_at, u.role FROM alerts a"
        " JOIN reports r ON r.id = a.report_id JOIN users u ON u.id = a.acknowledged_by"
    ).fetchall()
    assert marked > 0
    assert sum(reason != "large" for reason, _, _, _ in alerts) == marked
    assert any(reason == "large" for reason, _, _, _ in alerts)  # ≥ 1 kg seizures alert too
    for _, acknowledged, submitted, role in alerts:
        seen = datetime.fromisoformat(acknowledged)
        assert datetime.fromisoformat(submitted) < seen <= AFTERNOON
        assert role == "coordinator"


async def test_seizures_are_placed_and_routed_as_if_filed_today(tmp_path: Path) -> None:
    """The map, /routes and /export ids read the route and placement columns: every demo
    report with a place has them, derived from its answers as filing derives them."""
    path = tmp_path / "sandbox.sqlite3"
    await seed_demo(path, DEMO_CAST, now=AFTERNOON)
    db = await Database.open(path)
    try:
        async with db.read() as repos:
            units = {unit.id: unit for unit in await repos.units.list()}
            points = {
                point.id: point
                for unit_id in units
                for point in await repos.crossing_points.list_for_unit(unit_id)
            }
            reports = await repos.reports.between_days(TODAY - timedelta(days=DAYS), TODAY)
    finally:
        await db.close()
    placed = [r for r in reports if r.form in (SEIZURE.key, INCIDENT.key)]
    seizures = [r for r in placed if r.form == SEIZURE.key]
    assert seizures and len(placed) > len(seizures)
    precisions: Counter[tuple[UnitKind, Precision | None]] = Counter()
    for report in placed:
        unit = units[report.unit_id]
        precisions[unit.kind, report.precision] += 1
        answer = report.answers["place"]
        point = points.get(int(answer["id"])) if answer["type"] == "point" else None
        expected = place_of(
            answer, unit=unit.coordinates, point=point.coordinates if point else None
        )
        where = Coordinates(report.latitude or 0, report.longitude or 0)
        assert (report.precision, where) == (expected.precision, expected.coordinates), report.id
        assert REGION.holds(where)
        assert unit.coordinates is not None
        if report.precision is Precision.EXACT:  # shared near the unit
            assert abs(where.latitude - unit.coordinates.latitude) <= NEAR_DEGREES
            assert abs(where.longitude - unit.coordinates.longitude) <= NEAR_DEGREES
            assert report.place_text is None
        elif report.precision is Precision.POINT:  # the office's own crossing point
            assert point is not None and point.unit_id == unit.id
            assert report.place_text == point.name
        else:  # a typed place, at the unit
            assert answer["type"] == "text" and report.place_text == answer["text"]
            assert where == unit.coordinates
        assert report.route == (
            route_of(SEIZURE, report.answers) if report.form == SEIZURE.key else None
        )
    assert set(precisions) == {
        (UnitKind.IMT, Precision.EXACT),
        (UnitKind.IMT, Precision.UNIT),
        (UnitKind.BLO, Precision.EXACT),
        (UnitKind.BLO, Precision.POINT),
    }
    routes = [r.route for r in seizures]
    assert all(route is not None for route in routes)  # asked of every seizure
    origins = Counter(route.origin for route in routes if route is not None)
    assert origins.most_common(1)[0][0] == "af"
    assert {"ir", "pk", "unknown", None} <= set(origins)
    gaps = sum(
        None in (route.origin, route.departure, route.destination) or not route.transit
        for route in routes
        if route is not None
    )
    assert 0.1 * len(seizures) < gaps < 0.35 * len(seizures)  # about a fifth skip some
    assert Counter(route.destination for route in routes if route is not None).keys() >= {
        "kz",
        "ru",
    }


async def test_a_demo_seizure_shows_its_route_and_place_in_its_receipt(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.sqlite3"
    await seed_demo(path, DEMO_CAST, now=AFTERNOON)
    tr = Catalogs(ZoneInfo("Asia/Tashkent")).translator("en")
    db = await Database.open(path)
    try:
        async with db.read() as repos:
            reports = await repos.reports.by_local_day(TODAY)
    finally:
        await db.close()
    shown = [
        "\n".join(record_lines(SEIZURE, report, tr, with_route=True))
        for report in reports
        if report.form == SEIZURE.key
    ]
    assert shown
    assert any("Country of origin:</b> Afghanistan" in text for text in shown)
    assert all("On the map: " in text for text in shown)
    assert not any("not asked" in text for text in shown)


async def test_kilogram_factors_are_those_in_force(tmp_path: Path) -> None:
    conn = await _seeded(tmp_path, AFTERNOON)
    factors = Counter(
        conn.execute("SELECT normalized_unit, kg_factor FROM seizure_items").fetchall()
    )
    assert factors[("kg", "1")] > 0
    assert not [pair for pair in factors if pair[0] == "kg" and pair[1] != "1"]
    missing = conn.execute(
        "SELECT COUNT(*) FROM seizure_items i JOIN conversion_factors f"
        " ON f.substance = i.substance AND f.unit = i.normalized_unit"
        " WHERE f.kg_per_unit IS NOT NULL AND i.kg_factor IS NOT f.kg_per_unit"
    ).fetchone()[0]
    assert missing == 0


async def test_todays_digest_map_has_markers(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.sqlite3"
    await seed_demo(path, DEMO_CAST, now=AFTERNOON)
    db = await Database.open(path)
    try:
        async with db.read() as repos:
            seizures = await read_seizure_map(repos, TODAY, "en")
    finally:
        await db.close()
    assert seizures.unplaced == 0
    assert seizures.today > 0
    assert sum(unit.today for unit in seizures.units) == seizures.today
    assert len([unit for unit in seizures.units if unit.week]) >= 10
