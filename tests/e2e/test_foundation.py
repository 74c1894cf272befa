"""Step 1 end to end: strangers, an admin, languages, restarts, errors — over real HTTP."""

from __future__ import annotations

import logging

import pytest
from telegram import Update
from telegram.ext import CommandHandler

from bot.context import BotContext, FieldReportApplication
from bot.standin import StandIn, TgUser
from storage import Database, Role, UserStatus
from tests.e2e.conftest import ADMIN, TOKEN, RunBot, SeedUser

STRANGER_RU = TgUser(id=7001, first_name="Иван", language_code="ru")
STRANGER_UZ = TgUser(id=7002, first_name="Aziz", language_code="uz")
STRANGER_DE = TgUser(id=7003, first_name="Hans", language_code="de")


@pytest.mark.parametrize(
    ("stranger", "expected"),
    [
        (STRANGER_RU, "этот бот работает только для полевых подразделений"),
        (STRANGER_UZ, "bu bot faqat giyohvand moddalar nazorati"),
        (STRANGER_DE, "этот бот работает только для полевых подразделений"),  # falls back to ru
    ],
)
async def test_unknown_person_gets_a_polite_refusal_in_their_language(
    tg: StandIn, run_bot: RunBot, settings: object, stranger: TgUser, expected: str
) -> None:
    async with run_bot() as app:
        await tg.send_text(stranger, "/start")
        refusal = await tg.next_message(stranger.id)
        assert expected in refusal.text
        await tg.send_text(stranger, "hello, can I see the reports?")
        again = await tg.next_message(stranger.id)
        assert again.text == refusal.text
        async with app.services.db.read() as repos:
            assert await repos.users.get_by_telegram_id(stranger.id) is None
            audit = await repos.audit.latest(10)
    refusals = [entry for entry in audit if entry.action == "access.refused"]
    assert [entry.actor_telegram_id for entry in refusals] == [stranger.id, stranger.id]
    assert all(
        "hello" not in (entry.details or "") for entry in refusals
    )  # nothing they sent is kept


