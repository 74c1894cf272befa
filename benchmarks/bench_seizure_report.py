"""What filing a whole seizure report costs per update, against the bare PTB echo bot (the floor).

An officer files a complete seizure report through the real ``build_application`` (the
27-update sequence of ``file_seizure`` in ``tests/e2e/test_reports.py``: /report, the chooser,
every tap and typed answer, a photo, the submit tap), once per round, again and again. The echo
bot gets as many updates in the same rounds, interleaved one by one, so machine noise falls on
both alike. Twelve officers (of unit IMT-TER) take turns, one report per round, so none of them
trips the gate's flood guard. Officers read the screen like a person: every tap is on the newest
bot message that shows the button, with the callback data (and so the draft id the bot minted)
read from the keyboard the fake Bot API last received for that message.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from telegram.constants import FloodLimit

from benchmarks.bots import ECHO_TEXT, Member, echo_application, fieldreport_application
from benchmarks.harness import (
    Conversation,
    InMemoryRequest,
    JsonDict,
    Samples,
    ScriptedSubject,
    ShownMessage,
    Step,
    Subject,
    UpdateFactory,
    run_interleaved,
)
from benchmarks.registry import Figure, benchmark
from bot.context import FieldReportApplication
from storage import Database, Report

if TYPE_CHECKING:
    from aiolimiter import AsyncLimiter

#: Timed rounds; each files one whole seizure report and sends as many echo updates.
ROUNDS = 30
WARMUP_ROUNDS = 2
#: FieldReport's AIORateLimiter lets a burst of 30 calls that carry a chat_id through, then
#: spaces them 1/30 s apart. Private chats all share that one budget (its per-chat limiters are
#: for groups). A round makes 29 such calls (``Conversation.limited_calls``, checked to stay
#: below the burst) and ends with a pause long enough for the limiter to drain all of them;
#: ``LimiterWatch`` checks it did.
LIMITER_RATE = FloodLimit.MESSAGES_PER_SECOND
REST_MARGIN_S = 0.05
#: The gate's flood guard (bot/flood.py) silences a person who sends more than 30 updates in
#: 10 s; a report is 28 updates (with the round's lead). So the officers take turns, and one
#: officer's rounds are at least OFFICERS pauses apart (12 x ~1 s > 10 s): checked at run time
#: against the application's own guard.
OFFICERS = tuple(Member(telegram_id=8001 + n, username=f"officer{n + 1}") for n in range(12))
ECHO_USER_ID = 1001
APOLOGY = "Sorry, something went wrong"

# What one update must make, exactly.
SEND = {"sendMessage": 1}
#: A typed answer: the next question as a new message, the answered one edited to read its
#: answer without buttons (only the current question carries buttons).
ANSWER = {"sendMessage": 1, "editMessageText": 1}
EDIT = {"editMessageText": 1, "answerCallbackQuery": 1}
REFRESH = {"editMessageReplyMarkup": 1, "answerCallbackQuery": 1}
SUBMIT = {"editMessageReplyMarkup": 1, "sendMessage": 1, "answerCallbackQuery": 1}


class Officer:
    """An officer in their private chat: types, sends a photo, taps the buttons they see."""

    def __init__(self, request: InMemoryRequest, member: Member) -> None:
        self.request = request
        self.chat_id = member.telegram_id
        self.updates = member.updates()
        #: Draft ids on the form buttons tapped since the last /report.
        self.tapped_drafts: list[str] = []
        #: Draft ids of the reports submitted so far.
        self.submitted: list[str] = []

    def newest(self) -> ShownMessage:
        return self.request.screen(self.chat_id)[-1]

    def find(self, prefix: str, parts: tuple[str, ...]) -> tuple[ShownMessage, str]:
        """The newest bot message with a button whose data matches, and that data.

        ``f`` buttons read ``f:v1:<draft id>:<field>:<action>:<arg>``; the draft id is not
        part of what is looked for, it is whatever the bot put there.
        """
        for message in reversed(self.request.screen(self.chat_id)):
            for _text, data in message.buttons():
                pieces = data.split(":")
                tail = pieces[3:] if prefix == "f" else pieces[2:]
                if pieces[0] == prefix and tuple(tail[: len(parts)]) == parts:
                    return message, data
        raise RuntimeError(f"no {prefix} button {parts} on the screen: {self.newest().text!r}")

    # Update makers: each builds its update only when its turn comes.
    def say(self, text: str) -> Callable[[], JsonDict]:
        return lambda: self.updates.message(text)

    def photo(self) -> Callable[[], JsonDict]:
        return self.updates.photo

    def report_command(self) -> Callable[[], JsonDict]:
        def make() -> JsonDict:
            self.tapped_drafts.clear()
            return self.updates.message("/report")

        return make

    def tap(self, prefix: str, *parts: str) -> Callable[[], JsonDict]:
        def make() -> JsonDict:
            message, data = self.find(prefix, parts)
            if prefix == "f":
                self.tapped_drafts.append(data.split(":")[2])
            return self.updates.callback(data, message.as_json())

        return make

    # Checks, run after the update.
    def shows(self, fragment: str) -> Callable[[InMemoryRequest], str | None]:
        def check(request: InMemoryRequest) -> str | None:
            text = self.newest().text
            return None if fragment in text else f"the chat shows {text!r}, not {fragment!r}"

        return check

    def ticked(self, field: str, option: str) -> Callable[[InMemoryRequest], str | None]:
        """The newest message's button for ``option`` is now marked as chosen."""

        def check(request: InMemoryRequest) -> str | None:
            for text, data in self.newest().buttons():
                if data.endswith(f":{field}:opt:{option}"):
                    return None if text.startswith("✅") else f"{option} is not ticked: {text!r}"
            return f"no {field} option {option} on the screen"

        return check

    def received(self, request: InMemoryRequest) -> str | None:
        """The receipt came, for a draft of its own, and the summary lost its buttons."""
        if "received on" not in request.last_text or self.newest().text != request.last_text:
            return f"no receipt: {request.last_text!r}"
        drafts = set(self.tapped_drafts)
        if len(drafts) != 1 or drafts & set(self.submitted):
            return f"the report's taps carried the draft ids {sorted(drafts)}"
        if self.request.screen(self.chat_id)[-2].buttons():
            return "the summary still has its buttons"
        self.submitted.extend(drafts)
        return None


