"""The Bot API the stand-in serves: every method by its name, the way Telegram names them.

The methods live in :mod:`bot.standin.methods`, a module per family; :class:`BotApi` puts the
families together over one :class:`~bot.standin.state.State` and answers which implementation
a method name (case-insensitive, like Telegram) has. ``getUpdates`` lives in the server
because it waits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .methods.callbacks import CallbackMethods
from .methods.chats import ChatMethods
from .methods.files import FileMethods
from .methods.menus import MenuMethods
from .methods.messages import MessageMethods
from .methods.webhooks import WebhookMethods
from .params import Params
from .state import State

__all__ = ["CANONICAL_NAMES", "METHOD_NAMES", "BotApi"]

#: Every method the stand-in serves, spelled as Telegram spells it (getUpdates: the server).
METHOD_NAMES = (
    "getMe",
    "logOut",
    "close",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "getUpdates",
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "editMessageCaption",
    "deleteMessage",
    "answerCallbackQuery",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "sendChatAction",
    "sendDocument",
    "sendPhoto",
    "sendMediaGroup",
    "getFile",
    "copyMessage",
    "forwardMessage",
    "getChat",
)
CANONICAL_NAMES = {name.lower(): name for name in METHOD_NAMES}

Method = Callable[[Params], Any]


class BotApi(
    MessageMethods, CallbackMethods, FileMethods, WebhookMethods, MenuMethods, ChatMethods
):
    """Bot API methods over one :class:`State`."""

    def __init__(self, state: State, *, strict_ampersand: bool = True) -> None:
        super().__init__(state, strict_ampersand=strict_ampersand)
        self._methods: dict[str, Method] = {
            "getme": self.get_me,
            "logout": lambda p: True,
            "close": lambda p: True,
            "setwebhook": self.set_webhook,
            "deletewebhook": self.delete_webhook,
            "getwebhookinfo": self.get_webhook_info,
            "sendmessage": self.send_message,
            "editmessagetext": self.edit_message_text,
            "editmessagereplymarkup": self.edit_message_reply_markup,
            "editmessagecaption": self.edit_message_caption,
            "deletemessage": self.delete_message,
            "answercallbackquery": self.answer_callback_query,
            "setmycommands": self.set_my_commands,
            "getmycommands": self.get_my_commands,
            "deletemycommands": self.delete_my_commands,
            "sendchataction": self.send_chat_action,
            "senddocument": self.send_document,
            "sendphoto": self.send_photo,
            "sendmediagroup": self.send_media_group,
            "getfile": self.get_file,
            "copymessage": self.copy_message,
            "forwardmessage": self.forward_message,
            "getchat": self.get_chat,
        }

    def lookup(self, method: str) -> Method | None:
        """The implementation of a method name (case-insensitive, like Telegram)."""
        return self._methods.get(method.lower())
