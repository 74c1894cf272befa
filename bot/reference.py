"""Reference data (agencies, substances, countries): who may correct a name, how it is shown.

Names live in the database (storage/reference_names.py); the option keys of
bot/forms/definitions.py never change, and reports keep keys, so a corrected name is shown
everywhere at once, old reports included. The bot reads every name once at start and again
after a correction (:func:`load_names`), not per label or per update.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot import administration
from bot.authority import Operation, Refused, acting
from bot.i18n import Catalogs
from storage import Database, ReferenceKind, ReferenceName, Repositories

LANGUAGES = ("uz", "ru", "en")


async def load_names(db: Database, catalogs: Catalogs) -> None:
    """Show the names as stored now (one query); called at start and after a correction.

    The names are kept in this process: the bot is one process (SQLite, one writer); a second
    replica would see another's correction at its next start.
    """
    async with db.read() as repos:
        names = await repos.reference_names.list()
    catalogs.use_reference_names(names)


async def taken_elsewhere(
    repos: Repositories, kind: ReferenceKind, key: str, language: str, name: str
) -> bool:
    """Whether another entry of the same list already has ``name`` in ``language`` (case
    aside): two agencies of one name could not be told apart in a digest."""
    others = [
        other.names()[language]
        for other in await repos.reference_names.list()
        if other.kind is kind and other.key != key
    ]
    return administration.is_duplicate(name, others)


async def names_list(
    repos: Repositories, actor_telegram_id: int | None
) -> list[ReferenceName] | Refused:
    """Every agency and substance, for an admin choosing one to correct."""
    actor = await acting(repos, actor_telegram_id, Operation.REFERENCE_LIST)
    if isinstance(actor, Refused):
        return actor
    return await repos.reference_names.list()


async def name_view(
    repos: Repositories, actor_telegram_id: int | None, kind: ReferenceKind, key: str
) -> ReferenceName | Refused | None:
    """One name an admin is about to correct; None for a key that is not in the table."""
    actor = await acting(
        repos, actor_telegram_id, Operation.REFERENCE_LIST, target=f"{kind.value}:{key}"
    )
    if isinstance(actor, Refused):
        return actor
    return await repos.reference_names.get(kind, key)


async def rename(
    repos: Repositories,
    actor_telegram_id: int | None,
    kind: ReferenceKind,
    key: str,
    names: Mapping[str, str],
) -> ReferenceName | Refused | None:
    """Correct the names of one agency or substance in Uzbek (Latin), Russian and English.

    Each name is checked again here (a name Telegram shows on a button: one line, 1–64
    characters; :func:`bot.administration.clean_name` raises ``InvalidText``), the actor is read
    again, and the audit keeps the old and the new names. None: no such kind and key.
    """
    target = f"{kind.value}:{key}"
    actor = await acting(repos, actor_telegram_id, Operation.REFERENCE_RENAME, target=target)
    if isinstance(actor, Refused):
        return actor
    cleaned = {language: administration.clean_name(names[language]) for language in LANGUAGES}
    before = await repos.reference_names.get(kind, key)
    if before is None:
        return None
    after = await repos.reference_names.rename(
        kind,
        key,
        name_uz=cleaned["uz"],
        name_ru=cleaned["ru"],
        name_en=cleaned["en"],
        updated_by=actor.telegram_id,
    )
    if after is None:  # pragma: no cover - read in this transaction just above
        return None
    await repos.audit.add(
        "reference.renamed",
        actor_telegram_id=actor.telegram_id,
        target=target,
        details={"before": before.names(), "after": after.names()},
    )
    return after
