"""Bot API chats and the bot itself: getMe, getChat and sendChatAction."""

from __future__ import annotations

from typing import Any

from ..params import Params, bad_request
from .base import MethodBase

__all__ = ["ChatMethods"]

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class ChatMethods(MethodBase):
    """The bot itself and the chats it is in."""

    def get_me(self, params: Params) -> dict[str, Any]:
        """getMe: the bot's own ``User``."""
        return self.state.me()

    def send_chat_action(self, params: Params) -> bool:
        """sendChatAction: only Telegram's action names."""
        self.state.chat_for(params.chat_id())
        if params.get_str("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def get_chat(self, params: Params) -> dict[str, Any]:
        """getChat: a ChatFullInfo PTB 22 can read."""
        chat = self.state.chat_for(params.chat_id(), write=False)
        return chat.chat.to_dict() | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
