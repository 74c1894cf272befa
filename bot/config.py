"""Settings, read once from the environment (and an optional ``.env``) at start-up.

Nothing else in the code base reads the environment: tests build ``Settings`` directly.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.key_setting import database_key
from storage.cipher import DatabaseKey

#: uz_Cyrl: Uzbek in Cyrillic script (its catalog is made from the Latin one: bot/translit.py).
LANGUAGES: tuple[str, ...] = ("uz", "uz_Cyrl", "ru", "en")
DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DATABASE_PATH = Path("data") / "fieldreport.sqlite3"
DEFAULT_WEBHOOK_LISTEN = ("127.0.0.1", 8443)
#: What Telegram accepts as a webhook's secret_token (it comes back in a request header).
WEBHOOK_SECRET_FORM = re.compile(r"[A-Za-z0-9_-]{1,256}")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one sentence naming the variable."""


class Secret:
    """A string that never shows itself in a repr, a log line or a traceback's locals."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    """Everything the bot can be told from outside; frozen so nothing changes it at run time."""

    bot_token: Secret | None = None
    telegram_api_url: str = DEFAULT_API_URL
    database_path: Path = DEFAULT_DATABASE_PATH
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Tashkent"))
    default_language: str = "ru"
    admin_ids: tuple[int, ...] = ()
    log_level: str = "INFO"
    draft_ttl: timedelta = timedelta(hours=24)
    amend_window: timedelta = timedelta(hours=24)
    report_max_age: timedelta = timedelta(days=30)
    invite_ttl: timedelta = timedelta(hours=72)
    urgent_threshold_kg: Decimal = Decimal(1)
    alert_repeat: timedelta = timedelta(minutes=30)
    alert_max_repeats: int = 3
    export_max_days: int = 92
    #: Days after which reports lose their free text, photos and nationalities and blocked
    #: people their name and username (bot/retention.py); None: kept for ever (the default).
    retention_days: int | None = None
    #: False for a replica that only answers updates while another one sends the digest.
    run_jobs: bool = True
    #: Telegram's limits (30 messages/s, 20/min per group) enforced by PTB's AIORateLimiter;
    #: false only against a local stand-in, e.g. for load tests.
    rate_limit: bool = True
    #: Set: Telegram posts updates to this public address instead of the bot polling for them.
    webhook_url: str | None = None
    #: Where the webhook server binds (a reverse proxy in front of it serves ``webhook_url``).
    webhook_listen: tuple[str, int] = DEFAULT_WEBHOOK_LISTEN
    #: Telegram sends it back with every update; a request without it was not from Telegram.
    webhook_secret: Secret | None = None
    #: The sandbox's web chat (``make run`` without a token): its port, and the password a
    #: training room on the local network needs (``python -m bot sandbox --listen``).
    sandbox_port: int = 8080
    sandbox_password: Secret | None = None
    #: Set: the database is encrypted with SQLCipher (DATABASE_KEY_FILE or DATABASE_KEY).
    database_key: DatabaseKey | None = None

    @property
    def webhook_path(self) -> str:
        """The path the webhook server answers on: the one of ``webhook_url``."""
        return urlparse(self.webhook_url or "").path or "/"

    @property
    def bot_base_url(self) -> str:
        """The Bot API prefix python-telegram-bot appends the token to."""
        return f"{self.telegram_api_url}/bot"

    @property
    def bot_file_url(self) -> str:
        return f"{self.telegram_api_url}/file/bot"

    def require_token(self) -> str:
        if self.bot_token is None:
            raise ConfigError("BOT_TOKEN is not set.")
        return self.bot_token.reveal()


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> Settings:
    """Merge ``.env`` (if present) under the real environment and validate every value."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return parse_settings(values)


