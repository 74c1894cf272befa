import logging

from bot.logging_setup import REDACTED, RedactingFormatter

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
