"""DATABASE_KEY_FILE and DATABASE_KEY: where the database's key comes from (storage/cipher.py).

The file is the way meant for a server: a Docker/compose secret or a file on another disk
than the data, readable by the bot's user only. DATABASE_KEY exists for a platform that can
only pass environment variables; it must never be written into a ``.env`` next to the data.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from storage.cipher import DatabaseKey


def read_key_file(path: Path, name: str, error: type[Exception]) -> DatabaseKey:
    """The key in the file at ``path`` (surrounding whitespace dropped); ``error`` with one
    sentence naming the setting and the file, never the content, when it cannot be used."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise error(f"{name} names {path}, which cannot be read: {reason}.") from None
    if not text or "\x00" in text:
        raise error(f"{name} names {path}, which holds no key.")
    return DatabaseKey(text)


def database_key(get: Callable[[str], str | None], error: type[Exception]) -> DatabaseKey | None:
    """The key the settings give, or None (a plain, unencrypted database)."""
    key_file = get("DATABASE_KEY_FILE")
    key = get("DATABASE_KEY")
    if key_file and key:
        raise error("Set DATABASE_KEY_FILE or DATABASE_KEY, not both.")
    if key_file:
        return read_key_file(Path(key_file), "DATABASE_KEY_FILE", error)
    if key is not None and key.strip():
        if "\x00" in key:
            raise error("DATABASE_KEY holds a character a key cannot have.")
        return DatabaseKey(key.strip())
    return None
