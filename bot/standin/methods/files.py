"""Bot API files: sendDocument, sendPhoto, sendMediaGroup and getFile.

A file comes as an upload, a known file_id or (documents) an HTTP URL; photos must be images.
Every file is kept, so a test can read the bytes the bot sent and the bot can download what a
person sent.
"""

from __future__ import annotations

import mimetypes
import re
from typing import Any

from ..params import ApiError, Params, Upload, bad_request
from ..records import StoredFile, is_image
from .base import MethodBase, text_content

__all__ = ["FileMethods"]

MAX_DOCUMENT = 50 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024


class FileMethods(MethodBase):
    """Sending and fetching documents and photos."""

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

    def send_document(self, params: Params) -> dict[str, Any]:
        """sendDocument: upload, file_id or URL."""
        markup = self.reply_markup(params)
        caption, entities = self.caption(params)
        chat = self.state.chat_for(params.chat_id())
        reply_to = self.reply_to(params, chat)
        stored = self.document_input(params, params.values.get("document"))
        content = {"document": stored.document_dict()}
        content.update(text_content(caption, entities, caption=True))
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
        content.update(text_content(caption, entities, caption=True))
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
            content.update(text_content(caption, entities, caption=True))
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
