"""Invitations end to end: an admin makes a link, a stranger opens it, everything else is refused.

Texts are compared with what the bot's own catalogs say in the person's language, so the tests
hold before and after the translators fill in the new messages.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.context import FieldReportApplication
from bot.invitations import INVITE_TTL, hash_token, new_token
from bot.standin import SentMessage, StandIn, TgUser
from storage import Role
from storage.clock import utc_now
from tests.e2e.conftest import ADMIN, RunBot, SeedUser
from tests.e2e.invite_steps import LINK, invite_via_buttons, saved_invite, tap_text

STRANGER_UZ = TgUser(
    id=7301, first_name="Aziz", last_name="Rahimov", username="aziz_r", language_code="uz"
)
STRANGER_RU = TgUser(id=7302, first_name="Иван", language_code="ru")
STRANGER_EN = TgUser(id=7303, first_name="Tom", language_code="en-GB")
USED = (
    "This invitation has already been used: each one works only once. "
    "Please ask your programme administrator for your own."
)
EXPIRED = "This invitation has expired. Please ask your programme administrator for a new one."
REVOKED = (
    "This invitation was withdrawn by an administrator. "
    "Please ask your programme administrator for a new one."
)
NOT_VALID = (
    "This invitation link is not valid. Check that you opened the whole link, "
    "or ask your programme administrator for a new one."
)
WELCOME = (
    "Your invitation is accepted and your account is ready. "
    "Choose the language I should use with you; /language changes it any time."
)
STALE = "This button no longer works. Please start again."


def tr(app: FieldReportApplication, language: str, message: str) -> str:
    return app.services.catalogs.translator(language).gettext(message)


async def forge(tg: StandIn, user: TgUser, message: SentMessage, data: str) -> str:
    """Tap data that is not (or no longer) on the message; the text of the bot's answer."""
    answer = await tg.wait_callback_answer(await tg.tap(user, message, data, forge=True))
    return str(answer.get("text") or "")


async def test_an_admin_in_russian_invites_an_officer_who_registers_in_uzbek(
    tg: StandIn, run_bot: RunBot
) -> None:
    async with run_bot() as app:
        ru = app.services.catalogs.translator("ru")
        await tg.send_text(ADMIN, "/invite")
        chooser = await tg.next_message(ADMIN.id)
        assert chooser.button_texts == ["Сотрудник", "Координатор", "Администратор"]
        await tap_text(tg, ADMIN, chooser, "Сотрудник")
        assert "Термез" in chooser.button_texts
        assert len(chooser.button_texts) == 13  # the active units, no "no unit" for officers
        assert not any(data.endswith(":none") for data in chooser.callback_data)
        await tap_text(tg, ADMIN, chooser, "Термез")
        match = LINK.search(chooser.text or "")
        assert match, chooser.text
        token = match.group(1)
        assert len(token) >= 22
        assert chooser.buttons == []
        assert "сотрудник" in (chooser.text or "")
        assert "Термез" in (chooser.text or "")
        async with app.services.db.read() as repos:
            (invite,) = await repos.invites.list_open(now=utc_now())
        assert invite.token_hash == hash_token(token) != token
        assert invite.expires_at - invite.created_at == INVITE_TTL
        assert ru.format_datetime(invite.expires_at, "short") in (chooser.text or "")

        # A stranger whose Telegram speaks Uzbek opens the link.
        await tg.send_text(STRANGER_UZ, f"/start {token}")
        greeting = (await tg.next_message(STRANGER_UZ.id)).text or ""
        assert greeting.startswith(
            "Assalomu alaykum, Aziz Rahimov! Siz «Termiz» bo‘linmasi xodimi sifatida kirdingiz."
        )
        assert tr(app, "uz", WELCOME) in greeting
        language = await tg.next_message(STRANGER_UZ.id)
        assert language.text == "Tilni tanlang:"
        assert language.button_texts == ["O‘zbekcha", "Ўзбекча", "Русский", "English"]
        menu = dict(tg.commands(scope={"type": "chat", "chat_id": STRANGER_UZ.id}))
        assert "report" in menu
        assert "invite" not in menu
        assert menu["help"] == "Bot siz uchun nima qila oladi"

        # They are an officer now: the language button works for them.
        await tap_text(tg, STRANGER_UZ, language, "O‘zbekcha")
        assert "Til o‘rnatildi" in (language.text or "")

        # The same link again, by somebody else: refused, nobody registered.
        await tg.send_text(STRANGER_RU, f"/start {token}")
        refusal = await tg.next_message(STRANGER_RU.id)
        assert refusal.text == tr(app, "ru", USED)

        async with app.services.db.read() as repos:
            officer = await repos.users.get_by_telegram_id(STRANGER_UZ.id)
            termez = await repos.units.get_by_code("IMT-TER")
            used = await repos.invites.get(invite.id)
            assert await repos.users.get_by_telegram_id(STRANGER_RU.id) is None
            audit = await repos.audit.latest(50)
    assert officer is not None and termez is not None and used is not None
    assert (officer.role, officer.unit_id) == (Role.OFFICER, termez.id)
    assert (officer.display_name, officer.username) == ("Aziz Rahimov", "aziz_r")
    assert (officer.telegram_language, officer.language) == ("uz", "uz")
    assert used.used_by == officer.id
    assert used.used_at is not None
    actions = [(entry.action, entry.actor_telegram_id) for entry in reversed(audit)]
    assert ("invite.created", ADMIN.id) in actions
    assert ("invite.used", STRANGER_UZ.id) in actions
    assert ("invite.refused", STRANGER_RU.id) in actions
    refused = next(entry for entry in audit if entry.action == "invite.refused")
    assert refused.details == '{"reason": "used"}'
    assert all(token not in f"{entry.target} {entry.details}" for entry in audit)