def parse_settings(values: Mapping[str, str]) -> Settings:
    def get(name: str) -> str | None:
        raw = values.get(name)
        if raw is None or not raw.strip():
            return None
        return raw.strip()

    token = get("BOT_TOKEN")
    if token is not None and (":" not in token or any(c.isspace() for c in token)):
        raise ConfigError(
            "BOT_TOKEN does not look like a bot token (expected the form 123456:ABC-DEF…)."
        )

    api_url = (get("TELEGRAM_API_URL") or DEFAULT_API_URL).rstrip("/")
    parsed = urlparse(api_url)
    try:
        parsed.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
    except ValueError:
        parsed = urlparse("")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(
            "TELEGRAM_API_URL must be an http:// or https:// address, "
            "for example https://api.telegram.org."
        )
    insecure_allowed = _flag(get("ALLOW_INSECURE_API_URL"), "ALLOW_INSECURE_API_URL", False)
    if parsed.scheme == "http" and not _loopback(parsed.hostname) and not insecure_allowed:
        raise ConfigError(
            "TELEGRAM_API_URL uses plain http:// to another machine, which would send the bot "
            "token in clear: use https://, or set ALLOW_INSECURE_API_URL=true if the network "
            "between them is private."
        )

    webhook_url, webhook_listen, webhook_secret = _webhook(get, insecure_allowed)

    database_path = Path(get("DATABASE_PATH") or DEFAULT_DATABASE_PATH)

    tz_name = get("TIMEZONE") or "Asia/Tashkent"
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"TIMEZONE {tz_name!r} is not a known time zone (for example Asia/Tashkent)."
        ) from exc

    default_language = (get("DEFAULT_LANGUAGE") or "ru").lower()
    if default_language not in LANGUAGES:
        raise ConfigError("DEFAULT_LANGUAGE must be one of uz, ru, en.")

    admin_ids: list[int] = []
    for part in (get("ADMIN_IDS") or "").split(","):
        part = part.strip()
        if not part:
            continue
        if not _ascii_digits(part) or int(part) <= 0 or int(part) >= 2**52:
            raise ConfigError(
                f"ADMIN_IDS must be Telegram user ids separated by commas; {part!r} is not one."
            )
        admin_ids.append(int(part))

    log_level = (get("LOG_LEVEL") or "INFO").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR.")

    draft_ttl = _positive_int(get("DRAFT_TTL_HOURS"), "DRAFT_TTL_HOURS", 24, 24 * 30)
    amend_window = _positive_int(get("AMEND_WINDOW_HOURS"), "AMEND_WINDOW_HOURS", 24, 24 * 365)
    max_age = _positive_int(get("REPORT_MAX_AGE_DAYS"), "REPORT_MAX_AGE_DAYS", 30, 3650)

    invite_ttl = _positive_int(get("INVITE_TTL_HOURS"), "INVITE_TTL_HOURS", 72, 24 * 30)
    alert_repeat = _positive_int(get("ALERT_REPEAT_MINUTES"), "ALERT_REPEAT_MINUTES", 30, 24 * 60)
    alert_max_repeats = _positive_int(get("ALERT_MAX_REPEATS"), "ALERT_MAX_REPEATS", 3, 100)
    export_max_days = _positive_int(get("EXPORT_MAX_DAYS"), "EXPORT_MAX_DAYS", 92, 3660)
    retention_days = _retention_days(get("RETENTION_DAYS"), amend_window)
    raw_threshold = get("URGENT_THRESHOLD_KG") or "1"
    try:
        # Decimal() reads any script's digits; a setting is written in ASCII ones.
        urgent_threshold = Decimal(raw_threshold) if raw_threshold.isascii() else Decimal(-1)
    except InvalidOperation:
        urgent_threshold = Decimal(-1)
    if not urgent_threshold.is_finite() or not 0 < urgent_threshold <= 100000:
        raise ConfigError(
            "URGENT_THRESHOLD_KG must be a number of kilograms above 0, e.g. 1 or 0.5."
        )

    sandbox_port = get("SANDBOX_PORT") or "8080"
    if not valid_port(sandbox_port):
        raise ConfigError("SANDBOX_PORT must be a port number from 1 to 65535.")
    sandbox_password = get("SANDBOX_PASSWORD")

    return Settings(
        sandbox_port=int(sandbox_port),
        sandbox_password=Secret(sandbox_password) if sandbox_password else None,
        run_jobs=_flag(get("RUN_JOBS"), "RUN_JOBS"),
        rate_limit=_flag(get("RATE_LIMIT"), "RATE_LIMIT"),
        webhook_url=webhook_url,
        webhook_listen=webhook_listen,
        webhook_secret=webhook_secret,
        invite_ttl=timedelta(hours=invite_ttl),
        urgent_threshold_kg=urgent_threshold,
        alert_repeat=timedelta(minutes=alert_repeat),
        alert_max_repeats=alert_max_repeats,
        export_max_days=export_max_days,
        retention_days=retention_days,
        draft_ttl=timedelta(hours=draft_ttl),
        amend_window=timedelta(hours=amend_window),
        report_max_age=timedelta(days=max_age),
        bot_token=Secret(token) if token else None,
        telegram_api_url=api_url,
        database_path=database_path,
        database_key=database_key(get, ConfigError),
        timezone=timezone,
        default_language=default_language,
        admin_ids=tuple(dict.fromkeys(admin_ids)),
        log_level=log_level,
    )


