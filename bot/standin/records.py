"""The things the stand-in remembers, one record each: a file, a person's message, a chat with
its messages, the webhook, a button tap; and the images Telegram would accept as photos.

Plain dataclasses, free of HTTP and asyncio, held together by :class:`~bot.standin.state.State`.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from typing import Any, Literal

from .models import SentMessage, TgChat

__all__ = [
    "TINY_PNG",
    "CallbackQuery",
    "ChatState",
    "StoredFile",
    "UserMessage",
    "Webhook",
    "image_size",
    "is_image",
]


def _png(width: int, height: int) -> bytes:
    """A valid, tiny, single-colour PNG (Telegram refuses photos that are not images)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x2a\x6f\x97" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


TINY_PNG = _png(4, 3)

_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


def is_image(content: bytes) -> bool:
    """Whether ``content`` looks like an image Telegram can process (by its magic bytes)."""
    if content.startswith(b"RIFF") and content[8:12] == b"WEBP":
        return True
    return content.startswith(_IMAGE_MAGIC)


def image_size(content: bytes) -> tuple[int, int]:
    """Width and height of a PNG; a plausible default for other formats."""
    if content.startswith(b"\x89PNG") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    return 800, 600


@dataclass
class StoredFile:
    """A file Telegram would keep: uploaded by the bot or sent by a user."""

    file_id: str
    file_unique_id: str
    kind: Literal["document", "photo", "sticker"]
    content: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    def document_dict(self) -> dict[str, Any]:
        """The Bot API ``Document`` object."""
        data: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
        }
        if self.file_name is not None:
            data["file_name"] = self.file_name
        if self.mime_type is not None:
            data["mime_type"] = self.mime_type
        return data

    def photo_size_dict(self) -> dict[str, Any]:
        """The Bot API ``PhotoSize`` object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": self.width,
            "height": self.height,
            "file_size": len(self.content),
        }


@dataclass
class UserMessage:
    """A message a person sent; the bot may copy, forward, reply to or delete it."""

    raw: dict[str, Any]
    deleted: bool = False


@dataclass
class ChatState:
    """One chat: its messages from both sides and its own message id sequence."""

    chat: TgChat
    next_message_id: int = 1
    messages: dict[int, SentMessage | UserMessage] = field(default_factory=dict)
    sent: list[SentMessage] = field(default_factory=list)  # bot messages, in order

    def take_message_id(self) -> int:
        """Message ids grow per chat, shared by the bot's and the people's messages."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def live(self, message_id: int) -> SentMessage | UserMessage | None:
        """The message with that id unless it does not exist or was deleted."""
        message = self.messages.get(message_id)
        if message is None or message.deleted:
            return None
        return message


@dataclass
class Webhook:
    """What setWebhook set: where updates go, and how the last delivery went."""

    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None
    last_error_date: int | None = None
    last_error_message: str | None = None

    def info(self, pending: int) -> dict[str, Any]:
        """getWebhookInfo's ``WebhookInfo``."""
        info: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": pending,
            "max_connections": self.max_connections,
        }
        if self.allowed_updates is not None:
            info["allowed_updates"] = self.allowed_updates
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info


@dataclass
class CallbackQuery:
    """A button tap the bot has to answer once."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answer: dict[str, Any] | None = None
