"""``python -m bot health [--ready]``: the two questions a deployment asks.

*Ready* (``--ready``): the database is reachable and fully migrated. A deployment asks it right
after ``migrate``, before any bot runs. *Healthy* (plain ``health``, the image's HEALTHCHECK):
ready, and the bot running on that database keeps taking updates, judged by the sign of life its
polling loop or webhook server leaves (bot/liveness.py). Exit 0 for yes, 1 for no, with the
reason in one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from bot.config import Settings
from bot.liveness import heartbeat_path, judge


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ready",
        action="store_true",
        help="only whether the database is reachable and migrated (no bot needs to run)",
    )


def command(
    settings: Settings, *, ready_only: bool, database_problem: Callable[[], str | None]
) -> int:
    """``database_problem`` opens the database and says what is wrong with it, if anything."""
    problem = database_problem()
    if problem is None and not ready_only:
        problem = judge(heartbeat_path(settings.database_path))
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    print("ready" if ready_only else "healthy")
    return 0
