"""/settings as an admin uses it: the digest and reminder times, the jobs that follow them, a
restart that keeps them, and who may not change them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

from bot.context import FieldReportApplication
from bot.i18n import Translator
from bot.standin import StandIn
from tests.e2e.conftest import ADMIN, RunBot, SeedUser
from tests.e2e.digest_steps import COORDINATOR, TASHKENT, people, ru, say

DIGEST_JOB, REMINDER_JOB, DELIVERY_JOB = "digest-daily", "reminder-daily", "digest-deliveries"


# -- /settings --------------------------------------------------------------------------------
def settings_text(tr: Translator, digest: str, reminder: str) -> str:
    return (
        tr.gettext(
            "Daily digest: {digest}. Reminder to units that have not filed: {reminder} "
            "({timezone})."
        ).format(digest=digest, reminder=reminder, timezone="Asia/Tashkent")
        + "\n"
        + tr.gettext("To change them: /settings digest HH:MM or /settings reminder HH:MM.")
    )


def only_job(app: FieldReportApplication, name: str) -> time:
    """The local (Tashkent) time of the one job called ``name``; fails unless exactly one."""
    assert app.job_queue is not None
    jobs = app.job_queue.get_jobs_by_name(name)
    assert len(jobs) == 1, [j.name for j in jobs]
    next_t = jobs[0].next_t
    assert next_t is not None
    assert timedelta(0) < next_t - datetime.now(UTC) <= timedelta(days=1)
    return next_t.astimezone(TASHKENT).time().replace(second=0, microsecond=0)


async def changes(app: FieldReportApplication) -> list[tuple[int | None, str | None, object]]:
    async with app.services.db.read() as repos:
        entries = await repos.audit.latest(100)
    return [
        (e.actor_telegram_id, e.target, json.loads(e.details or "null"))
        for e in reversed(entries)
        if e.action == "settings.changed"
    ]


async def stored(app: FieldReportApplication) -> tuple[str | None, str | None]:
    async with app.services.db.read() as repos:
        return await repos.settings.get("digest_time"), await repos.settings.get("reminder_time")


async def test_an_admin_changes_the_digest_time_and_the_job_follows(
    tg: StandIn, run_bot: RunBot
) -> None:
    async with run_bot(run_jobs=True) as app:
        tr = ru(app)
        assert only_job(app, DIGEST_JOB) == time(8, 0)
        assert only_job(app, REMINDER_JOB) == time(18, 0)

        shown = await say(tg, ADMIN, "/settings")
        assert shown.text == settings_text(tr, "08:00", "18:00")
        assert await stored(app) == (None, None)

        changed = await say(tg, ADMIN, "/settings digest 07:30")
        assert changed.text == settings_text(tr, "07:30", "18:00")
        assert await stored(app) == ("07:30", None)
        assert await changes(app) == [(ADMIN.id, "digest_time", {"value": "07:30"})]
        assert only_job(app, DIGEST_JOB) == time(7, 30)
        assert only_job(app, REMINDER_JOB) == time(18, 0)

        changed = await say(tg, ADMIN, "/settings reminder 9.05")
        assert changed.text == settings_text(tr, "07:30", "09:05")
        assert await stored(app) == ("07:30", "09:05")
        assert only_job(app, DIGEST_JOB) == time(7, 30)
        assert only_job(app, REMINDER_JOB) == time(9, 5)

        again = await say(tg, ADMIN, "/settings digest 7.30")  # the same time, written otherwise
        assert again.text == settings_text(tr, "07:30", "09:05")
        assert only_job(app, DIGEST_JOB) == time(7, 30)
        assert len(app.job_queue.get_jobs_by_name(DELIVERY_JOB)) == 1  # type: ignore[union-attr]
        assert [target for _, target, _ in await changes(app)] == [
            "digest_time",
            "reminder_time",
            "digest_time",
        ]


async def test_the_stored_time_survives_a_restart(tg: StandIn, run_bot: RunBot) -> None:
    async with run_bot() as app:
        await say(tg, ADMIN, "/settings digest 06:45")
    async with run_bot(run_jobs=True) as app:
        assert only_job(app, DIGEST_JOB) == time(6, 45)
        shown = await say(tg, ADMIN, "/settings")
        assert shown.text == settings_text(ru(app), "06:45", "18:00")


async def test_bad_settings_explain_and_change_nothing(tg: StandIn, run_bot: RunBot) -> None:
    async with run_bot(run_jobs=True) as app:
        tr = ru(app)
        usage = tr.gettext(
            "Usage: /settings digest HH:MM or /settings reminder HH:MM, "
            "for example /settings digest 08:00."
        )
        for text in (
            "/settings digest 25:00",
            "/settings digest 24:00",
            "/settings reminder 7:60",
            "/settings lunch 12:00",
            "/settings digest",
            "/settings 07:30",
            "/settings digest 07:30 18:00",
            "/settings digest <b>07:30</b>",
            "/settings digest " + "1" * 5000,
        ):
            reply = await say(tg, ADMIN, text)
            assert reply.text == usage, (text[:40], reply.text)
        assert await stored(app) == (None, None)
        assert await changes(app) == []
        assert only_job(app, DIGEST_JOB) == time(8, 0)
        assert only_job(app, REMINDER_JOB) == time(18, 0)
        shown = await say(tg, ADMIN, "/settings")
    assert shown.text == settings_text(tr, "08:00", "18:00")


async def test_a_coordinator_may_not_see_or_change_the_settings(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await people(seed_user)
    async with run_bot(run_jobs=True) as app:
        tr = ru(app)
        refused = tr.gettext("This is for administrators only.")
        for text in ("/settings", "/settings digest 07:30"):
            reply = await say(tg, COORDINATOR, text)
            assert reply.text == refused, text
        await tg.wait_idle()
        assert await stored(app) == (None, None)
        assert await changes(app) == []
        assert only_job(app, DIGEST_JOB) == time(8, 0)
    assert len(tg.messages(COORDINATOR.id)) == 2
