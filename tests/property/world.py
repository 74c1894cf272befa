"""An in-process Telegram for property tests: the stand-in's Bot API without HTTP, the real app.

The application talks to the stand-in through ``StandInRequest`` (tests/support/memory_bot_api.py,
no sockets): replies are validated exactly as the stand-in validates them, at in-memory speed.
People act through the stand-in's person side (``send_text``, ``tap(forge=True)``,
``send_photo`` …); :meth:`World.flush` then feeds the queued updates to
``application.process_update`` one by one, as polling would. What a sequence left behind is
read by tests/property/observations.py.
"""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import Update

from bot.app import build_application
from bot.config import LANGUAGES, Secret, Settings
from bot.context import FieldReportApplication
from bot.equivalents import WEIGHT_ONLY
from bot.filing import new_report
from bot.flood import FloodGuard
from bot.forms.definitions import FORMS
from bot.i18n import Catalogs
from bot.standin import SentMessage, StandIn, TgUser
from storage import Database, Role, UserStatus
from storage.clock import utc_now
from tests.support.driver import find_button as find_in
from tests.support.memory_bot_api import FAKE_API_URL, StandInRequest

TOKEN = "123456:PROPERTY-token"
BOT_USERNAME = "fieldreport_bot"
APOLOGY_MSGID = "Sorry, something went wrong on our side. Please try again in a moment."


@dataclass(frozen=True, repr=False)
class Person:
    """Somebody who talks to the bot; ``role`` None is a stranger."""

    user: TgUser
    role: Role | None
    unit_code: str | None = None
    language: str | None = None
    blocked: bool = False

    @property
    def id(self) -> int:
        return self.user.id

    def __repr__(self) -> str:  # what a falsifying example shows
        return f"{self.user.first_name}({self.role.value if self.role else 'stranger'})"


ADMIN = Person(
    TgUser(id=5001, first_name="Dilnoza", username="dilnoza", language_code="ru"),
    Role.ADMIN,
    "IMT-TAS",
)
OFFICER_A = Person(
    TgUser(id=8001, first_name="Bekzod", username="bekzod", language_code="uz"),
    Role.OFFICER,
    "IMT-TER",
    language="uz",
)
OFFICER_B = Person(
    TgUser(id=8002, first_name="Sardor", username="sardor", language_code="en"),
    Role.OFFICER,
    "IMT-AND",
    language="en",
)
COORDINATOR = Person(
    TgUser(id=7001, first_name="Olga", username="olga", language_code="ru"), Role.COORDINATOR
)
BLOCKED = Person(
    TgUser(id=8003, first_name="Timur", language_code="en"),
    Role.OFFICER,
    "IMT-TER",
    blocked=True,
)
STRANGER = Person(TgUser(id=9001, first_name="Mallory", language_code="en"), None)
PEOPLE: tuple[Person, ...] = (ADMIN, OFFICER_A, OFFICER_B, COORDINATOR, BLOCKED, STRANGER)


