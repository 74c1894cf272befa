import functools
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from telegram import Chat, Message, MessageEntity, Update

from bot.logging_setup import REDACTED, RedactingFormatter, guard_content
from bot.observability import log_update, update_kind

TOKEN = "123456:ABC-very-secret"


def test_token_is_removed_from_messages_and_tracebacks() -> None:
    formatter = RedactingFormatter([TOKEN], "%(message)s")
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError as exc:
        record = logging.LogRecord(
            "httpx",
            logging.ERROR,
            __file__,
            1,
            "request to %s",
            (f"/bot{TOKEN}/x",),
            (type(exc), exc, exc.__traceback__),
        )
    text = formatter.format(record)
    assert TOKEN not in text
    assert text.count(REDACTED) == 2
    assert "RuntimeError" in text


SECRET_TEXT = "Karimova Dilnoza +998901234567 hid 3 kg in the spare wheel"


@pytest.fixture
def guarded() -> Iterator[None]:
    previous = logging.getLogRecordFactory()
    guard_content()
    try:
        yield
    finally:
        logging.setLogRecordFactory(previous)


def records_of(caplog: pytest.LogCaptureFixture, name: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == name]


def leaks(record: logging.LogRecord) -> bool:
    args = record.args if isinstance(record.args, tuple) else (record.args,)
    return any(
        part in text
        for text in (record.getMessage(), *map(repr, args))
        for part in ("Karimova", "998901234567", "spare wheel", "invite-token-XYZ")
    )


def test_bot_api_calls_keep_the_method_and_ids_and_drop_the_values(
    guarded: None, caplog: pytest.LogCaptureFixture
) -> None:
    log = logging.getLogger("telegram.Bot")
    params = {
        "chat_id": 5001,
        "text": SECRET_TEXT,
        "reply_markup": {
            "inline_keyboard": [[{"text": "x", "url": "t.me/b?start=invite-token-XYZ"}]]
        },
        "callback_query_id": "123456",
    }
    with caplog.at_level(logging.DEBUG):
        log.debug("Calling Bot API endpoint `%s` with parameters `%s`", "sendMessage", params)
        log.debug(
            "Call to Bot API endpoint `%s` finished with return value `%s`",
            "sendMessage",
            {"message_id": 7, "text": SECRET_TEXT, "chat": {"first_name": "Karimova"}},
        )
        logging.getLogger("telegram.ext.Application").debug("Processing update %s", SECRET_TEXT)
        logging.getLogger("telegram.ext._utils.networkloop").debug(
            "%s Failed run number %s of %s. Retrying.",
            f"Network Retry Loop (Polling Updates): Timed out: {SECRET_TEXT}",
            2,
            -1,
        )
    records = [
        *records_of(caplog, "telegram.Bot"),
        *records_of(caplog, "telegram.ext.Application"),
        *records_of(caplog, "telegram.ext._utils.networkloop"),
    ]
    assert len(records) == 4
    assert not any(leaks(record) for record in records)
    calling = records[0].getMessage()
    assert "sendMessage" in calling and "chat_id=5001" in calling
    assert "callback_query_id=123456" in calling and "text=…" in calling
    assert "message_id=7" in records[1].getMessage()
    assert records[3].getMessage() == (
        "Network Retry Loop (Polling Updates): … Failed run number 2 of -1. Retrying."
    )


def test_http_sql_and_webhook_records_keep_no_values(
    guarded: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="httpx")  # configure_logging may have quietened it
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("httpx").info(
            'HTTP Request: %s %s "%s %d %s"',
            "POST",
            f"https://api.telegram.org/bot{TOKEN}/sendMessage",
            "HTTP/1.1",
            200,
            "OK",
        )
        logging.getLogger("httpcore.http11").debug(
            f"send_request_body.started request=<Request [{SECRET_TEXT}]>"
        )
        logging.getLogger("aiosqlite").debug(
            "executing %s", functools.partial(print, "INSERT ...", (SECRET_TEXT,))
        )
        logging.getLogger("aiohttp.access").info(f'127.0.0.1 "POST /hook?{SECRET_TEXT}" 200')
        logging.getLogger("aiohttp.server").error("Error handling %s", SECRET_TEXT)
    records = caplog.records
    assert len(records) == 5
    assert not any(leaks(record) or TOKEN in record.getMessage() for record in records)
    assert records[0].getMessage() == 'HTTP Request: POST <url …/sendMessage> "HTTP/1.1 200 OK"'
    assert records[1].getMessage() == "send_request_body.started"


def test_our_own_records_and_unguarded_libraries_are_left_alone(
    guarded: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("bot.delivery").info("digest run %s created with %d reports", "day", 3)
        logging.getLogger("telegramx").info("%s", "value")
    assert [r.getMessage() for r in caplog.records] == [
        "digest run day created with 3 reports",
        "value",
    ]


def test_guarding_twice_wraps_once(guarded: None) -> None:
    factory = logging.getLogRecordFactory()
    guard_content()
    assert logging.getLogRecordFactory() is factory


class _Bot:
    username = "fieldreport_bot"


def _update(text: str, *, edited: bool = False) -> Update:
    word = text.split()[0] if text.startswith("/") else ""
    entities = [MessageEntity("bot_command", 0, len(word))] if word else []
    message = Message(1, datetime.now(UTC), Chat(1, "private"), text=text, entities=entities)
    update = Update(1, edited_message=message) if edited else Update(1, message=message)
    update.set_bot(_Bot())  # type: ignore[arg-type]
    message.set_bot(_Bot())  # type: ignore[arg-type]
    return update


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("/export 2026-01-01", "command:export"),
        ("/Dilnoza_Karimova hid it", "command:unknown"),  # a word of the message: never
        ("/audit@other_bot", "text"),
        ("Karimova 3 kg", "text"),
    ],
)
def test_the_update_line_names_only_commands_of_the_access_table(text: str, kind: str) -> None:
    assert update_kind(_update(text)) == kind


def test_the_update_line_tells_an_edit() -> None:
    assert update_kind(_update("/export", edited=True)) == "edited command:export"


def test_the_update_line_is_written_at_info_and_not_built_below_it(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO, logger="fieldreport.updates")
    log_update(_update("/export"), "ok", 1.25)
    assert [r.getMessage() for r in caplog.records] == [
        '{"user": null, "kind": "command:export", "outcome": "ok", "ms": 1.2}'
    ]
    caplog.clear()
    caplog.set_level(logging.WARNING, logger="fieldreport.updates")
    monkeypatch.setattr("bot.observability.update_kind", lambda update: pytest.fail("built"))
    log_update(_update("/export"), "ok", 1.25)
    assert caplog.records == []
