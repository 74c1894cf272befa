"""Step 4: the scheduled digest is made once, reaches each recipient once, survives crashes,
catches up after downtime, honours Telegram's errors; reminders go to exactly the right people.

Time is injected: the tests call bot/delivery.py with the ``now`` they want.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot import delivery
from bot.standin import StandIn, TgUser
from storage import Role
from tests.e2e.conftest import RunBot, SeedUser
from tests.e2e.digest_lane_steps import (
    COORDINATOR_EN,
    COORDINATOR_RU,
    GROUP,
    OFFICER_SAM,
    OFFICER_TER,
    TASHKENT,
    add_report,
    bind_group,
    local,
    setup_people,
)


async def test_each_report_in_exactly_one_digest_and_late_ones_marked(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await setup_people(seed_user)
    d1 = date(2026, 11, 20)
    d2 = d1 + timedelta(days=1)
    async with run_bot() as app:
        on_time = await add_report(app, OFFICER_TER.id, d1, "k1", submitted=local(d1, 15), kg="2.5")
        early_next = await add_report(app, OFFICER_SAM.id, d2, "k2", submitted=local(d2, 7))
        assert await delivery.make_due_run(app.services, local(d2, 8, 5)) == d1
        assert await delivery.make_due_run(app.services, local(d2, 9)) is None  # made once
        late = await add_report(app, OFFICER_SAM.id, d1, "k3", submitted=local(d2, 10))
        assert await delivery.make_due_run(app.services, local(d2 + timedelta(days=1), 8, 1)) == d2
        async with app.services.db.read() as repos:
            first = [r.number for r in await repos.reports.by_digest_day(d1)]
            second = [r.number for r in await repos.reports.by_digest_day(d2)]
    assert first == [on_time]
    assert sorted(second) == sorted([early_next, late])


async def test_every_recipient_gets_the_digest_once_in_their_language(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await setup_people(seed_user)
    day = date(2026, 11, 20)
    async with run_bot() as app:
        await bind_group(app, tg)
        await add_report(app, OFFICER_TER.id, day, "k1", submitted=local(day, 12), kg="1.5")
        now = local(day + timedelta(days=1), 8)
        await delivery.make_due_run(app.services, now)
        assert await delivery.deliver_due(app.services, app.bot, now) == 3
        assert await delivery.deliver_due(app.services, app.bot, now + timedelta(hours=1)) == 0
    for chat_id in (COORDINATOR_RU.id, COORDINATOR_EN.id, GROUP.id):
        messages = tg.messages(chat_id)
        documents = [m for m in messages if m.document]
        photos = [m for m in messages if m.photo]
        assert len(documents) == 1, chat_id
        assert len(photos) == 2, chat_id  # the chart, then the map
        assert documents[0].document["file_name"] == "fieldreport-2026-11-20.xlsx"  # type: ignore[index]
    assert "20 ноября 2026" in tg.messages(COORDINATOR_RU.id)[0].text
    assert "20 November 2026" in tg.messages(COORDINATOR_EN.id)[0].text


async def test_a_crash_half_way_sends_only_what_is_missing_after_the_restart(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await setup_people(seed_user)
    day = date(2026, 11, 20)
    now = local(day + timedelta(days=1), 8)
    async with run_bot() as app:
        await add_report(app, OFFICER_TER.id, day, "k1", submitted=local(day, 12), kg="3")
        await delivery.make_due_run(app.services, now)
        tg.inject_fault("drop", method="sendDocument", count=10)
        await delivery.deliver_due(app.services, app.bot, now)
        tg.clear_faults()
        texts_before = {
            c: [m.text for m in tg.messages(c) if m.text]
            for c in (COORDINATOR_RU.id, COORDINATOR_EN.id)
        }
        assert all(texts_before.values())
        assert not any(m.document for c in texts_before for m in tg.messages(c))
    async with run_bot() as app:  # a restart
        await delivery.deliver_due(app.services, app.bot, now + timedelta(hours=1))
        async with app.services.db.read() as repos:
            deliveries = await repos.digests.deliveries(day)
    assert {d.status for d in deliveries} == {"sent"}
    for chat_id, texts in texts_before.items():
        messages = tg.messages(chat_id)
        assert [m.text for m in messages if m.text] == texts  # no text part twice
        assert sum(1 for m in messages if m.document) == 1
        assert sum(1 for m in messages if m.photo) == 2  # the chart and the map, once each


@pytest.mark.expect_refusals("a recipient blocked the bot: Telegram refuses their digest")
async def test_too_many_requests_is_retried_and_a_blocked_recipient_is_skipped(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await setup_people(seed_user)
    day = date(2026, 11, 20)
    now = local(day + timedelta(days=1), 8)
    async with run_bot() as app:
        await add_report(app, OFFICER_TER.id, day, "k1", submitted=local(day, 12))
        await delivery.make_due_run(app.services, now)
        tg.block_bot(COORDINATOR_RU.id, notify=False)
        tg.inject_fault("429", method="sendMessage", count=1, retry_after=1)
        await delivery.deliver_due(app.services, app.bot, now)
        async with app.services.db.read() as repos:
            statuses = {d.chat_id: d.status for d in await repos.digests.deliveries(day)}
    assert statuses == {COORDINATOR_RU.id: "blocked", COORDINATOR_EN.id: "sent"}
    assert sum(1 for m in tg.messages(COORDINATOR_EN.id) if m.document) == 1


async def test_a_missed_digest_is_sent_when_the_bot_comes_back(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await setup_people(seed_user)
    now = datetime.now(UTC)
    async with run_bot() as app:
        async with app.services.db.read() as repos:
            digest_time, _ = await delivery.configured_times(repos)
        due = delivery.latest_due_digest_day(now, digest_time, TASHKENT)
        await add_report(app, OFFICER_TER.id, due, "k1", submitted=local(due, 12))
    # The bot was down when the digest fell due; it comes back with its jobs running.
    async with run_bot(run_jobs=True) as app:
        first = await tg.next_message(COORDINATOR_EN.id, timeout=10)
        await tg.wait_until(
            lambda: sum(1 for m in tg.messages(COORDINATOR_EN.id) if m.photo) == 2, timeout=10
        )
        names = {job.name for job in app.job_queue.jobs()}  # type: ignore[union-attr]
    assert {"digest-daily", "reminder-daily", "digest-deliveries"} <= names
    assert due.strftime("%Y") in first.text
    assert sum(1 for m in tg.messages(COORDINATOR_EN.id) if m.document) == 1


async def test_reminders_go_to_exactly_the_units_that_did_not_file_once(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await setup_people(seed_user)
    blocked = await seed_user(
        TgUser(id=9305, first_name="Blocked", language_code="en"),
        Role.OFFICER,
        "IMT-SAM",
        blocked=True,
    )
    nukus = await seed_user(
        TgUser(id=9306, first_name="Aral", language_code="en"), Role.OFFICER, "IMT-NUK"
    )
    today = datetime.now(TASHKENT).date()
    async with run_bot() as app:
        await add_report(app, OFFICER_TER.id, today, "k1", submitted=local(today, 9))
        async with app.services.db.transaction() as repos:
            nuk = await repos.units.get_by_code("IMT-NUK")
            await repos.units.set_active(nuk.id, False)  # type: ignore[union-attr]
        before = await delivery.send_reminders(app.services, app.bot, local(today, 17, 59))
        sent = await delivery.send_reminders(app.services, app.bot, local(today, 18, 1))
        again = await delivery.send_reminders(app.services, app.bot, local(today, 19))
        reminder = await tg.next_message(OFFICER_SAM.id)
    assert (before, sent, again) == (0, 1, 0)
    ru = app.services.catalogs.translator("ru")
    assert reminder.text == ru.gettext(
        "Your unit has not filed a report today. Please file one, "
        "or send the daily status if there is nothing to report."
    )
    assert reminder.text.startswith("Ваше подразделение")
    assert tg.messages(OFFICER_TER.id) == []
    assert tg.messages(blocked.id) == []
    assert tg.messages(nukus.id) == []
    assert {text for row in reminder.buttons for text, _ in row}


async def test_an_empty_day_is_one_short_message_sent_once_to_each_recipient(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await setup_people(seed_user)
    d1 = date(2026, 11, 20)
    empty = d1 + timedelta(days=1)
    async with run_bot() as app:
        await bind_group(app, tg)
        await add_report(app, OFFICER_TER.id, d1, "k1", submitted=local(d1, 12), kg="1")
        await delivery.make_due_run(app.services, local(empty, 8))
        assert await delivery.deliver_due(app.services, app.bot, local(empty, 8)) == 3
        before = {c: len(tg.messages(c)) for c in (COORDINATOR_RU.id, COORDINATOR_EN.id, GROUP.id)}
        now = local(empty + timedelta(days=1), 8)
        assert await delivery.make_due_run(app.services, now) == empty
        # The first copy is lost on the way: it is sent again, and still counts once.
        tg.inject_fault("500", method="sendMessage", count=1)
        delivered = await delivery.deliver_due(app.services, app.bot, now)
        delivered += await delivery.deliver_due(app.services, app.bot, now + timedelta(hours=1))
        assert delivered == 3
        assert await delivery.deliver_due(app.services, app.bot, now + timedelta(hours=2)) == 0
        async with app.services.db.read() as repos:
            deliveries = await repos.digests.deliveries(empty)
            active = [u for u in await repos.units.list() if u.active]
        en = app.services.catalogs.translator("en")
    assert {(d.status, d.parts_sent) for d in deliveries} == {("sent", 1)}
    for chat_id, count in before.items():
        new = tg.messages(chat_id)[count:]
        assert len(new) == 1, chat_id
        assert not new[0].document and not new[0].photo
    expected = en.ngettext(
        "No reports on {day}; {count} unit did not report.",
        "No reports on {day}; {count} units did not report.",
        len(active),
    ).format(day="21 November 2026", count=len(active))
    assert tg.messages(COORDINATOR_EN.id)[-1].text == expected
    assert len(active) >= 2 and f"{len(active)} units did not report" in expected
    assert "21 ноября 2026" in tg.messages(COORDINATOR_RU.id)[-1].text


async def test_the_chart_and_the_map_have_captions_in_the_readers_language(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await setup_people(seed_user)
    day = date(2026, 11, 20)
    async with run_bot() as app:
        await add_report(app, OFFICER_TER.id, day, "k1", submitted=local(day, 12), kg="1")
        now = local(day + timedelta(days=1), 8)
        await delivery.make_due_run(app.services, now)
        await delivery.deliver_due(app.services, app.bot, now)
    photos = {
        c: [m for m in tg.messages(c.id) if m.photo] for c in (COORDINATOR_RU, COORDINATOR_EN)
    }
    assert [m.caption for m in photos[COORDINATOR_EN]] == [
        "Daily digest for 20 November 2026",
        "Seizures by unit, 20 November 2026\n"
        "Today: 1 seizure, 1\u00a0kg\n"  # a number and its unit never break apart
        "Last 7 days: 1 seizure, 1\u00a0kg",
    ]
    ru_chart, ru_map = photos[COORDINATOR_RU]
    for photo in (ru_chart, ru_map):
        assert photo.caption and "20 ноября 2026" in photo.caption and len(photo.caption) <= 1024
        assert "Daily" not in photo.caption and "Seizures" not in photo.caption
    assert ru_map.photo is not None and ru_map.photo.startswith(b"\x89PNG")
