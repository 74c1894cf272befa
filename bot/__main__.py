"""Command line: ``python -m bot run | migrate | add-admin <telegram_id> | version``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bot import __version__
from bot.config import ConfigError, Settings, load_settings
from bot.logging_setup import configure_logging, redact

NO_TOKEN_HELP = """\
BOT_TOKEN is not set, so the bot cannot talk to Telegram.

To get a token: open Telegram, write to @BotFather, send /newbot and follow the two questions;
BotFather answers with a token such as 123456789:AAE…  Put it in .env (copy .env.example) as
    BOT_TOKEN=123456789:AAE…
and run `make run` again.

To try the bot without Telegram, start the local Bot API stand-in in another terminal:
    .venv/bin/python -m bot.standin --port 8081 --token 123456:LOCAL
and run the bot against it:
    BOT_TOKEN=123456:LOCAL TELEGRAM_API_URL=http://127.0.0.1:8081 make run
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fieldreport", description="FieldReport Telegram bot")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot (long polling)")
    commands.add_parser("migrate", help="create or upgrade the database")
    add_admin = commands.add_parser("add-admin", help="make a Telegram user an administrator")
    add_admin.add_argument("telegram_id", help="the person's numeric Telegram user id")
    commands.add_parser("version", help="print the version")
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
    configure_logging(settings.log_level, secrets)

    if args.command == "migrate":
        applied = asyncio.run(_migrate(settings))
        print(
            f"database {settings.database_path}: "
            + (f"applied {', '.join(applied)}" if applied else "already up to date")
        )
        return 0
    if args.command == "add-admin":
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
    return _run(settings, secrets)


async def _migrate(settings: Settings) -> list[str]:
    from storage import Database

    db = await Database.open(settings.database_path, migrate=False)
    try:
        return await db.migrate()
    finally:
        await db.close()


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


def _run(settings: Settings, secrets: list[str]) -> int:
    if settings.bot_token is None:
        print(NO_TOKEN_HELP, file=sys.stderr)
        return 2
    from telegram import Update
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application

    application = build_application(settings)
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        print("Telegram rejected BOT_TOKEN: check it with @BotFather.", file=sys.stderr)
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
