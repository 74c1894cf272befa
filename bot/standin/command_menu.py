"""Which commands a person's "Menu" shows, worked out the way Telegram does.

Telegram tries the scopes from the narrowest to the widest and, within each, the person's
language before no language; the first list set wins (https://core.telegram.org/bots/api
#determining-list-of-commands).
"""

from __future__ import annotations

from typing import Any

from .state import State

__all__ = ["menu_scopes", "resolve_commands"]


def menu_scopes(
    chat_id: int, user_id: int, *, private: bool, is_admin: bool = False
) -> list[dict[str, Any]]:
    """The scopes Telegram consults for this person in this chat, narrowest first."""
    if private:
        return [
            {"type": "chat", "chat_id": chat_id},
            {"type": "all_private_chats"},
            {"type": "default"},
        ]
    scopes: list[dict[str, Any]] = [
        {"type": "chat_member", "chat_id": chat_id, "user_id": user_id},
    ]
    if is_admin:
        scopes.append({"type": "chat_administrators", "chat_id": chat_id})
    scopes.append({"type": "chat", "chat_id": chat_id})
    if is_admin:
        scopes.append({"type": "all_chat_administrators"})
    scopes += [{"type": "all_group_chats"}, {"type": "default"}]
    return scopes


def _language(code: str | None) -> str:
    """Telegram matches commands by the two-letter language of the person's app."""
    if not code:
        return ""
    return code.replace("_", "-").split("-")[0].lower()


def resolve_commands(
    state: State,
    chat_id: int,
    user_id: int,
    language_code: str | None,
    *,
    is_admin: bool = False,
) -> list[dict[str, str]]:
    """The commands ``user_id`` sees in chat ``chat_id`` with their app in ``language_code``."""
    chat = state.chats.get(chat_id)
    private = chat.chat.type == "private" if chat is not None else chat_id > 0
    language = _language(language_code)
    for scope in menu_scopes(chat_id, user_id, private=private, is_admin=is_admin):
        key = state.scope_key(scope)
        for code in (language, "") if language else ("",):
            commands = state.commands.get((key, code))
            if commands:
                return [dict(c) for c in commands]
    return []