@pytest.mark.parametrize("stranger", [STRANGER_UZ, STRANGER_RU])
async def test_expired_revoked_and_made_up_links_register_nobody(
    tg: StandIn, run_bot: RunBot, stranger: TgUser
) -> None:
    language = stranger.language_code or ""
    async with run_bot() as app:
        expired, _ = await saved_invite(app, created_at=utc_now() - INVITE_TTL - timedelta(hours=1))
        revoked, revoked_row = await saved_invite(app)
        async with app.services.db.transaction() as repos:
            assert await repos.invites.revoke(revoked_row.id, revoked_by=revoked_row.created_by)
        cases = [
            (expired, EXPIRED, "expired"),
            (revoked, REVOKED, "revoked"),
            (new_token(), NOT_VALID, "unknown"),
            ("A" * 500, NOT_VALID, "malformed"),
            ("<b>free</b> access & <a href='x'>", NOT_VALID, "malformed"),
        ]
        for payload, message, _reason in cases:
            await tg.send_text(stranger, f"/start {payload}")
            reply = await tg.next_message(stranger.id)
            assert reply.text == tr(app, language, message)
            assert reply.buttons == []
        async with app.services.db.read() as repos:
            assert await repos.users.get_by_telegram_id(stranger.id) is None
            assert await repos.invites.count_open(now=utc_now()) == 0
            audit = await repos.audit.latest(50)
    refusals = [entry for entry in reversed(audit) if entry.action == "invite.refused"]
    assert [entry.details for entry in refusals] == [
        f'{{"reason": "{reason}"}}' for _, _, reason in cases
    ]
    assert all(entry.actor_telegram_id == stranger.id for entry in refusals)
    assert all(
        str(payload)[:20] not in f"{entry.target} {entry.details}"
        for entry in audit
        for payload, _, _ in cases
    )
    assert tg.commands(scope={"type": "chat", "chat_id": stranger.id}) == []


