"""/users and /user end to end: list, filter, card, re-role, move, block, unblock; the rules that
keep at least one admin; bad arguments; forged buttons. Expected texts come from the catalogs,
so the tests hold before and after the translator's work."""

from __future__ import annotations

import pytest

from bot.context import FieldReportApplication
from bot.i18n import Translator
from bot.menus import menu_for, role_name
from bot.standin import SentMessage, StandIn, TgUser
from storage import AuditEntry, Role, User, UserStatus
from tests.e2e.conftest import ADMIN, RunBot, SeedUser
from tests.support.driver import Officer

BEKZOD = TgUser(id=8201, first_name="Bekzod", username="bekzod_r", language_code="uz")
OLIM = TgUser(id=8202, first_name="Olim", language_code="ru")
ADMIN_UZ = TgUser(id=8203, first_name="Aziza", language_code="uz")
SECOND_ADMIN = TgUser(id=8204, first_name="Jasur", language_code="ru")
SUSPENDED = {"uz": "to‘xtatilgan", "ru": "приостановлен", "en": "suspended"}


def tr(app: FieldReportApplication, language: str) -> Translator:
    return app.services.catalogs.translator(language)


def find_button(o: Officer, text: str) -> tuple[SentMessage, str]:
    """The newest message with a button whose text contains ``text``, and that button's data."""
    for message in reversed(o.chat):
        for row in message.buttons:
            for label, data in row:
                if text in label and data:
                    return message, data
    raise AssertionError(f"no button with {text!r}; last: {o.last().describe()}")


async def press(o: Officer, text: str) -> tuple[SentMessage, dict[str, object]]:
    """Tap the button showing ``text``; returns the (live) message and the answer."""
    message, data = find_button(o, text)
    answer = await o.tg.wait_callback_answer(await o.tg.tap(o.user, message, data))
    return message, answer


async def tap(o: Officer, prefix: str, *parts: str | None) -> tuple[SentMessage, dict[str, object]]:
    message, data = o.find(prefix, *parts)
    answer = await o.tg.wait_callback_answer(await o.tg.tap(o.user, message, data))
    return message, answer


async def account(app: FieldReportApplication, telegram_id: int) -> User:
    async with app.services.db.read() as repos:
        found = await repos.users.get_by_telegram_id(telegram_id)
    assert found is not None
    return found


async def audit(app: FieldReportApplication) -> list[AuditEntry]:
    async with app.services.db.read() as repos:
        return list(reversed(await repos.audit.latest(500)))


async def open_card(o: Officer, telegram_id: int) -> SentMessage:
    card = await o.say(f"/user {telegram_id}")
    assert card.buttons, card.text
    return card


def menu(tg: StandIn, telegram_id: int) -> list[tuple[str, str]]:
    return tg.commands(scope={"type": "chat", "chat_id": telegram_id})


def expected_menu(app: FieldReportApplication, role: Role | None, language: str) -> list[object]:
    t = tr(app, language)
    return [(item.command, item.describe(t)) for item in menu_for(role)]


@pytest.mark.parametrize(("language", "termez"), [("ru", "Термез"), ("uz", "Termiz")])
async def test_admin_lists_filters_and_opens_a_card_in_their_language(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, language: str, termez: str
) -> None:
    admin = ADMIN if language == "ru" else await seed_user(ADMIN_UZ, Role.ADMIN, None)
    await seed_user(BEKZOD, Role.OFFICER, "IMT-TER")
    await seed_user(OLIM, Role.COORDINATOR, None)
    await seed_user(TgUser(id=8205, first_name="Nodira"), Role.OFFICER, "IMT-NUK")
    async with run_bot() as app:
        t = tr(app, language)
        o = Officer(tg, admin)
        listing = await o.say("/users")
        registered = 5 if language == "uz" else 4
        assert listing.text.startswith(
            t.ngettext("{count} registered user.", "{count} registered users.", registered).format(
                count=registered
            )
        )
        officer_label = f"Bekzod · {role_name(Role.OFFICER, t)} · IMT-TER"
        assert officer_label in listing.button_texts
        assert f"Olim · {role_name(Role.COORDINATOR, t)}" in listing.button_texts

        await tap(o, "usr", "ls", None, None, "officer.all.0")
        assert "Olim" not in " ".join(listing.button_texts)
        assert any(label.startswith("Nodira") for label in listing.button_texts)

        await tap(o, "usr", "fu")
        await press(o, termez)
        assert termez in listing.text
        people = [label for label in listing.button_texts if " · " in label]
        assert people == [officer_label]

        await press(o, "Bekzod")
        card = listing.text
        assert "Bekzod" in card
        assert "@bekzod_r" in card
        assert "8201" in card
        assert role_name(Role.OFFICER, t) in card
        assert f"{termez} (IMT-TER)" in card
        assert t.pgettext("person status", "active") in card

        await tap(o, "usr", "ls")  # back to the filtered list
        assert [label for label in listing.button_texts if " · " in label] == [officer_label]