async def test_blocked_user_is_refused_everything(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    blocked = await seed_user(TgUser(id=7100, first_name="Olim", language_code="uz"), blocked=True)
    async with run_bot():
        await tg.send_text(blocked, "/help")
        reply = await tg.next_message(blocked.id)
    assert "to‘xtatilgan" in reply.text


async def test_admin_starts_switches_to_uzbek_and_gets_uzbek_replies_and_menu(
    tg: StandIn, run_bot: RunBot
) -> None:
    async with run_bot():
        # The public menu is set in every language at start-up.
        assert ("start", "Начать и узнать, кто вы") in tg.commands(language_code="ru")
        assert ("language", "Tilni o‘zgartirish") in tg.commands(language_code="uz")

        await tg.send_text(ADMIN, "/start")
        greeting = await tg.next_message(ADMIN.id)
        assert "Здравствуйте, Dilnoza Karimova!" in greeting.text
        assert "администратор" in greeting.text

        await tg.send_text(ADMIN, "/language")
        chooser = await tg.next_message(ADMIN.id)
        assert chooser.text == "Выберите язык:"
        assert chooser.button_texts == ["O‘zbekcha", "Ўзбекча", "Русский", "English"]
        query_id = await tg.tap(ADMIN, chooser, chooser.callback_data_for("O‘zbekcha"))
        await tg.wait_callback_answer(query_id)
        await tg.wait_until(lambda: "Til o‘rnatildi" in (tg.messages(ADMIN.id)[-1].text or ""))
        await tg.wait_until(lambda: tg.commands(scope={"type": "chat", "chat_id": ADMIN.id}) != [])
        menu = dict(tg.commands(scope={"type": "chat", "chat_id": ADMIN.id}))
        assert menu["help"] == "Bot siz uchun nima qila oladi"

        await tg.send_text(ADMIN, "/help")
        help_text = await tg.next_message(ADMIN.id)
        assert "Buyruqlar:" in help_text.text
        assert "/language — Tilni o‘zgartirish" in help_text.text


async def test_an_officer_reads_uzbek_in_cyrillic_with_a_menu_of_their_own(
    tg: StandIn, run_bot: RunBot
) -> None:
    """Telegram's setMyCommands takes two-letter language codes only: no public menu exists
    for Cyrillic Uzbek, so a person who chooses it gets the menu in their own chat."""
    async with run_bot():
        assert not [c for c in tg.calls_to("setMyCommands") if c.get("language_code") == "uz_Cyrl"]
        await tg.send_text(ADMIN, "/language")
        chooser = await tg.next_message(ADMIN.id)
        query_id = await tg.tap(ADMIN, chooser, chooser.callback_data_for("Ўзбекча"))
        await tg.wait_callback_answer(query_id)
        await tg.wait_until(lambda: "Тил" in (tg.messages(ADMIN.id)[-1].text or ""))
        await tg.wait_until(lambda: tg.commands(scope={"type": "chat", "chat_id": ADMIN.id}) != [])
        menu = dict(tg.commands(scope={"type": "chat", "chat_id": ADMIN.id}))
        assert menu["help"] == "Бот сиз учун нима қила олади"

        await tg.send_text(ADMIN, "/help")
        help_text = await tg.next_message(ADMIN.id)
        assert "Буйруқлар:" in help_text.text
        assert "/language — Тилни ўзгартириш" in help_text.text


async def test_language_choice_survives_a_restart(tg: StandIn, run_bot: RunBot) -> None:
    async with run_bot():
        await tg.send_text(ADMIN, "/language")
        chooser = await tg.next_message(ADMIN.id)
        await tg.wait_callback_answer(
            await tg.tap(ADMIN, chooser, chooser.callback_data_for("English"))
        )
    async with run_bot():
        await tg.send_text(ADMIN, "/start")
        greeting = await tg.next_message(ADMIN.id)
    assert greeting.text.startswith(
        "Hello, Dilnoza Karimova! You are signed in as an administrator."
    )


async def test_admin_ids_do_not_override_an_existing_account(
    tg: StandIn, run_bot: RunBot, settings: object
) -> None:
    async with run_bot() as app, app.services.db.transaction() as repos:
        await repos.users.set_status(ADMIN.id, UserStatus.BLOCKED)
    async with run_bot():
        await tg.send_text(ADMIN, "/start")
        reply = await tg.next_message(ADMIN.id)
    assert "приостановлен" in reply.text


async def test_an_unexpected_error_gets_an_apology_and_the_next_update_is_served(
    tg: StandIn, run_bot: RunBot, caplog: pytest.LogCaptureFixture
) -> None:
    async def explode(update: Update, context: BotContext) -> None:
        raise RuntimeError(f"kaboom with {TOKEN}")

    def add_exploding_command(app: FieldReportApplication) -> None:
        # First in group 0: the fallback would otherwise answer the unknown command.
        app.handlers[0].insert(0, CommandHandler("explode", explode))

    caplog.set_level(logging.ERROR)
    async with run_bot(setup=add_exploding_command):
        await tg.send_text(ADMIN, "/explode")
        apology = await tg.next_message(ADMIN.id)
        assert apology.text.startswith("Извините, у нас что-то пошло не так")
        await tg.send_text(ADMIN, "/start")
        assert "Здравствуйте" in (await tg.next_message(ADMIN.id)).text
    assert "kaboom" in caplog.text
    assert "Traceback" in caplog.text or any(r.exc_info for r in caplog.records)


async def test_unknown_text_from_a_registered_user_points_to_help(
    tg: StandIn, run_bot: RunBot
) -> None:
    async with run_bot():
        await tg.send_text(ADMIN, "/nonsense")
        reply = await tg.next_message(ADMIN.id)
    assert "/help" in reply.text


async def test_forged_button_data_is_answered_and_changes_nothing(
    tg: StandIn, run_bot: RunBot
) -> None:
    async with run_bot() as app:
        await tg.send_text(ADMIN, "/language")
        chooser = await tg.next_message(ADMIN.id)
        for forged in ("lang:v1:de", "lang:v9:uz", "garbage", "lang:v1:uz:extra", "x" * 64):
            answer = await tg.wait_callback_answer(await tg.tap(ADMIN, chooser, forged, forge=True))
            assert answer["text"] == "Эта кнопка больше не работает. Пожалуйста, начните заново."
        async with app.services.db.read() as repos:
            admin = await repos.users.get_by_telegram_id(ADMIN.id)
    assert admin is not None
    assert admin.language is None
    assert admin.role is Role.ADMIN


async def test_seeded_database_is_the_one_the_bot_uses(settings: object) -> None:
    db = await Database.open(settings.database_path)  # type: ignore[attr-defined]
    try:
        async with db.read() as repos:
            assert len(await repos.units.list()) == 13
    finally:
        await db.close()


async def test_one_structured_log_line_per_update_without_report_content(
    tg: StandIn, run_bot: RunBot, caplog: pytest.LogCaptureFixture
) -> None:
    import json

    stranger = TgUser(id=7301, first_name="X", language_code="en")
    caplog.set_level(logging.INFO, logger="fieldreport.updates")
    async with run_bot():
        await tg.send_text(ADMIN, "/help")
        await tg.next_message(ADMIN.id)
        await tg.send_text(stranger, "my secret seizure notes")
        await tg.next_message(stranger.id)
        await tg.send_text(ADMIN, "/start")
        await tg.next_message(ADMIN.id)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "fieldreport.updates"]
    assert [(line["user"], line["kind"], line["outcome"]) for line in lines] == [
        (ADMIN.id, "command:help", "ok"),
        (stranger.id, "text", "refused"),
        (ADMIN.id, "command:start", "ok"),
    ]
    assert all(isinstance(line["ms"], float) for line in lines)
    assert "secret" not in caplog.text


async def test_the_token_is_in_no_log_line_even_during_network_errors(
    tg: StandIn, run_bot: RunBot
) -> None:
    import io

    from bot.logging_setup import configure_logging

    stream = io.StringIO()
    configure_logging("DEBUG", [TOKEN])
    root = logging.getLogger()
    root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
    logging.getLogger("httpx").setLevel(logging.DEBUG)  # the most talkative it can be
    try:
        async with run_bot():
            tg.inject_fault("drop", method="getUpdates", count=2)
            tg.inject_fault("500", method="sendMessage", count=1)
            await tg.send_text(ADMIN, "/start")
            await tg.next_message(ADMIN.id, timeout=15)
    finally:
        root.handlers.clear()
        root.setLevel(logging.WARNING)
        logging.getLogger("httpx").setLevel(logging.WARNING)
    output = stream.getvalue()
    # The URLs were logged without the token: the content guard keeps only their method
    # (bot/logging_setup.py); the formatter's redaction is the second line of defence.
    assert "<url …/sendMessage>" in output
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output
