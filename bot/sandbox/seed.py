"""The sandbox's demo data: units, people, the coordination group and 30 days of reports.

Everything is as the bot itself would have left it at ``now`` after a month of use, so that
``/digest``, the chart and ``/export`` show something at once and the bot, starting on it, sends
only what the real schedule would send at that moment:

* the border liaison offices of the cast with their crossing points, the cast's people and two
  more officers per unit, registered through the repositories; the group bound as the
  coordination group; the database marked as a sandbox one (bot/sandbox/marker.py);
* reports of every form over the 30 days ending today (today's only up to ``now``), made by
  ``bot.sandbox.demo_reports`` and written by ``storage.bulk`` (a month of reports one by one
  through the report repository would make the first start slow for nothing), then placed and
  their seizures given routes as filing today would (``bot.sandbox.demo_records``);
* every day whose digest has fallen due already digested (its run recorded with its figures),
  so start-up sends no catch-up digest; today's reports are left for today's digest;
* every urgent report (marked, or a large seizure) with its alert, acknowledged by a
  coordinator minutes after it came in, so no alert is repeated at start;
* after the reminder time, the officers of a unit that filed nothing today recorded as reminded.
"""

from __future__ import annotations

import asyncio
import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bot.sandbox.cast import BORDER_OFFICES, Cast, CastMember, Place, background_officers
from bot.sandbox.demo_records import place_and_route
from bot.sandbox.demo_reports import SUBMIT_FROM_S, SUBMIT_TO_S, TASHKENT, ReportRows
from bot.sandbox.marker import mark_sandbox
from bot.schedule import DEFAULT_DIGEST_TIME, DEFAULT_REMINDER_TIME, latest_due_digest_day
from bot.urgent import why_urgent
from storage import Coordinates, Database, ReportStatus, Repositories, Role, Unit, UnitKind
from storage.bot_settings import CoordinationGroup
from storage.bulk import Chunk, add_digest_runs, bulk_load, next_ids

DAYS = 30
#: Reports a whole day brings, on average (±25 % from day to day).
REPORTS_PER_DAY = 42
SEED = 2026


async def seed_demo(
    path: Path, cast: Cast, *, now: datetime, urgent_threshold_kg: Decimal = Decimal(1)
) -> None:
    """Create the sandbox database at ``path`` (which must not exist yet) as of ``now``."""
    officers, codes = await _register(path, cast, now=now)
    local = now.astimezone(TASHKENT)
    today = local.date()
    elapsed_s = local.hour * 3600 + local.minute * 60 + local.second
    rows = ReportRows(
        random.Random(SEED),
        officers,
        codes,
        await asyncio.to_thread(next_ids, path),
        key_prefix="demo-",
    )
    last_digested = latest_due_digest_day(now, DEFAULT_DIGEST_TIME, TASHKENT)
    chunks: list[Chunk] = []
    for n in range(DAYS - 1, -1, -1):
        day = today - timedelta(days=n)
        size = round(REPORTS_PER_DAY * rows.rng.uniform(0.75, 1.25))
        until_s = SUBMIT_TO_S
        if day == today:
            until_s = min(elapsed_s, SUBMIT_TO_S)
            if until_s <= SUBMIT_FROM_S:
                continue  # before 07:00 nobody has filed yet
            size = round(size * (until_s - SUBMIT_FROM_S) / (SUBMIT_TO_S - SUBMIT_FROM_S))
        chunks.append(rows.day(day, size, digested=day <= last_digested, until_s=until_s))
    await asyncio.to_thread(bulk_load, path, chunks, cache_mib=16)
    # Draws of their own, after the reports': the reports stay what the shared makers give.
    await place_and_route(path, random.Random(f"{SEED}-records"))
    runs = rows.digest_runs(last_digested + timedelta(days=1), not_after=now)
    await asyncio.to_thread(add_digest_runs, path, runs)
    await _acknowledged_alerts(
        path, cast, [today - timedelta(days=n) for n in range(DAYS)], urgent_threshold_kg, now=now
    )
    if local.time() >= DEFAULT_REMINDER_TIME:
        filed_today = {
            int(str(row[7]))
            for chunk in chunks
            for row in chunk.reports
            if row[11] == today.isoformat() and row[12] == "submitted"
        }
        await _record_reminders(path, officers, filed_today, today, now=now)


