"""What filing a whole seizure report costs per update, against the bare PTB echo bot (the floor).

An officer files a complete seizure report through the real ``build_application`` (the
27-update sequence of ``file_seizure`` in ``tests/e2e/test_reports.py``: /report, the chooser,
every tap and typed answer, a photo, the submit tap), again and again, over three rounds a report
(so that no round needs more than the rate limiter's burst). The echo bot gets as many updates
in the same rounds, interleaved one by one, so machine noise falls on both alike. Twelve
officers (of unit IMT-TER) take turns, one report each, so none of them trips the gate's flood
guard. Officers read the screen like a person: every tap is on the newest
bot message that shows the button, with the callback data (and so the draft id the bot minted)
read from the keyboard the fake Bot API last received for that message.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping
from datetime import datetime

from telegram.constants import FloodLimit

from benchmarks.bots import ECHO_TEXT, Member, echo_application, fieldreport_application
from benchmarks.harness import (
    Conversation,
    LimiterPacing,
    LimiterWaits,
    Samples,
    ScriptedSubject,
    Step,
    Subject,
    run_interleaved,
)
from benchmarks.registry import Figure, benchmark
from bot.context import FieldReportApplication
from storage import Database, Report
from storage.cipher import DatabaseKey
from tests.support.driver import UpdateFactory
from tests.support.memory_bot_api import InMemoryRequest, JsonDict, ShownMessage

#: Timed reports; each is filed over ROUNDS_PER_REPORT rounds, with as many echo updates.
REPORTS = 20
WARMUP_REPORTS = 2
#: The bot's rate limiter (bot/rate_limit.py) lets a burst of 30 calls that carry a chat_id
#: through, then spaces them 1/30 s apart; private chats all share that one budget. A whole
#: report makes 35 such calls (a typed answer sends the next question and edits the answered
#: one), more than the burst, so a report is played over three rounds of 9 updates (~12 calls
#: each). After each round, ``LimiterPacing`` counts the calls the round made (from the
#: in-memory Bot API) and rests until the limiter has drained them all; ``LimiterWaits``
#: counts any wait of the limiter's that still happened (there must be none).
ROUNDS_PER_REPORT = 3
LIMITER_BURST = FloodLimit.MESSAGES_PER_SECOND
LIMITER_RATE = FloodLimit.MESSAGES_PER_SECOND
REST_MARGIN_S = 0.03
#: The gate's flood guard (bot/flood.py) silences a person who sends more than 30 updates in
#: 10 s; a report is 28 updates (with its lead). So the officers take turns, one report each,
#: and one officer's reports are at least OFFICERS reports apart (12 x > 1 s > 10 s): checked
#: at run time against the application's own guard.
OFFICERS = tuple(Member(telegram_id=8001 + n, username=f"officer{n + 1}") for n in range(12))
#: Starts the second and third round of a report (untimed): /cancel with nothing open, in
#: their own chat, so the report in progress is left as it is.
BYSTANDER = Member(telegram_id=8000, username="bystander")
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
        Step("transport: car", o.tap("f", "transport", "opt", "car"), EDIT, o.shows("origin")),
        # The route skipped in one tap; one nationality less keeps the report at 27 steps.
        Step("route: skip", o.tap("f", "origin", "skip_route"), EDIT, o.shows("detained")),
        Step("detained: 2", o.say("2"), ANSWER, o.shows("Citizenship")),
        Step("nations: uz", o.tap("f", "nations", "opt", "uz"), REFRESH, o.ticked("nations", "uz")),
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


def check_pacing(
    application: FieldReportApplication, per_report: int, rounds: list[int], margin_s: float
) -> None:
    """Fail unless the turns keep the officers and the bystander below the gate's flood guard.

    ``rounds`` are the rate-limited calls of each round of a report, so the shortest rest a
    report can have is their sum over the rate.
    """
    guard = getattr(application.services, "flood", None)
    if guard is None:
        return
    report_s = sum(calls / LIMITER_RATE + margin_s for calls in rounds)
    bystander_in_window = (len(rounds) - 1) * (math.floor(guard.window / report_s) + 1)
    if (
        per_report > guard.limit
        or len(OFFICERS) * report_s <= guard.window
        or bystander_in_window > guard.limit
    ):
        raise RuntimeError(
            f"the flood guard ({guard.limit} updates in {guard.window} s) would stop the "
            f"officers: {per_report} updates a report, turns {len(OFFICERS) * report_s:.1f} s "
            f"apart, up to {bystander_in_window} bystander updates in that time"
        )


def calls_per_round(conversation: Conversation, steps_per_round: int) -> list[int]:
    """Rate-limited calls of each round of a conversation, from its steps' expected calls.

    Only the flood-guard check uses it; the rests are computed from the calls actually made.
    """
    steps = conversation.steps
    lead = [conversation.lead] + [conversation.interlude or conversation.lead] * len(steps)
    return [
        lead[start].limited_calls()
        + sum(step.limited_calls() for step in steps[start : start + steps_per_round])
        for start in range(0, len(steps), steps_per_round)
    ]


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
        if shape != ("seizure", 2, 2, 1, True, ["uz"], ["customs", "border"]):
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
    return await seizure_report_figures()


async def seizure_report_figures(
    reports: int = REPORTS,
    warmup_reports: int = WARMUP_REPORTS,
    database_key: DatabaseKey | None = None,
) -> list[Figure]:
    """:func:`seizure_report` with other counts, or on a database encrypted with
    ``database_key`` (benchmarks/bench_encryption.py)."""
    echo_request, report_request = InMemoryRequest(), InMemoryRequest()
    echo_updates = UpdateFactory(user_id=ECHO_USER_ID)
    officers = [Officer(report_request, member) for member in OFFICERS]
    bystander = Officer(report_request, BYSTANDER)
    script = seizure_script(officers[0])
    if len(script) % ROUNDS_PER_REPORT:
        raise RuntimeError(f"{len(script)} steps do not split into {ROUNDS_PER_REPORT} rounds")
    steps_per_round = len(script) // ROUNDS_PER_REPORT
    round_calls = calls_per_round(
        Conversation(lead_step(officers[0]), script, lead_step(bystander)), steps_per_round
    )

    async with (
        echo_application(echo_request) as echo_app,
        fieldreport_application(
            report_request, members=(*OFFICERS, BYSTANDER), database_key=database_key
        ) as report_app,
    ):
        check_pacing(report_app, len(script) + 1, round_calls, REST_MARGIN_S)
        echo = Subject(
            "echo",
            echo_app,
            echo_request,
            lambda: echo_updates.message(ECHO_TEXT),
            expected_calls={"sendMessage": 1},
            reply_ok=lambda text: text == ECHO_TEXT,
        )
        waits = LimiterWaits(report_app)
        seizure = ScriptedSubject(
            "seizure report",
            report_app,
            report_request,
            [Conversation(lead_step(o), seizure_script(o), lead_step(bystander)) for o in officers],
            forbidden=lambda text: APOLOGY in text,
        )
        pacing = LimiterPacing(
            report_request, burst=LIMITER_BURST, rate=LIMITER_RATE, margin_s=REST_MARGIN_S
        )
        await run_interleaved(
            [echo, seizure],
            rounds=reports * ROUNDS_PER_REPORT,
            per_round=steps_per_round,
            warmup_rounds=warmup_reports * ROUNDS_PER_REPORT,
            rest_after=pacing,
        )
        numbers = await verify_stored(report_app, expected=seizure.completed)
    if seizure.completed != reports + warmup_reports:
        raise RuntimeError(f"{seizure.completed} reports filed, {reports + warmup_reports} meant")
    if any(APOLOGY in text for text in report_request.texts):
        raise RuntimeError("the bot apologised for an error")

    if not waits.observable or waits.count:
        print(f"warning: {waits.summary()}; the figures may include its waits", file=sys.stderr)
    pacing_note = (
        f"{waits.summary()}; {min(pacing.per_round)}-{max(pacing.per_round)} limited calls "
        f"a round, {ROUNDS_PER_REPORT} rounds a report"
    )
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
            f"{seizure.samples.spread()}; {pacing_note}",
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
