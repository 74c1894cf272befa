"""The people, chats and bot messages a test talks about, as plain Python objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["ChatType", "SentMessage", "TgChat", "TgUser"]

ChatType = Literal["private", "group", "supergroup", "channel"]


@dataclass(frozen=True)
class TgUser:
    """A Telegram account that a test acts as."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The Bot API ``User`` object, without the optional fields that are unset."""
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TgUser:
        """Build a user from a Bot API ``User`` dict (the HTTP control side sends these)."""
        return cls(
            id=int(data["id"]),
            first_name=str(data.get("first_name") or "User"),
            last_name=data.get("last_name"),
            username=data.get("username"),
            language_code=data.get("language_code"),
            is_bot=bool(data.get("is_bot", False)),
        )

    def private_chat(self) -> TgChat:
        """The one-to-one chat between this user and the bot (its id is the user id)."""
        return TgChat(
            id=self.id,
            type="private",
            first_name=self.first_name,
            last_name=self.last_name,
            username=self.username,
        )


@dataclass(frozen=True)
class TgChat:
    """A chat: a private chat with a user, or a group the bot is in."""

    id: int
    type: ChatType = "private"
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The Bot API ``Chat`` object, without the optional fields that are unset."""
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.type == "private" and "first_name" not in data:
            data["first_name"] = "User"
        if self.type != "private" and "title" not in data:
            data["title"] = f"Chat {self.id}"
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TgChat:
        """Build a chat from a Bot API ``Chat`` dict."""
        kind = data.get("type", "private")
        if kind not in ("private", "group", "supergroup", "channel"):
            raise ValueError(f"unknown chat type {kind!r}")
        return cls(
            id=int(data["id"]),
            type=kind,
            title=data.get("title"),
            username=data.get("username"),
            first_name=data.get("first_name"),
            last_name=data.get("last_name"),
        )


@dataclass(eq=False)
class SentMessage:
    """A message the bot sent, kept up to date: edits and deletion change this same object.

    ``text``/``caption`` are what the user sees (HTML already parsed); ``html`` is the raw
    text or caption exactly as the bot sent it when ``parse_mode`` was HTML.
    """

    chat_id: int
    message_id: int
    date: int
    raw: dict[str, Any]  # the Message object as the Bot API returned it, current state
    text: str | None = None
    caption: str | None = None
    html: str | None = None
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None  # as sent, including reply keyboards
    document: dict[str, Any] | None = None  # file_name, size, mime_type, file_id, content...
    photo: bytes | None = None
    media_group_id: str | None = None
    edits: int = 0
    deleted: bool = False

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard rows as ``(text, callback_data or url)``; [] without one."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [
            [(str(b.get("text", "")), b.get("callback_data") or b.get("url")) for b in row]
            for row in rows
        ]

    @property
    def button_texts(self) -> list[str]:
        """Every inline button's visible text, row by row."""
        return [text for row in self.buttons for text, _ in row]

    @property
    def callback_data(self) -> list[str]:
        """Every ``callback_data`` on the current inline keyboard."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [str(b["callback_data"]) for row in rows for b in row if b.get("callback_data")]

    @property
    def reply_keyboard(self) -> list[list[str]]:
        """Rows of a reply keyboard (``ReplyKeyboardMarkup``) by button text; [] without one."""
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [[b if isinstance(b, str) else str(b.get("text", "")) for b in row] for row in rows]

    def callback_data_for(self, text: str) -> str:
        """The ``callback_data`` of the button showing ``text``; fails listing what there is."""
        for row in (self.reply_markup or {}).get("inline_keyboard") or []:
            for button in row:
                if button.get("text") == text and button.get("callback_data"):
                    return str(button["callback_data"])
        raise AssertionError(
            f"message {self.message_id} in chat {self.chat_id} has no callback button {text!r}; "
            f"buttons: {self.buttons}"
        )

    @property
    def content(self) -> str:
        """Text or caption, whichever the message has ('' for neither)."""
        return self.text if self.text is not None else (self.caption or "")

    def describe(self) -> str:
        """One line for assertion messages."""
        state = " (deleted)" if self.deleted else (f" (edited {self.edits}x)" if self.edits else "")
        kind = "document " if self.document else "photo " if self.photo is not None else ""
        extra = f" buttons={self.button_texts}" if self.buttons else ""
        return f"#{self.message_id}{state} {kind}{self.content[:120]!r}{extra}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (file contents left out) for the HTTP control side."""
        document = None
        if self.document is not None:
            document = {k: v for k, v in self.document.items() if k != "content"}
        return {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "date": self.date,
            "text": self.text,
            "caption": self.caption,
            "html": self.html,
            "parse_mode": self.parse_mode,
            "entities": self.entities,
            "reply_markup": self.reply_markup,
            "buttons": [[list(b) for b in row] for row in self.buttons],
            "document": document,
            "photo_size": None if self.photo is None else len(self.photo),
            "media_group_id": self.media_group_id,
            "edits": self.edits,
            "deleted": self.deleted,
            "raw": self.raw,
        }
