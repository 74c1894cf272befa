"""The urgent lane end to end: alerts in each reader's language and acknowledgement on every copy,
the group's copy included."""

from __future__ import annotations

from datetime import timedelta

from bot.handlers.urgent.alert_send import alert_if_urgent, realert_due
from bot.standin import StandIn
from storage.clock import utc_now
from tests.e2e.conftest import RunBot, SeedUser
from tests.e2e.urgent_steps import (
    GROUP,
    JOHN,
    OFFICER,
    OLGA,
    PRIVATE_TITLE,
    alerts_in,
    bind_group,
    data_of,
    file_incident,
    file_seizure,
    number_in,
    seed_people,
    wait_alerts,
)


async def test_an_urgent_incident_reaches_every_coordinator_and_the_group_in_their_language(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, _john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        await bind_group(app, tg)
        receipt = await file_incident(o, urgent=True)
        number = number_in(receipt)
        (ru,) = await wait_alerts(tg, OLGA.id, 1)
        (en,) = await wait_alerts(tg, JOHN.id, 1)
        (group,) = await wait_alerts(tg, GROUP.id, 1)
        async with app.services.db.read() as repos:
            report = await repos.reports.get_by_number(number)
        assert report is not None
        catalogs = app.services.catalogs
        # Submitting again (a retried submit) never alerts twice.
        assert not await alert_if_urgent(app.services, app.bot, report, utc_now())
        await tg.wait_idle()
    for copy in (ru, en, group):
        assert number in copy.text
        assert [d.split(":")[2] for d in copy.callback_data] == ["ack", "ask"]
        # Typed by the officer: shown as text, never as markup.
        assert PRIVATE_TITLE in copy.text
        assert "&lt;b&gt;с двойным дном&lt;/b&gt; &amp;" in (copy.html or "")
        assert "Ayritom <gate 2>" in copy.text
    assert report.occurred_at is not None
    assert "Происшествие или оперативные сведения" in ru.text
    assert "Термез" in ru.text
    assert "Попытка контрабанды" in ru.text
    assert catalogs.translator("ru").format_datetime(report.occurred_at, "short") in ru.text
    assert "Incident or intelligence" in en.text
    assert "Termez" in en.text
    assert "Smuggling attempt" in en.text
    assert "Why urgent: marked urgent by the officer" in en.text
    assert catalogs.translator("en").format_datetime(report.occurred_at, "short") in en.text
    assert en.button_texts == ["✅ Acknowledge", "❓ Ask for details"]
    assert "Термез" in group.text  # the group reads the default language (Russian)
    assert [len(alerts_in(tg, chat)) for chat in (OLGA.id, JOHN.id, GROUP.id)] == [1, 1, 1]
    assert alerts_in(tg, OFFICER.id) == []


async def test_acknowledging_edits_every_copy_tells_the_officer_and_a_late_tap_is_told(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        await bind_group(app, tg)
        receipt = await file_incident(o, urgent=True)
        (ru,) = await wait_alerts(tg, OLGA.id, 1)
        (en,) = await wait_alerts(tg, JOHN.id, 1)
        (group,) = await wait_alerts(tg, GROUP.id, 1)
        await tg.wait_idle()
        stale_ack = data_of(en, "ack")
        answer = await john.tap("alr", "ack")
        assert answer["text"] == "Acknowledged. The officer will be told."
        await tg.wait_until(lambda: all(c.edits for c in (ru, en, group)), description="edits")
        notice = await tg.next_message(OFFICER.id)
        # Olga's client still shows the old keyboard: her tap is told who was first.
        late = await tg.wait_callback_answer(await tg.tap(OLGA, ru, stale_ack, forge=True))
        async with app.services.db.read() as repos:
            report = await repos.reports.get_by_number(number_in(receipt))
            assert report is not None
            alert = await repos.alerts.get_by_report(report.id)
        assert alert is not None
        assert alert.acknowledged_at is not None
        catalogs = app.services.catalogs
        await tg.wait_idle()
    for copy in (ru, en, group):
        assert [d.split(":")[2] for d in copy.callback_data] == ["ask"]
        assert "John Smith" in copy.text
    assert "Acknowledged by John Smith at" in en.text
    assert catalogs.translator("ru").format_datetime(alert.acknowledged_at, "short") in ru.text
    assert number_in(receipt) in notice.text
    assert "John Smith" in notice.text
    uz_time = catalogs.translator("uz").format_datetime(alert.acknowledged_at, "short")
    assert uz_time in notice.text  # the officer reads it in Uzbek
    assert late["show_alert"] is True
    assert "John Smith" in str(late["text"])
    assert alert.acknowledged_by is not None
    # Only the first acknowledgement counted, and the officer was told once.
    assert len([m for m in tg.messages(OFFICER.id) if "John Smith" in (m.text or "")]) == 1


async def test_a_large_seizure_alerts_even_when_not_marked_urgent(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, _john = await seed_people(tg, seed_user)
    async with run_bot():
        await file_seizure(o, "1,5", "kg", urgent=False)
        (en,) = await wait_alerts(tg, JOHN.id, 1)
        (ru,) = await wait_alerts(tg, OLGA.id, 1)
    assert "Heroin — 1.5\u00a0kg" in en.text
    assert "Героин" in ru.text
    assert "1,5" in ru.text
    assert "large seizure: 1\u00a0kg or more of one substance" in en.text
    assert "marked urgent" not in en.text
    assert "Persons detained: 2" in en.text


async def test_a_small_seizure_not_marked_urgent_alerts_nobody(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, _john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        await bind_group(app, tg)
        await file_seizure(o, "999", "g", urgent=False)
        await tg.wait_idle()
        assert await realert_due(app.services, app.bot, utc_now() + timedelta(days=1)) == 0
        await tg.wait_idle()
    assert tg.messages(OLGA.id) == []
    assert tg.messages(JOHN.id) == []
    assert tg.messages(GROUP.id) == []


async def test_a_coordinator_acts_on_the_groups_copy(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    o, _olga, _john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        await bind_group(app, tg)
        await file_incident(o, urgent=True)
        (group,) = await wait_alerts(tg, GROUP.id, 1)
        (ru,) = await wait_alerts(tg, OLGA.id, 1)
        await tg.wait_idle()
        tg.skip_messages(JOHN.id)
        asked = await tg.wait_callback_answer(await tg.tap(JOHN, group, data_of(group, "ask")))
        prompt = await tg.next_message(JOHN.id)  # typed in private, never in the group
        acked = await tg.wait_callback_answer(await tg.tap(JOHN, group, data_of(group, "ack")))
        await tg.wait_until(lambda: bool(group.edits and ru.edits), description="edits")
        await tg.wait_idle()
    assert asked.get("text") in (None, "")
    assert prompt.text.startswith("Type your question about report")
    assert acked["text"] == "Acknowledged. The officer will be told."
    assert "John Smith" in group.text
    assert [d.split(":")[2] for d in group.callback_data] == ["ask"]
    assert len(tg.messages(GROUP.id)) == 1  # nothing else was said in the group


async def test_the_alert_goes_out_even_when_the_receipt_is_refused(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    """Filing announces the report after the receipt whatever became of it: a receipt Telegram
    refuses never keeps the coordinators from their alert, and they get it once."""
    o, _olga, _john = await seed_people(tg, seed_user)
    async with run_bot() as app:
        await o.start_form("incident")
        await o.tap_form("category", "opt", "smuggling")
        await o.tap_form("when", "dt", "now")
        await o.say("Ayritom <gate 2>")
        await o.say(PRIVATE_TITLE)
        await o.tap_form("urgent", "opt", "yes")
        await o.tap_form("photos", "skip")
        tg.inject_fault("400", method="sendMessage", chat_id=OFFICER.id)
        await o.tap_form("_", "submit")
        (ru,) = await wait_alerts(tg, OLGA.id, 1)
        (en,) = await wait_alerts(tg, JOHN.id, 1)
        await tg.wait_idle()
        async with app.services.db.read() as repos:
            (report,) = await repos.reports.list_by_author(
                (await repos.users.get_by_telegram_id(OFFICER.id)).id,  # type: ignore[union-attr]
                limit=10,
                offset=0,
            )
    assert ("sendMessage", "400") in tg.faults_fired
    assert report.number in ru.text and report.number in en.text
    assert len(alerts_in(tg, OLGA.id)) == len(alerts_in(tg, JOHN.id)) == 1