@dataclass
class World:
    """The real application, the in-process stand-in, and what went wrong in between."""

    tg: StandIn
    app: FieldReportApplication
    errors: list[BaseException] = field(default_factory=list)
    #: The Bot API side, to inject faults into the bot's calls (``request.arm``).
    request: StandInRequest | None = None
    #: Every update handed to the application, in order (to deliver one again).
    delivered: list[dict[str, Any]] = field(default_factory=list)

    @property
    def database_path(self) -> Path:
        return self.app.services.settings.database_path

    async def flush(self) -> None:
        """Process every queued update, in order, the way polling would hand them over."""
        state = self.tg.state
        while state.updates:
            data = state.updates.pop(0)
            self.delivered.append(data)
            await self._process(data)

    async def _process(self, data: dict[str, Any]) -> None:
        before = asyncio.all_tasks()
        await self.app.process_update(Update.de_json(copy.deepcopy(data), self.app.bot))
        # Work a handler started in the background (an export) belongs to this update.
        spawned = asyncio.all_tasks() - before - {asyncio.current_task()}
        if spawned:
            await asyncio.gather(*spawned)

    async def redeliver(self, person: Person) -> bool:
        """Hand the person's last update to the application again, ``update_id`` and all, as
        Telegram does when the bot died before confirming it; False when there is none."""
        for data in reversed(self.delivered):
            if _sender(data) == person.id:
                await self._process(data)
                return True
        return False

    async def edit(self, person: Person, text: str) -> bool:
        """The person edits the last text message they sent into ``text`` (Telegram sends an
        ``edited_message`` update with the same message id); False when they sent none."""
        for data in reversed(self.delivered):
            message = data.get("message")
            if _sender(data) == person.id and isinstance(message, dict) and "text" in message:
                edited = {**copy.deepcopy(message), "text": text, "edit_date": message["date"] + 1}
                edited.pop("entities", None)
                await self.tg.send_update({"edited_message": edited})
                await self.flush()
                return True
        return False

    async def say(self, person: Person, text: str) -> None:
        await self.tg.send_text(person.user, text)
        await self.flush()

    async def tap(self, person: Person, message: SentMessage, data: str) -> str:
        query_id = await self.tg.tap(person.user, message, data, forge=True)
        await self.flush()
        return query_id

    async def photo(self, person: Person) -> None:
        await self.tg.send_photo(person.user)
        await self.flush()

    async def location(self, person: Person, latitude: float, longitude: float) -> None:
        await self.tg.send_location(person.user, latitude, longitude)
        await self.flush()

    async def sticker(self, person: Person) -> None:
        await self.tg.send_sticker(person.user)
        await self.flush()

    def texts(self, chat_id: int) -> list[str]:
        """Everything a chat shows: texts, captions (visible text, edits applied)."""
        return [m.text or m.caption or "" for m in self.tg.messages(chat_id)]

    def documents(self, chat_id: int) -> list[bytes]:
        """The bytes of every document the bot sent to a chat."""
        found = []
        for message in self.tg.messages(chat_id):
            document = message.raw.get("document")
            if isinstance(document, dict):
                found.append(self.tg.file_content(str(document["file_id"])))
        return found


async def seed(path: Path, people: Sequence[Person]) -> None:
    """Register ``people`` and file one daily-status report per active officer."""
    db = await Database.open(path)
    try:
        async with db.transaction() as repos:
            for person in people:
                if person.role is None:
                    continue
                unit = await repos.units.get_by_code(person.unit_code) if person.unit_code else None
                account = await repos.users.create(
                    telegram_id=person.id,
                    role=person.role,
                    display_name=person.user.first_name,
                    username=person.user.username,
                    unit_id=unit.id if unit else None,
                    language=person.language,
                )
                await repos.users.update_profile(
                    person.id,
                    display_name=person.user.first_name,
                    username=person.user.username,
                    telegram_language=person.user.language_code,
                )
                if person.blocked:
                    await repos.users.set_status(person.id, UserStatus.BLOCKED)
                if person.role is Role.OFFICER and unit is not None and not person.blocked:
                    await repos.reports.create(
                        new_report(
                            FORMS["daily_status"],
                            {"remarks": f"seeded by {person.id}"},
                            draft_id=f"seed-{person.id}",
                            author=account,
                            unit_id=unit.id,
                            now=utc_now() - timedelta(hours=1),
                            timezone=Settings().timezone,
                            factors=WEIGHT_ONLY,
                        )
                    )
    finally:
        await db.close()


@asynccontextmanager
async def running_world(directory: Path, people: Sequence[Person] = PEOPLE) -> AsyncIterator[World]:
    """The real ``build_application`` on a fresh database, talking to an in-process stand-in.

    The flood guard is widened: a generated sequence sends dozens of updates a second, which a
    person cannot, and a silenced person's taps are (by design) never answered.
    """
    tg = StandIn(token=TOKEN, bot_username=BOT_USERNAME)  # never started: no HTTP at all
    for person in people:
        tg.add_chat(person.user)  # they have talked to the bot before: Telegram knows the chat
    settings = Settings(
        bot_token=Secret(TOKEN),
        telegram_api_url=FAKE_API_URL,  # nothing here opens a socket anyway
        database_path=directory / "property.sqlite3",
        admin_ids=(ADMIN.id,),
        run_jobs=False,
        rate_limit=False,
    )
    await seed(settings.database_path, people)
    request = StandInRequest(tg)
    app = build_application(settings, request=request, get_updates_request=StandInRequest(tg))
    app.services.flood = FloodGuard(limit=10**9)
    world = World(tg, app, request=request)

    async def spy(update: object, context: Any) -> None:
        world.errors.append(context.error)

    app.add_error_handler(spy)
    await app.initialize()
    try:
        yield world
    finally:
        await app.shutdown()


