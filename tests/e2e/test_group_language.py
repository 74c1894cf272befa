"""The coordination group reads its own language: chosen when it is bound (the binding admin's),
changed with the group's buttons by an admin, used for the digest and urgent alerts there."""

from __future__ import annotations

from datetime import date, timedelta

from bot import delivery
from bot.standin import StandIn, TgChat, TgUser
from storage import Role
from storage.bot_settings import CoordinationGroup
from tests.e2e.conftest import RunBot, SeedUser
from tests.e2e.digest_lane_steps import add_report, local
from tests.e2e.urgent_steps import file_incident, wait_alerts
from tests.support.driver import Officer

ADMIN_RU = TgUser(id=9601, first_name="Ольга", language_code="ru")
OFFICER = TgUser(id=9602, first_name="Bekzod", language_code="uz")
COORDINATOR = TgUser(id=9603, first_name="Olga", language_code="ru")
GROUP = TgChat(id=-100888, type="supergroup", title="Situation <Centre>")


async def test_binding_uses_the_admins_language_and_a_second_bind_says_so(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(ADMIN_RU, Role.ADMIN, None, language="ru")
    tg.add_chat(GROUP)
    async with run_bot() as app:
        ru = app.services.catalogs.translator("ru")
        await tg.send_text(ADMIN_RU, "/bindgroup", chat=GROUP)
        first = await tg.next_message(GROUP.id)
        await tg.send_text(ADMIN_RU, "/bindgroup", chat=GROUP)
        second = await tg.next_message(GROUP.id)
        async with app.services.db.read() as repos:
            group = await repos.settings.coordination_group()
            bound = [e for e in await repos.audit.latest(20) if e.action == "group.bound"]
    assert group == CoordinationGroup(GROUP.id, GROUP.title or "", "ru")
    assert first.text and first.text.startswith(
        ru.gettext("This group now receives the daily digest and urgent alerts: {title}.").format(
            title=GROUP.title
        )
    )
    assert ru.gettext("Language of this group: {language}.").format(language="Русский") in (
        first.text
    )
    assert "✓ Русский" in first.button_texts
    assert second.text and second.text.startswith(
        ru.gettext(
            "This group already receives the daily digest and urgent alerts: {title}."
        ).format(title=GROUP.title)
    )
    assert second.text != first.text
    assert len(bound) == 1  # bound once


async def test_an_admin_changes_the_groups_language_with_its_buttons(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(ADMIN_RU, Role.ADMIN, None, language="ru")
    officer = await seed_user(OFFICER, Role.OFFICER, "IMT-TER")
    tg.add_chat(GROUP)
    async with run_bot() as app:
        en = app.services.catalogs.translator("en")
        await tg.send_text(ADMIN_RU, "/bindgroup", chat=GROUP)
        message = await tg.next_message(GROUP.id)
        # An officer in the group may not change it.
        await tg.wait_callback_answer(await tg.tap_text(officer, message, "English"))
        async with app.services.db.read() as repos:
            assert (await repos.settings.coordination_group()).language == "ru"  # type: ignore[union-attr]
        await tg.wait_callback_answer(await tg.tap_text(ADMIN_RU, message, "English"))
        assert message.text and message.text.startswith(
            en.gettext("This group receives the daily digest and urgent alerts: {title}.").format(
                title=GROUP.title
            )
        )
        assert "✓ English" in message.button_texts
        edits = len(tg.calls_to("editMessageText"))
        # The language it reads already: answered, the message left as it is.
        await tg.wait_callback_answer(await tg.tap_text(ADMIN_RU, message, "✓ English"))
        assert len(tg.calls_to("editMessageText")) == edits
        async with app.services.db.read() as repos:
            group = await repos.settings.coordination_group()
            changes = [e for e in await repos.audit.latest(20) if e.action == "group.language"]
    assert group is not None and group.language == "en"
    assert len(changes) == 1 and changes[0].actor_telegram_id == ADMIN_RU.id
    assert len(tg.messages(GROUP.id)) == 1


async def test_the_digest_and_alerts_reach_the_group_in_its_language(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    officer = await seed_user(OFFICER, Role.OFFICER, "IMT-TER", language="uz")
    await seed_user(COORDINATOR, Role.COORDINATOR, None, language="ru")
    tg.add_chat(GROUP)
    day = date(2026, 11, 20)
    async with run_bot() as app:
        async with app.services.db.transaction() as repos:
            await repos.settings.set_coordination_group(
                CoordinationGroup(GROUP.id, GROUP.title or "", "en"), by=None
            )
        await add_report(app, OFFICER.id, day, "k1", submitted=local(day, 12), kg="1")
        now = local(day + timedelta(days=1), 8)
        await delivery.make_due_run(app.services, now)
        await delivery.deliver_due(app.services, app.bot, now)
        digest = tg.messages(GROUP.id)[0]
        await file_incident(Officer(tg, officer), urgent=True)
        (alert,) = await wait_alerts(tg, GROUP.id, 1)
        (russian,) = await wait_alerts(tg, COORDINATOR.id, 1)
        assert app.services.settings.default_language != "en"
    assert "20 November 2026" in (digest.text or "")
    assert "Termez" in (alert.text or "") and "Термез" not in (alert.text or "")
    assert "Термез" in (russian.text or "")
