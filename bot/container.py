"""What the command line says where the advice for a local install would be wrong.

Inside the image (the Dockerfile sets ``FIELDREPORT_IN_CONTAINER=1``) there is no ``.env``, no
``make run`` and no ``.venv``: a missing token is explained as what to pass to ``docker run``.
A data directory the bot may not write (a bind-mounted ``/data`` owned by root, on a server or
in a container) is one sentence naming the directory, the uid and the ``chown`` that fixes it,
checked before anything opens the database, so nobody reads a ``PermissionError`` traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Set by the Dockerfile; its presence means "running in the FieldReport image".
IN_CONTAINER_VARIABLE = "FIELDREPORT_IN_CONTAINER"

NO_TOKEN_HELP_IN_CONTAINER = """\
BOT_TOKEN is not set, so the bot cannot talk to Telegram.

To get a token: open Telegram, write to @BotFather, send /newbot and follow the two questions;
BotFather answers with a token such as 123456789:AAE…

Give it to the container in its environment and start it again, with your own Telegram user id
as the first administrator and the database on a volume:

  docker run -d --name fieldreport --restart unless-stopped \\
    -e BOT_TOKEN=123456789:AAE… -e ADMIN_IDS=<your Telegram user id> \\
    -v fieldreport-data:/data fieldreport

or keep them in a file readable only by you, outside the data volume, and pass
--env-file /etc/fieldreport/env (compose: `env_file:`). The README's "Deploying" section lists
every setting.
"""


def in_container() -> bool:
    return os.environ.get(IN_CONTAINER_VARIABLE, "") not in ("", "0")


def no_token_help(local_help: str) -> str:
    """The help for a missing token that fits where the bot runs."""
    return NO_TOKEN_HELP_IN_CONTAINER if in_container() else local_help


def _may_write(path: Path) -> bool:
    return os.access(path, os.W_OK | os.X_OK if path.is_dir() else os.R_OK | os.W_OK)


def unwritable_data_problem(database_path: Path) -> str | None:
    """One sentence when the bot cannot write its database or the directory it lives in.

    A directory that does not exist yet is made when the database is opened: then the nearest
    one above it that exists must let the bot write (a root-owned ``/data`` under
    ``DATABASE_PATH=/data/bot/…`` is named as plainly as under the default path).
    """
    directory = database_path.parent
    paths: tuple[Path, ...] = (directory, database_path)
    if not directory.is_dir():
        directory = next((above for above in directory.parents if above.is_dir()), directory)
        if not directory.is_dir():
            return None
        paths = (directory,)
    blocked = next((p for p in paths if p.exists() and not _may_write(p)), None)
    if blocked is None:
        return None
    uid = os.getuid()
    where = str(directory.absolute())
    if os.statvfs(directory).f_flag & os.ST_RDONLY:
        return f"{where} is mounted read-only: the bot writes its database there (mount it rw)."
    if in_container():
        return (
            f"The bot runs as uid {uid} and cannot write to {where}, where its database lives: "
            f"on the host, give that uid the directory mounted at {where} "
            f"(`sudo chown -R {uid} /path/on/the/host`), or mount a named volume, which the "
            "image prepares for it."
        )
    return (
        f"The bot runs as uid {uid} and cannot write to {blocked.absolute()}, where its database "
        f"lives: give that uid the directory (`sudo chown -R {uid} {where}`) or set "
        "DATABASE_PATH to a place it may write."
    )