async def test_a_registered_officer_keeps_their_account_and_the_invitation_stays_open(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    officer = await seed_user(TgUser(id=7310, first_name="Olim", language_code="ru"))
    async with run_bot() as app:
        no_unit = app.services.catalogs.translator("ru").pgettext("unit", "No unit")
        link_message, token = await invite_via_buttons(app, tg, "Координатор", no_unit)
        assert no_unit in (link_message.text or "")

        await tg.send_text(officer, f"/start {token}")
        reply = (await tg.next_message(officer.id)).text or ""
        expected = tr(
            app,
            "ru",
            "You are already registered as an officer of {unit}: no invitation is needed.",
        ).format(unit="Термез")
        assert reply.startswith(expected)
        async with app.services.db.read() as repos:
            kept = await repos.users.get_by_telegram_id(officer.id)
            termez = await repos.units.get_by_code("IMT-TER")
            assert await repos.invites.count_open(now=utc_now()) == 1
        assert kept is not None and termez is not None
        assert (kept.role, kept.unit_id) == (Role.OFFICER, termez.id)

        # The invitation still works for the person it was meant for.
        await tg.send_text(STRANGER_EN, f"/start {token}")
        greeting = (await tg.next_message(STRANGER_EN.id)).text or ""
        assert greeting.startswith("Hello, Tom! You are signed in as a coordinator.")
        assert (await tg.next_message(STRANGER_EN.id)).text == "Choose your language:"
        async with app.services.db.read() as repos:
            coordinator = await repos.users.get_by_telegram_id(STRANGER_EN.id)
    assert coordinator is not None
    assert (coordinator.role, coordinator.unit_id) == (Role.COORDINATOR, None)


async def test_two_strangers_racing_for_one_link_make_one_registration(
    tg: StandIn, run_bot: RunBot
) -> None:
    tg.add_chat(ADMIN)  # the admin made it with /invite: Telegram knows their chat
    async with run_bot() as app:
        token, invite = await saved_invite(app)
        await tg.send_text(STRANGER_UZ, f"/start {token}")
        await tg.send_text(STRANGER_RU, f"/start {token}")
        first = await tg.next_message(STRANGER_UZ.id)
        second = await tg.next_message(STRANGER_RU.id)
        async with app.services.db.read() as repos:
            registered = [
                user
                for user in (
                    await repos.users.get_by_telegram_id(STRANGER_UZ.id),
                    await repos.users.get_by_telegram_id(STRANGER_RU.id),
                )
                if user is not None
            ]
            used = await repos.invites.get(invite.id)
            audit = await repos.audit.latest(20)
    assert len(registered) == 1
    assert used is not None and used.used_by == registered[0].id
    refused_text = {STRANGER_UZ.id: tr(app, "uz", USED), STRANGER_RU.id: tr(app, "ru", USED)}
    loser = STRANGER_RU.id if registered[0].telegram_id == STRANGER_UZ.id else STRANGER_UZ.id
    assert (first if loser == STRANGER_UZ.id else second).text == refused_text[loser]
    assert [entry.action for entry in audit].count("invite.used") == 1
    assert [entry.action for entry in audit].count("invite.refused") == 1


async def test_the_conditional_update_decides_even_when_a_stale_read_says_open(
    tg: StandIn, run_bot: RunBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another replica may use the invitation between our read and our write: we must lose."""
    tg.add_chat(ADMIN)  # the admin made it with /invite: Telegram knows their chat
    async with run_bot() as app:
        token, invite = await saved_invite(app)
        await tg.send_text(STRANGER_UZ, f"/start {token}")
        await tg.next_message(STRANGER_UZ.id)
        monkeypatch.setattr("bot.invitations.refusal_for", lambda *args: None)  # "it is open"
        await tg.send_text(STRANGER_RU, f"/start {token}")
        refusal = await tg.next_message(STRANGER_RU.id)
        async with app.services.db.read() as repos:
            loser = await repos.users.get_by_telegram_id(STRANGER_RU.id)
            winner = await repos.users.get_by_telegram_id(STRANGER_UZ.id)
            used = await repos.invites.get(invite.id)
            audit = await repos.audit.latest(20)
    assert refusal.text == tr(app, "ru", USED)
    assert loser is None  # the registration was rolled back with the lost claim
    assert winner is not None and used is not None and used.used_by == winner.id
    assert [entry.action for entry in audit].count("invite.used") == 1
    assert tg.commands(scope={"type": "chat", "chat_id": STRANGER_RU.id}) == []


async def test_admin_lists_and_revokes_invitations(tg: StandIn, run_bot: RunBot) -> None:
    async with run_bot() as app:
        ru = app.services.catalogs.translator("ru")
        token_a, a = await saved_invite(app)
        _, b = await saved_invite(app, role=Role.ADMIN, unit_code=None)
        _, c = await saved_invite(app)
        async with app.services.db.transaction() as repos:
            newcomer = await repos.users.create(
                telegram_id=7399, role=Role.OFFICER, unit_id=a.unit_id
            )
            assert await repos.invites.claim(c.id, used_by=newcomer.id)

        await tg.send_text(ADMIN, "/invites")
        listing = await tg.next_message(ADMIN.id)
        text = listing.text or ""
        assert text.startswith(
            ru.ngettext("{count} open invitation:", "{count} open invitations:", 2).format(count=2)
        )
        assert "Термез" in text
        assert "администратор" in text
        assert text.count("Dilnoza Karimova") == 2
        assert ru.format_datetime(a.expires_at, "short") in text
        assert listing.callback_data == [f"inv:v1:rv:{a.id}", f"inv:v1:rv:{b.id}"]

        # Ask, change one's mind, ask again, revoke.
        await tg.wait_callback_answer(await tg.tap(ADMIN, listing, f"inv:v1:rv:{a.id}"))
        assert listing.callback_data == [f"inv:v1:rvy:{a.id}", "inv:v1:list"]
        await tg.wait_callback_answer(await tg.tap(ADMIN, listing, "inv:v1:list"))
        assert listing.callback_data == [f"inv:v1:rv:{a.id}", f"inv:v1:rv:{b.id}"]
        await tg.wait_callback_answer(await tg.tap(ADMIN, listing, f"inv:v1:rv:{a.id}"))
        await tg.wait_callback_answer(await tg.tap(ADMIN, listing, f"inv:v1:rvy:{a.id}"))
        assert listing.callback_data == [f"inv:v1:rv:{b.id}"]

        # Old buttons: revoking again, or revoking a used one, changes nothing.
        again = await forge(tg, ADMIN, listing, f"inv:v1:rvy:{a.id}")
        assert again == tr(
            app, "ru", "This invitation has already been revoked. Nothing was changed."
        )
        used = await forge(tg, ADMIN, listing, f"inv:v1:rv:{c.id}")
        assert used == tr(app, "ru", "This invitation has already been used. Nothing was changed.")
        assert await forge(tg, ADMIN, listing, f"inv:v1:rvy:{c.id}") == used
        missing = await forge(tg, ADMIN, listing, "inv:v1:rvy:424242")
        assert missing == tr(app, "ru", "This invitation does not exist.")

        await tg.send_text(STRANGER_RU, f"/start {token_a}")
        assert (await tg.next_message(STRANGER_RU.id)).text == tr(app, "ru", REVOKED)

        async with app.services.db.read() as repos:
            revoked = await repos.invites.get(a.id)
            admin = await repos.users.get_by_telegram_id(ADMIN.id)
            still_used = await repos.invites.get(c.id)
            open_ids = [invite.id for invite in await repos.invites.list_open(now=utc_now())]
            audit = await repos.audit.latest(50)
    assert revoked is not None and admin is not None and still_used is not None
    assert revoked.revoked_by == admin.id
    assert still_used.revoked_at is None
    assert open_ids == [b.id]
    revocations = [entry for entry in audit if entry.action == "invite.revoked"]
    assert [(entry.target, entry.actor_telegram_id) for entry in revocations] == [
        (str(a.id), ADMIN.id)
    ]
    assert any(entry.action == "invite.refused" for entry in audit)


async def test_bad_buttons_while_inviting_change_nothing(tg: StandIn, run_bot: RunBot) -> None:
    async with run_bot() as app:
        await tg.send_text(ADMIN, "/invite")
        chooser = await tg.next_message(ADMIN.id)
        key = chooser.callback_data[0].split(":")[3]
        await tap_text(tg, ADMIN, chooser, "Сотрудник")
        termez_data = chooser.callback_data_for("Термез")

        # Termez is deactivated between the two taps.
        async with app.services.db.transaction() as repos:
            termez = await repos.units.get_by_code("IMT-TER")
            assert termez is not None
            assert await repos.units.set_active(termez.id, False)
        answer = await tg.wait_callback_answer(await tg.tap(ADMIN, chooser, termez_data))
        unavailable = tr(
            app, "ru", "That unit does not exist or is no longer active. Choose another one."
        )
        assert answer["text"] == unavailable
        assert answer["show_alert"] is True
        assert "Термез" not in chooser.button_texts
        assert "Андижан" in chooser.button_texts

        officer_without_unit = tr(app, "ru", "An officer must belong to a unit. Choose one.")
        forged = {
            f"inv:v1:role:{key}:wizard": tr(app, "ru", STALE),
            f"inv:v1:unit:{key}:wizard:1": tr(app, "ru", STALE),
            f"inv:v1:unit:{key}:officer:none": officer_without_unit,
            f"inv:v1:unit:{key}:officer:99999": unavailable,
            f"inv:v1:unit:{key}:officer:" + "9" * 40: tr(app, "ru", STALE),
            f"inv:v1:unit:{key}:officer:-1": tr(app, "ru", STALE),
            "inv:v1:rv:abc": tr(app, "ru", STALE),
            "inv:v1:nonsense": tr(app, "ru", STALE),
            "inv:v2:list": tr(app, "ru", STALE),
        }
        for data, expected in forged.items():
            assert await forge(tg, ADMIN, chooser, data) == expected, data
        async with app.services.db.read() as repos:
            assert await repos.invites.get_by_request_key(key) is None
            assert await repos.invites.count_open(now=utc_now()) == 0

        # Now a good tap, then the same buttons again (a double tap, a lagging client).
        andijan_data = chooser.callback_data_for("Андижан")
        await tg.wait_callback_answer(await tg.tap(ADMIN, chooser, andijan_data))
        link_text = chooser.text
        assert link_text and LINK.search(link_text)
        already = tr(
            app,
            "ru",
            "This invitation is already created; its link is in this message. Nothing was changed.",
        )
        assert await forge(tg, ADMIN, chooser, andijan_data) == already
        assert await forge(tg, ADMIN, chooser, f"inv:v1:role:{key}:officer") == already
        assert chooser.text == link_text  # the link is still there
        async with app.services.db.read() as repos:
            assert await repos.invites.count_open(now=utc_now()) == 1
            audit = await repos.audit.latest(50)
    assert [entry.action for entry in audit].count("invite.created") == 1


async def test_the_admin_who_made_the_invitation_is_told_who_used_it(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(ADMIN, Role.ADMIN, None, language="ru")
    async with run_bot() as app:
        token, _invite = await saved_invite(app, role=Role.OFFICER, unit_code="IMT-TER")
        await tg.send_text(STRANGER_EN, f"/start {token}")
        notice = await tg.next_message(ADMIN.id)
        ru = app.services.catalogs.translator("ru")
    text = notice.text or ""
    assert text.startswith(ru.gettext("Your invitation was used."))
    assert ru.gettext("Your invitation was used.") != "Your invitation was used."
    assert f"Tom (id {STRANGER_EN.id})" in text
    assert ru.gettext("Role: {role}").format(role="сотрудник") in text
    assert "Термез" in text


async def test_a_failed_notice_to_the_admin_changes_nothing(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(ADMIN, Role.ADMIN, None, language="ru")
    async with run_bot() as app:
        token, invite = await saved_invite(app, role=Role.COORDINATOR, unit_code=None)
        tg.inject_fault("403", method="sendMessage", count=1, chat_id=ADMIN.id)
        await tg.send_text(STRANGER_EN, f"/start {token}")
        await tg.next_message(STRANGER_EN.id)  # the greeting
        await tg.wait_idle()
        async with app.services.db.read() as repos:
            person = await repos.users.get_by_telegram_id(STRANGER_EN.id)
            used = await repos.invites.get(invite.id)
    assert person is not None and person.role is Role.COORDINATOR and person.is_active
    assert used is not None and used.used_by == person.id
    assert tg.messages(ADMIN.id) == []