def seizure_script(o: Officer) -> list[Step]:
    """``file_seizure`` of the end-to-end tests, in English, one Step per update."""
    return [
        Step("/report", o.report_command(), SEND, o.shows("Which report do you want to file?")),
        Step("choose Seizure", o.tap("rep", "new", "seizure"), EDIT, o.shows("When did it")),
        Step("when: Now", o.tap("f", "when", "dt", "now"), EDIT, o.shows("Where did it")),
        Step("place: typed", o.say("Ayritom, terminal 2"), ANSWER, o.shows("Which substance?")),
        Step("item 1: heroin", o.tap("f", "substance", "opt", "heroin"), EDIT, o.shows("How much")),
        Step("item 1: 1.5", o.say("1.5"), ANSWER, o.shows("Which unit of measure?")),
        Step("item 1: kg", o.tap("f", "measure", "opt", "kg"), EDIT, o.shows("Seized items")),
        Step("add an item", o.tap("f", "items", "more", "add"), EDIT, o.shows("Item 2")),
        Step("item 2: hashish", o.tap("f", "substance", "opt", "hashish"), EDIT, o.shows("How")),
        Step("item 2: 200", o.say("200"), ANSWER, o.shows("Which unit of measure?")),
        Step("item 2: g", o.tap("f", "measure", "opt", "g"), EDIT, o.shows("Seized items")),
        Step("items: done", o.tap("f", "items", "more", "done"), EDIT, o.shows("concealed")),
        Step("conceal: vehicle", o.tap("f", "conceal", "opt", "vehicle"), EDIT, o.shows("transp")),
        Step("transport: car", o.tap("f", "transport", "opt", "car"), EDIT, o.shows("detained")),
        Step("detained: 2", o.say("2"), ANSWER, o.shows("Citizenship")),
        Step("nations: uz", o.tap("f", "nations", "opt", "uz"), REFRESH, o.ticked("nations", "uz")),
        Step("nations: af", o.tap("f", "nations", "opt", "af"), REFRESH, o.ticked("nations", "af")),
        Step("nations: done", o.tap("f", "nations", "done"), EDIT, o.shows("Which agencies")),
        Step(
            "agencies: customs",
            o.tap("f", "agencies", "opt", "customs"),
            REFRESH,
            o.ticked("agencies", "customs"),
        ),
        Step(
            "agencies: border",
            o.tap("f", "agencies", "opt", "border"),
            REFRESH,
            o.ticked("agencies", "border"),
        ),
        Step("agencies: done", o.tap("f", "agencies", "done"), EDIT, o.shows("Case reference")),
        Step("caseref: typed", o.say("TER-2025/117"), ANSWER, o.shows("Any notes?")),
        Step("notes: skip", o.tap("f", "notes", "skip"), EDIT, o.shows("Send photos")),
        Step("photo", o.photo(), ANSWER, o.shows("1 photo received.")),
        Step("photos: done", o.tap("f", "photos", "done"), EDIT, o.shows("Is this urgent?")),
        Step("urgent: yes", o.tap("f", "urgent", "opt", "yes"), EDIT, o.shows("Check your report")),
        Step("submit", o.tap("f", "_", "submit"), SUBMIT, o.received),
    ]


