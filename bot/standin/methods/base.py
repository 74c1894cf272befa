"""What every Bot API method family shares: the checks Telegram makes of a text, a caption, a
keyboard or a reply, and storing a new bot message the way a person's app will show it.
"""

from __future__ import annotations

import copy
import re
import time
from typing import Any

from ..html import HtmlParseError, parse_html, utf16_len
from ..models import SentMessage
from ..params import ApiError, Params, bad_request
from ..records import ChatState
from ..state import State

__all__ = ["CAPTION_LIMIT", "TEXT_LIMIT", "MethodBase", "inline_only", "text_content"]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part of a markup that stays on the message (reply keyboards belong to the chat)."""
    return markup if markup is not None and "inline_keyboard" in markup else None


def text_content(
    text: str | None, entities: list[dict[str, Any]], *, caption: bool
) -> dict[str, Any]:
    """A message's ``text`` and ``entities`` (or ``caption`` and ``caption_entities``)."""
    if text is None:
        return {}
    key, entities_key = ("caption", "caption_entities") if caption else ("text", "entities")
    content: dict[str, Any] = {key: text}
    if entities:
        content[entities_key] = entities
    return content


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim like tdlib's fix_formatted_text: trailing whitespace, leading spaces/newlines."""
    kept = text.rstrip()
    if not kept.strip():
        return "", []
    end = utf16_len(kept)
    fixed: list[dict[str, Any]] = []
    for entity in entities:
        if entity["offset"] >= end:
            continue
        entity = dict(entity)
        entity["length"] = min(entity["length"], end - entity["offset"])
        fixed.append(entity)
    first_entity = min((e["offset"] for e in fixed), default=end)
    lead = 0
    while lead < first_entity and kept[lead] in " \n":
        lead += 1
    for entity in fixed:
        entity["offset"] -= lead
    return kept[lead:], fixed


