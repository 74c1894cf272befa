"""One parse of a command, and edits that run nothing.

The gate decides on the command PTB's CommandHandler will run (the first entity, a
bot_command at offset 0), so forged entities cannot make it check one command while a
handler runs another. An edited message never runs a command again and never answers the
current question: it gets a short note in private, silence elsewhere.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot import access
from bot.context import FieldReportApplication
from bot.standin import FaultKind, StandIn, TgChat, TgUser
from storage import Role
from tests.e2e.conftest import RunBot, SeedUser
from tests.e2e.refusal_steps import Standing, calls_since
from tests.support.driver import Officer

OFFICER = TgUser(id=9401, first_name="Officer", language_code="en")
ADMIN = TgUser(id=9402, first_name="Admin", language_code="en")
ADMIN_RU = TgUser(id=9403, first_name="Админ", language_code="ru")
GROUP = TgChat(id=-100888, type="supergroup", title="Duty group")

ADMINS_ONLY = "This is for administrators only."
COORDINATION_ONLY = "This is for coordinators and administrators."
NOT_UNDERSTOOD = "I did not understand that. Send /help to see what you can do."
EDIT_NOTE = (
    "I do not read edited messages. To change an answer in a report, use the buttons "
    "under its summary; to repeat a command, send it again as a new message."
)
ARGUMENTS = {
    "settings": "digest 07:00",
    "export": "2026-01-01 2026-01-31",
    "digest": "2026-01-01",
    "user": str(OFFICER.id),
    "audit": "50",
    "start": "someinvitationtoken",
}
FORBIDDEN_TO_OFFICERS = sorted(
    name for name, roles in access.COMMANDS.items() if Role.OFFICER not in roles
)


def entity(offset: int, length: int, kind: str = "bot_command") -> dict[str, Any]:
    return {"type": kind, "offset": offset, "length": length}


def forgeries(command: str) -> list[dict[str, Any]]:
    """Messages carrying ``command`` with entities a tampering client could send."""
    word = f"/{command}"
    args = ARGUMENTS.get(command, "")
    return [
        # The entity covers the command inside a longer word: PTB runs the command.
        {"text": f"{word}x {args}", "entities": [entity(0, len(word))]},
        # It covers only part of the word: PTB runs a command that does not exist.
        {"text": f"{word} {args}", "entities": [entity(0, len(word) - 2)]},
        # Longer than the text.
        {"text": word, "entities": [entity(0, 200)]},
        # Several command entities: the first one counts.
        {"text": f"{word} /start", "entities": [entity(0, len(word)), entity(len(word) + 1, 6)]},
        # Not at the start, or not the first entity, or none at all: no command for PTB.
        {"text": f"x {word}", "entities": [entity(2, len(word))]},
        {"text": word, "entities": [entity(0, len(word), "bold"), entity(0, len(word))]},
        {"text": f"{word} {args}"},
        # Addressed to another bot.
        {"text": f"{word}@other_bot", "entities": [entity(0, len(word) + 10)]},
    ]


def caption_forgery(tg: StandIn, command: str) -> dict[str, Any]:
    """A photo whose caption is the command: PTB never runs commands from captions."""
    word = f"/{command}"
    sizes = tg.state.store_photo(b"\x89PNG\r\n\x1a\n")
    return {
        "photo": [size.photo_size_dict() for size in sizes],
        "caption": word,
        "caption_entities": [entity(0, len(word))],
    }


@pytest.mark.parametrize("command", FORBIDDEN_TO_OFFICERS)
async def test_forged_entities_never_let_an_officer_run_a_forbidden_command(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, command: str
) -> None:
    await seed_user(OFFICER, Role.OFFICER, "IMT-TER")
    refusal = ADMINS_ONLY if access.COMMANDS[command] == access.ADMINS else COORDINATION_ONLY
    async with run_bot() as app:
        before = await Standing.of(app)
        start = len(tg.calls)
        sent = [*forgeries(command), caption_forgery(tg, command)]
        for content in sent:
            await tg.send_message(OFFICER, content)
            await tg.next_message(OFFICER.id)
        await tg.wait_idle()
        after = await Standing.of(app)
    replies = [message.text for message in tg.messages(OFFICER.id)]
    assert set(replies) <= {refusal, NOT_UNDERSTOOD}, replies
    # Where PTB would have run the command, the gate refused it, and audited it.
    assert replies.count(refusal) == 3, replies
    assert set(calls_since(tg, start)) == {"sendMessage"}
    assert after.audit[:3] == ("access.denied",) * 3
    assert after.audit[3:] == before.audit
    assert (after.open_invitations, after.group, after.users) == (
        before.open_invitations,
        before.group,
        before.users,
    )


# --- edits ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(access.COMMANDS))
async def test_an_edited_command_runs_nothing(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, command: str
) -> None:
    """An admin (who may run anything) edits an old message into the command."""
    await seed_user(ADMIN, Role.ADMIN, None)
    async with run_bot() as app:
        original = await tg.send_text(ADMIN, "a message sent earlier")
        await tg.next_message(ADMIN.id)
        await tg.wait_idle()
        before = await Standing.of(app)
        start = len(tg.calls)
        await tg.edit_message(ADMIN, original, {"text": f"/{command} {ARGUMENTS.get(command, '')}"})
        note = await tg.next_message(ADMIN.id)
        await tg.wait_idle()
        assert note.text == EDIT_NOTE
        assert calls_since(tg, start) == ["sendMessage"]
        assert await Standing.of(app) == before


async def test_an_edited_command_in_a_group_is_ignored_silently(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(ADMIN, Role.ADMIN, None)
    tg.add_chat(GROUP)
    async with run_bot() as app:
        original = await tg.send_message(ADMIN, {"text": "hello everybody"}, chat=GROUP)
        await tg.wait_idle()
        before = await Standing.of(app)
        start = len(tg.calls)
        for command in ("/bindgroup", "/unbindgroup", "/audit"):
            await tg.edit_message(ADMIN, original, {"text": command})
        await tg.wait_idle()
        assert calls_since(tg, start) == []
        assert await Standing.of(app) == before


async def test_a_strangers_edited_invitation_registers_nobody(tg: StandIn, run_bot: RunBot) -> None:
    from tests.e2e.invite_steps import saved_invite

    stranger = TgUser(id=9404, first_name="Stranger", language_code="en")
    async with run_bot() as app:
        token, _invite = await saved_invite(app)
        original = await tg.send_text(stranger, "hello")
        await tg.next_message(stranger.id)  # the refusal
        await tg.wait_idle()
        start = len(tg.calls)
        await tg.edit_message(stranger, original, {"text": f"/start {token}"})
        await tg.wait_idle()
        assert calls_since(tg, start) == []
        async with app.services.db.read() as repos:
            assert await repos.users.get_by_telegram_id(stranger.id) is None


async def test_the_note_on_an_edit_is_in_the_persons_language(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(ADMIN_RU, Role.ADMIN, None, language="ru")
    async with run_bot() as app:
        original = await tg.send_text(ADMIN_RU, "/help")
        await tg.next_message(ADMIN_RU.id)
        await tg.edit_message(ADMIN_RU, original, {"text": "/audit"})
        note = await tg.next_message(ADMIN_RU.id)
    assert note.text == app.services.catalogs.translator("ru").gettext(EDIT_NOTE)
    assert note.text != EDIT_NOTE


async def draft_of(app: FieldReportApplication, user: TgUser) -> dict[str, Any]:
    async with app.services.db.read() as repos:
        account = await repos.users.get_by_telegram_id(user.id)
        assert account is not None
        draft = await repos.drafts.get(account.id)
    assert draft is not None
    return draft.data


async def test_editing_an_earlier_answer_changes_nothing_in_the_report(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(OFFICER, Role.OFFICER, "IMT-TER")
    o = Officer(tg, OFFICER)
    async with run_bot() as app:
        await o.start_form("seizure")
        await o.tap_form("when", "dt", "now")
        await o.say("Ayritom")
        await o.tap_form("substance", "opt", "heroin")
        await o.say("2")
        await o.tap_form("measure", "opt", "kg")
        await o.tap_form("items", "more", "done")
        await o.tap_form("conceal", "skip")
        await o.tap_form("transport", "skip")
        await o.skip_route()
        typed = await tg.send_text(OFFICER, "40")
        question = await tg.next_message(OFFICER.id)  # the nationalities
        await tg.wait_idle()
        before = await draft_of(app, OFFICER)
        assert before["answers"]["detained"] == "40" and before["cursor"] == "nations"
        start = len(tg.calls)
        await tg.edit_message(OFFICER, typed, {"text": "45"})
        note = await tg.next_message(OFFICER.id)
        await tg.wait_idle()
        assert note.text == EDIT_NOTE
        assert calls_since(tg, start) == ["sendMessage"]
        assert await draft_of(app, OFFICER) == before
        assert o.find("f", "nations")[0].message_id == question.message_id
        # The edited live location of a shared position is ignored without a word.
        shared = await tg.send_message(
            OFFICER, {"location": {"latitude": 37.2, "longitude": 67.3, "live_period": 900}}
        )
        await tg.next_message(OFFICER.id)
        await tg.wait_idle()
        start = len(tg.calls)
        await tg.edit_message(
            OFFICER, shared, {"location": {"latitude": 37.3, "longitude": 67.4, "live_period": 900}}
        )
        await tg.wait_idle()
        assert calls_since(tg, start) == []


@pytest.mark.parametrize("fault", ["500", "drop"])
async def test_a_failing_note_on_an_edit_changes_nothing(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, fault: FaultKind
) -> None:
    await seed_user(ADMIN, Role.ADMIN, None)
    async with run_bot(rate_limit=False) as app:
        original = await tg.send_text(ADMIN, "/help")
        await tg.next_message(ADMIN.id)
        await tg.wait_idle()
        before = await Standing.of(app)
        start = len(tg.calls)
        tg.inject_fault(fault, method="sendMessage")
        await tg.edit_message(ADMIN, original, {"text": "/settings digest 07:00"})
        await tg.wait_until(lambda: bool(tg.faults_fired))
        await tg.wait_idle()
        assert calls_since(tg, start) == ["sendMessage"]  # the note, failed; no apology
        assert await Standing.of(app) == before
