"""The lock behind the gate, end to end: when the gate lets an update through that it should
have stopped (its refusal failed, or the role changed between the gate and the act), the rules
layer refuses, nothing changes, and the refusal is audited. Also: /user @name when a username
moved between accounts, and an invitation whose unit was deactivated after the link was made.
"""

from __future__ import annotations

import json
from typing import Any

from bot import callbacks
from bot.context import FieldReportApplication
from bot.invitations import hash_token, new_token
from bot.standin import SentMessage, StandIn, TgChat, TgUser
from storage import Role
from storage.bot_settings import COORDINATION_GROUP
from storage.clock import utc_now
from tests.e2e import urgent_steps as urgent_lane
from tests.e2e.conftest import ADMIN, RunBot, SeedUser
from tests.e2e.gate_leaks import account, audit, leak_gate_once
from tests.support.driver import Officer

BEKZOD = TgUser(id=8301, first_name="Bekzod", username="bekzod_r", language_code="uz")
OFFICER = TgUser(id=8302, first_name="Olim", language_code="ru")
STRANGER = TgUser(id=8303, first_name="Tom", language_code="en")
NEWCOMER = TgUser(id=8304, first_name="Aziz", language_code="uz")

ADMINS_ONLY = "This is for administrators only."
STRANGER_TEXT = (
    "Sorry, this bot serves the field units of the drug-control programme only. "
    "To get access, ask your programme administrator for an invitation link."
)


async def refusals(app: FieldReportApplication, action: str) -> list[dict[str, Any]]:
    return [json.loads(e.details or "{}") for e in await audit(app) if e.action == action]


async def tap(o: Officer, message: SentMessage, data: str) -> dict[str, Any]:
    return await o.tg.wait_callback_answer(await o.tg.tap(o.user, message, data, forge=True))