def _webhook(
    get: Callable[[str], str | None], insecure_allowed: bool
) -> tuple[str | None, tuple[str, int], Secret | None]:
    """WEBHOOK_URL, WEBHOOK_LISTEN and WEBHOOK_SECRET, checked together."""
    listen = DEFAULT_WEBHOOK_LISTEN
    raw_listen = get("WEBHOOK_LISTEN")
    if raw_listen is not None:
        host, _, port = raw_listen.rpartition(":")
        host = host.strip("[]")
        if not host or not _ascii_digits(port) or not 1 <= int(port) <= 65535:
            raise ConfigError(
                "WEBHOOK_LISTEN must be an address and a port, for example 127.0.0.1:8443."
            )
        listen = (host, int(port))
    url = get("WEBHOOK_URL")
    if url is None:
        return None, listen, None
    parsed = urlparse(url)
    try:
        parsed.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
    except ValueError:
        parsed = urlparse("")
    odd_path = parsed.query or "{" in parsed.path or "}" in parsed.path
    if parsed.scheme not in ("http", "https") or not parsed.hostname or odd_path:
        raise ConfigError(
            "WEBHOOK_URL must be the https:// address Telegram posts updates to, "
            "for example https://bot.example.org/telegram."
        )
    if parsed.scheme == "http" and not _loopback(parsed.hostname) and not insecure_allowed:
        raise ConfigError(
            "WEBHOOK_URL uses plain http:// to another machine, which Telegram refuses and "
            "which would carry every update in clear: use https://, or set "
            "ALLOW_INSECURE_API_URL=true if the network in between is private."
        )
    secret = get("WEBHOOK_SECRET")
    if secret is None:
        raise ConfigError(
            "WEBHOOK_SECRET must be set with WEBHOOK_URL: Telegram sends it with every update "
            "so that the bot can refuse requests from anybody else."
        )
    if not WEBHOOK_SECRET_FORM.fullmatch(secret):
        raise ConfigError(
            "WEBHOOK_SECRET must be 1 to 256 characters among A-Z, a-z, 0-9, _ and -."
        )
    return url, listen, Secret(secret)


#: A hundred years: anything longer is a typing mistake, not a retention period.
MAX_RETENTION_DAYS = 36500


def _retention_days(raw: str | None, amend_window_hours: int) -> int | None:
    """RETENTION_DAYS: unset or empty keeps everything; else whole days, never shorter than the
    amend window (a report must not lose answers its author may still be correcting)."""
    if raw is None:
        return None
    if not _ascii_digits(raw) or not 1 <= int(raw) <= MAX_RETENTION_DAYS:
        raise ConfigError(
            f"RETENTION_DAYS must be a whole number of days from 1 to {MAX_RETENTION_DAYS}, "
            "or unset to keep reports' personal data."
        )
    days = int(raw)
    if days * 24 < amend_window_hours:
        raise ConfigError(
            f"RETENTION_DAYS ({days}) must be at least the amend window "
            f"(AMEND_WINDOW_HOURS, {amend_window_hours} hours), so that a report never loses "
            "answers its author may still be amending."
        )
    return days


def _positive_int(raw: str | None, name: str, default: int, maximum: int) -> int:
    if raw is None:
        return default
    if not _ascii_digits(raw) or not 1 <= int(raw) <= maximum:
        raise ConfigError(f"{name} must be a whole number from 1 to {maximum}.")
    return int(raw)


def valid_port(raw: str) -> bool:
    """A TCP port to listen on, written in ASCII digits: 1 to 65535."""
    return _ascii_digits(raw) and 1 <= int(raw) <= 65535


def loopback(host: str) -> bool:
    """See :func:`_loopback` (the sandbox asks it of ``--listen``)."""
    return _loopback(host)


def _ascii_digits(raw: str) -> bool:
    """0-9 only: str.isdigit() also accepts "²" (which int() then refuses with a traceback)
    and Arabic-Indic digits (which int() reads), neither of which belongs in a setting."""
    return raw.isascii() and raw.isdigit()


def _loopback(host: str) -> bool:
    """This machine: localhost, 127.0.0.0/8 or ::1 — where plain http never leaves the host."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _flag(raw: str | None, name: str, default: bool = True) -> bool:
    if raw is None:
        return default
    value = raw.lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigError(f"{name} must be true or false.")
    return value in ("true", "1", "yes")
