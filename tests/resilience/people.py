"""Field officers as a person acts: look at the chat, answer what is asked, try again.

An :class:`Officer` files a report by reading the question on the screen (the form message's
buttons carry the field being asked) and answering it from a :class:`Plan`; nothing depends on
the order of the questions. When the bot does not react, the officer does what a person does:

* the bot was killed and Telegram still holds the update: wait, the restarted bot gets it;
* the update was taken by a bot that died without answering, or no answer came in time: look
  at the chat again and act on what it shows (the same tap or text if nothing changed);
* a button "is no longer active", or the form message lost its buttons: ``/report`` and
  *Continue*; the chooser instead of *Continue* means the report went in: ``/myreports``.

Every report ends with its number, from the receipt, from "already submitted as …" or from
``/myreports``; tests compare those numbers with the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from bot.i18n import Translator
from bot.standin import SentMessage, StandIn, StandInTimeout, TgUser
from tests.resilience.report_plans import (
    Answer,
    Choose,
    Plan,
    Tap,
    Text,
)
from tests.support.bot_process import BotProcess

NUMBER = re.compile(r"\b(?:SZ|JO|IN|DS)-\d{4}-\d{6}\b")
NO_REPORTS = "You have not filed any reports yet. Send /report to file one."
APOLOGY = "Sorry, something went wrong on our side. Please try again in a moment."
FORM_CODES = {"seizure": "SZ", "joint_operation": "JO", "incident": "IN", "daily_status": "DS"}


@dataclass(frozen=True)
class Filed:
    form: str
    draft_id: str
    number: str
    how: str  # "receipt", "already submitted" or "my reports"


@dataclass(frozen=True)
class Continuation:
    """The first answer after a restart to a question a previous bot process had asked."""

    field: str
    accepted: bool
    detail: str
    #: The update ids of this answer and of the one before it (whose reply drew the screen).
    updates: tuple[int, ...] = ()


class LostTrack(AssertionError):
    """The officer could not make sense of the chat (the transcript is in the message)."""


def _menu(message: SentMessage) -> bool:
    """/report's answer: the form chooser, or "continue or discard" the unfinished one."""
    return any(d.startswith("rep:") for d in message.callback_data)


def _listing(message: SentMessage) -> bool:
    """/myreports' answer."""
    return any(d.startswith("my:") for d in message.callback_data)


def _form_parts(data: str) -> list[str] | None:
    pieces = data.split(":")
    return pieces if len(pieces) == 6 and pieces[0] == "f" else None