def lead_step(o: Officer, before: Callable[[], None] = lambda: None) -> Step:
    """The untimed first update of a round: /cancel with no report open.

    ``before`` runs first, at the very start of the officer's round.
    """

    def make() -> JsonDict:
        before()
        return o.updates.message("/cancel")

    return Step("/cancel, nothing open", make, SEND, o.shows("nothing to cancel"))


def check_pacing(application: FieldReportApplication, per_round: int, rest_s: float) -> None:
    """Fail unless the officers' turns keep each of them below the gate's flood guard."""
    guard = getattr(application.services, "flood", None)
    if guard is None:
        return
    if per_round > guard.limit or len(OFFICERS) * rest_s <= guard.window:
        raise RuntimeError(
            f"the flood guard ({guard.limit} updates in {guard.window} s) would stop the "
            f"officers: {per_round} updates a round, turns {len(OFFICERS) * rest_s:.1f} s apart"
        )


class LimiterWatch:
    """Checks, at the start of every round, that the limiter has room for the whole round.

    Then no call of the round can wait: the figures measure work, not the limiter's sleep. It
    reads the ``AIORateLimiter``'s overall bucket (a private attribute of PTB's; aiolimiter's
    ``has_capacity`` changes nothing); if a PTB release renames it, the watch says it is blind.
    """

    def __init__(self, application: FieldReportApplication, calls: int) -> None:
        limiter = application.bot.rate_limiter
        self.bucket: AsyncLimiter | None = getattr(limiter, "_base_limiter", None)
        self.calls = calls
        self.rounds = 0
        self.short = 0

    def __call__(self) -> None:
        self.rounds += 1
        if self.bucket is not None and not self.bucket.has_capacity(self.calls):
            self.short += 1

    def summary(self) -> str:
        if self.bucket is None:
            return "limiter not observable"
        return f"limiter short of room in {self.short} of {self.rounds} rounds"


async def verify_stored(application: FieldReportApplication, expected: int) -> str:
    """Open the database and check every report was stored whole; returns the numbers' range."""
    reports: list[Report] = []
    counted = 0
    drafts_left = []
    db = await Database.open(application.services.settings.database_path, migrate=False)
    try:
        async with db.read() as repos:
            for officer in OFFICERS:
                account = await repos.users.get_by_telegram_id(officer.telegram_id)
                assert account is not None
                counted += await repos.reports.count_by_author(account.id)
                reports += await repos.reports.list_by_author(
                    account.id, limit=expected + 1, offset=0
                )
                if await repos.drafts.get(account.id) is not None:
                    drafts_left.append(officer.telegram_id)
    finally:
        await db.close()
    if counted != expected or len(reports) != expected:
        raise RuntimeError(f"{counted} seizure reports stored, {expected} expected")
    year = datetime.now(application.services.settings.timezone).year
    numbers = sorted(report.number for report in reports)
    if numbers != [f"SZ-{year}-{seq:06d}" for seq in range(1, expected + 1)]:
        raise RuntimeError(f"unexpected report numbers: {numbers}")
    for report in reports:
        shape = (
            report.form,
            len(report.items),
            report.persons_detained,
            len(report.attachments),
            report.urgent,
            report.answers.get("nations"),
            report.answers.get("agencies"),
        )
        if shape != ("seizure", 2, 2, 1, True, ["uz", "af"], ["customs", "border"]):
            raise RuntimeError(f"report {report.number} is not the one filed: {shape}")
    if drafts_left:
        raise RuntimeError(f"drafts left open after the last report by {drafts_left}")
    return f"{numbers[0]}…{numbers[-1]}"


