from pathlib import Path

import pytest

from bot.config import ConfigError, Secret, Settings, load_settings, parse_settings

TOKEN = "123456:ABC-secret-value"


def test_defaults_are_the_documented_ones() -> None:
    settings = parse_settings({})
    assert settings.bot_token is None
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.database_path == Path("data/fieldreport.sqlite3")
    assert str(settings.timezone) == "Asia/Tashkent"
    assert settings.default_language == "ru"
    assert settings.admin_ids == ()


def test_every_variable_is_read() -> None:
    settings = parse_settings(
        {
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": "http://127.0.0.1:8081/",
            "DATABASE_PATH": "/data/x.sqlite3",
            "TIMEZONE": "Asia/Bishkek",
            "DEFAULT_LANGUAGE": "UZ",
            "ADMIN_IDS": " 12, 34 ,12",
            "LOG_LEVEL": "debug",
        }
    )
    assert settings.require_token() == TOKEN
    assert settings.bot_base_url == "http://127.0.0.1:8081/bot"
    assert settings.database_path == Path("/data/x.sqlite3")
    assert str(settings.timezone) == "Asia/Bishkek"
    assert settings.default_language == "uz"
    assert settings.admin_ids == (12, 34)
    assert settings.log_level == "DEBUG"


def test_token_never_shows_in_repr() -> None:
    settings = parse_settings({"BOT_TOKEN": TOKEN})
    assert "secret-value" not in repr(settings)
    assert "secret-value" not in str(settings.bot_token)
    assert settings.bot_token == Secret(TOKEN)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BOT_TOKEN", "not a token"),
        ("BOT_TOKEN", "no-colon"),
        ("TELEGRAM_API_URL", "ftp://example.org"),
        ("TELEGRAM_API_URL", "api.telegram.org"),
        ("TIMEZONE", "Mars/Olympus"),
        ("TIMEZONE", "../../etc/passwd"),
        ("DEFAULT_LANGUAGE", "de"),
        ("ADMIN_IDS", "12,abc"),
        ("ADMIN_IDS", "-5"),
        ("ADMIN_IDS", "1" * 30),
        ("LOG_LEVEL", "LOUD"),
        ("TELEGRAM_API_URL", "http://127.0.0.1:notaport"),
        ("TELEGRAM_API_URL", "http://bot-api.example.org:8081"),
        ("TELEGRAM_API_URL", "http://10.0.0.5:8081"),
        ("TELEGRAM_API_URL", "http://localhost.example.org"),
        ("TELEGRAM_API_URL", "http://[::2]:8081"),
        # Digits are ASCII digits: "²" made int() raise a traceback, Arabic-Indic were read.
        ("ADMIN_IDS", "12²"),
        ("ADMIN_IDS", "\u0661\u0662\u0663"),
        ("DRAFT_TTL_HOURS", "²"),
        ("DRAFT_TTL_HOURS", "\u0662\u0664"),
        ("INVITE_TTL_HOURS", "\u06f7\u06f2"),
        ("EXPORT_MAX_DAYS", "\uff19\uff12"),
        ("URGENT_THRESHOLD_KG", "\u0661"),
        ("URGENT_THRESHOLD_KG", "1²"),
    ],
)
def test_malformed_value_is_one_sentence_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings({variable: value})
    message = str(caught.value)
    assert message.startswith(variable)
    assert "\n" not in message
    assert TOKEN not in message


def test_missing_token_is_named_when_required() -> None:
    with pytest.raises(ConfigError, match=r"^BOT_TOKEN"):
        Settings().require_token()


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DEFAULT_LANGUAGE=en\nADMIN_IDS=7\n# a comment\n", encoding="utf-8")
    settings = load_settings({"ADMIN_IDS": "8"}, env_file=env_file)
    assert settings.default_language == "en"
    assert settings.admin_ids == (8,)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.telegram.org",
        "https://10.0.0.5:8081",
        "http://127.0.0.1:8081",
        "http://127.8.9.10",
        "http://localhost:8081",
        "http://LOCALHOST",
        "http://[::1]:8081",
    ],
)
def test_an_api_url_is_accepted_when_the_token_cannot_travel_in_clear(url: str) -> None:
    assert parse_settings({"TELEGRAM_API_URL": url}).telegram_api_url == url