@dataclass
class Officer:
    tg: StandIn
    user: TgUser
    tr: Translator
    bot: BotProcess
    rng: random.Random
    #: Seconds between seeing the bot's answer and acting again (Telegram's pace is a person's:
    #: the bot's flood guard allows 30 updates in 10 s).
    think: tuple[float, float] = (0.4, 0.6)
    #: How long a person waits for a visible reaction before looking again.
    patience: float = 3.0
    #: Nothing at all for this long (the bot up or not) fails the test.
    give_up: float = 90.0
    filed: list[Filed] = field(default_factory=list)
    continuations: list[Continuation] = field(default_factory=list)
    retries: int = 0
    recoveries: int = 0
    trace: list[str] = field(default_factory=list)
    screen: SentMessage | None = None
    draft_id: str | None = None
    _screen_generation: int = 0
    _clean: bool = False  # the last action got its answer, so the screen shows the draft
    _updates: tuple[int, int] = (0, 0)  # the update ids of the last two actions

    # -- looking at the chat ---------------------------------------------------------------
    @property
    def chat(self) -> list[SentMessage]:
        return self.tg.messages(self.user.id)

    def _t(self, message: str) -> str:
        return self.tr.gettext(message)

    def _asked(self, message: SentMessage | None) -> str | None:
        """The field the form message asks (every question has a Cancel button carrying it)."""
        if message is None or self.draft_id is None:
            return None
        for data in message.callback_data:
            parts = _form_parts(data)
            if parts and parts[2] == self.draft_id:
                return parts[3]
        return None

    def _form_data(self, field_key: str, action: str, arg: str | None = None) -> str | None:
        assert self.screen is not None
        for data in self.screen.callback_data:
            parts = _form_parts(data)
            if (
                parts
                and parts[2] == self.draft_id
                and parts[3] == field_key
                and parts[4] == action
                and (arg is None or parts[5] == arg)
            ):
                return data
        return None

    def _note(self, text: str) -> None:
        self.trace.append(f"[gen {self.bot.generation} {time.monotonic():.1f}] {text}")

    def lost(self, why: str) -> LostTrack:
        return LostTrack(
            f"officer {self.user.id} ({self.tr.language}): {why}\n"
            + "\n".join(self.trace[-25:])
            + "\n"
            + self.tg.describe_chat(self.user.id)
            + "\n--- bot log ---\n"
            + self.bot.log_tail(15)
        )

    def _check_flood(self, messages: list[SentMessage]) -> None:
        flood = self._t(
            "You are sending messages faster than I can read them. Please wait a minute, "
            "then continue."
        )
        if any(m.text == flood for m in messages):
            raise self.lost("the flood guard tripped: the test's load pattern is too fast")

    async def pause(self) -> None:
        """A person's pace between two actions (the load pattern, not a wait for the bot)."""
        await asyncio.sleep(self.rng.uniform(*self.think))

    # -- acting and waiting ------------------------------------------------------------------
    async def _wait(self, responded: Callable[[], bool], pending: Callable[[], bool]) -> bool:
        """Until the bot reacts (True) or a person would look again (False)."""
        loop = asyncio.get_running_loop()
        hard = loop.time() + self.give_up

        def changed(generation: int) -> bool:
            return responded() or self.bot.generation != generation or not self.bot.ready.is_set()

        generation = self.bot.generation
        deadline = loop.time() + self.patience
        while True:
            if responded():
                return True
            if loop.time() > hard:
                raise self.lost(f"no reaction at all for {self.give_up}s")
            if self.bot.generation != generation or not self.bot.ready.is_set():
                # The bot was killed. Whatever Telegram still holds, the next process gets.
                try:
                    await asyncio.wait_for(self.bot.ready.wait(), max(hard - loop.time(), 0.1))
                except TimeoutError:
                    raise self.lost("the bot never came back") from None
                generation = self.bot.generation
                if responded():
                    return True
                if not pending():
                    self._note("a bot that died took it without answering")
                    return False
                deadline = loop.time() + self.patience
                continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                self._note(f"no answer within {self.patience}s")
                return False
            with contextlib.suppress(StandInTimeout):
                await self.tg.wait_until(partial(changed, generation), timeout=remaining)

    async def _type(
        self, text: str, expect: Callable[[SentMessage], bool]
    ) -> tuple[bool, list[SentMessage]]:
        """Send text; (answered, the bot's new messages). Only a message the officer expects
        counts as the answer: an apology for an earlier action can arrive in between."""
        before = len(self.chat)
        update = await self.tg.send_text(self.user, text)
        update_id = int(update["update_id"])
        self._updates = (self._updates[1], update_id)
        self._note(f"types {text!r}")
        answered = await self._wait(
            lambda: any(expect(m) for m in self.chat[before:]),
            lambda: any(u["update_id"] == update_id for u in self.tg.state.updates),
        )
        new = self.chat[before:]
        self._check_flood(new)
        return answered, new

    async def _tap(self, message: SentMessage, data: str) -> tuple[bool, dict[str, object] | None]:
        """Tap a button; (answered, the callback answer). The bot answers a tap last, also
        when handling it failed (the error handler does, before apologising)."""
        before = len(self.chat)
        update_id = self.tg.state.next_update_id  # tap() queues it before its first await
        query_id = await self.tg.tap(self.user, message, data)
        self._updates = (self._updates[1], update_id)
        self._note(f"taps {data.split(':', 3)[-1]!r} on #{message.message_id}")

        def pending() -> bool:
            return any(
                u.get("callback_query", {}).get("id") == query_id for u in self.tg.state.updates
            )

        answered = await self._wait(lambda: self.tg.callback_answer(query_id) is not None, pending)
        self._check_flood(self.chat[before:])
        return answered, self.tg.callback_answer(query_id)

    def _responded(self, answered: bool) -> bool:
        """Book-keeping after an action; True when it continued a draft across a restart."""
        continued = answered and self._clean and self.bot.generation > self._screen_generation
        self._clean = answered
        if answered:
            self._screen_generation = self.bot.generation
        else:
            self.retries += 1
        return continued

    # -- filing ------------------------------------------------------------------------------
    async def file(self, plan: Plan, *, until: str | None = None) -> Filed | None:
        """File one report from start to receipt, whatever the bot goes through meanwhile.

        With ``until``, stop when the form asks that field (and return None); :meth:`go_on`
        continues from there.
        """
        self.screen, self.draft_id, self._clean = None, None, False
        self._note(f"files a {plan.form}")
        return await self.go_on(plan, until=until)

    async def go_on(self, plan: Plan, *, until: str | None = None) -> Filed | None:
        """Continue the report under way (see :meth:`file`)."""
        for _ in range(500):
            if self.screen is None:
                done = await self._open(plan)
                if done is not None:
                    return done
                continue
            if not self._clean:
                self._look_again()
            asked = self._asked(self.screen)
            if asked is None:
                # The form message has no buttons of this draft any more: after "submit" the
                # summary loses them. Did the report go in? /report tells.
                self.screen = None
                continue
            if asked == until:
                return None
            if asked not in plan.answers:
                raise self.lost(f"the form asks {asked!r}, which the plan does not answer")
            done = await self._answer(plan, asked, plan.answers[asked])
            if done is not None:
                self.filed.append(done)
                return done
            await self.pause()
        raise self.lost("500 actions and still no receipt")

    def _look_again(self) -> None:
        """No answer came in time: a person looks at the chat before acting again, and a
        question of the draft that arrived meanwhile is what they answer."""
        assert self.screen is not None
        for message in reversed(self.chat):
            if message.message_id <= self.screen.message_id:
                return
            if self._asked(message) is not None:
                self._note(f"looks again: #{message.message_id} asks {self._asked(message)!r}")
                self.screen = message
                return

    async def _answer(self, plan: Plan, asked: str, answer: Answer) -> Filed | None:
        assert self.screen is not None
        if isinstance(answer, Text):
            answered, new = await self._type(answer.text, lambda m: self._asked(m) is not None)
            continued = self._responded(answered)
            screens = [m for m in new if self._asked(m) is not None]
            accepted = bool(screens) and not screens[-1].content.startswith("⚠️")
            if screens:
                self.screen = screens[-1]
            if continued:
                self._continued(asked, accepted, new[-1].content[:80] if new else "")
            return None
        if isinstance(answer, Choose):
            data = self._choice(asked, answer.options)
        else:
            data = self._form_data(asked, answer.action, answer.arg)
            if data is None and asked == "items":
                data = self._form_data(asked, "more", "add")
        if data is None:
            raise self.lost(f"no button for {answer} on the question {asked!r}")
        answered, reply = await self._tap(self.screen, data)
        continued = self._responded(answered)
        text = str((reply or {}).get("text") or "")
        accepted = reply is not None and not text
        if continued:
            self._continued(asked, accepted, text)
        if asked == "_" and isinstance(answer, Tap) and answer.action == "submit":
            number = self._receipt(text)
            if number is not None:
                return Filed(plan.form, self.draft_id or "", number[0], number[1])
        stale = (self._t("This button is no longer active."), self._t("This form is closed."))
        if text in stale and self._asked(self.screen) in (asked, None):
            # The screen shows a question the draft is no longer at (its edit was lost), and
            # the bot did not bring the message up to date: look again with /report.
            self._note(f"told {text!r}: looks again with /report")
            self.screen = None
        return None

    def _continued(self, asked: str, accepted: bool, detail: str) -> None:
        self._note(f"continued {asked!r} after a restart: accepted={accepted}")
        self.continuations.append(Continuation(asked, accepted, detail, self._updates))

    def _choice(self, asked: str, wanted: frozenset[str]) -> str | None:
        """The next tap of a multiple choice: an option to (un)tick, else Done."""
        assert self.screen is not None
        for row in self.screen.buttons:
            for label, data in row:
                parts = _form_parts(data or "")
                if not parts or parts[3] != asked or parts[4] != "opt":
                    continue
                if (parts[5] in wanted) != label.startswith("✅"):
                    return data
        return self._form_data(asked, "done")

    def _receipt(self, alert: str) -> tuple[str, str] | None:
        """The report's number: from the receipt message or from "already submitted as …"."""
        found = NUMBER.search(alert)
        if found:
            return found.group(0), "already submitted"
        for message in reversed(self.chat[-3:]):
            found = NUMBER.search(message.content)
            if found and found.group(0) not in {f.number for f in self.filed}:
                return found.group(0), "receipt"
        return None

    async def _open(self, plan: Plan) -> Filed | None:
        """/report: start the form, or continue the unfinished one; a Filed if it went in."""
        self.recoveries += self.draft_id is not None
        answered, new = await self._type("/report", _menu)
        self._responded(answered)
        menus = [m for m in new if _menu(m)]
        if not menus:
            await self.pause()
            return None  # lost or an apology: look again
        menu = menus[-1]
        if "rep:v1:resume" in menu.callback_data:
            await self.pause()
            # A person looks at the screen again: a /report sent twice (no answer came the first
            # time) moved the buttons to the newer "continue or discard?" message.
            shown = [m for m in self.chat if "rep:v1:resume" in m.callback_data]
            if not shown:
                return None
            menu = shown[-1]
            answered, reply = await self._tap(menu, "rep:v1:resume")
            self._responded(answered)
            if answered and reply is not None and not reply.get("text"):
                self.screen = menu  # edited into the current question
                if self.draft_id is None:
                    self.draft_id = self._draft_of(menu)
            await self.pause()
            return None
        if self.draft_id is not None:
            # No unfinished report although this one was under way: it went in without the
            # receipt reaching the officer. A person looks it up.
            return await self._look_up(plan)
        await self.pause()
        answered, reply = await self._tap(menu, f"rep:v1:new:{plan.form}")
        self._responded(answered)
        draft = self._draft_of(menu)
        if draft is not None:
            self.draft_id, self.screen = draft, menu
            self._note(f"draft {draft}")
        await self.pause()
        return None

    @staticmethod
    def _draft_of(message: SentMessage) -> str | None:
        for data in message.callback_data:
            parts = _form_parts(data)
            if parts:
                return parts[2]
        return None

    async def _look_up(self, plan: Plan) -> Filed | None:
        await self.pause()
        answered, new = await self._type(
            "/myreports", lambda m: _listing(m) or m.text == self._t(NO_REPORTS)
        )
        self._responded(answered)
        known = {f.number for f in self.filed}
        code = FORM_CODES[plan.form]
        for message in reversed(new):
            numbers = [NUMBER.search(t) for t in message.button_texts]
            fresh = [n.group(0) for n in numbers if n and n.group(0) not in known]
            fresh = [n for n in fresh if n.startswith(code + "-")]
            if fresh:
                filed = Filed(plan.form, self.draft_id or "", max(fresh), "my reports")
                self.filed.append(filed)
                self._note(f"found {filed.number} in /myreports")
                return filed
        await self.pause()
        return None
