"""Command line: ``python -m bot run | sandbox | migrate | add-admin | health | version``;
the database's ``encrypt | rekey | backup | restore`` are in bot/database_cli.py."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import replace

from bot import __version__, database_cli
from bot.config import ConfigError, Secret, Settings, load_settings
from bot.container import no_token_help, unwritable_data_problem
from bot.health import add_arguments as add_health_arguments
from bot.health import command as health_command
from bot.logging_setup import configure_logging, redact
from bot.sandbox.cli import add_arguments as add_sandbox_arguments

NO_TOKEN_NOTE = "BOT_TOKEN is not set, so the bot starts in the sandbox instead of on Telegram."
NO_TOKEN_HELP = """\
BOT_TOKEN is not set, so the bot cannot talk to Telegram.

To get a token: open Telegram, write to @BotFather, send /newbot and follow the two questions;
BotFather answers with a token such as 123456789:AAE…  Give it to the bot as BOT_TOKEN (in .env,
or in the environment) and start it again.

To try the bot without Telegram: `python -m bot sandbox` (`make run` without a token does this).
"""

#: Commands that open the database: a directory they cannot write is said in one sentence first.
USES_THE_DATA_DIRECTORY = frozenset(
    {"run", "migrate", "add-admin", "backup", "health", "encrypt", "rekey", "restore"}
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fieldreport", description="FieldReport Telegram bot")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run", help="run the bot (long polling, or a webhook with WEBHOOK_URL)"
    )
    # `make run` passes it: a newcomer without a token gets the sandbox; a server or container
    # without one gets the help on where a token comes from, never demo data.
    run.add_argument(
        "--sandbox-without-token",
        action="store_true",
        help="without BOT_TOKEN, start the sandbox instead of explaining how to get a token",
    )
    sandbox = commands.add_parser(
        "sandbox", help="the bot with demo people and data in a browser, without Telegram"
    )
    add_sandbox_arguments(sandbox)
    commands.add_parser("migrate", help="create or upgrade the database")
    add_admin = commands.add_parser("add-admin", help="make a Telegram user an administrator")
    add_admin.add_argument("telegram_id", help="the person's numeric Telegram user id")
    commands.add_parser("version", help="print the version")
    database_cli.add_arguments(commands)
    health = commands.add_parser(
        "health", help="exit 0 when the bot takes updates and its database is up to date"
    )
    add_health_arguments(health)
    args = parser.parse_args(argv)

    if args.command == "version":
        print(f"fieldreport {__version__}")
        return 0
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    secrets = [settings.bot_token.reveal()] if settings.bot_token else []
    if settings.webhook_secret is not None:
        secrets.append(settings.webhook_secret.reveal())
    for password in (settings.sandbox_password, getattr(args, "password", None)):
        if password:
            secrets.append(password.reveal() if isinstance(password, Secret) else password)
    if settings.database_key is not None:
        secrets.append(settings.database_key.reveal())
    configure_logging(settings.log_level, secrets)

    if args.command in USES_THE_DATA_DIRECTORY and (
        problem := unwritable_data_problem(settings.database_path)
    ):
        print(problem, file=sys.stderr)
        return 1 if args.command == "health" else 2  # a HEALTHCHECK reads 1 as unhealthy
    if args.command == "sandbox" or (args.command == "run" and settings.bot_token is None):
        # The sandbox's demo database is never encrypted: demo people, no real reports.
        settings = replace(settings, database_key=None)
    from storage.cipher import remember

    remember(settings.database_path, settings.database_key)
    if args.command in database_cli.COMMANDS:
        return database_cli.run(settings, args)
    serves = args.command != "run" or settings.bot_token is not None
    if (
        args.command in ("run", "migrate", "health", "add-admin")
        and serves
        and (problem := database_cli.key_problem(settings))
    ):
        print(problem, file=sys.stderr)
        return 1 if args.command == "health" else 2

    if args.command == "sandbox":
        from bot.sandbox import cli

        return cli.run(settings, args)

    if args.command in ("migrate", "health", "add-admin"):
        from storage.cipher import CannotOpen
        from storage.in_use import InUse

        try:
            return _database_command(settings, args)
        except (CannotOpen, InUse) as exc:  # encrypt, rekey or restore at work on it
            print(exc, file=sys.stderr)
            return 1 if args.command == "health" else 2
    return _run(settings, secrets, sandbox_without_token=args.sandbox_without_token)


def _database_command(settings: Settings, args: argparse.Namespace) -> int:
    """``migrate``, ``health`` or ``add-admin``: opening the database may be refused."""
    if args.command == "migrate":
        applied = asyncio.run(_migrate(settings))
        print(
            f"database {settings.database_path}: "
            + (f"applied {', '.join(applied)}" if applied else "already up to date")
        )
        return 0
    if args.command == "health":
        return health_command(
            settings, ready_only=args.ready, database_problem=lambda: asyncio.run(_health(settings))
        )
    if not args.telegram_id.isdigit() or not 0 < int(args.telegram_id) < 2**52:
        print(
            f"add-admin needs a numeric Telegram user id; {args.telegram_id!r} is not one.",
            file=sys.stderr,
        )
        return 2
    changed = asyncio.run(_add_admin(settings, int(args.telegram_id)))
    print(
        f"user {args.telegram_id} is "
        + ("now an administrator" if changed else "already an active administrator")
    )
    return 0


async def _migrate(settings: Settings) -> list[str]:
    from storage import Database

    db = await Database.open(settings.database_path, migrate=False)
    try:
        return await db.migrate()
    finally:
        await db.close()


async def _health(settings: Settings) -> str | None:
    from storage import Database
    from storage.db import migration_files

    if not settings.database_path.exists():
        return f"no database at {settings.database_path}"
    db = await Database.open(settings.database_path, migrate=False)
    try:
        version = await db.schema_version()
    finally:
        await db.close()
    expected = len(migration_files())
    return None if version == expected else f"schema version {version}, expected {expected}"


async def _add_admin(settings: Settings, telegram_id: int) -> bool:
    from storage import Database

    db = await Database.open(settings.database_path)
    try:
        async with db.transaction() as repos:
            changed = await repos.users.ensure_admin(telegram_id)
            if changed:
                await repos.audit.add("admin.cli", actor_telegram_id=None, target=str(telegram_id))
        return changed
    finally:
        await db.close()


def _run(settings: Settings, secrets: list[str], *, sandbox_without_token: bool = False) -> int:
    if settings.bot_token is None:
        if not sandbox_without_token:
            print(no_token_help(NO_TOKEN_HELP), file=sys.stderr)
            return 2
        from bot.sandbox import cli

        print(NO_TOKEN_NOTE, flush=True)
        return cli.run(settings)
    from bot.sandbox.marker import is_sandbox

    if asyncio.run(is_sandbox(settings.database_path)):
        print(
            f"{settings.database_path} is a sandbox database with demo people and reports: "
            "the bot will not serve it on Telegram (set DATABASE_PATH to the real database).",
            file=sys.stderr,
        )
        return 2
    from telegram import Update
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application
    from storage.cipher import CannotOpen
    from storage.in_use import InUse

    application = build_application(settings)
    try:
        if settings.webhook_url is not None:
            from bot.webhook import CannotListen, run_webhook

            try:
                asyncio.run(run_webhook(application))
            except CannotListen as exc:
                print(exc, file=sys.stderr)
                return 2
        else:
            # A passing network error or 429 while starting (getMe, setMyCommands…) is retried:
            # one bad answer from Telegram must not leave the bot stopped.
            application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=10)
    except InvalidToken:
        print("Telegram rejected BOT_TOKEN: check it with @BotFather.", file=sys.stderr)
        return 2
    except (CannotOpen, InUse) as exc:  # the database changed since the check at start
        print(exc, file=sys.stderr)
        return 2
    except NetworkError as exc:
        print(
            redact(f"Could not reach the Bot API at {settings.telegram_api_url}: {exc}", secrets),
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
