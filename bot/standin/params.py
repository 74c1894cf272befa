"""Reading Bot API requests the way Telegram does: query string, form, multipart or JSON body.

PTB sends simple values as form fields and complex ones (reply_markup, commands, scope,
entities, media...) as JSON-encoded strings; uploads arrive as multipart file parts. Values
are decoded once here, so recorded calls read naturally (``reply_markup`` is a dict, ``chat_id``
an int) and the method implementations can ask for typed values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

__all__ = ["ApiError", "Params", "Upload", "bad_request", "jsonable", "read_params"]

# Fields Telegram documents as JSON-serialized objects or arrays.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "media",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
        "message_ids",
        "permissions",
        "results",
    }
)
# Fields that are strings even when they look like numbers or JSON.
STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "action",
        "file_id",
        "url",
        "language_code",
        "document",
        "photo",
        "sticker",
        "video",
        "audio",
        "voice",
        "animation",
        "thumbnail",
        "business_connection_id",
        "message_effect_id",
        "title",
        "description",
        "short_description",
        "name",
        "emoji",
        "question",
        "address",
        "phone_number",
        "first_name",
        "last_name",
    }
)


class ApiError(Exception):
    """A Bot API failure answer: HTTP status, description and optional ``parameters``."""

    def __init__(
        self,
        status: int,
        description: str,
        parameters: dict[str, Any] | None = None,
        *,
        injected: bool = False,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters
        #: A failure a test asked for (fault injection), not a call Telegram would refuse.
        self.injected = injected

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram sends with this failure."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """The usual 400 answer; ``detail`` follows Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded in a multipart request."""

    file_name: str
    mime_type: str | None
    content: bytes

    def describe(self) -> dict[str, Any]:
        """What recorded calls and the HTTP control side show instead of the bytes."""
        return {"file_name": self.file_name, "mime_type": self.mime_type, "size": len(self.content)}


def jsonable(value: Any) -> Any:
    """``value`` with uploads and bytes replaced by descriptions, ready for ``json.dumps``."""
    if isinstance(value, Upload):
        return value.describe()
    if isinstance(value, bytes | bytearray):
        return {"size": len(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def decode_form_value(name: str, raw: str) -> Any:
    """Turn one form field into the value Telegram would see."""
    if name in STRING_FIELDS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw  # "@channelname", a file id, or broken JSON the method will reject


async def read_params(request: web.Request) -> dict[str, Any]:
    """Collect every parameter of a Bot API request, whatever encoding the client used."""
    values: dict[str, Any] = {k: decode_form_value(k, v) for k, v in request.query.items()}
    if request.method != "POST" or not request.body_exists:
        return values
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError as exc:
            raise bad_request("can't parse JSON encoded request body") from exc
        if not isinstance(body, dict):
            raise bad_request("JSON object expected as request body")
        for key, value in body.items():
            if key in JSON_FIELDS and isinstance(value, str):
                value = decode_form_value(key, value)
            values[str(key)] = value
    elif content_type.startswith("multipart/"):
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                content = bytes(await part.read(decode=True))
                mime = part.headers.get("Content-Type")
                values[part.name] = Upload(part.filename, mime, content)
            else:
                values[part.name] = decode_form_value(part.name, await part.text())
    else:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                values[key] = decode_form_value(key, value)
            elif isinstance(value, web.FileField):
                values[key] = Upload(value.filename, value.content_type, value.file.read())
            else:
                values[key] = bytes(value)
    return values


class Params:
    """Typed, Telegram-tolerant access to one request's parameters."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def get(self, name: str) -> Any:
        """The decoded value, or None when absent or empty."""
        value = self.values.get(name)
        return None if value == "" else value

    def get_str(self, name: str) -> str | None:
        """A string parameter; numbers and booleans are turned back into their text."""
        value = self.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, Upload):
            return None
        return json.dumps(value)

    def get_int(self, name: str) -> int | None:
        """An integer parameter; like Telegram, text that is no number counts as absent."""
        value = self.get(name)
        if value is None or isinstance(value, int):
            return None if value is None else int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                return None
        return None

    def get_float(self, name: str) -> float | None:
        """A number parameter (coordinates, timeouts)."""
        value = self.get(name)
        if isinstance(value, bool):
            return float(value)
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                return None
        return None

    def get_bool(self, name: str) -> bool:
        """A boolean parameter; Telegram reads "true" and "1" as true, anything else as false."""
        value = self.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def get_json(self, name: str, error: str) -> Any:
        """A JSON-encoded parameter, or a 400 with Telegram's ``error`` when it does not parse."""
        value = self.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise bad_request(error) from exc
        return value

    def chat_id(self, name: str = "chat_id") -> int | str:
        """The target chat: an integer id or an ``@username``."""
        value = self.get(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        if isinstance(value, bool):
            raise bad_request("chat not found")
        if isinstance(value, int):
            return value
        text = str(value).strip()
        try:
            return int(text)
        except ValueError:
            return text

    def message_id(self, name: str = "message_id") -> int:
        """A required message id, refused the way Telegram refuses a missing one."""
        value = self.get_int(name)
        if value is None:
            raise bad_request("message identifier is not specified")
        return value
