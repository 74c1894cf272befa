"""Run the stand-in on its own, for a bot in another process: ``python -m bot.standin``.

The bot then uses ``TELEGRAM_API_URL=<printed url>``; people are simulated through the JSON
control side under ``/_standin/``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .server import StandIn


async def _serve(token: str, username: str, port: int, allow_http_webhook: bool) -> None:
    async with StandIn(
        token=token, bot_username=username, port=port, allow_http_webhook=allow_http_webhook
    ) as tg:
        print(f"Bot API stand-in at {tg.api_url} (token {tg.token})", flush=True)
        await asyncio.Event().wait()


def main() -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m bot.standin", description=__doc__)
    parser.add_argument("--token", default="123456:TEST-token")
    parser.add_argument("--username", default="standin_bot")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument(
        "--allow-http-webhook",
        action="store_true",
        help="accept a webhook at plain http:// on this machine (a bot run with WEBHOOK_URL)",
    )
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.token, args.username, args.port, args.allow_http_webhook))


if __name__ == "__main__":
    main()
