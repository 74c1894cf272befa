"""The Bot API methods the stand-in serves, answering and refusing the way Telegram does.

Every method takes the request's :class:`Params` and returns the ``result`` value, or raises
:class:`ApiError` with Telegram's status and description. ``getUpdates`` lives in the server
because it waits.
"""

from __future__ import annotations

import copy
import ipaddress
import mimetypes
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from .html import HtmlParseError, parse_html, utf16_len
from .models import SentMessage
from .params import ApiError, Params, Upload, bad_request
from .state import ChatState, State, StoredFile, UserMessage, Webhook, is_image

__all__ = ["CANONICAL_NAMES", "BotApi"]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
MAX_DOCUMENT = 50 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024

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
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE = re.compile(r"[a-z]{2}")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]*")
WEBHOOK_PORTS = (80, 88, 443, 8443)

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

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)

Method = Callable[[Params], Any]


def _inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part of a markup that stays on the message (reply keyboards belong to the chat)."""
    return markup if markup is not None and "inline_keyboard" in markup else None


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


def _check_webhook_url(url: str, allow_http: bool) -> None:
    """Telegram posts to https:// on ports 80, 88, 443 or 8443; a stand-in told so also to
    http:// on this machine, on any port."""
    try:
        parsed = urlparse(url)
        port = parsed.port
    except ValueError as exc:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known") from exc
    host = parsed.hostname or ""
    if parsed.scheme == "http" and allow_http and _loopback(host):
        return
    if parsed.scheme != "https":
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if not host:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
    if (port or 443) not in WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class BotApi:
    """Bot API methods over one :class:`State`."""

    def __init__(self, state: State, *, strict_ampersand: bool = True) -> None:
        self.state = state
        self.strict_ampersand = strict_ampersand
        self._methods: dict[str, Method] = {
            "getme": lambda p: self.state.me(),
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

    # --- shared checks --------------------------------------------------------------------

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
        if _inline_only(markup) is not None:
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

    @staticmethod
    def _text_content(
        text: str | None, entities: list[dict[str, Any]], *, caption: bool
    ) -> dict[str, Any]:
        if text is None:
            return {}
        key, entities_key = ("caption", "caption_entities") if caption else ("text", "entities")
        content: dict[str, Any] = {key: text}
        if entities:
            content[entities_key] = entities
        return content

    # --- files ----------------------------------------------------------------------------

    def _resolve_input(self, params: Params, value: Any, field: str) -> Any:
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.values.get(value[len("attach://") :])
        if value is None or value == "":
            raise bad_request(f"there is no {field} in the request")
        return value

    def document_input(self, params: Params, value: Any) -> StoredFile:
        """A document given as an upload, a known file_id or an HTTP URL."""
        value = self._resolve_input(params, value, "document")
        if isinstance(value, Upload):
            if not value.content:
                raise bad_request("file must be non-empty")
            if len(value.content) > MAX_DOCUMENT:
                raise ApiError(413, "Request Entity Too Large")
            guessed = mimetypes.guess_type(value.file_name)[0]
            return self.state.store_file(
                "document",
                value.content,
                file_name=value.file_name,
                mime_type=guessed or value.mime_type or "application/octet-stream",
            )
        text = str(value)
        if re.match(r"https?://", text):
            name = text.rstrip("/").rsplit("/", 1)[-1] or "file"
            return self.state.store_file(
                "document", b"", file_name=name, mime_type=mimetypes.guess_type(name)[0]
            )
        stored = self.state.files.get(text)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != "document":
            raise bad_request("type of file mismatch")
        return stored

    def photo_input(self, params: Params, value: Any) -> list[StoredFile]:
        """A photo given as an upload (must be an image) or a known photo file_id."""
        value = self._resolve_input(params, value, "photo")
        if isinstance(value, Upload):
            if not value.content:
                raise bad_request("file must be non-empty")
            if not is_image(value.content):
                raise bad_request("IMAGE_PROCESS_FAILED")
            return self.state.store_photo(value.content)
        text = str(value)
        if re.match(r"https?://", text):
            raise bad_request("wrong file identifier/HTTP URL specified")  # nothing to fetch
        sizes = self.state.photo_sets.get(text)
        if sizes is None:
            if text in self.state.files:
                raise bad_request("type of file mismatch")
            raise bad_request("wrong file identifier/HTTP URL specified")
        return sizes

    # --- methods --------------------------------------------------------------------------

    def set_webhook(self, params: Params) -> bool:
        """setWebhook: checked as Telegram does; an empty url removes the webhook."""
        url = params.get_str("url")
        if url is None:
            if "url" in params.values:  # an empty url: "remove webhook integration"
                return self.delete_webhook(params)
            raise bad_request('parameter "url" is required')
        _check_webhook_url(url, self.state.allow_http_webhook)
        secret = params.get_str("secret_token")
        if secret is not None:
            if len(secret) > 256:
                raise bad_request("secret token is too long")
            if not _SECRET_TOKEN.fullmatch(secret):
                raise bad_request("secret token contains unallowed characters")
        connections = params.get_int("max_connections") or 40
        allowed = self.state.choose_updates(
            params.get_json("allowed_updates", "can't parse allowed_updates")
        )
        if params.get_bool("drop_pending_updates"):
            self.state.updates.clear()
        self.state.webhook = Webhook(
            url=url,
            secret_token=secret or None,
            max_connections=min(max(connections, 1), 100),
            allowed_updates=allowed,
        )
        return True

    def delete_webhook(self, params: Params) -> bool:
        """Back to getUpdates; optionally drop what is queued."""
        self.state.webhook = None
        if params.get_bool("drop_pending_updates"):
            self.state.updates.clear()
        return True

    def get_webhook_info(self, params: Params) -> dict[str, Any]:
        """The webhook and its last delivery error, or (polling) no URL; how many updates wait."""
        pending = len(self.state.updates)
        if self.state.webhook is None:
            return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}
        return self.state.webhook.info(pending)

    def send_message(self, params: Params) -> dict[str, Any]:
        """sendMessage."""
        markup = self.reply_markup(params)
        text, entities = self.message_text(params, limit_error="message is too long")
        chat = self.state.chat_for(params.chat_id())
        reply_to = self.reply_to(params, chat)
        html, mode = self._html(params, "text")
        message = self.new_message(
            chat,
            self._text_content(text, entities, caption=False),
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
        current = _inline_only(message.reply_markup)
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
        current = _inline_only(message.reply_markup)
        if caption == message.caption and entities == message.entities and markup == current:
            raise bad_request(NOT_MODIFIED)
        message.caption, message.entities = caption, entities
        message.html, message.parse_mode = self._html(params, "caption")
        for key in ("caption", "caption_entities"):
            message.raw.pop(key, None)
        message.raw.update(self._text_content(caption, entities, caption=True))
        self._apply_markup(message, markup)
        message.raw["edit_date"] = int(time.time())
        message.edits += 1
        return message.raw

    def edit_message_reply_markup(self, params: Params) -> dict[str, Any]:
        """editMessageReplyMarkup (an absent markup removes the keyboard)."""
        markup = self.reply_markup(params, inline_only=True)
        _, message = self._editable(params)
        if markup == _inline_only(message.reply_markup):
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

    def answer_callback_query(self, params: Params) -> bool:
        """answerCallbackQuery: once per query, like Telegram."""
        query = self.state.callback_queries.get(params.get_str("callback_query_id") or "")
        if query is None or query.answer is not None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get_str("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answer = {
            "text": text,
            "show_alert": params.get_bool("show_alert"),
            "url": params.get_str("url"),
            "cache_time": params.get_int("cache_time") or 0,
        }
        return True

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

    def send_chat_action(self, params: Params) -> bool:
        """sendChatAction: only Telegram's action names."""
        self.state.chat_for(params.chat_id())
        if params.get_str("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def send_document(self, params: Params) -> dict[str, Any]:
        """sendDocument: upload, file_id or URL."""
        markup = self.reply_markup(params)
        caption, entities = self.caption(params)
        chat = self.state.chat_for(params.chat_id())
        reply_to = self.reply_to(params, chat)
        stored = self.document_input(params, params.values.get("document"))
        content = {"document": stored.document_dict()}
        content.update(self._text_content(caption, entities, caption=True))
        html, mode = self._html(params, "caption")
        message = self.new_message(
            chat, content, markup=markup, html=html, parse_mode=mode, reply_to=reply_to
        )
        return message.raw

    def send_photo(self, params: Params) -> dict[str, Any]:
        """sendPhoto: an uploaded image or a known photo file_id."""
        markup = self.reply_markup(params)
        caption, entities = self.caption(params)
        chat = self.state.chat_for(params.chat_id())
        reply_to = self.reply_to(params, chat)
        sizes = self.photo_input(params, params.values.get("photo"))
        content: dict[str, Any] = {"photo": [s.photo_size_dict() for s in sizes]}
        content.update(self._text_content(caption, entities, caption=True))
        html, mode = self._html(params, "caption")
        message = self.new_message(
            chat, content, markup=markup, html=html, parse_mode=mode, reply_to=reply_to
        )
        return message.raw

    def send_media_group(self, params: Params) -> list[dict[str, Any]]:
        """sendMediaGroup: an album of photos or of documents (not mixed)."""
        chat = self.state.chat_for(params.chat_id())
        media = params.get_json("media", "can't parse media JSON object")
        if not isinstance(media, list):
            raise bad_request("expected an Array of InputMedia")
        if not media:
            raise bad_request("there are no messages to send")
        if len(media) > 10:
            raise bad_request("too many messages to send as an album")
        prepared: list[tuple[dict[str, Any], str | None, str | None]] = []
        kinds: set[str] = set()
        for item in media:
            if not isinstance(item, dict):
                raise bad_request("can't parse InputMedia: expected an Object")
            kind = item.get("type")
            if kind not in ("photo", "document"):
                raise bad_request(f'can\'t parse InputMedia: type "{kind}" is unsupported')
            kinds.add(str(kind))
            item_params = Params(dict(item))
            caption, entities = self.caption(item_params)
            if kind == "photo":
                sizes = self.photo_input(params, item.get("media"))
                content: dict[str, Any] = {"photo": [s.photo_size_dict() for s in sizes]}
            else:
                content = {
                    "document": self.document_input(params, item.get("media")).document_dict()
                }
            content.update(self._text_content(caption, entities, caption=True))
            html, mode = self._html(item_params, "caption")
            prepared.append((content, html, mode))
        if len(kinds) > 1:
            raise bad_request("can't use the media of the specified type in the album")
        reply_to = self.reply_to(params, chat)
        group = self.state.new_media_group_id()
        return [
            self.new_message(
                chat,
                content,
                html=html,
                parse_mode=mode,
                reply_to=reply_to if index == 0 else None,
                media_group_id=group,
            ).raw
            for index, (content, html, mode) in enumerate(prepared)
        ]

    def get_file(self, params: Params) -> dict[str, Any]:
        """getFile: a path under the file URL (PTB prefixes base_file_url)."""
        stored = self.state.files.get(params.get_str("file_id") or "")
        if stored is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        if len(stored.content) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

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
            content.update(self._text_content(caption, entities, caption=True))
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
