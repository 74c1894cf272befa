"""Bot API command menus: setMyCommands, getMyCommands and deleteMyCommands, per scope and
language; :mod:`bot.standin.command_menu` resolves which menu a person sees.
"""

from __future__ import annotations

import re
from typing import Any

from ..params import Params, bad_request
from .base import MethodBase

__all__ = ["MenuMethods"]

SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE = re.compile(r"[a-z]{2}")


class MenuMethods(MethodBase):
    """The bot's command menus."""

    def _scope_and_language(self, params: Params) -> tuple[str, str]:
        scope = params.get_json("scope", "can't parse BotCommandScope JSON object")
        if scope is None:
            scope = {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
            raise bad_request("can't parse BotCommandScope: unsupported type specified")
        normalized: dict[str, Any] = {"type": scope["type"]}
        for key in ("chat_id", "user_id"):
            if key in scope:
                value = scope[key]
                if isinstance(value, str) and value.lstrip("-").isdigit():
                    value = int(value)
                normalized[key] = value
        if scope["type"] in ("chat", "chat_administrators", "chat_member"):
            chat_id = normalized.get("chat_id")
            if chat_id is None or self.state.find_chat(chat_id) is None:
                raise bad_request("chat not found")
        language = params.get_str("language_code") or ""
        if language and not _LANGUAGE.fullmatch(language):
            raise bad_request("invalid language code specified")
        return self.state.scope_key(normalized), language

    def set_my_commands(self, params: Params) -> bool:
        """setMyCommands, validated like Telegram (names, descriptions, at most 100)."""
        commands = params.get_json("commands", "can't parse commands JSON object")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        checked: list[dict[str, str]] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand: expected an Object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not isinstance(description, str):
                raise bad_request("can't parse BotCommand: fields must be of type String")
            name = name.removeprefix("/")
            if not _COMMAND.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            checked.append({"command": name, "description": description})
        if len(checked) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        key = self._scope_and_language(params)
        if checked:
            self.state.commands[key] = checked
        else:
            self.state.commands.pop(key, None)
        return True

    def get_my_commands(self, params: Params) -> list[dict[str, str]]:
        """getMyCommands for exactly that scope and language."""
        return list(self.state.commands.get(self._scope_and_language(params), []))

    def delete_my_commands(self, params: Params) -> bool:
        """deleteMyCommands."""
        self.state.commands.pop(self._scope_and_language(params), None)
        return True
