"""The database encrypted at rest: SQLCipher through aiosqlite, when a key is set.

Without a key the database is a plain SQLite file opened with the standard ``sqlite3`` module,
as before. With one, every connection (the bot's, a command's, a worker process's) is made by
``sqlcipher3`` and gets the key as its very first statement: a stolen disk or a copied backup
reveals nothing. A raw 256-bit key (64 hex digits) is used as it is; anything else is a
passphrase that SQLCipher stretches with PBKDF2, ~0.14 s per open here.

The key never appears in a repr, a log line or an error message: :class:`DatabaseKey` hides it,
and the messages of :class:`CannotOpen` name the file and the setting, never the value.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from pathlib import Path
from typing import Any

import aiosqlite

#: The errors of either driver, as ``cipher.IntegrityError`` etc. (``sqlcipher3`` raises
#: classes of its own, not ``sqlite3``'s): made on first use by the module's ``__getattr__``.
_ERRORS = ("IntegrityError", "OperationalError", "DatabaseError")


def __getattr__(name: str) -> tuple[type[Exception], ...]:
    """``IntegrityError``, ``OperationalError``, ``DatabaseError``: sqlite3's class and
    sqlcipher3's. ``sqlcipher3`` is imported only here and on a keyed open: a bot without a
    key never loads it (5 MB of resident memory at start-up, measured)."""
    if name not in _ERRORS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import sqlcipher3.dbapi2 as dbapi

    return (getattr(sqlite3, name), getattr(dbapi, name))


#: A raw key: SQLCipher skips key derivation (``PRAGMA key = "x'…'"``).
RAW_KEY = re.compile(r"[0-9A-Fa-f]{64}")
_KEYS: dict[str, DatabaseKey] = {}
_KEYS_LOCK = threading.Lock()


class DatabaseKey:
    """The database's key (a raw hex key or a passphrase); never shows itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not value or "\x00" in value:
            raise ValueError("a database key must be non-empty text")
        self._value = value

    def reveal(self) -> str:
        return self._value

    @property
    def is_raw(self) -> bool:
        """64 hex digits: used as the 256-bit key itself, without key derivation."""
        return RAW_KEY.fullmatch(self._value) is not None

    def literal(self) -> str:
        """The key as SQL text for ``PRAGMA key`` (which takes no bound parameters)."""
        if self.is_raw:
            return f"\"x'{self._value}'\""
        return "'" + self._value.replace("'", "''") + "'"

    def attach_value(self) -> str:
        """The key as a bound value for ``ATTACH … KEY ?``."""
        return f"x'{self._value}'" if self.is_raw else self._value

    def __repr__(self) -> str:
        return "DatabaseKey('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DatabaseKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class CannotOpen(Exception):
    """The database does not open with the key given (or needs one): one sentence, no key."""


def _where(path: Path | str) -> str:
    return str(path) if str(path) == ":memory:" else str(Path(path).resolve())


def remember(path: Path | str, key: DatabaseKey | None) -> None:
    """This process knows the key of the database at ``path``: every later open of that file
    (a command, the digest's worker process through :func:`known_keys`) uses it."""
    with _KEYS_LOCK:
        if key is None:
            _KEYS.pop(_where(path), None)
        else:
            _KEYS[_where(path)] = key


def key_for(path: Path | str) -> DatabaseKey | None:
    with _KEYS_LOCK:
        return _KEYS.get(_where(path))


def known_keys() -> dict[str, DatabaseKey]:
    """Every key this process knows, for a worker process (:func:`remember_all`)."""
    with _KEYS_LOCK:
        return dict(_KEYS)


def remember_all(keys: dict[str, DatabaseKey]) -> None:
    with _KEYS_LOCK:
        _KEYS.update(keys)


_SILENCED: list[bool] = []


def _sqlcipher() -> Any:
    """``sqlcipher3.dbapi2``, its error log silenced on the first keyed open: a wrong key must
    not print SQLCipher's hmac lines on stderr."""
    import sqlcipher3.dbapi2 as dbapi

    if not _SILENCED:
        probe = dbapi.connect(":memory:")
        try:
            probe.execute("PRAGMA cipher_log_level = NONE")
        finally:
            probe.close()
        _SILENCED.append(True)
    return dbapi