class MethodBase:
    """The state the methods work on, and the checks they share."""

    def __init__(self, state: State, *, strict_ampersand: bool = True) -> None:
        self.state = state
        self.strict_ampersand = strict_ampersand

    def format(
        self, text: str, parse_mode: str | None, entities: Any
    ) -> tuple[str, list[dict[str, Any]]]:
        """Visible text and entities for a text or caption, refused like Telegram."""
        mode = (parse_mode or "").strip().lower()
        if not text or mode in ("", "none"):
            given = entities if isinstance(entities, list) else []
            return _trim(text, [dict(e) for e in given if isinstance(e, dict)])
        if mode == "html":
            try:
                parsed = parse_html(text, strict_ampersand=self.strict_ampersand)
            except HtmlParseError as exc:
                raise ApiError(400, exc.description) from exc
            return _trim(parsed.text, parsed.entities)
        if mode in ("markdown", "markdownv2"):
            return _trim(text, [])  # not validated by the stand-in
        raise bad_request("unsupported parse_mode")

    def message_text(self, params: Params, *, limit_error: str) -> tuple[str, list[dict[str, Any]]]:
        """The ``text`` of sendMessage / editMessageText, checked for emptiness and length."""
        text = params.get_str("text") or ""
        if not text:
            raise bad_request("message text is empty")
        visible, entities = self.format(text, params.get_str("parse_mode"), params.get("entities"))
        if not visible:
            raise bad_request("text must be non-empty")
        if utf16_len(visible) > TEXT_LIMIT:
            raise bad_request(limit_error)
        return visible, entities

    def caption(
        self, params: Params, *, limit_error: str = "message caption is too long"
    ) -> tuple[str | None, list[dict[str, Any]]]:
        """An optional caption; empty ones vanish, long ones are refused."""
        raw = params.get_str("caption") or ""
        visible, entities = self.format(
            raw, params.get_str("parse_mode"), params.get("caption_entities")
        )
        if utf16_len(visible) > CAPTION_LIMIT:
            raise bad_request(limit_error)
        return (visible or None), entities

    def reply_markup(self, params: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
        """The ``reply_markup`` parameter, validated the way Telegram validates keyboards."""
        value = params.get_json("reply_markup", "can't parse reply keyboard markup JSON object")
        if value is None:
            return None
        if not isinstance(value, dict):
            raise bad_request("object expected as reply markup")
        if inline_only and "inline_keyboard" not in value:
            raise bad_request("inline keyboard expected")
        if "inline_keyboard" in value:
            rows = value["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request(
                    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    self._check_inline_button(button)
        elif "keyboard" in value:
            rows = value["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request('field "keyboard" must be an Array of Arrays')
            for row in rows:
                for button in row:
                    text = button if isinstance(button, str) else None
                    if isinstance(button, dict):
                        text = button.get("text")
                    if not isinstance(text, str):
                        raise bad_request(
                            "can't parse keyboard button: KeyboardButton must be a String or "
                            "an Object"
                        )
        return value

    @staticmethod
    def _check_inline_button(button: Any) -> None:
        prefix = "can't parse inline keyboard button: "
        if not isinstance(button, dict):
            raise bad_request(prefix + "InlineKeyboardButton must be an Object")
        if "text" not in button:
            raise bad_request(prefix + 'Can\'t find field "text"')
        if not isinstance(button["text"], str):
            raise bad_request(prefix + 'Field "text" must be of type String')
        actions = [key for key in BUTTON_ACTIONS if button.get(key) not in (None, "")]
        if not actions:
            raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
        if len(actions) > 1:  # Telegram silently keeps the first; a bug either way
            raise bad_request("BUTTON_DATA_INVALID")
        if not button["text"].strip():
            raise bad_request("BUTTON_TEXT_INVALID")
        if "callback_data" in actions:
            data = button["callback_data"]
            if not isinstance(data, str):
                raise bad_request(prefix + 'Field "callback_data" must be of type String')
            if len(data.encode("utf-8")) > CALLBACK_DATA_LIMIT:
                raise bad_request("BUTTON_DATA_INVALID")
        if "url" in actions:
            url = button["url"]
            if not isinstance(url, str) or not re.match(r"(https?|tg)://\S+$", url):
                raise bad_request("BUTTON_URL_INVALID")

    def reply_to(self, params: Params, chat: ChatState) -> dict[str, Any] | None:
        """The message being replied to (``reply_parameters`` or legacy parameters)."""
        parameters = params.get_json("reply_parameters", "can't parse reply parameters JSON object")
        allow = params.get_bool("allow_sending_without_reply")
        message_id: Any = params.get_int("reply_to_message_id")
        if isinstance(parameters, dict):
            message_id = parameters.get("message_id")
            allow = bool(parameters.get("allow_sending_without_reply", False))
        if message_id is None:
            return None
        target = chat.live(int(message_id)) if isinstance(message_id, int) else None
        if target is None:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        raw = copy.deepcopy(target.raw)
        raw.pop("reply_to_message", None)
        return raw

    def new_message(
        self,
        chat: ChatState,
        content: dict[str, Any],
        *,
        markup: dict[str, Any] | None = None,
        html: str | None = None,
        parse_mode: str | None = None,
        reply_to: dict[str, Any] | None = None,
        media_group_id: str | None = None,
        forward_origin: dict[str, Any] | None = None,
    ) -> SentMessage:
        """Store a new bot message in ``chat`` and build its Bot API ``Message``."""
        message_id = chat.take_message_id()
        date = int(time.time())
        raw: dict[str, Any] = {
            "message_id": message_id,
            "from": self.state.bot_user(),
            "chat": chat.chat.to_dict(),
            "date": date,
        }
        if forward_origin is not None:
            raw["forward_origin"] = forward_origin
        if reply_to is not None:
            raw["reply_to_message"] = reply_to
        if media_group_id is not None:
            raw["media_group_id"] = media_group_id
        raw.update(content)
        if inline_only(markup) is not None:
            raw["reply_markup"] = markup
        message = SentMessage(
            chat_id=chat.chat.id,
            message_id=message_id,
            date=date,
            raw=raw,
            text=content.get("text"),
            caption=content.get("caption"),
            html=html,
            parse_mode=parse_mode,
            entities=list(content.get("entities") or content.get("caption_entities") or []),
            reply_markup=markup,
            media_group_id=media_group_id,
        )
        self._attach_files(message, content)
        chat.messages[message_id] = message
        chat.sent.append(message)
        return message

    def _attach_files(self, message: SentMessage, content: dict[str, Any]) -> None:
        """Give the test the bytes behind a message's document or photo."""
        document = content.get("document")
        if isinstance(document, dict):
            stored = self.state.files.get(str(document.get("file_id")))
            message.document = {
                "file_name": document.get("file_name"),
                "size": document.get("file_size"),
                "mime_type": document.get("mime_type"),
                "file_id": document.get("file_id"),
                "file_unique_id": document.get("file_unique_id"),
                "content": stored.content if stored is not None else b"",
            }
        photo = content.get("photo")
        if isinstance(photo, list) and photo:
            stored = self.state.files.get(str(photo[-1].get("file_id")))
            message.photo = stored.content if stored is not None else b""

    def _html(self, params: Params, field: str) -> tuple[str | None, str | None]:
        """What SentMessage.html / parse_mode record for a text or caption."""
        mode = params.get_str("parse_mode")
        raw = params.get_str(field)
        if raw is not None and (mode or "").strip().lower() == "html":
            return raw, mode
        return None, mode