def slowest_steps(per_step: Mapping[str, Samples], count: int = 3) -> str:
    medians = {name: samples.median_us() for name, samples in per_step.items()}
    top = sorted(medians.items(), key=lambda item: item[1], reverse=True)[:count]
    return ", ".join(f"{name} {us / 1000:.1f} ms" for name, us in top)


@benchmark("seizure_report", "per-update cost of filing a whole seizure report vs the echo bot")
async def seizure_report() -> list[Figure]:
    """Median wall time per update of a whole seizure report and of the echo bot; their ratio."""
    echo_request, report_request = InMemoryRequest(), InMemoryRequest()
    echo_updates = UpdateFactory(user_id=ECHO_USER_ID)
    officers = [Officer(report_request, member) for member in OFFICERS]
    script = seizure_script(officers[0])
    limited = Conversation(lead_step(officers[0]), script).limited_calls()
    if limited >= LIMITER_RATE:
        raise RuntimeError(f"a round makes {limited} rate-limited calls, over the limiter's burst")
    rest_s = limited / LIMITER_RATE + REST_MARGIN_S

    async with (
        echo_application(echo_request) as echo_app,
        fieldreport_application(report_request, members=OFFICERS) as report_app,
    ):
        check_pacing(report_app, len(script) + 1, rest_s)
        echo = Subject(
            "echo",
            echo_app,
            echo_request,
            lambda: echo_updates.message(ECHO_TEXT),
            expected_calls={"sendMessage": 1},
            reply_ok=lambda text: text == ECHO_TEXT,
        )
        watch = LimiterWatch(report_app, limited)
        seizure = ScriptedSubject(
            "seizure report",
            report_app,
            report_request,
            [Conversation(lead_step(o, before=watch), seizure_script(o)) for o in officers],
            forbidden=lambda text: APOLOGY in text,
        )
        await run_interleaved(
            [echo, seizure],
            rounds=ROUNDS,
            per_round=seizure.length,  # one whole report per round
            warmup_rounds=WARMUP_ROUNDS,
            rest_s=rest_s,
        )
        numbers = await verify_stored(report_app, expected=seizure.completed)
    if seizure.completed != ROUNDS + WARMUP_ROUNDS:
        raise RuntimeError(f"{seizure.completed} reports filed, {ROUNDS + WARMUP_ROUNDS} meant")
    if any(APOLOGY in text for text in report_request.texts):
        raise RuntimeError("the bot apologised for an error")

    if watch.bucket is None or watch.short:
        print(f"warning: {watch.summary()}; the figures may include its waits", file=sys.stderr)
    echo_us, seizure_us = echo.samples.median_us(), seizure.samples.median_us()
    report_ms = seizure.per_conversation.median_us() / 1000
    mean_ratio = report_ms * 1000 / len(script) / echo_us
    return [
        Figure(
            "seizure_echo_update_cost",
            echo_us,
            "us/update",
            "bare PTB echo bot in the same rounds, median",
            echo.samples.spread(),
        ),
        Figure(
            "seizure_update_cost",
            seizure_us,
            "us/update",
            f"seizure report, all {len(script)} updates, median",
            f"{seizure.samples.spread()}; {watch.summary()}",
        ),
        Figure(
            "seizure_report_cost",
            report_ms,
            "ms/report",
            f"sum of one report's {len(script)} updates, median",
            f"n={len(seizure.per_conversation.durations_ns)} ({numbers} stored); "
            f"slowest: {slowest_steps(seizure.per_step)}",
        ),
        Figure(
            "seizure_vs_echo_ratio",
            seizure_us / echo_us,
            "x",
            "seizure_update_cost / seizure_echo_update_cost",
            f"mean per update / echo median: {mean_ratio:.2f} x",
            digits=2,
        ),
    ]
