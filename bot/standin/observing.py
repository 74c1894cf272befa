"""The stand-in's observing side: what the bot called and sent, and waiting for it.

Tests assert on what a person would see (:meth:`ObservingSide.messages`,
:meth:`ObservingSide.next_message`) and wait on conditions, never on sleeps
(:meth:`ObservingSide.wait_until`, :meth:`ObservingSide.wait_idle`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from .command_menu import resolve_commands
from .core import StandInCore, StandInTimeout
from .models import SentMessage
from .params import ApiError

__all__ = ["ObservingSide"]


class ObservingSide(StandInCore):
    """What the bot did, as tests read it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cursors: dict[int, int] = {}  # per chat: messages next_message returned

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        """Every Bot API call received, in order: (method, decoded parameters)."""
        return self.state.calls

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call to ``method`` (case-insensitive)."""
        return [p for name, p in self.state.calls if name.lower() == method.lower()]

    @property
    def failures(self) -> list[tuple[str, dict[str, Any], ApiError]]:
        """Calls the stand-in refused, with the error it answered."""
        return self.state.failures

    @property
    def refusals(self) -> list[tuple[str, dict[str, Any], ApiError]]:
        """Calls refused on their merits, as Telegram would: the failures without those a
        test injected (:meth:`inject_fault`, :meth:`set_fault_rate`)."""
        return [failure for failure in self.state.failures if not failure[2].injected]

    def messages(self, chat_id: int) -> list[SentMessage]:
        """Every message the bot sent to the chat, in order, as it is now (edits applied)."""
        chat = self.state.chats.get(chat_id)
        return list(chat.sent) if chat else []

    def last_message(self, chat_id: int) -> SentMessage | None:
        """The bot's latest message in the chat, if any."""
        sent = self.messages(chat_id)
        return sent[-1] if sent else None

    async def next_message(self, chat_id: int, timeout: float = 5.0) -> SentMessage:
        """The next bot message in that chat this method has not returned yet (waits for it)."""

        def ready() -> bool:
            return self._cursors.get(chat_id, 0) < len(self.messages(chat_id))

        if not await self._wait_for(ready, timeout):
            raise StandInTimeout(
                f"the bot sent no new message to chat {chat_id} within {timeout}s.\n"
                + self.describe_chat(chat_id)
            )
        index = self._cursors.get(chat_id, 0)
        self._cursors[chat_id] = index + 1
        return self.messages(chat_id)[index]

    def skip_messages(self, chat_id: int) -> list[SentMessage]:
        """Mark every message so far as seen by next_message; returns the ones skipped."""
        index = self._cursors.get(chat_id, 0)
        sent = self.messages(chat_id)
        self._cursors[chat_id] = len(sent)
        return sent[index:]

    def describe_chat(self, chat_id: int) -> str:
        """A readable account of a chat and recent refusals, for assertion messages."""
        sent = self.messages(chat_id)
        seen = self._cursors.get(chat_id, 0)
        lines = [f"chat {chat_id}: {len(sent)} bot message(s), {seen} already returned"]
        lines += [f"  {m.describe()}" for m in sent[-10:]]
        refused = self.state.failures[-5:]
        if refused:
            lines.append("recent refused calls:")
            lines += [f"  {name} -> {exc.status} {exc.description}" for name, _, exc in refused]
        lines.append(f"updates waiting to be fetched/confirmed: {len(self.state.updates)}")
        return "\n".join(lines)

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float = 5.0, description: str = "condition"
    ) -> None:
        """Wait until ``predicate()`` is true; it is re-checked on every change of state."""
        if not await self._wait_for(predicate, timeout):
            raise StandInTimeout(
                f"{description}: still false after {timeout}s.\n"
                f"API calls so far: {[name for name, _ in self.state.calls[-15:]]}"
            )

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """What answerCallbackQuery said for that query (text, show_alert, url, cache_time)."""
        query = self.state.callback_queries.get(query_id)
        return None if query is None else query.answer

    async def wait_callback_answer(self, query_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Wait until the bot answers that callback query."""
        await self.wait_until(
            lambda: self.callback_answer(query_id) is not None,
            timeout,
            f"callback query {query_id} answered",
        )
        answer = self.callback_answer(query_id)
        assert answer is not None
        return answer

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[tuple[str, str]]:
        """What setMyCommands stored for that scope (default scope by default) and language."""
        stored = self.state.commands.get((self.state.scope_key(scope), language_code), [])
        return [(c["command"], c["description"]) for c in stored]

    def commands_for(
        self, chat_id: int, user_id: int, language_code: str | None, *, is_admin: bool = False
    ) -> list[tuple[str, str]]:
        """The menu that person sees in that chat, resolved by scope and language as Telegram
        does (see :mod:`bot.standin.command_menu`)."""
        found = resolve_commands(self.state, chat_id, user_id, language_code, is_admin=is_admin)
        return [(c["command"], c["description"]) for c in found]

    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by a getUpdates offset (webhook: not yet taken
        with a 2xx)."""
        return len(self.state.updates)

    def file_content(self, file_id: str) -> bytes:
        """The bytes behind any file id the stand-in knows."""
        return self.state.files[file_id].content

    async def wait_idle(self, timeout: float = 5.0, settle: float = 0.05) -> None:
        """Wait until every update was fetched and confirmed (webhook: delivered with a 2xx) and
        no API request is running.

        PTB confirms an update (next getUpdates) before its handler finishes, so the quiet
        state must also last ``settle`` seconds with no change at all. For assertions about
        what the bot sent, prefer :meth:`next_message` / :meth:`wait_until`.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout

        def idle() -> bool:
            return not self.state.updates and self._in_flight == 0

        while True:
            remaining = deadline - loop.time()
            if not await self._wait_for(idle, max(remaining, 0.0)):
                raise StandInTimeout(
                    f"the bot did not go idle within {timeout}s: {len(self.state.updates)} "
                    f"update(s) unconfirmed, {self._in_flight} request(s) running"
                )
            if settle <= 0 or not await self._wait_for(self._changed_since(self._version), settle):
                return
            if loop.time() >= deadline:
                raise StandInTimeout(f"the bot kept busy for more than {timeout}s")
