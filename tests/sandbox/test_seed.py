"""The demo data: a month of reports by the cast's units, as the bot leaves them at ``now``."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.sandbox.cast import BORDER_OFFICES, DEMO_CAST, background_officers
from bot.sandbox.demo_reports import TASHKENT
from bot.sandbox.marker import is_sandbox
from bot.sandbox.seed import DAYS, REPORTS_PER_DAY, seed_demo
from storage import Database, Role

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