def _sender(update: dict[str, Any]) -> int | None:
    for key, value in update.items():
        if key != "update_id" and isinstance(value, dict) and isinstance(value.get("from"), dict):
            return int(value["from"]["id"])
    return None


def translations_of(*msgids: str) -> set[str]:
    """Each message in every language the bot speaks."""
    catalogs = Catalogs(Settings().timezone)
    return {
        catalogs.translator(language).gettext(msgid) for msgid in msgids for language in LANGUAGES
    }


# --- acting like a person -------------------------------------------------------------------

#: How Telegram marks a command (bot/standin/server.py follows it): ``/name[@bot]`` followed by
#: the end of the text or by a character that cannot continue it.
TELEGRAM_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


def routed_command(text: str, bot_username: str = BOT_USERNAME) -> str | None:
    """The command PTB's CommandHandler runs for ``text``: the one Telegram's entity marks."""
    match = TELEGRAM_COMMAND.match(text)
    if not match or re.match(r"[\w/<>]", text[match.end() : match.end() + 1]):
        return None
    name, _, addressee = match.group()[1:].partition("@")
    if addressee and addressee.lower() != bot_username.lower():
        return None
    return name.lower()


def find_button(
    world: World, person: Person, prefix: str, *parts: str | None
) -> tuple[SentMessage, str] | None:
    """The newest message in the person's chat with a matching button, and that button's data."""
    return find_in(world.tg.messages(person.id), prefix, *parts)


async def press(world: World, person: Person, prefix: str, *parts: str | None) -> bool:
    """Tap the button a person would (False when the chat shows none such)."""
    found = find_button(world, person, prefix, *parts)
    if found is None:
        return False
    await world.tap(person, *found)
    return True


async def file_report(world: World, person: Person, form: str, texts: dict[str, str]) -> bool:
    """Try to file a whole ``form`` the way the e2e tests do, typing ``texts`` into its free-text
    questions (keys: place, descr, caseref, notes, result, remarks); False when the bot did not
    lead there (not a filer, a draft already open, a text refused…)."""

    async def tap(*parts: str | None) -> bool:
        return await press(world, person, "f", *parts)

    async def say(text: str) -> bool:
        await world.say(person, text)
        return True

    await world.say(person, "/report")
    if not await press(world, person, "rep", "new", form):
        return False
    steps: list[Callable[[], Awaitable[bool]]]
    if form == "seizure":
        steps = [
            lambda: tap("when", "dt", "now"),
            lambda: say(texts.get("place", "Ayritom")),
            lambda: tap("substance", "opt", "heroin"),
            lambda: say("1.5"),
            lambda: tap("measure", "opt", "kg"),
            lambda: tap("items", "more", "done"),
            lambda: tap("conceal", "skip"),
            lambda: tap("transport", "skip"),
            lambda: tap("origin", "skip_route"),
            lambda: say("0"),
            lambda: tap("agencies", "opt", "customs"),
            lambda: tap("agencies", "done"),
            lambda: say(texts.get("caseref", "TER-1")),
            lambda: say(texts.get("notes", "none")),
            lambda: tap("photos", "skip"),
            lambda: tap("urgent", "opt", "yes"),
        ]
    elif form == "incident":
        steps = [
            lambda: tap("category", "opt", "smuggling"),
            lambda: tap("when", "dt", "now"),
            lambda: say(texts.get("place", "Ayritom")),
            lambda: say(texts.get("descr", "A car with a double floor.")),
            lambda: tap("urgent", "opt", "yes"),
            lambda: tap("photos", "skip"),
        ]
    elif form == "joint_operation":
        steps = [
            lambda: tap("start", "dt", "now"),
            lambda: tap("end", "dt", "now"),
            lambda: tap("agencies", "opt", "customs"),
            lambda: tap("agencies", "done"),
            lambda: say("3"),
            lambda: say("4"),
            lambda: say(texts.get("result", "Nothing found.")),
            lambda: say(texts.get("notes", "none")),
        ]
    else:
        steps = [
            lambda: tap("_", "edit", "remarks"),
            lambda: say(texts.get("remarks", "All quiet.")),
        ]
    for step in steps:
        if not await step():
            return False
    return await tap("_", "submit")
