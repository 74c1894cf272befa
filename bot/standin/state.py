"""Everything the stand-in remembers: chats, messages, updates, files, commands, calls.

Kept free of HTTP and asyncio so the Bot API methods and the person side share one plain model;
the records it holds (a file, a chat, the webhook…) are :mod:`bot.standin.records`.
"""

from __future__ import annotations

import json
import time
from typing import Any, Literal

from .models import TgChat, TgUser
from .params import ApiError, bad_request
from .records import CallbackQuery, ChatState, StoredFile, Webhook, image_size

__all__ = [
    "ALL_UPDATES",
    "DEFAULT_ALLOWED_UPDATES",
    "State",
    "update_type",
]

# What Telegram delivers when allowed_updates was never set (or set to []).
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
ALL_UPDATES = DEFAULT_ALLOWED_UPDATES | {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}


def update_type(update: dict[str, Any]) -> str:
    """The update's kind: the one key besides ``update_id``."""
    for key in update:
        if key != "update_id":
            return key
    return "unknown"


class State:
    """The whole remembered world of one stand-in server."""

    def __init__(self, token: str, bot_username: str, bot_name: str) -> None:
        prefix = token.split(":", 1)[0]
        if not prefix.isdigit():
            raise ValueError(f"a bot token starts with the bot's numeric id, got {token!r}")
        self.token = token
        self.bot_id = int(prefix)
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.chats: dict[int, ChatState] = {}
        self.users: dict[int, TgUser] = {}
        self.blocked: set[int] = set()
        self.updates: list[dict[str, Any]] = []
        self.next_update_id = 1
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        #: Set: updates are posted there, and getUpdates is refused.
        self.webhook: Webhook | None = None
        #: A webhook at plain http:// on this machine (Telegram wants https; tests have none).
        self.allow_http_webhook = False
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.next_callback_id = 1
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.photo_sets: dict[str, list[StoredFile]] = {}  # any size's file_id -> all sizes
        self.next_file = 1
        self.next_media_group = 1
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.failures: list[tuple[str, dict[str, Any], ApiError]] = []

    def forget_everything(self) -> None:
        """Back to a new bot's world: no chats, people, updates, files, menus or calls."""
        self.chats.clear()
        self.users.clear()
        self.blocked.clear()
        self.updates.clear()
        self.callback_queries.clear()
        self.commands.clear()
        self.files.clear()
        self.files_by_path.clear()
        self.photo_sets.clear()
        self.calls.clear()
        self.failures.clear()

    # --- the bot itself -------------------------------------------------------------------

    def bot_user(self) -> dict[str, Any]:
        """The bot's ``User`` object (``from`` of its messages)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    def me(self) -> dict[str, Any]:
        """What getMe answers."""
        return self.bot_user() | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    # --- chats ----------------------------------------------------------------------------

    def add_chat(self, chat: TgChat) -> ChatState:
        """Make a chat known (keeping its history when it already is)."""
        state = self.chats.get(chat.id)
        if state is None:
            state = self.chats[chat.id] = ChatState(chat)
        else:
            state.chat = chat
        return state

    def find_chat(self, chat_id: int | str) -> ChatState | None:
        """A known chat by id or ``@username``."""
        if isinstance(chat_id, int):
            return self.chats.get(chat_id)
        name = chat_id.lstrip("@").lower()
        for state in self.chats.values():
            if chat_id.startswith("@") and (state.chat.username or "").lower() == name:
                return state
        return None

    def chat_for(self, chat_id: int | str, *, write: bool = True) -> ChatState:
        """The chat a request targets, refused like Telegram when unknown or blocked."""
        state = self.find_chat(chat_id)
        if state is None:
            raise bad_request("chat not found")
        if write and state.chat.type == "private" and state.chat.id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return state

    # --- updates --------------------------------------------------------------------------

    def enqueue(self, update: dict[str, Any], *, fresh_id: bool = False) -> dict[str, Any]:
        """Queue an update for getUpdates (unless allowed_updates filters its type out)."""
        update = dict(update)
        if fresh_id or "update_id" not in update:
            update["update_id"] = self.next_update_id
        self.next_update_id = max(self.next_update_id, int(update["update_id"]) + 1)
        if update_type(update) in self.allowed_updates:
            self.updates.append(update)
            self.updates.sort(key=lambda u: int(u["update_id"]))
        return update

    def choose_updates(self, allowed: Any) -> list[str] | None:
        """Apply an ``allowed_updates`` list (getUpdates, setWebhook); the names kept."""
        if not isinstance(allowed, list):
            return None
        chosen = frozenset(str(a).lower() for a in allowed) & ALL_UPDATES
        self.allowed_updates = chosen or DEFAULT_ALLOWED_UPDATES
        return sorted(chosen)

    def confirm(self, offset: int) -> bool:
        """Apply a getUpdates ``offset``; True when updates were dropped."""
        before = len(self.updates)
        if offset < 0:
            self.updates = self.updates[offset:]
        elif offset > 0:
            self.updates = [u for u in self.updates if int(u["update_id"]) >= offset]
        return len(self.updates) != before

    # --- files ----------------------------------------------------------------------------

    def store_file(
        self,
        kind: Literal["document", "photo", "sticker"],
        content: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int = 0,
        height: int = 0,
    ) -> StoredFile:
        """Keep a file under fresh ids, downloadable via getFile."""
        number = self.next_file
        self.next_file += 1
        ext = ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1]
        elif kind == "photo":
            ext = ".jpg"
        elif kind == "sticker":
            ext = ".webp"
        stored = StoredFile(
            file_id=f"{kind[:3].upper()}{self.bot_id}x{number:06d}-standin",
            file_unique_id=f"U{kind[:1]}{number:06d}",
            kind=kind,
            content=content,
            file_path=f"{kind}s/file_{number}{ext}",
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def store_photo(self, content: bytes) -> list[StoredFile]:
        """Keep a photo the way Telegram does: three sizes, each with its own file ids."""
        width, height = image_size(content)
        sizes: list[StoredFile] = []
        for side in (90, 320, 800):
            scale = side / max(width, height, 1)
            w, h = max(1, round(width * scale)), max(1, round(height * scale))
            sizes.append(self.store_file("photo", content, width=w, height=h))
        for size in sizes:
            self.photo_sets[size.file_id] = sizes
        return sizes

    def new_media_group_id(self) -> str:
        """A fresh album id."""
        value = f"{int(time.time())}{self.next_media_group:04d}"
        self.next_media_group += 1
        return value

    # --- commands -------------------------------------------------------------------------

    @staticmethod
    def scope_key(scope: dict[str, Any] | None) -> str:
        """A stable key for a BotCommandScope (chat ids compared as given)."""
        return json.dumps(scope or {"type": "default"}, sort_keys=True)