async def _register(
    path: Path, cast: Cast, *, now: datetime
) -> tuple[dict[int, list[int]], dict[int, str]]:
    """Units, people and the group; each unit's officers' ids (``users.id``), units' codes."""
    db = await Database.open(path)
    try:
        async with db.transaction() as repos:
            await mark_sandbox(repos, now=now)
            for office in BORDER_OFFICES:
                unit = await repos.units.create(
                    code=office.code,
                    kind=UnitKind.BLO,
                    name_uz=office.name_uz,
                    name_ru=office.name_ru,
                    name_en=office.name_en,
                    coordinates=_where(office.points[0]),
                    now=now - timedelta(days=DAYS + 10),
                )
                for point in office.points:
                    await repos.crossing_points.add(
                        unit.id, point.label, coordinates=_where(point), now=now
                    )
            units = {unit.code: unit for unit in await repos.units.list()}
            officers: dict[int, list[int]] = {}
            for member in (*cast.members, *background_officers(cast)):
                if member.is_group:
                    continue
                user_id = await _register_person(repos, member, units, now=now)
                if member.role is Role.OFFICER and member.unit_code is not None:
                    officers.setdefault(units[member.unit_code].id, []).append(user_id)
            group = cast.group
            if group is not None:
                await repos.settings.set_coordination_group(
                    CoordinationGroup(group.telegram_id, group.first_name, group.language),
                    by=cast.admin.telegram_id,
                    now=now,
                )
    finally:
        await db.close()
    return officers, {unit.id: code for code, unit in units.items()}


async def _register_person(
    repos: Repositories, member: CastMember, units: dict[str, Unit], *, now: datetime
) -> int:
    """Registered a month ago, with the profile Telegram reports (their language follows
    their Telegram language, as for anybody who never chose one in the bot)."""
    assert member.role is not None
    unit = units.get(member.unit_code) if member.unit_code else None
    display_name = " ".join(part for part in (member.first_name, member.last_name) if part)
    user = await repos.users.create(
        telegram_id=member.telegram_id,
        role=member.role,
        display_name=display_name,
        username=member.username,
        unit_id=unit.id if unit else None,
        now=now - timedelta(days=DAYS + 5),
    )
    await repos.users.update_profile(
        member.telegram_id,
        display_name=display_name,
        username=member.username,
        telegram_language=member.language,
        now=now - timedelta(days=DAYS + 5),
    )
    return user.id


async def _acknowledged_alerts(
    path: Path, cast: Cast, days: list[date], threshold_kg: Decimal, *, now: datetime
) -> None:
    """An urgent report is never stored without its alert (bot/alerting.py); here each
    was acknowledged by one of the coordinators 4 to 40 minutes after it came in."""
    rng = random.Random(SEED)
    db = await Database.open(path)
    try:
        async with db.transaction() as repos:
            coordinators = [
                user.id
                for user in await repos.users.active_by_role(Role.COORDINATOR)
                if cast.member(user.telegram_id) is not None
            ]
            for day in days:
                for report in await repos.reports.by_local_day(day):
                    reason = why_urgent(report, threshold_kg)
                    if reason is None or report.status is not ReportStatus.SUBMITTED:
                        continue
                    alert = await repos.alerts.create(
                        report.id, reason.value, now=report.submitted_at
                    )
                    assert alert is not None
                    seen = report.submitted_at + timedelta(minutes=rng.uniform(4, 40))
                    await repos.alerts.acknowledge(
                        alert.id, rng.choice(coordinators), now=min(seen, now)
                    )
    finally:
        await db.close()


async def _record_reminders(
    path: Path,
    officers: dict[int, list[int]],
    filed_today: set[int],
    today: date,
    *,
    now: datetime,
) -> None:
    """Today's reminders went out at the reminder time to the units that filed nothing."""
    sent = datetime.combine(today, DEFAULT_REMINDER_TIME, TASHKENT)
    db = await Database.open(path)
    try:
        async with db.transaction() as repos:
            for unit_id, user_ids in officers.items():
                if unit_id in filed_today:
                    continue
                for user_id in user_ids:
                    await repos.digests.record_reminder(today, user_id, now=min(sent, now))
    finally:
        await db.close()


def _where(place: Place) -> Coordinates:
    """A preset of the cast as the coordinates stored with a unit or crossing point (the map
    places a border office at its first crossing point)."""
    return Coordinates(place.latitude, place.longitude)
