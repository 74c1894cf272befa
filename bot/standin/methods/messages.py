"""Bot API messages: sendMessage, editing (text, caption, keyboard), deleting, copying and
forwarding, refused the way Telegram refuses them (an edit to the same content, say).
"""

from __future__ import annotations

import copy
import time
from typing import Any

from ..models import SentMessage
from ..params import Params, bad_request
from ..records import ChatState, UserMessage
from .base import MethodBase, inline_only, text_content

__all__ = ["MessageMethods"]

# Message fields that make up its content, carried over by copyMessage / forwardMessage.
CONTENT_KEYS = (
    "text",
    "entities",
    "caption",
    "caption_entities",
    "photo",
    "document",
    "sticker",
    "location",
    "venue",
    "contact",
    "video",
    "voice",
    "audio",
    "animation",
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


class MessageMethods(MethodBase):
    """Sending, editing, deleting, copying and forwarding messages."""

    def send_message(self, params: Params) -> dict[str, Any]:
        """sendMessage."""
        markup = self.reply_markup(params)
        text, entities = self.message_text(params, limit_error="message is too long")
        chat = self.state.chat_for(params.chat_id())
        reply_to = self.reply_to(params, chat)
        html, mode = self._html(params, "text")
        message = self.new_message(
            chat,
            text_content(text, entities, caption=False),
            markup=markup,
            html=html,
            parse_mode=mode,
            reply_to=reply_to,
        )
        return message.raw

    def _editable(self, params: Params) -> tuple[ChatState, SentMessage]:
        if params.get("inline_message_id") is not None:
            raise bad_request("message to edit not found")  # no inline mode here
        chat = self.state.chat_for(params.chat_id())
        message = chat.live(params.message_id())
        if message is None:
            raise bad_request("message to edit not found")
        if isinstance(message, UserMessage):
            raise bad_request("message can't be edited")
        return chat, message

    @staticmethod
    def _apply_markup(message: SentMessage, markup: dict[str, Any] | None) -> None:
        message.reply_markup = markup
        if markup is None:
            message.raw.pop("reply_markup", None)
        else:
            message.raw["reply_markup"] = markup

    def edit_message_text(self, params: Params) -> dict[str, Any]:
        """editMessageText; without reply_markup the inline keyboard goes away, like Telegram."""
        markup = self.reply_markup(params, inline_only=True)
        text, entities = self.message_text(params, limit_error="MESSAGE_TOO_LONG")
        _, message = self._editable(params)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        current = inline_only(message.reply_markup)
        if text == message.text and entities == message.entities and markup == current:
            raise bad_request(NOT_MODIFIED)
        message.text, message.entities = text, entities
        message.html, message.parse_mode = self._html(params, "text")
        message.raw["text"] = text
        if entities:
            message.raw["entities"] = entities
        else:
            message.raw.pop("entities", None)
        self._apply_markup(message, markup)
        message.raw["edit_date"] = int(time.time())
        message.edits += 1
        return message.raw

    def edit_message_caption(self, params: Params) -> dict[str, Any]:
        """editMessageCaption (an absent caption removes it)."""
        markup = self.reply_markup(params, inline_only=True)
        caption, entities = self.caption(params, limit_error="MEDIA_CAPTION_TOO_LONG")
        _, message = self._editable(params)
        if message.document is None and message.photo is None:
            raise bad_request("there is no caption in the message to edit")
        current = inline_only(message.reply_markup)
        if caption == message.caption and entities == message.entities and markup == current:
            raise bad_request(NOT_MODIFIED)
        message.caption, message.entities = caption, entities
        message.html, message.parse_mode = self._html(params, "caption")
        for key in ("caption", "caption_entities"):
            message.raw.pop(key, None)
        message.raw.update(text_content(caption, entities, caption=True))
        self._apply_markup(message, markup)
        message.raw["edit_date"] = int(time.time())
        message.edits += 1
        return message.raw

    def edit_message_reply_markup(self, params: Params) -> dict[str, Any]:
        """editMessageReplyMarkup (an absent markup removes the keyboard)."""
        markup = self.reply_markup(params, inline_only=True)
        _, message = self._editable(params)
        if markup == inline_only(message.reply_markup):
            raise bad_request(NOT_MODIFIED)
        self._apply_markup(message, markup)
        message.edits += 1
        return message.raw

    def delete_message(self, params: Params) -> bool:
        """deleteMessage: the bot's own messages and, in private chats, the user's."""
        chat = self.state.chat_for(params.chat_id(), write=False)
        message = chat.live(params.message_id())
        if message is None:
            raise bad_request("message to delete not found")
        if isinstance(message, UserMessage) and chat.chat.type != "private":
            raise bad_request("message can't be deleted")
        message.deleted = True
        return True

    def _source(self, params: Params, what: str) -> SentMessage | UserMessage:
        source_chat = self.state.chat_for(params.chat_id("from_chat_id"), write=False)
        source = source_chat.live(params.message_id())
        if source is None:
            raise bad_request(f"message to {what} not found")
        return source

    def copy_message(self, params: Params) -> dict[str, Any]:
        """copyMessage: same content, no link to the original; answers a MessageId."""
        markup = self.reply_markup(params)
        chat = self.state.chat_for(params.chat_id())
        source = self._source(params, "copy")
        content = {k: copy.deepcopy(source.raw[k]) for k in CONTENT_KEYS if k in source.raw}
        if not content:
            raise bad_request("message can't be copied")
        html, mode = None, None
        if params.get("caption") is not None and "text" not in content:
            caption, entities = self.caption(params)
            content.pop("caption", None)
            content.pop("caption_entities", None)
            content.update(text_content(caption, entities, caption=True))
            html, mode = self._html(params, "caption")
        reply_to = self.reply_to(params, chat)
        message = self.new_message(
            chat, content, markup=markup, html=html, parse_mode=mode, reply_to=reply_to
        )
        return {"message_id": message.message_id}

    def forward_message(self, params: Params) -> dict[str, Any]:
        """forwardMessage: same content with a ``forward_origin``."""
        chat = self.state.chat_for(params.chat_id())
        source = self._source(params, "forward")
        content = {k: copy.deepcopy(source.raw[k]) for k in CONTENT_KEYS if k in source.raw}
        if not content:
            raise bad_request("message can't be forwarded")
        origin_chat = source.raw.get("chat", {})
        if origin_chat.get("type") == "channel":
            origin: dict[str, Any] = {
                "type": "channel",
                "date": source.raw["date"],
                "chat": origin_chat,
                "message_id": source.raw["message_id"],
            }
        else:
            origin = {
                "type": "user",
                "date": source.raw["date"],
                "sender_user": source.raw.get("from", self.state.bot_user()),
            }
        return self.new_message(chat, content, forward_origin=origin).raw
