"""One person's chat in the web chat: what they see, and what they send, tap and share.

The JSON API under ``/api/chats/{id}/…`` and ``/api/files/{file_id}`` (listed in
:mod:`bot.sandbox.web`), over the stand-in's person side; every input is checked as Telegram's
app would limit it (text length, coordinates, a photo's kind and size) before the stand-in sees
it.
"""

from __future__ import annotations

import mimetypes
import urllib.parse

from aiohttp import web

from bot.standin import StandIn

from .cast import Cast, CastMember
from .people import TELEGRAM_LANGUAGES, PersonView, person_view
from .web_security import BadInput, error_response, json_response, read_body, read_json
from .web_views import IMAGE_LIMIT, chat_messages, find_message, image_kind, refusals_in

__all__ = ["FILES_HELD_LIMIT", "TEXT_LIMIT", "PersonChats"]

TEXT_LIMIT = 4096  # what Telegram lets a person type in one message
#: What the stand-in keeps in memory of all files at most before photo uploads are refused
#: (until a reset): a script cannot fill the machine's memory ten megabytes at a time.
FILES_HELD_LIMIT = 256 * 1024 * 1024


class PersonChats:
    """The routes of every cast member's chat; ``languages`` is shared with the web chat (the
    app language each person chose, forgotten on a reset)."""

    def __init__(self, standin: StandIn, cast: Cast, languages: dict[int, str]) -> None:
        self._standin = standin
        self._cast = cast
        self._languages = languages

    def routes(self) -> list[web.RouteDef]:
        """The chats' routes, for the web chat's application."""
        chat = r"/api/chats/{chat_id:-?\d{1,20}}"
        return [
            web.get(chat + "/messages", self._messages),
            web.post(chat + "/messages", self._send_text),
            web.post(chat + "/taps", self._tap),
            web.post(chat + "/locations", self._location),
            web.post(chat + "/photos", self._photo),
            web.post(chat + "/language", self._set_language),
            web.get(chat + "/commands", self._commands),
            web.get(r"/api/files/{file_id:[A-Za-z0-9_-]{1,100}}", self._file),
        ]

    def language_of(self, member: CastMember) -> str:
        """The app language the person chose here, else the one the cast gave them."""
        return self._languages.get(member.telegram_id, member.language)

    def _view(self, request: web.Request) -> PersonView:
        member = self._cast.member(int(request.match_info["chat_id"]))
        if member is None:
            raise web.HTTPNotFound(reason="No such person")
        return person_view(self._cast, member, self._languages)

    async def _messages(self, request: web.Request) -> web.Response:
        view = self._view(request)
        return json_response(
            {
                "messages": chat_messages(self._standin, view.chat.id),
                "refusals": refusals_in(self._standin, view.chat.id),
                "language": self.language_of(view.member),
            }
        )

    async def _send_text(self, request: web.Request) -> web.Response:
        view = self._view(request)
        text = (await read_json(request)).get("text")
        if not isinstance(text, str) or not text.strip():
            raise BadInput("text must be a non-empty string")
        if len(text.encode("utf-16-le")) // 2 > TEXT_LIMIT:
            raise BadInput("text is longer than 4096 characters")
        update = await self._standin.send_text(view.sender, text, chat=view.chat)
        return json_response({"ok": True, "message_id": update["message"]["message_id"]})

    async def _tap(self, request: web.Request) -> web.Response:
        view = self._view(request)
        body = await read_json(request)
        message_id, data = body.get("message_id"), body.get("data")
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            raise BadInput("message_id must be a number")
        if not isinstance(data, str) or not data:
            raise BadInput("data must be a non-empty string")
        message = find_message(self._standin, view.chat.id, message_id)
        if message is None:
            raise web.HTTPNotFound(reason="No such message")
        if data not in message.callback_data:
            raise BadInput("the message has no such button now")
        query_id = await self._standin.tap(view.sender, message, data)
        return json_response({"ok": True, "callback_query_id": query_id})

    async def _location(self, request: web.Request) -> web.Response:
        view = self._view(request)
        body = await read_json(request)
        latitude, longitude = body.get("latitude"), body.get("longitude")
        for value, low, high in ((latitude, -90, 90), (longitude, -180, 180)):
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise BadInput("latitude and longitude must be numbers")
            if not low <= value <= high:
                raise BadInput("latitude or longitude out of range")
        assert isinstance(latitude, int | float) and isinstance(longitude, int | float)
        update = await self._standin.send_location(
            view.sender, float(latitude), float(longitude), chat=view.chat
        )
        return json_response({"ok": True, "message_id": update["message"]["message_id"]})

    async def _photo(self, request: web.Request) -> web.Response:
        view = self._view(request)
        try:
            content = await read_body(request, IMAGE_LIMIT)
        except web.HTTPRequestEntityTooLarge:
            return error_response(413, "the photo is larger than 10 MB")
        if image_kind(content) is None:
            return error_response(415, "only JPEG, PNG or WebP photos can be sent")
        if self._files_held() + len(content) > FILES_HELD_LIMIT:
            return error_response(507, "the sandbox holds too many files: reset it")
        update = await self._standin.send_photo(view.sender, chat=view.chat, content=content)
        return json_response({"ok": True, "message_id": update["message"]["message_id"]})

    async def _set_language(self, request: web.Request) -> web.Response:
        view = self._view(request)
        language = (await read_json(request)).get("language")
        if language not in TELEGRAM_LANGUAGES:
            raise BadInput("language must be uz, ru or en")
        assert isinstance(language, str)
        speaker = view.sender.id
        self._languages[speaker] = language
        self._languages[view.member.telegram_id] = language
        return json_response({"ok": True, "language": language})

    async def _commands(self, request: web.Request) -> web.Response:
        view = self._view(request)
        found = self._standin.commands_for(view.chat.id, view.sender.id, view.sender.language_code)
        return json_response({"commands": [{"command": c, "description": d} for c, d in found]})

    async def _file(self, request: web.Request) -> web.StreamResponse:
        stored = self._standin.state.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound(reason="No such file")
        if stored.kind == "photo":
            mime = image_kind(stored.content) or "application/octet-stream"
            return web.Response(body=stored.content, content_type=mime)
        guessed = stored.mime_type or mimetypes.guess_type(stored.file_name or "")[0]
        name = stored.file_name or "file"
        disposition = "attachment; filename*=UTF-8''" + urllib.parse.quote(name, safe="")
        return web.Response(
            body=stored.content,
            content_type=guessed or "application/octet-stream",
            headers={"Content-Disposition": disposition},
        )

    def _files_held(self) -> int:
        """Bytes of every file the stand-in keeps (a photo's sizes share one content)."""
        contents = {id(f.content): len(f.content) for f in self._standin.state.files.values()}
        return sum(contents.values())
