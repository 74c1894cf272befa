"""Chat messages and refusals as the page draws them: plain JSON, file bytes left behind URLs.

Text goes out as Telegram shows it (the stand-in already parsed the bot's HTML) with its
entities; the page builds the formatting from those, never from markup.
"""

from __future__ import annotations

from typing import Any

from bot.standin import SentMessage, StandIn
from bot.standin.feed import chat_of_call
from bot.standin.records import UserMessage

__all__ = ["IMAGE_LIMIT", "chat_messages", "image_kind", "message_view", "refusals_in"]

#: What the page lets a person upload as a photo (Telegram's own limit for photos).
IMAGE_LIMIT = 10 * 1024 * 1024
#: Refusals a chat keeps showing after a reload.
REFUSALS_KEPT = 5


def image_kind(content: bytes) -> str | None:
    """ "image/jpeg", "image/png" or "image/webp" by the file's own bytes; None otherwise."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(content) >= 12 and content.startswith(b"RIFF") and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def _file_url(file_id: Any) -> str | None:
    return f"/api/files/{file_id}" if isinstance(file_id, str) and file_id else None


def _buttons(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    rows = (markup or {}).get("inline_keyboard") or []
    drawn: list[list[dict[str, Any]]] = []
    for row in rows:
        drawn.append(
            [
                {
                    "text": str(button.get("text", "")),
                    "data": button.get("callback_data"),
                    "url": button.get("url"),
                }
                for button in row
                if isinstance(button, dict)
            ]
        )
    return drawn


def _keyboard(markup: dict[str, Any] | None) -> list[list[str]] | None:
    """A reply keyboard's rows, [] when the bot removed it, None when it said nothing."""
    if not markup:
        return None
    if markup.get("remove_keyboard"):
        return []
    rows = markup.get("keyboard")
    if not isinstance(rows, list):
        return None
    return [[b if isinstance(b, str) else str(b.get("text", "")) for b in row] for row in rows]


def _content(raw: dict[str, Any]) -> dict[str, Any]:
    """What both sides' messages may carry besides text."""
    view: dict[str, Any] = {"photo": None, "document": None, "location": None}
    photo = raw.get("photo")
    if isinstance(photo, list) and photo and isinstance(photo[-1], dict):
        view["photo"] = _file_url(photo[-1].get("file_id"))
    document = raw.get("document")
    if isinstance(document, dict):
        view["document"] = {
            "name": document.get("file_name") or "file",
            "size": document.get("file_size"),
            "url": _file_url(document.get("file_id")),
        }
    location = raw.get("location")
    if isinstance(location, dict):
        view["location"] = {
            "latitude": location.get("latitude"),
            "longitude": location.get("longitude"),
        }
    return view


def message_view(message: SentMessage | UserMessage) -> dict[str, Any]:
    """One message as the page draws it."""
    raw = message.raw
    if isinstance(message, SentMessage):
        view: dict[str, Any] = {
            "id": message.message_id,
            "side": "bot",
            "date": message.date,
            "text": message.content,
            "entities": message.entities,
            "buttons": _buttons(message.reply_markup),
            "keyboard": _keyboard(message.reply_markup),
            "edited": message.edits > 0,
        }
    else:
        sender = raw.get("from") or {}
        view = {
            "id": raw.get("message_id"),
            "side": "person",
            "date": raw.get("date"),
            "text": raw.get("text") if "text" in raw else raw.get("caption") or "",
            "entities": raw.get("entities") or raw.get("caption_entities") or [],
            "buttons": [],
            "keyboard": None,
            "edited": "edit_date" in raw,
            "sender": " ".join(
                str(part) for part in (sender.get("first_name"), sender.get("last_name")) if part
            ),
        }
    return view | _content(raw)


def chat_messages(standin: StandIn, chat_id: int) -> list[dict[str, Any]]:
    """Both sides of the chat, oldest first, without deleted messages."""
    chat = standin.state.chats.get(chat_id)
    if chat is None:
        return []
    return [
        message_view(message) for _, message in sorted(chat.messages.items()) if not message.deleted
    ]


def find_message(standin: StandIn, chat_id: int, message_id: int) -> SentMessage | None:
    """A live bot message of that chat."""
    chat = standin.state.chats.get(chat_id)
    message = chat.live(message_id) if chat is not None else None
    return message if isinstance(message, SentMessage) else None


def refusal_view(method: str, status: int, description: str) -> dict[str, Any]:
    return {"method": method, "status": status, "description": description}


def refusals_in(standin: StandIn, chat_id: int) -> list[dict[str, Any]]:
    """The latest calls refused for that chat (the banner shown after a reload)."""
    found = [
        refusal_view(name, error.status, error.description)
        for name, values, error in standin.failures
        if name.lower() != "getupdates" and chat_of_call(name, values, standin.state) == chat_id
    ]
    return found[-REFUSALS_KEPT:]