async def test_confirming_a_block_on_a_stale_card_after_a_demotion_changes_nothing(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(BEKZOD, Role.OFFICER, "IMT-TER")
    async with run_bot() as app:
        ru = app.services.catalogs.translator("ru")
        admin = Officer(tg, ADMIN)
        card = await admin.say(f"/user {BEKZOD.id}")
        assert str(BEKZOD.id) in (card.text or "")  # the id on the card
        await admin.tap("usr", "bl")
        assert f"Bekzod ({BEKZOD.id})" in (card.text or "")  # the id on the confirmation
        seen = await account(app, ADMIN.id)
        async with app.services.db.transaction() as repos:  # demoted meanwhile
            await repos.users.set_role(ADMIN.id, Role.COORDINATOR, unit_id=None)
        leaked = leak_gate_once(app, ADMIN.id, seen)

        _, yes = admin.find("usr", "bly")
        answer = await tap(admin, card, yes)

        assert leaked
        assert answer["text"] == ru.gettext(ADMINS_ONLY)
        assert (await account(app, BEKZOD.id)).is_active
        assert await refusals(app, "user.block_refused") == [
            {"reason": "wrong_role", "actor_role": "coordinator"}
        ]
        assert "user.blocked" not in [e.action for e in await audit(app)]


async def test_a_forged_admin_invitation_that_slips_past_the_gate_makes_nothing(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(OFFICER, Role.OFFICER, "IMT-TER")
    async with run_bot() as app:
        officer = Officer(tg, OFFICER)
        await officer.say("/help")
        leak_gate_once(app, OFFICER.id, await account(app, OFFICER.id))
        forged = callbacks.pack("inv", "unit", "K3y", Role.ADMIN.value, "none")

        answer = await tap(officer, officer.last(), forged)

        ru = app.services.catalogs.translator("ru")
        assert answer["text"] == ru.gettext(ADMINS_ONLY)
        async with app.services.db.read() as repos:
            assert await repos.invites.count_open(now=utc_now()) == 0
        assert not any("start=" in (m.text or "") for m in officer.chat)
        assert await refusals(app, "invite.create_refused") == [
            {"reason": "wrong_role", "actor_role": "officer"}
        ]


async def test_a_stranger_slipping_past_the_gate_gets_no_audit_log_and_no_export(
    tg: StandIn, run_bot: RunBot
) -> None:
    async with run_bot() as app:
        stranger = Officer(tg, STRANGER)
        leak_gate_once(app, STRANGER.id, None)
        reply = await stranger.say("/audit")
        assert reply.text == STRANGER_TEXT
        leak_gate_once(app, STRANGER.id, None)
        today = utc_now().strftime("%d.%m.%Y")
        reply = await stranger.say(f"/export {today} {today}")
        assert reply.text == STRANGER_TEXT
        await tg.wait_idle()
        assert tg.calls_to("sendDocument") == []
        assert len(stranger.chat) == 2
        assert await refusals(app, "audit.read_refused") == [
            {"reason": "no_account", "actor_role": None}
        ]
        assert await refusals(app, "export_refused") == [
            {"reason": "no_account", "actor_role": None}
        ]
        assert "audit.read" not in [e.action for e in await audit(app)]


async def test_an_officer_slipping_past_the_gate_binds_no_group_and_the_group_hears_nothing(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(OFFICER, Role.OFFICER, "IMT-TER")
    group = TgChat(id=-100_4242, type="supergroup", title="Officer's own group")
    tg.add_chat(group)
    async with run_bot() as app:
        leak_gate_once(app, OFFICER.id, await account(app, OFFICER.id))
        await tg.send_text(OFFICER, "/bindgroup", chat=group)
        await tg.wait_until(lambda: bool(tg.pending_updates() == 0))
        await tg.wait_idle()
        async with app.services.db.read() as repos:
            assert await repos.settings.get(COORDINATION_GROUP) is None
        assert tg.messages(group.id) == []
        assert await refusals(app, "group.bind_refused") == [
            {"reason": "wrong_role", "actor_role": "officer"}
        ]


async def test_a_username_carried_by_two_accounts_lists_both_with_their_ids(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    # The name moved from the first account to the second; the first has not written since.
    await seed_user(TgUser(id=8311, first_name="Old owner", username="moved"), Role.OFFICER)
    await seed_user(TgUser(id=8312, first_name="New owner", username="moved"), Role.COORDINATOR)
    async with run_bot() as app:
        admin = Officer(tg, ADMIN)
        listing = await admin.say("/user @Moved")
        ru = app.services.catalogs.translator("ru")
        assert (listing.text or "").startswith(
            ru.ngettext(
                "{count} person is registered with the username @{username}.",
                "{count} people are registered with the username @{username}.",
                2,
            ).format(count=2, username="Moved")
        )
        assert listing.button_texts == ["Old owner · 8311", "New owner · 8312"]
        message, _ = admin.find("usr", "card")
        second = next(d for row in listing.buttons for label, d in row if "8312" in label)
        await tap(admin, message, second)
        assert "New owner" in (listing.text or "")
        assert "8312" in (listing.text or "")
        assert "8311" not in (listing.text or "")


async def test_an_invitation_to_a_unit_deactivated_since_registers_nobody(
    tg: StandIn, run_bot: RunBot
) -> None:
    async with run_bot() as app:
        token = new_token()
        async with app.services.db.transaction() as repos:
            admin = await repos.users.get_by_telegram_id(ADMIN.id)
            unit = await repos.units.get_by_code("IMT-TER")
            assert admin is not None and unit is not None
            invite = await repos.invites.create(
                token_hash=hash_token(token),
                role=Role.OFFICER,
                unit_id=unit.id,
                created_by=admin.id,
                expires_at=utc_now() + app.services.settings.invite_ttl,
            )
        admin_chat = Officer(tg, ADMIN)
        await admin_chat.say("/units")
        await admin_chat.tap("unt", "card", str(unit.id))
        await admin_chat.tap("unt", "off", str(unit.id))
        await admin_chat.tap("unt", "offy", str(unit.id))

        await tg.send_text(NEWCOMER, f"/start {token}")
        told = await tg.next_message(NEWCOMER.id)

        uz = app.services.catalogs.translator("uz")
        assert told.text == uz.gettext(
            "The unit this invitation was made for has been deactivated, so it cannot be "
            "used. Please ask your programme administrator for a new one."
        )
        async with app.services.db.read() as repos:
            assert await repos.users.get_by_telegram_id(NEWCOMER.id) is None
            still = await repos.invites.get(invite.id)
        assert still is not None and still.used_at is None
        refused = [e for e in await audit(app) if e.action == "invite.refused"]
        assert [(e.target, json.loads(e.details or "{}")) for e in refused] == [
            (str(invite.id), {"reason": "unit_inactive"})
        ]
        audit_text = (await admin_chat.say("/audit")).text or ""
        ru = app.services.catalogs.translator("ru")
        assert ru.gettext("Invitation link not accepted") in audit_text
        assert ru.gettext("invitation #{number}").format(number=invite.id) in audit_text
        assert ru.gettext("the unit is deactivated") in audit_text


async def test_a_coordinator_demoted_after_the_alert_acknowledges_nothing(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    officer, olga, _john = await urgent_lane.seed_people(tg, seed_user)
    async with run_bot() as app:
        await urgent_lane.file_incident(officer, urgent=True)
        (alert_copy,) = await urgent_lane.wait_alerts(tg, urgent_lane.OLGA.id, 1)
        await tg.wait_idle()
        seen = await account(app, urgent_lane.OLGA.id)
        async with app.services.db.transaction() as repos:  # demoted meanwhile
            await repos.users.set_role(urgent_lane.OLGA.id, Role.OFFICER, unit_id=seen.unit_id)
        leak_gate_once(app, urgent_lane.OLGA.id, seen)

        answer = await tap(olga, alert_copy, urgent_lane.data_of(alert_copy, "ack"))

        ru = app.services.catalogs.translator("ru")
        assert answer["text"] == ru.gettext("This is for coordinators and administrators.")
        async with app.services.db.read() as repos:
            (alert,) = await repos.alerts.unacknowledged(max_repeats=99)
        assert alert.acknowledged_at is None
        assert alert_copy.edits == 0
        assert await refusals(app, "alert.acknowledge_refused") == [
            {"reason": "wrong_role", "actor_role": "officer"}
        ]