async def test_a_username_opens_the_card_once_telegram_told_it(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(BEKZOD, Role.OFFICER, "IMT-TER")
    async with run_bot() as app:
        officer = Officer(tg, BEKZOD)
        await officer.say("/start")  # the gate stores the @username Telegram reports
        card = await Officer(tg, ADMIN).say("/user @BEKZOD_R")
        assert "@bekzod_r" in card.text
        assert card.buttons
        t = tr(app, "ru")
        language_line = t.gettext("Language: {language}").split("{")[0]
        assert language_line in card.text


async def test_role_change_updates_their_menu_and_tells_them_in_their_language(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(BEKZOD, Role.OFFICER, "IMT-TER")
    async with run_bot() as app:
        officer = Officer(tg, BEKZOD)
        await officer.say("/start")  # sets his menu just after the greeting
        await tg.wait_until(lambda: menu(tg, BEKZOD.id) == expected_menu(app, Role.OFFICER, "uz"))
        ru, uz = tr(app, "ru"), tr(app, "uz")

        o = Officer(tg, ADMIN)
        card = await open_card(o, BEKZOD.id)
        await tap(o, "usr", "role")
        assert role_name(Role.OFFICER, ru) not in card.button_texts  # not the current role
        await press(o, role_name(Role.COORDINATOR, ru))
        assert card.text == ru.gettext("Change the role of {name} from {old} to {new}?").format(
            name="Bekzod (8201)",
            old=role_name(Role.OFFICER, ru),
            new=role_name(Role.COORDINATOR, ru),
        )
        await tap(o, "usr", "ry")
        assert card.text.startswith("✅ ")
        assert role_name(Role.COORDINATOR, ru) in card.text

        assert menu(tg, BEKZOD.id) == expected_menu(app, Role.COORDINATOR, "uz")
        notice = await tg.next_message(BEKZOD.id)
        assert notice.text.startswith(
            uz.gettext("An administrator changed your role: you are now a coordinator.")
        )
        changed = await account(app, BEKZOD.id)
        assert (changed.role, changed.unit_id is not None) == (Role.COORDINATOR, True)

        # Back to officer: the unit is still there, so no unit is asked for.
        await tap(o, "usr", "role")
        await press(o, role_name(Role.OFFICER, ru))
        await tap(o, "usr", "ry")
        assert menu(tg, BEKZOD.id) == expected_menu(app, Role.OFFICER, "uz")
        entries = [e for e in await audit(app) if e.action == "user.role_changed"]
    assert [(e.actor_telegram_id, e.target) for e in entries] == [(ADMIN.id, "8201")] * 2
    assert '"from": "officer"' in (entries[0].details or "")
    assert '"to": "coordinator"' in (entries[0].details or "")


async def test_making_somebody_without_a_unit_an_officer_asks_for_the_unit(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(OLIM, Role.COORDINATOR, None)
    async with run_bot() as app:
        ru = tr(app, "ru")
        o = Officer(tg, ADMIN)
        card = await open_card(o, OLIM.id)
        await tap(o, "usr", "role")
        await press(o, role_name(Role.OFFICER, ru))
        assert card.text == ru.gettext(
            "An officer must belong to a unit. Which unit will {name} serve in?"
        ).format(name="Olim (8202)")
        await press(o, "Нукус")
        assert card.text == ru.gettext("Make {name} an officer of {unit}?").format(
            name="Olim (8202)", unit="Нукус (IMT-NUK)"
        )
        await tap(o, "usr", "roy")
        olim = await account(app, OLIM.id)
        async with app.services.db.read() as repos:
            nukus = await repos.units.get_by_code("IMT-NUK")
        assert nukus is not None
        assert (olim.role, olim.unit_id) == (Role.OFFICER, nukus.id)
        assert "Нукус (IMT-NUK)" in card.text
        assert menu(tg, OLIM.id) == expected_menu(app, Role.OFFICER, "ru")
        notice = await tg.next_message(OLIM.id)
        assert ru.gettext("Your unit: {unit}.").format(unit="Нукус") in notice.text
        # And no refusal was written for what was only a question of which unit.
        assert not [e for e in await audit(app) if e.action.endswith("_refused")]


@pytest.mark.expect_refusals("the person blocked the bot: Telegram refuses the notice")
async def test_a_change_stands_when_the_person_blocked_the_bot(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, caplog: pytest.LogCaptureFixture
) -> None:
    await seed_user(BEKZOD, Role.OFFICER, "IMT-TER")
    async with run_bot() as app:
        await Officer(tg, BEKZOD).say("/start")
        tg.block_bot(BEKZOD.id, notify=False)
        o = Officer(tg, ADMIN)
        card = await open_card(o, BEKZOD.id)
        await tap(o, "usr", "role")
        await press(o, role_name(Role.COORDINATOR, tr(app, "ru")))
        await tap(o, "usr", "ry")
        assert card.text.startswith("✅ ")
        assert (await account(app, BEKZOD.id)).role is Role.COORDINATOR
    assert "could not update user 8201" in caplog.text
    assert "Forbidden" in caplog.text or "blocked" in caplog.text


async def test_moving_an_officer_to_another_unit(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(BEKZOD, Role.OFFICER, "IMT-TER")
    async with run_bot() as app:
        await Officer(tg, BEKZOD).say("/start")
        ru, uz = tr(app, "ru"), tr(app, "uz")
        o = Officer(tg, ADMIN)
        card = await open_card(o, BEKZOD.id)
        await tap(o, "usr", "mv")
        assert "Термез" not in card.button_texts  # where he is already
        assert ru.gettext("No unit") not in card.button_texts  # an officer needs one
        await press(o, "Самарканд")
        await tap(o, "usr", "my")
        assert "Самарканд (IMT-SAM)" in card.text
        notice = await tg.next_message(BEKZOD.id)
        assert notice.text == uz.gettext("An administrator moved you to {unit}.").format(
            unit="Samarqand"
        )
        # A forged "move to no unit" for an officer is refused by the rules and audited.
        await tap(o, "usr", "mv")
        forged = card.callback_data[0].split(":")
        forged[2], forged[4] = "my", "none"
        answer = await tg.wait_callback_answer(
            await tg.tap(ADMIN, card, ":".join(forged), forge=True)
        )
        assert answer["text"] == ru.gettext("An officer must belong to a unit. Choose a unit.")
        bekzod = await account(app, BEKZOD.id)
        async with app.services.db.read() as repos:
            samarkand = await repos.units.get_by_code("IMT-SAM")
        entries = await audit(app)
    assert samarkand is not None and bekzod.unit_id == samarkand.id
    moved = [e for e in entries if e.action == "user.moved"]
    assert len(moved) == 1 and '"to": "IMT-SAM"' in (moved[0].details or "")
    refused = [e for e in entries if e.action == "user.move_refused"]
    assert len(refused) == 1 and "officer_needs_unit" in (refused[0].details or "")


async def test_a_block_takes_effect_on_the_very_next_update_and_unblock_restores(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(BEKZOD, Role.OFFICER, "IMT-TER")
    async with run_bot() as app:
        ru, uz = tr(app, "ru"), tr(app, "uz")
        officer = Officer(tg, BEKZOD)
        await officer.say("/start")
        old_buttons = await officer.say("/report")  # the form chooser, to tap later
        assert old_buttons.buttons

        o = Officer(tg, ADMIN)
        card = await open_card(o, BEKZOD.id)
        await tap(o, "usr", "bl")
        assert card.text == ru.gettext(
            "Block {name}? From their next message on, the bot will refuse them everything."
        ).format(name="Bekzod (8201)")
        await tap(o, "usr", "bly")
        assert card.text.startswith("⛔ " + ru.gettext("{name} is blocked.").format(name="Bekzod"))
        assert (await account(app, BEKZOD.id)).status is UserStatus.BLOCKED
        assert menu(tg, BEKZOD.id) == expected_menu(app, None, "uz")

        refusal = await officer.say("/myreports")
        assert SUSPENDED["uz"] in refusal.text
        answer = await officer.tap("rep", "new", "seizure")  # a button from before the block
        assert SUSPENDED["uz"] in str(answer["text"])
        bekzod = await account(app, BEKZOD.id)
        async with app.services.db.read() as repos:
            assert await repos.drafts.get(bekzod.id) is None  # the old button started nothing

        await tap(o, "usr", "ub")
        await tap(o, "usr", "uby")
        assert card.text.startswith("✅ ")
        restored = await tg.next_message(BEKZOD.id)
        assert restored.text.startswith(uz.gettext("Your access to the bot has been restored."))
        assert menu(tg, BEKZOD.id) == expected_menu(app, Role.OFFICER, "uz")
        chooser = await officer.say("/report")
        assert chooser.text == uz.gettext("Which report do you want to file?")
        entries = await audit(app)
    actions = [e.action for e in entries if e.action.startswith(("user.", "access.refused"))]
    assert actions == ["user.blocked", "access.refused", "access.refused", "user.unblocked"]


async def test_the_last_admin_cannot_block_or_demote_themselves(
    tg: StandIn, run_bot: RunBot
) -> None:
    async with run_bot() as app:
        ru = tr(app, "ru")
        last_admin = ru.gettext(
            "{name} is the last active administrator. Make somebody else an administrator "
            "first, so that somebody can still manage the bot."
        ).format(name="Dilnoza Karimova")
        o = Officer(tg, ADMIN)
        card = await open_card(o, ADMIN.id)
        _, answer = await tap(o, "usr", "bl")
        assert answer["text"] == last_admin
        assert card.text.startswith("⚠️ ")
        # Even a forged "yes" (no confirmation was ever shown) is refused.
        yes = card.callback_data[0].replace(":role:", ":bly:")
        answer = await tg.wait_callback_answer(await tg.tap(ADMIN, card, yes, forge=True))
        assert answer["text"] == last_admin
        await tap(o, "usr", "role")
        _, answer = await press(o, role_name(Role.COORDINATOR, ru))
        assert answer["text"] == last_admin
        me = await account(app, ADMIN.id)
        entries = await audit(app)
    assert (me.role, me.status) == (Role.ADMIN, UserStatus.ACTIVE)
    refused = [(e.action, e.details) for e in entries if e.action.endswith("_refused")]
    assert [action for action, _ in refused] == [
        "user.block_refused",
        "user.block_refused",
        "user.role_change_refused",
    ]
    assert all("last_admin" in (details or "") for _, details in refused)


async def test_with_two_admins_one_blocks_the_other_but_never_the_last_one_standing(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(SECOND_ADMIN, Role.ADMIN, None)
    async with run_bot() as app:
        ru = tr(app, "ru")
        first, second = Officer(tg, ADMIN), Officer(tg, SECOND_ADMIN)
        my_card = await open_card(first, ADMIN.id)
        _, answer = await tap(first, "usr", "bl")
        assert answer["text"] == ru.gettext("You cannot block yourself. Ask another administrator.")
        await tap(first, "usr", "role")
        _, answer = await press(first, role_name(Role.COORDINATOR, ru))
        assert answer["text"] == ru.gettext(
            "You cannot take away your own administrator role. Ask another administrator."
        )
        assert my_card.text.startswith("⚠️ ")

        # The second admin gets as far as "Block Dilnoza?"…
        their_card = await open_card(second, ADMIN.id)
        await tap(second, "usr", "bl")
        assert their_card.text.startswith("Заблокировать пользователя Dilnoza Karimova (5001)?")
        # …but the first admin blocks them first.
        await open_card(first, SECOND_ADMIN.id)
        await tap(first, "usr", "bl")
        await tap(first, "usr", "bly")
        assert (await account(app, SECOND_ADMIN.id)).status is UserStatus.BLOCKED
        _, answer = await tap(second, "usr", "bly")  # the old "Yes" of the blocked admin
        assert SUSPENDED["ru"] in str(answer["text"])

        # Now the first admin is the last one standing.
        await open_card(first, ADMIN.id)
        _, answer = await tap(first, "usr", "bl")
        assert "Dilnoza Karimova" in str(answer["text"])
        assert (await account(app, ADMIN.id)).status is UserStatus.ACTIVE
        entries = await audit(app)
    reasons = [(e.action, e.details) for e in entries if e.action.startswith("user.")]
    assert [action for action, _ in reasons] == [
        "user.block_refused",
        "user.role_change_refused",
        "user.blocked",
        "user.block_refused",
    ]
    assert "self_block" in (reasons[0][1] or "")
    assert "self_demote" in (reasons[1][1] or "")
    assert "last_admin" in (reasons[3][1] or "")


@pytest.mark.parametrize(
    "argument",
    ["", "abc", "1" * 30, "@", "<b>5001</b>", "x" * 5000, "5001 5002", "-5001", "@a b"],
)
async def test_user_with_bad_arguments_explains_the_usage(
    tg: StandIn, run_bot: RunBot, argument: str
) -> None:
    async with run_bot() as app:
        reply = await Officer(tg, ADMIN).say(f"/user {argument}".strip())
        usage = tr(app, "ru").gettext(
            "To open somebody's card, send /user followed by their Telegram id or "
            "@username, for example: /user 123456789 or /user @username. "
            "Send /users to see everybody."
        )
    assert reply.text == usage
    assert not reply.buttons


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("999999", "Nobody with the Telegram id {id} is registered."),
        ("@nobody_here", "Nobody with the username @{username} is registered."),
    ],
)
async def test_user_who_is_not_registered(
    tg: StandIn, run_bot: RunBot, argument: str, message: str
) -> None:
    async with run_bot() as app:
        reply = await Officer(tg, ADMIN).say(f"/user {argument}")
        expected = tr(app, "ru").gettext(message).format(id=999999, username="nobody_here")
    assert reply.text.startswith(expected)


async def test_forged_admin_buttons_from_an_officer_are_refused_and_audited(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(BEKZOD, Role.OFFICER, "IMT-TER")
    await seed_user(OLIM, Role.OFFICER, "IMT-TER")
    async with run_bot() as app:
        carrier = await Officer(tg, BEKZOD).say("/start")
        olim = await account(app, OLIM.id)
        for forged in (f"usr:v1:bly:{olim.id}:-:all.all.0", "unt:v1:offy:1:-"):
            answer = await tg.wait_callback_answer(
                await tg.tap(BEKZOD, carrier, forged, forge=True)
            )
            assert answer["text"] == tr(app, "uz").gettext("This is for administrators only.")
        assert (await account(app, OLIM.id)).status is UserStatus.ACTIVE
        async with app.services.db.read() as repos:
            unit = await repos.units.get(1)
        entries = await audit(app)
    assert unit is not None and unit.active
    denied = [e for e in entries if e.action == "access.denied"]
    assert [e.actor_telegram_id for e in denied] == [BEKZOD.id, BEKZOD.id]
    assert '"callback": "usr:v1:bly:' in (denied[0].details or "")
    assert '"callback": "unt:v1:offy:1:-"' in (denied[1].details or "")


@pytest.mark.parametrize(
    "forged",
    [
        "usr:v1:card",
        "usr:v1:card:1:-",
        "usr:v1:card:abc:-:all.all.0",
        "usr:v1:card:1:-:bogus",
        "usr:v1:card:1:-:officer.all",
        "usr:v1:card:999999:-:all.all.0",
        "usr:v1:rc:1:superuser:all.all.0",
        "usr:v1:mc:1:abc:all.all.0",
        "usr:v1:explode:1:-:all.all.0",
        "usr:v2:card:1:-:all.all.0",
    ],
)
async def test_forged_or_truncated_buttons_from_an_admin_are_stale(
    tg: StandIn, run_bot: RunBot, forged: str
) -> None:
    async with run_bot() as app:
        carrier = await Officer(tg, ADMIN).say("/users")
        answer = await tg.wait_callback_answer(await tg.tap(ADMIN, carrier, forged, forge=True))
        expected = tr(app, "ru").gettext("This button no longer works. Please start again.")
        me = await account(app, ADMIN.id)
    assert answer["text"] == expected
    assert (me.role, me.status) == (Role.ADMIN, UserStatus.ACTIVE)


async def test_the_list_pages_through_everybody(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    for n in range(10):
        await seed_user(TgUser(id=8400 + n, first_name=f"Officer {n:02d}"), Role.OFFICER)
    async with run_bot() as app:
        ru = tr(app, "ru")
        o = Officer(tg, ADMIN)
        listing = await o.say("/users")
        assert ru.gettext("Page {page} of {pages}.").format(page=1, pages=2) in listing.text
        first_page = [label for label in listing.button_texts if " · " in label]
        assert len(first_page) == 8
        await tap(o, "usr", "ls", None, None, "all.all.1")
        assert ru.gettext("Page {page} of {pages}.").format(page=2, pages=2) in listing.text
        second_page = [label for label in listing.button_texts if " · " in label]
        assert len(second_page) == 3
        assert not set(first_page) & set(second_page)
        await press(o, "Officer 09")
        await tap(o, "usr", "ls")  # back: to the second page, where the card was opened
        assert [label for label in listing.button_texts if " · " in label] == second_page
