"""PTB's ``BasePersistence`` over our own database, as JSON, so a conversation survives a restart.

JSON rather than pickle: the state stays readable, portable to PostgreSQL and safe to load.
Anything stored in ``user_data``/``chat_data``/``bot_data`` must therefore be JSON-serialisable.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from storage.db import Database

JsonDict = dict[str, Any]


def _encode_key(key: ConversationKey) -> str:
    return json.dumps(list(key), separators=(",", ":"))


def _decode_key(text: str) -> ConversationKey:
    return tuple(json.loads(text))


class SqlitePersistence(BasePersistence[JsonDict, JsonDict, JsonDict]):
    """Stores user, chat and bot data and conversation states in the bot's database."""

    def __init__(self, database: Callable[[], Database], *, update_interval: float = 5) -> None:
        """``database`` is a getter: the database is opened after PTB builds the persistence."""
        super().__init__(
            store_data=PersistenceInput(
                bot_data=True, chat_data=True, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self._database = database

    async def _load_all(self, kind: str) -> dict[int, JsonDict]:
        async with self._database().read() as repos:
            rows = await repos.persistence.load_all(kind)
        return {int(key): json.loads(data) for key, data in rows.items()}

    async def get_user_data(self) -> dict[int, JsonDict]:
        return await self._load_all("user")

    async def get_chat_data(self) -> dict[int, JsonDict]:
        return await self._load_all("chat")

    async def get_bot_data(self) -> JsonDict:
        async with self._database().read() as repos:
            data = await repos.persistence.load("bot", "bot")
        return json.loads(data) if data else {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        async with self._database().read() as repos:
            rows = await repos.persistence.load_conversations(name)
        return {_decode_key(key): json.loads(state) for key, state in rows.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        encoded = None if new_state is None else json.dumps(new_state)
        async with self._database().transaction() as repos:
            await repos.persistence.save_conversation(name, _encode_key(key), encoded)

    async def _save(self, kind: str, key: str, data: JsonDict) -> None:
        async with self._database().transaction() as repos:
            if data:
                await repos.persistence.save(kind, key, json.dumps(data, ensure_ascii=False))
            else:
                await repos.persistence.delete(kind, key)

    async def update_user_data(self, user_id: int, data: JsonDict) -> None:
        await self._save("user", str(user_id), data)

    async def update_chat_data(self, chat_id: int, data: JsonDict) -> None:
        await self._save("chat", str(chat_id), data)

    async def update_bot_data(self, data: JsonDict) -> None:
        await self._save("bot", "bot", data)

    async def update_callback_data(self, data: CDCData) -> None:
        """Not stored: our callback data are plain strings, never arbitrary objects."""

    async def drop_chat_data(self, chat_id: int) -> None:
        async with self._database().transaction() as repos:
            await repos.persistence.delete("chat", str(chat_id))

    async def drop_user_data(self, user_id: int) -> None:
        async with self._database().transaction() as repos:
            await repos.persistence.delete("user", str(user_id))

    async def refresh_user_data(self, user_id: int, user_data: JsonDict) -> None:
        """Nothing to do: one process owns the data between loads."""

    async def refresh_chat_data(self, chat_id: int, chat_data: JsonDict) -> None:
        """Nothing to do: one process owns the data between loads."""

    async def refresh_bot_data(self, bot_data: JsonDict) -> None:
        """Nothing to do: one process owns the data between loads."""

    async def flush(self) -> None:
        """Every update is already written in its own transaction."""
