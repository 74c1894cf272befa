"""``python -m bot sandbox`` (and ``python -m bot run`` without a token): checks, then serve.

Each refusal is one sentence on stderr and exit status 2, before anything starts.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings, loopback, valid_port

if TYPE_CHECKING:
    from bot.sandbox.runner import Sandbox

MIN_PASSWORD = 8
REAL_TELEGRAM_HINT = (
    "To connect to real Telegram instead, put the token @BotFather gives you in .env as "
    "BOT_TOKEN=… and run `make run` again."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--listen",
        default="127.0.0.1",
        help="address to serve the web chat on (default 127.0.0.1; another needs --password)",
    )
    parser.add_argument("--port", help="port of the web chat (default SANDBOX_PORT or 8080)")
    parser.add_argument(
        "--password",
        help="password for the web chat (default SANDBOX_PASSWORD; prefer that in .env: "
        "a --password is shown to every user of the machine in its process list)",
    )
    parser.add_argument(
        "--no-seed", action="store_true", help="start a new sandbox without demo data"
    )
    parser.add_argument(
        "--database", help="the sandbox database (default sandbox.sqlite3 beside DATABASE_PATH)"
    )


def run(settings: Settings, args: argparse.Namespace | None = None) -> int:
    """Serve the sandbox until SIGINT or SIGTERM; 2 when it refuses to start."""
    from bot.sandbox.runner import Sandbox, SandboxError, default_database, refusal

    listen = getattr(args, "listen", None) or "127.0.0.1"
    raw_port = getattr(args, "port", None)
    if raw_port is not None and not valid_port(raw_port):
        return _refuse(f"--port must be a port number from 1 to 65535, not {raw_port!r}.")
    port = int(raw_port) if raw_port is not None else settings.sandbox_port
    password = getattr(args, "password", None) or (
        settings.sandbox_password.reveal() if settings.sandbox_password else None
    )
    if password is not None and len(password) < MIN_PASSWORD:
        return _refuse(f"The sandbox's password must have at least {MIN_PASSWORD} characters.")
    if not loopback(listen) and password is None:
        return _refuse(
            f"Listening on {listen} lets other machines in: give a --password "
            f"(at least {MIN_PASSWORD} characters) for the training room."
        )
    raw_database = getattr(args, "database", None)
    database = Path(raw_database) if raw_database else default_database(settings)
    problem = refusal(settings, database)
    if problem is not None:
        return _refuse(problem)
    sandbox = Sandbox(
        settings,
        database=database,
        host=listen,
        port=port,
        password=password,
        seed=not getattr(args, "no_seed", False),
    )
    try:
        asyncio.run(_serve(sandbox))
    except SandboxError as exc:
        return _refuse(str(exc))
    except OSError as exc:  # the port is taken, the address is not this machine's…
        return _refuse(f"The sandbox cannot listen on {listen}:{port}: {exc.strerror or exc}.")
    return 0


async def _serve(sandbox: Sandbox) -> None:
    from bot.sandbox.runner import serve

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await serve(sandbox, stop, _announce)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def _announce(url: str) -> None:
    print(
        f"The sandbox is running at {url}: the bot with demo people and reports, "
        "no Telegram needed (Ctrl+C stops it).",
        flush=True,
    )
    print(REAL_TELEGRAM_HINT, flush=True)


def _refuse(sentence: str) -> int:
    print(sentence, file=sys.stderr)
    return 2
