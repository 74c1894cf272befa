"""Acting as a person: what a test or a benchmark does where a person would type and tap.

Every button is found by its meaning (``prefix`` and parts of its callback data, as the bot
builds it: ``f:<field>:<draft>:<action>…`` for a form's), never by its label, so a test reads
the same in every language. :class:`Officer` types and taps through the stand-in's person side
and waits for the bot's answer on stand-in state (tests/e2e; the load benchmark times it);
:class:`UpdateFactory` builds the updates themselves, as Telegram delivers them, for a caller
that hands them to ``application.process_update`` (the in-process benchmarks).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bot.standin import SentMessage, StandIn, TgUser
from tests.support.memory_bot_api import BOT_USER, JsonDict


def button_matches(data: str, prefix: str, parts: Sequence[str | None]) -> bool:
    """``data`` is a ``prefix`` button whose parts (after a form's draft id) begin with
    ``parts``; a None part matches anything."""
    pieces = data.split(":")
    if pieces[0] != prefix:
        return False
    tail = pieces[3:] if prefix == "f" else pieces[2:]  # skip the form buttons' draft id
    return all(want is None or want == got for want, got in zip(parts, tail, strict=False))


def find_button(
    messages: Sequence[SentMessage], prefix: str, *parts: str | None
) -> tuple[SentMessage, str] | None:
    """The newest of ``messages`` with a matching button, and that button's data."""
    for message in reversed(messages):
        for data in message.callback_data:
            if button_matches(data, prefix, parts):
                return message, data
    return None


@dataclass
class Officer:
    """Somebody in their private chat with the bot; each step waits for the bot's answer for
    at most ``timeout`` seconds."""

    tg: StandIn
    user: TgUser
    timeout: float = 5.0
    #: The last text's update id and the last tap's callback query id (to match timings).
    last_update_id: int | None = None
    last_query_id: str | None = None

    @property
    def chat(self) -> list[SentMessage]:
        return self.tg.messages(self.user.id)

    def last(self) -> SentMessage:
        return self.chat[-1]

    def screen(self) -> SentMessage:
        """The current question: the newest message with buttons (else the newest one)."""
        carrying = self.with_buttons()
        return carrying[-1] if carrying else self.last()

    def with_buttons(self) -> list[SentMessage]:
        """The bot's messages in this chat that still carry buttons, oldest first."""
        return [m for m in self.chat if m.buttons and not m.deleted]

    async def say(self, text: str) -> SentMessage:
        """Send text and return the bot's next message."""
        update = await self.tg.send_text(self.user, text)
        self.last_update_id = int(update["update_id"])
        return await self.tg.next_message(self.user.id, timeout=self.timeout)

    async def photo(self) -> SentMessage:
        await self.tg.send_photo(self.user)
        return await self.tg.next_message(self.user.id, timeout=self.timeout)

    async def location(self, latitude: float, longitude: float) -> SentMessage:
        await self.tg.send_location(self.user, latitude, longitude)
        return await self.tg.next_message(self.user.id, timeout=self.timeout)

    def find(self, prefix: str, *parts: str | None) -> tuple[SentMessage, str]:
        """The newest message with a button whose data matches, and that data."""
        found = find_button(self.chat, prefix, *parts)
        if found is None:
            last = self.tg.last_message(self.user.id)
            raise AssertionError(
                f"no {prefix} button {parts} in the chat; last: {last.text if last else None!r}"
            )
        return found

    async def tap(self, prefix: str, *parts: str | None) -> dict[str, object]:
        """Tap the button and wait until the bot answered it (it answers last)."""
        return await self.press(*self.find(prefix, *parts))

    async def press(self, message: SentMessage, data: str) -> dict[str, object]:
        """Tap the button with ``data`` under ``message``; the bot's answer to the tap."""
        self.last_query_id = await self.tg.tap(self.user, message, data)
        return await self.tg.wait_callback_answer(self.last_query_id, timeout=self.timeout)

    async def tap_form(self, field: str, action: str, arg: str | None = None) -> dict[str, object]:
        return await self.tap("f", field, action, arg)

    async def skip_route(self) -> None:
        """Skip a seizure's four route questions (origin, departure, transit, destination)
        with the one button the first of them has for that."""
        await self.tap_form("origin", "skip_route")

    async def start_form(self, form: str) -> SentMessage:
        chooser = await self.say("/report")
        assert chooser.buttons, chooser.text
        await self.tap("rep", "new", form)
        return self.last()


#: The next ``update_id`` of any :class:`UpdateFactory`.
_UPDATE_IDS = itertools.count(1)


@dataclass
class UpdateFactory:
    """Updates from one person in their private chat.

    ``update_id`` (also the user message's ``message_id``) comes from one counter for the whole
    process, so it is unique even when several people's factories take turns.
    """

    user_id: int
    first_name: str = "Ada"
    last_name: str = "Lovelace"
    username: str = "ada"
    language_code: str = "en"

    def _person(self) -> JsonDict:
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
        }

    def _user_message(self, update_id: int, content: JsonDict) -> JsonDict:
        return {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {
                "id": self.user_id,
                "type": "private",
                "first_name": self.first_name,
                "last_name": self.last_name,
                "username": self.username,
            },
            "from": self._person(),
            **content,
        }

    @staticmethod
    def _take_id() -> int:
        return next(_UPDATE_IDS)

    def message(self, text: str) -> JsonDict:
        update_id = self._take_id()
        content: JsonDict = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return {"update_id": update_id, "message": self._user_message(update_id, content)}

    def photo(self) -> JsonDict:
        """A photo as Telegram delivers it: three sizes, each with its own file ids."""
        update_id = self._take_id()
        sizes = [
            {
                "file_id": f"AgACAgIAAxkBAAI{update_id:08d}x{side}",
                "file_unique_id": f"AQAD{update_id:08d}{side}",
                "width": side,
                "height": side * 3 // 4,
                "file_size": side * 90,
            }
            for side in (90, 320, 800)
        ]
        return {"update_id": update_id, "message": self._user_message(update_id, {"photo": sizes})}

    def callback(self, data: str, message: JsonDict) -> JsonDict:
        """A tap on an inline button with ``data`` under the bot's ``message``."""
        update_id = self._take_id()
        query = {
            "id": f"{self.user_id}{update_id:012d}",
            "from": self._person(),
            "message": message,
            "chat_instance": f"{self.user_id}{BOT_USER['id']}",
            "data": data,
        }
        return {"update_id": update_id, "callback_query": query}