def test_plain_http_to_another_machine_needs_the_explicit_override() -> None:
    url = "http://bot-api.internal:8081"
    with pytest.raises(ConfigError, match=r"^TELEGRAM_API_URL .*ALLOW_INSECURE_API_URL=true"):
        parse_settings({"TELEGRAM_API_URL": url, "ALLOW_INSECURE_API_URL": "false"})
    settings = parse_settings({"TELEGRAM_API_URL": url, "ALLOW_INSECURE_API_URL": "true"})
    assert settings.telegram_api_url == url
    with pytest.raises(ConfigError, match=r"^ALLOW_INSECURE_API_URL"):
        parse_settings({"TELEGRAM_API_URL": url, "ALLOW_INSECURE_API_URL": "sure"})


def test_ascii_digits_are_still_read() -> None:
    settings = parse_settings({"ADMIN_IDS": "0012", "DRAFT_TTL_HOURS": "48"})
    assert settings.admin_ids == (12,)
    assert settings.draft_ttl.total_seconds() == 48 * 3600


WEBHOOK = {
    "BOT_TOKEN": TOKEN,
    "WEBHOOK_URL": "https://bot.example.org/tg",
    "WEBHOOK_SECRET": "s-1_A",
}


def test_polling_is_the_default_and_a_webhook_is_set_by_its_url_and_secret() -> None:
    assert parse_settings({"BOT_TOKEN": TOKEN}).webhook_url is None
    settings = parse_settings(WEBHOOK | {"WEBHOOK_LISTEN": "0.0.0.0:8080"})
    assert settings.webhook_url == "https://bot.example.org/tg"
    assert settings.webhook_path == "/tg"
    assert settings.webhook_listen == ("0.0.0.0", 8080)
    assert settings.webhook_secret == Secret("s-1_A")
    assert "s-1_A" not in repr(settings)
    assert parse_settings(WEBHOOK).webhook_listen == ("127.0.0.1", 8443)
    assert parse_settings(WEBHOOK | {"WEBHOOK_LISTEN": "[::1]:9000"}).webhook_listen == (
        "::1",
        9000,
    )
    loopback = parse_settings(WEBHOOK | {"WEBHOOK_URL": "http://127.0.0.1:8443/tg"})
    assert loopback.webhook_url == "http://127.0.0.1:8443/tg"
    private = {"WEBHOOK_URL": "http://10.0.0.5/tg", "ALLOW_INSECURE_API_URL": "true"}
    assert parse_settings(WEBHOOK | private).webhook_url == "http://10.0.0.5/tg"


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"WEBHOOK_SECRET": ""}, "WEBHOOK_SECRET must be set with WEBHOOK_URL"),
        ({"WEBHOOK_SECRET": "has space"}, "WEBHOOK_SECRET must be 1 to 256 characters"),
        ({"WEBHOOK_SECRET": "ключ"}, "WEBHOOK_SECRET must be 1 to 256 characters"),
        ({"WEBHOOK_SECRET": "a" * 257}, "WEBHOOK_SECRET must be 1 to 256 characters"),
        ({"WEBHOOK_URL": "http://bot.example.org/tg"}, "WEBHOOK_URL uses plain http://"),
        ({"WEBHOOK_URL": "bot.example.org/tg"}, "WEBHOOK_URL must be the https:// address"),
        ({"WEBHOOK_URL": "https://bot.example.org:99999/"}, "WEBHOOK_URL must be the https://"),
        ({"WEBHOOK_LISTEN": "8443"}, "WEBHOOK_LISTEN must be an address and a port"),
        ({"WEBHOOK_LISTEN": "127.0.0.1:http"}, "WEBHOOK_LISTEN must be an address and a port"),
        ({"WEBHOOK_LISTEN": "127.0.0.1:70000"}, "WEBHOOK_LISTEN must be an address and a port"),
    ],
)
def test_a_bad_webhook_setting_is_refused_in_one_sentence(
    changes: dict[str, str], sentence: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_settings(WEBHOOK | changes)
    message = str(refused.value)
    assert message.startswith(sentence)
    assert message.count(". ") == 0 and message.endswith(".")
    assert "has space" not in message and "ключ" not in message
