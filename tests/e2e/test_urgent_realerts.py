"""Re-alerts moved by time: an unacknowledged alert is sent again a bounded number of times, a
recipient who cannot be reached does not stop the others, and the job runs every minute."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.handlers.urgent.alert_send import realert_due
from bot.standin import StandIn
from storage.alerts import DeliveryStatus
from storage.clock import utc_now
from tests.e2e.conftest import RunBot, SeedUser
from tests.e2e.urgent_steps import (
    GROUP,
    JOHN,
    OLGA,
    alerts_in,
    bind_group,
    file_incident,
    seed_people,
    wait_alerts,
)


async def test_an_unacknowledged_alert_is_sent_again_at_most_the_configured_times(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, john = await seed_people(tg, seed_user)
    async with run_bot(alert_max_repeats=2) as app:
        await bind_group(app, tg)
        await file_incident(o, urgent=True)
        await wait_alerts(tg, GROUP.id, 1)
        await tg.wait_idle()
        repeat = app.services.settings.alert_repeat
        now = utc_now()
        assert await realert_due(app.services, app.bot, now) == 0  # not yet
        first = now + repeat + timedelta(minutes=1)
        assert await realert_due(app.services, app.bot, first) == 3
        assert await realert_due(app.services, app.bot, first) == 0  # the same pass again
        second = first + repeat + timedelta(minutes=1)
        assert await realert_due(app.services, app.bot, second) == 3
        third = second + repeat + timedelta(minutes=1)
        assert await realert_due(app.services, app.bot, third) == 0  # max 2 repeats
        await tg.wait_idle()
        counts = [len(alerts_in(tg, chat)) for chat in (OLGA.id, JOHN.id, GROUP.id)]
        reminder = alerts_in(tg, JOHN.id)[1]
        assert "Reminder: nobody has acknowledged this alert for 31 minutes." in reminder.text
        # Acknowledging edits every copy of every round.
        await john.tap("alr", "ack")
        await tg.wait_until(
            lambda: all(
                m.edits for chat in (OLGA.id, JOHN.id, GROUP.id) for m in alerts_in(tg, chat)
            ),
            description="every copy edited",
        )
    assert counts == [3, 3, 3]


async def test_an_acknowledged_alert_is_not_sent_again(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, olga, _john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        await file_incident(o, urgent=True)
        await wait_alerts(tg, OLGA.id, 1)
        await tg.wait_idle()
        await olga.tap("alr", "ack")
        later = utc_now() + app.services.settings.alert_repeat + timedelta(minutes=1)
        assert await realert_due(app.services, app.bot, later) == 0
        await tg.wait_idle()
    assert len(alerts_in(tg, JOHN.id)) == 1


@pytest.mark.expect_refusals("a coordinator blocked the bot: Telegram refuses their alert")
async def test_a_coordinator_who_blocked_the_bot_does_not_stop_the_others(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, _john = await seed_people(tg, seed_user)
    tg.block_bot(OLGA.id, notify=False)
    async with run_bot() as app:
        await bind_group(app, tg)
        await file_incident(o, urgent=True)
        await wait_alerts(tg, JOHN.id, 1)
        await wait_alerts(tg, GROUP.id, 1)
        await tg.wait_idle()
        later = utc_now() + app.services.settings.alert_repeat + timedelta(minutes=1)
        assert await realert_due(app.services, app.bot, later) == 2
        async with app.services.db.read() as repos:
            (alert,) = await repos.alerts.unacknowledged(max_repeats=99)
            deliveries = await repos.alerts.deliveries(alert.id)
        await tg.wait_idle()
    assert alerts_in(tg, OLGA.id) == []
    assert len(alerts_in(tg, JOHN.id)) == 2
    blocked = {(d.round_no, d.status) for d in deliveries if d.chat_id == OLGA.id}
    assert blocked == {(0, DeliveryStatus.BLOCKED), (1, DeliveryStatus.BLOCKED)}


async def test_a_passing_network_error_is_left_for_the_next_pass(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, _john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        await file_incident(o, urgent=True)
        await wait_alerts(tg, OLGA.id, 1)
        await wait_alerts(tg, JOHN.id, 1)
        await tg.wait_idle()
        # Make the first delivery fail again, as a network failure would, then run a pass.
        async with app.services.db.transaction() as repos:
            (alert,) = await repos.alerts.unacknowledged(max_repeats=99)
            await repos.alerts._conn.execute(
                "UPDATE alert_deliveries SET status = 'pending', lease_until = NULL"
                " WHERE chat_id = ?",
                (JOHN.id,),
            )
        tg.inject_fault("502", "sendMessage")
        assert await realert_due(app.services, app.bot, utc_now()) == 0
        async with app.services.db.read() as repos:
            (still,) = [d for d in await repos.alerts.deliveries(alert.id) if d.chat_id == JOHN.id]
        assert still.status is DeliveryStatus.PENDING
        tg.clear_faults()
        assert await realert_due(app.services, app.bot, utc_now()) == 1
        await tg.wait_idle()
    assert len(alerts_in(tg, JOHN.id)) == 2
    assert len(alerts_in(tg, OLGA.id)) == 1


async def test_the_realert_job_runs_every_minute_and_sends_what_is_owed(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, _john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        assert app.job_queue is not None
        (job,) = app.job_queue.get_jobs_by_name("urgent-realert")
        assert job.job.trigger.interval == timedelta(seconds=60)  # type: ignore[attr-defined]
        await file_incident(o, urgent=True)
        await wait_alerts(tg, JOHN.id, 1)
        await tg.wait_idle()
        async with app.services.db.transaction() as repos:  # as if John's copy had failed
            await repos.alerts._conn.execute(
                "UPDATE alert_deliveries SET status = 'pending', lease_until = NULL"
                " WHERE chat_id = ?",
                (JOHN.id,),
            )
        await job.run(app)
        await wait_alerts(tg, JOHN.id, 2)
        await tg.wait_idle()
    assert len(alerts_in(tg, OLGA.id)) == 1
