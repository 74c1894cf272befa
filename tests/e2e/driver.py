"""Acting as an officer in tests: type, tap a form's buttons by meaning, read the chat."""

from __future__ import annotations

from dataclasses import dataclass

from bot.standin import SentMessage, StandIn, TgUser


def _matches(data: str, prefix: str, parts: tuple[str | None, ...]) -> bool:
    pieces = data.split(":")
    if pieces[0] != prefix:
        return False
    tail = pieces[2:]
    if prefix == "f":
        tail = tail[1:]  # skip the draft id
    return all(want is None or want == got for want, got in zip(parts, tail, strict=False))


@dataclass
class Officer:
    tg: StandIn
    user: TgUser

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
        await self.tg.send_text(self.user, text)
        return await self.tg.next_message(self.user.id)

    async def photo(self) -> SentMessage:
        await self.tg.send_photo(self.user)
        return await self.tg.next_message(self.user.id)

    async def location(self, latitude: float, longitude: float) -> SentMessage:
        await self.tg.send_location(self.user, latitude, longitude)
        return await self.tg.next_message(self.user.id)

    def find(self, prefix: str, *parts: str | None) -> tuple[SentMessage, str]:
        """The newest message with a button whose data matches, and that data."""
        for message in reversed(self.chat):
            for row in message.buttons:
                for _text, data in row:
                    if data and _matches(data, prefix, parts):
                        return message, data
        raise AssertionError(f"no {prefix} button {parts} in the chat; last: {self.last().text!r}")

    async def tap(self, prefix: str, *parts: str | None) -> dict[str, object]:
        """Tap the button and wait until the bot answered it (it answers last)."""
        message, data = self.find(prefix, *parts)
        query_id = await self.tg.tap(self.user, message, data)
        return await self.tg.wait_callback_answer(query_id)

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
