"""Every update applied once: the record of applied updates and the draft's shown step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from telegram import Update

from bot import once
from bot.forms.definitions import JOINT_OPERATION
from bot.forms.engine import FormEngine
from bot.forms.state import Clock, Draft, Tapped, Typed
from storage import Database, Role, StoredDraft
from storage.drafts import NOTHING_SHOWN

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)
TASHKENT = ZoneInfo("Asia/Tashkent")


async def test_an_update_key_is_claimed_once_and_pruned_after_two_days(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "once.sqlite3")
    try:
        async with db.transaction() as repos:
            assert await repos.applied_updates.claim("m:1:1", NOW - timedelta(days=3))
            assert await repos.applied_updates.claim("m:1:2", NOW)
            assert not await repos.applied_updates.claim("m:1:2", NOW)  # the repeat
        assert await once.forget_old(db, NOW) == 1
        async with db.read() as repos:
            assert not await repos.applied_updates.was_applied("m:1:1")
            assert await repos.applied_updates.was_applied("m:1:2")
    finally:
        await db.close()


async def test_a_claim_rolled_back_with_its_change_leaves_no_key(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "once.sqlite3")
    try:
        try:
            async with db.transaction() as repos:
                assert await repos.applied_updates.claim("q:42", NOW)
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
        async with db.transaction() as repos:
            assert await repos.applied_updates.claim("q:42", NOW)  # applied now, for real
    finally:
        await db.close()


async def test_the_shown_step_starts_at_nothing_and_never_moves_back(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "once.sqlite3")
    try:
        async with db.transaction() as repos:
            user = await repos.users.create(
                telegram_id=1, role=Role.OFFICER, display_name="A", unit_id=None
            )
            await repos.drafts.save(user.id, draft_id="d1", form="incident", data={}, now=NOW)
            assert (await repos.drafts.get(user.id)).shown_step == NOTHING_SHOWN  # type: ignore[union-attr]
            await repos.drafts.mark_shown(user.id, "d1", 3, 40)
            await repos.drafts.mark_shown(user.id, "d1", 2, 41)
            await repos.drafts.save(user.id, draft_id="d1", form="incident", data={}, now=NOW)
            kept = await repos.drafts.get(user.id)
            assert kept is not None and (kept.shown_step, kept.shown_message_id) == (3, 40)
            await repos.drafts.save(user.id, draft_id="d2", form="incident", data={}, now=NOW)
            assert (await repos.drafts.get(user.id)).shown_step == NOTHING_SHOWN  # type: ignore[union-attr]
    finally:
        await db.close()


def _at_the_vehicles() -> tuple[FormEngine, Draft]:
    engine = FormEngine(JOINT_OPERATION, Clock(NOW, TASHKENT, timedelta(days=30)), "en")
    draft = engine.start("0123456789abcdef").draft
    for event in (
        Tapped("start", "dt", "now"),
        Tapped("end", "dt", "now"),
        Tapped("agencies", "opt", "mia"),
        Tapped("agencies", "done"),
    ):
        draft = engine.handle(draft, event).draft
    assert engine.asked_key(draft) == "vehicles"
    return engine, draft


def test_every_change_counts_a_step_and_nothing_else_does() -> None:
    engine, draft = _at_the_vehicles()
    assert draft.step == 4
    refused = engine.handle(draft, Typed("many"))
    assert refused.problem is not None and refused.draft.step == 4
    assert engine.handle(draft, Typed("14")).draft.step == 5


def test_typed_text_answers_only_the_question_the_person_saw() -> None:
    engine, draft = _at_the_vehicles()
    unseen = engine.handle(draft, Typed("14"), seen=False)
    assert unseen.unseen and not unseen.changed
    assert unseen.draft == draft
    assert engine.asked_key(unseen.draft) == "vehicles"
    seen = engine.handle(draft, Typed("14"), seen=True)
    assert seen.changed and seen.draft.answers["vehicles"] == "14"
    # Taps carry the question they belong to, so they need no such check.
    assert engine.handle(draft, Tapped("vehicles", "back"), seen=False).changed


def shown(step: int | None, message_id: int | None = None) -> StoredDraft:
    return StoredDraft(1, "d", "incident", {}, NOW, NOW, step, message_id)


def test_typed_text_counts_for_the_step_on_screen_typed_after_it_came() -> None:
    # The current step (4) never reached the screen: its send failed, or the bot died first.
    assert not once.typed_at_current_step(shown(3, 20), 4, 25)
    assert not once.typed_at_current_step(shown(NOTHING_SHOWN), 0, 25)
    # Shown in message 20: typed in 21, the person saw it; typed in 19, they had not yet.
    assert once.typed_at_current_step(shown(4, 20), 4, 21)
    assert not once.typed_at_current_step(shown(4, 19 + 1), 4, 19)
    # Shown by editing a message: its id says nothing about the moment, the step does.
    assert once.typed_at_current_step(shown(4, None), 4, 5)
    # A draft saved before what was shown was recorded: typed text applies as it always did.
    assert once.typed_at_current_step(shown(None), 4, 5)


def test_an_update_is_known_by_the_persons_action_not_by_its_update_id() -> None:
    chat = {"id": 5, "type": "private"}
    person = {"id": 5, "is_bot": False, "first_name": "A"}
    message = {"message_id": 9, "date": 0, "chat": chat, "from": person, "text": "14"}
    typed = Update.de_json({"update_id": 1, "message": message}, None)
    again = Update.de_json({"update_id": 2, "message": message}, None)
    assert once.update_key(typed) == once.update_key(again) == "m:5:9"
    tap = {"id": "77", "from": person, "chat_instance": "x", "data": "f", "message": message}
    assert once.update_key(Update.de_json({"update_id": 3, "callback_query": tap}, None)) == "q:77"
    edited = Update.de_json({"update_id": 4, "edited_message": message}, None)
    assert once.update_key(edited) is None  # edits are stopped before any state change


async def test_the_shown_step_moves_to_another_message_only_at_that_step(tmp_path: Path) -> None:
    """A seen question offered again (a resumed draft, a long summary continued) is recorded
    in its new message; a step that never reached the screen is not made "seen" that way."""
    db = await Database.open(tmp_path / "once.sqlite3")
    try:
        async with db.transaction() as repos:
            user = await repos.users.create(
                telegram_id=1, role=Role.OFFICER, display_name="A", unit_id=None
            )
            await repos.drafts.save(user.id, draft_id="d1", form="incident", data={}, now=NOW)
            await repos.drafts.mark_shown(user.id, "d1", 3, 40)
            await repos.drafts.move_shown(user.id, "d1", 3, 45)
            await repos.drafts.move_shown(user.id, "d1", 4, 50)  # step 4 was never shown
            await repos.drafts.move_shown(user.id, "d2", 3, 55)  # another draft
            kept = await repos.drafts.get(user.id)
            assert kept is not None and (kept.shown_step, kept.shown_message_id) == (3, 45)
    finally:
        await db.close()
