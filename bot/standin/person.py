"""The stand-in's person side: people write, tap, edit and share, as in a Telegram app.

Tests (and the sandbox's web chat) act as people through these methods; each stores what the
person sent, makes their chat known and queues the update the bot will fetch. The chats and
people a test sets up beforehand (:meth:`PersonSide.add_chat`, blocking the bot) live here too.
"""

from __future__ import annotations

import copy
import mimetypes
import re
import time
from typing import Any

from .core import StandInCore
from .feed import FeedEvent
from .models import SentMessage, TgChat, TgUser
from .records import TINY_PNG, CallbackQuery, UserMessage

__all__ = ["PersonSide"]

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


class PersonSide(StandInCore):
    """Acting as the people who write to the bot."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queued: dict[int, dict[str, Any]] = {}  # every update ever queued, by update_id

    def _user_message(
        self,
        user: TgUser,
        chat: TgChat | None,
        content: dict[str, Any],
        reply_to: SentMessage | None = None,
    ) -> dict[str, Any]:
        """Store a message a person sent and return its Bot API ``Message``."""
        self.state.users[user.id] = user
        target = chat or user.private_chat()
        chat_state = self.state.add_chat(target)
        message_id = chat_state.take_message_id()
        raw: dict[str, Any] = {
            "message_id": message_id,
            "from": user.to_dict(),
            "chat": target.to_dict(),
            "date": int(time.time()),
        }
        if reply_to is not None:
            replied = copy.deepcopy(reply_to.raw)
            replied.pop("reply_to_message", None)
            raw["reply_to_message"] = replied
        raw.update(content)
        chat_state.messages[message_id] = UserMessage(raw)
        self.feed.publish(FeedEvent("person", target.id, message_id))
        return raw

    async def send_update(
        self, update: dict[str, Any], *, fresh_id: bool = False
    ) -> dict[str, Any]:
        """Queue any raw update; ``update_id`` is assigned when missing (or ``fresh_id``).

        Chats, people and messages in it become known, so the bot can answer them.
        """
        update = copy.deepcopy(update)
        self._learn_from(update)
        queued = self.state.enqueue(update, fresh_id=fresh_id)
        self._queued[int(queued["update_id"])] = copy.deepcopy(queued)
        await self._notify()
        return queued

    async def redeliver(self, update_id: int, *, fresh_id: bool = False) -> dict[str, Any]:
        """Queue an update again exactly as it was, as Telegram does with an update whose
        confirming getUpdates never reached it (the bot crashed before): for the next process.

        A running bot's offset is already past the ``update_id``; ``fresh_id`` gives the same
        message or tap a new one, so that this bot gets it again."""
        original = self._queued.get(update_id)
        if original is None:
            raise KeyError(f"no update {update_id} was ever queued")
        queued = self.state.enqueue(copy.deepcopy(original), fresh_id=fresh_id)
        await self._notify()
        return queued

    def _learn_from(self, update: dict[str, Any]) -> None:
        """Register the chats, users and messages a raw update mentions."""
        for key, value in update.items():
            if not isinstance(value, dict):
                continue
            message = value.get("message") if key == "callback_query" else value
            sender = value.get("from")
            try:
                if isinstance(sender, dict):
                    user = TgUser.from_dict(sender)
                    self.state.users.setdefault(user.id, user)
                if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
                    continue
                chat = self.state.chats.get(int(message["chat"]["id"]))
                if chat is None:
                    chat = self.state.add_chat(TgChat.from_dict(message["chat"]))
                message_id = message.get("message_id")
                if key != "callback_query" and isinstance(message_id, int):
                    chat.messages.setdefault(message_id, UserMessage(copy.deepcopy(message)))
                    chat.next_message_id = max(chat.next_message_id, message_id + 1)
            except (KeyError, TypeError, ValueError):
                continue  # an odd raw update is still delivered as it is

    async def send_text(
        self,
        user: TgUser,
        text: str,
        chat: TgChat | None = None,
        *,
        reply_to: SentMessage | None = None,
    ) -> dict[str, Any]:
        """The user sends ``text``; a leading ``/command[@bot]`` gets a bot_command entity."""
        content: dict[str, Any] = {"text": text}
        match = _COMMAND.match(text)
        if match and not re.match(r"[\w/<>]", text[match.end() : match.end() + 1]):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": match.end()}]
        message = self._user_message(user, chat, content, reply_to)
        return await self.send_update({"message": message})

    async def send_message(
        self, user: TgUser, content: dict[str, Any], chat: TgChat | None = None
    ) -> dict[str, Any]:
        """The user sends a message with exactly this content (``text`` and ``entities``,
        ``caption`` and ``caption_entities``…): no entity is added, so tests can forge them."""
        return await self.send_update({"message": self._user_message(user, chat, content)})

    async def edit_message(
        self, user: TgUser, sent: dict[str, Any], content: dict[str, Any]
    ) -> dict[str, Any]:
        """The user edits a message they sent (``sent``: the update or message returned by a
        ``send_*`` or ``edit_message`` call): an ``edited_message`` update with the same id and
        the new ``content``.

        A ``text`` without ``entities`` gets the bot_command entity Telegram would add.
        """
        original = sent.get("message") or sent.get("edited_message") or sent
        chat = self.state.chats.get(int(original["chat"]["id"]))
        stored = chat.messages.get(int(original["message_id"])) if chat else None
        raw = copy.deepcopy(stored.raw if isinstance(stored, UserMessage) else original)
        for key in ("text", "entities", "caption", "caption_entities", "location"):
            if key in content:
                raw.pop(key, None)
        text = content.get("text")
        if isinstance(text, str) and "entities" not in content:
            raw.pop("entities", None)
            match = _COMMAND.match(text)
            if match and not re.match(r"[\w/<>]", text[match.end() : match.end() + 1]):
                raw["entities"] = [{"type": "bot_command", "offset": 0, "length": match.end()}]
        raw.update(content)
        raw["edit_date"] = int(time.time())
        if chat is not None and isinstance(stored, UserMessage):
            chat.messages[int(original["message_id"])] = UserMessage(copy.deepcopy(raw))
        self.state.users[user.id] = user
        return await self.send_update({"edited_message": raw})

    async def send_location(
        self, user: TgUser, latitude: float, longitude: float, chat: TgChat | None = None
    ) -> dict[str, Any]:
        """The user shares a location."""
        content = {"location": {"latitude": latitude, "longitude": longitude}}
        return await self.send_update({"message": self._user_message(user, chat, content)})

    async def send_photo(
        self,
        user: TgUser,
        caption: str | None = None,
        chat: TgChat | None = None,
        *,
        content: bytes | None = None,
    ) -> dict[str, Any]:
        """The user sends a photo (several sizes with unique ids, downloadable via getFile)."""
        sizes = self.state.store_photo(content if content is not None else TINY_PNG)
        body: dict[str, Any] = {"photo": [s.photo_size_dict() for s in sizes]}
        if caption:
            body["caption"] = caption
        return await self.send_update({"message": self._user_message(user, chat, body)})

    async def send_document(
        self,
        user: TgUser,
        file_name: str = "x.pdf",
        chat: TgChat | None = None,
        *,
        content: bytes | None = None,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """The user sends a file (downloadable via getFile)."""
        data = content if content is not None else b"%PDF-1.4\n% stand-in document\n%%EOF\n"
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        stored = self.state.store_file("document", data, file_name=file_name, mime_type=mime)
        body: dict[str, Any] = {"document": stored.document_dict()}
        if caption:
            body["caption"] = caption
        return await self.send_update({"message": self._user_message(user, chat, body)})

    async def send_sticker(
        self, user: TgUser, chat: TgChat | None = None, *, emoji: str = "👍"
    ) -> dict[str, Any]:
        """The user sends a sticker (something most bots should politely ignore)."""
        stored = self.state.store_file("sticker", b"RIFF\x00\x00\x00\x00WEBPVP8 ", width=512)
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.content),
        }
        return await self.send_update(
            {"message": self._user_message(user, chat, {"sticker": sticker})}
        )

    async def tap(self, user: TgUser, message: SentMessage, data: str, forge: bool = False) -> str:
        """The user taps a button of ``message``; returns the callback query id.

        Unless ``forge``, ``data`` must be on the message's current inline keyboard (catches
        typos in tests); ``forge=True`` sends any data, as a tampering client could.
        """
        current = self.bot_message(message.chat_id, message.message_id)
        if not forge:
            if current is None or current.deleted:
                raise AssertionError(
                    f"message {message.message_id} in chat {message.chat_id} is gone; "
                    "nobody can tap its buttons"
                )
            if data not in current.callback_data:
                raise AssertionError(
                    f"message {current.message_id} in chat {current.chat_id} has no button with "
                    f"callback_data {data!r}; its buttons now: {current.buttons}"
                )
        self.state.users[user.id] = user
        query_id = f"{self.state.bot_id}{self.state.next_callback_id:010d}"
        self.state.next_callback_id += 1
        self.state.callback_queries[query_id] = CallbackQuery(
            query_id, user.id, message.chat_id, message.message_id, data
        )
        raw = current.raw if current is not None else message.raw
        query = {
            "id": query_id,
            "from": user.to_dict(),
            "message": copy.deepcopy(raw),
            "chat_instance": f"{message.chat_id}{self.state.bot_id}",
            "data": data,
        }
        await self.send_update({"callback_query": query})
        return query_id

    async def tap_text(self, user: TgUser, message: SentMessage, text: str) -> str:
        """Tap the inline button whose visible text is ``text``."""
        current = self.bot_message(message.chat_id, message.message_id) or message
        for row in current.buttons:
            for label, target in row:
                if label == text:
                    if target is None or target not in current.callback_data:
                        raise AssertionError(f"button {text!r} opens {target!r}; it has no data")
                    return await self.tap(user, current, target)
        raise AssertionError(
            f"message {current.message_id} in chat {current.chat_id} has no button {text!r}; "
            f"its buttons now: {current.buttons}"
        )

    # --- shaping the world ----------------------------------------------------------------

    def add_chat(self, chat: TgChat | TgUser) -> None:
        """Make a chat known before anyone wrote from it (e.g. a group the bot reports to)."""
        if isinstance(chat, TgUser):
            self.state.users[chat.id] = chat
            chat = chat.private_chat()
        self.state.add_chat(chat)

    def block_bot(self, user_id: int, *, notify: bool = True) -> None:
        """The user blocks the bot: sends then fail with 403 (and a my_chat_member update)."""
        self.state.blocked.add(user_id)
        if notify:
            self._member_update(user_id, "member", "kicked")
        self._notify_soon()

    def unblock_bot(self, user_id: int, *, notify: bool = True) -> None:
        """The user unblocks the bot."""
        self.state.blocked.discard(user_id)
        if notify:
            self._member_update(user_id, "kicked", "member")
        self._notify_soon()

    def _member_update(self, user_id: int, old: str, new: str) -> None:
        user = self.state.users.get(user_id) or TgUser(id=user_id, first_name="User")
        self.state.add_chat(user.private_chat())
        now = int(time.time())
        bot = self.state.bot_user()
        self.state.enqueue(
            {
                "my_chat_member": {
                    "chat": user.private_chat().to_dict(),
                    "from": user.to_dict(),
                    "date": now,
                    "old_chat_member": {"status": old, "user": bot},
                    "new_chat_member": {"status": new, "user": bot}
                    | ({"until_date": 0} if new == "kicked" else {}),
                }
            }
        )
