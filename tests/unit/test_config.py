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