def connect_sync(
    path: Path | str,
    key: DatabaseKey | None,
    *,
    uri: bool = False,
    sqlcipher: bool = False,
    **kwargs: Any,
) -> sqlite3.Connection:
    """A connection to ``path``: the plain ``sqlite3`` one without a key (unless ``sqlcipher``:
    a plain file read by SQLCipher, which can export it encrypted); SQLCipher's with the key
    applied first. Nothing is read yet: :func:`check_readable` says whether it opens."""
    if key is None and not sqlcipher:
        plain: sqlite3.Connection = sqlite3.connect(str(path), uri=uri, **kwargs)
        return plain
    conn: sqlite3.Connection = _sqlcipher().connect(str(path), uri=uri, **kwargs)
    if key is None:
        return conn
    try:
        conn.execute(f"PRAGMA key = {key.literal()}")
    except BaseException:
        conn.close()
        raise
    return conn


def check_readable(conn: sqlite3.Connection, path: Path | str, key: DatabaseKey | None) -> None:
    """Raise :class:`CannotOpen` with one sentence when the file behind ``conn`` cannot be read
    with ``key`` (a wrong key, no key for an encrypted file, or not a database at all)."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except Exception as exc:  # sqlite3's or sqlcipher3's DatabaseError: distinct classes
        if "file is not a database" not in str(exc):
            raise
        raise CannotOpen(_cannot_open(path, key)) from None


def _cannot_open(path: Path | str, key: DatabaseKey | None) -> str:
    if key is None:
        return (
            f"The database {path} does not open without a key: it is encrypted (set "
            "DATABASE_KEY_FILE to the file that holds its key) or it is not a database."
        )
    if is_plain_database(path):
        return (
            f"The database {path} is not encrypted yet, but a key is set: stop the bot and "
            "run `python -m bot encrypt` once, or unset DATABASE_KEY_FILE/DATABASE_KEY."
        )
    return (
        f"The database {path} does not open with the key in DATABASE_KEY_FILE/DATABASE_KEY: "
        "the key is wrong (after a `rekey`, the new key belongs there), or the file is not "
        "this bot's database."
    )


def is_plain_database(path: Path | str) -> bool:
    """True: the file at ``path`` is an unencrypted SQLite database (read-only look)."""
    if str(path) == ":memory:" or not Path(path).exists():
        return False
    try:
        conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return True


def open_checked(path: Path | str, key: DatabaseKey | None, **kwargs: Any) -> sqlite3.Connection:
    """:func:`connect_sync`, then :func:`check_readable`: a connection known to read."""
    conn = connect_sync(path, key, **kwargs)
    try:
        check_readable(conn, path, key)
    except BaseException:
        conn.close()
        raise
    return conn


def connect(path: Path | str, key: DatabaseKey | None, **kwargs: Any) -> aiosqlite.Connection:
    """As ``aiosqlite.connect`` (await it, or ``async with`` it), on ``sqlcipher3`` when there
    is a key: aiosqlite stays the driver, running the connector it is given on its thread."""
    return aiosqlite.Connection(lambda: connect_sync(path, key, **kwargs), iter_chunk_size=64)


async def connect_checked(
    path: Path | str, key: DatabaseKey | None, **kwargs: Any
) -> aiosqlite.Connection:
    """:func:`connect`, checked to read (:class:`CannotOpen` otherwise, the connection closed:
    a failing connector would leave aiosqlite's thread answering a loop that may be gone)."""
    conn = await connect(path, key, **kwargs)
    try:
        await conn._execute(check_readable, conn._conn, path, key)  # type: ignore[no-untyped-call]
    except BaseException:
        await conn.close()
        raise
    return conn


def attach_encrypted(conn: sqlite3.Connection, path: Path, key: DatabaseKey, alias: str) -> None:
    """Attach a new (or existing) SQLCipher file under ``key`` to a SQLCipher connection."""
    conn.execute(f"ATTACH DATABASE ? AS {alias} KEY ?", (str(path), key.attach_value()))
