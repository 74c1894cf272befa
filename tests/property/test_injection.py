"""SQL and HTML injection typed into every free-text field of every form stays inert text.

An officer files reports through the real application (in-process stand-in, see world.py) with
hostile text in every free-text question (place, description, case reference, notes, result,
remarks). Then:
  * the urgent alert each coordinator receives (Telegram HTML) shows the text exactly as typed:
    escaped in the HTML the bot sent, no tag of the officer's turned into formatting or a link;
  * a coordinator's question about the alert and the officer's answer do the same;
  * the coordinator's /export spreadsheet holds every text as a plain string cell (never a
    formula), exactly as typed;
  * the database keeps every table and every row, and stores the text exactly as typed.
Every Bot API call must be accepted: Telegram refuses unescaped HTML, and the stand-in's parser
refuses what Telegram refuses (and a bare ``&`` too).
"""

from __future__ import annotations

import html
import re
import tempfile
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from bot.forms.definitions import NOTES
from bot.forms.parsing import AnswerError, clean_text
from bot.standin import SentMessage
from storage.clock import utc_now
from tests.property.observations import DatabaseHealth, database_health
from tests.property.world import COORDINATOR, OFFICER_A, World, file_report, press, running_world

SQL = [
    "'); DROP TABLE reports; --",
    "1; DELETE FROM users WHERE 1=1; --",
    "' OR '1'='1' --",
    "Robert'); DROP TABLE units;--",
    "\"; UPDATE users SET role='admin'; --",
    "x' UNION SELECT token_hash FROM invites --",
]
MARKUP = [
    "<b>&</b>",
    '<a href="tg://user?id=5001">click</a>',
    "</b><i>x</i>&amp;&lt;",
    "<script>alert(1)</script>",
    "<tg-spoiler>secret</tg-spoiler>",
    "&#60;b&#62; &lt;i&gt;",
    "<pre>x</pre> <code>y</code>",
    "<blockquote>q</blockquote> <u>u</u>",
    "a < b && c > d",
]
FORMULAS = ['=HYPERLINK("http://evil.invalid","click")', "+1+1", "@SUM(A1)", "-2+3", "=1+1"]
FRAGMENTS = [*SQL, *MARKUP, *FORMULAS, "'", '"', "<", ">", "&", ";", "--", "Ayritom", " ", "ё"]
#: Short enough for the shortest free-text question (a case reference: 64 characters).
MAX_CHARS = 64

payloads = st.one_of(
    st.sampled_from(SQL + MARKUP + FORMULAS),
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4).map("".join),
).filter(lambda text: 1 <= len(text.strip()) <= MAX_CHARS)

#: The free-text questions of each form (every one of them gets the payload).
TEXT_FIELDS = {
    "seizure": ("place", "caseref", "notes"),
    "incident": ("place", "descr"),
    "joint_operation": ("result", "notes"),
    "daily_status": ("remarks",),
}
#: What a coordinator's alert shows of them (bot/handlers/urgent/alert_view.alert_text).
IN_ALERT = {"seizure": ("place",), "incident": ("place", "descr")}
#: Formatting the bot itself puts in these messages (bold labels and headings, italics).
OWN_ENTITIES = {"bold", "italic"}
OWN_TAGS = re.compile(r"</?[bi]>")
INJECTION = settings(
    max_examples=12,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow],
)


def typed(text: str) -> str:
    """What the form keeps of a typed answer (trimmed, control characters removed)."""
    try:
        return clean_text(text, NOTES)
    except AnswerError:  # pragma: no cover - the strategy only makes acceptable texts
        raise AssertionError(f"not a typed answer: {text!r}") from None


def assert_inert(message: SentMessage, text: str, times: int = 1) -> None:
    """``text`` shows as itself (at least ``times`` times): escaped in the HTML sent, no tag of
    its own taking effect."""
    assert message.parse_mode is not None and message.parse_mode.lower() == "html"
    assert message.html is not None
    shown = (message.text or "").count(text)
    assert shown >= times, f"{text!r} shown {shown} times in {message.text!r}"
    # The bot's own tags are <b> and <i>; any other "<" or ">" would be the officer's, raw.
    assert not re.search(r"[<>]", OWN_TAGS.sub("", message.html)), message.html
    unquoted = message.html.replace("&#x27;", "'").replace("&quot;", '"')
    assert unquoted.count(html.escape(text, quote=False)) >= times, message.html
    kinds = {str(entity.get("type")) for entity in message.entities}
    assert kinds <= OWN_ENTITIES, f"the officer's text became formatting: {kinds}"


def assert_accepted(world: World) -> None:
    assert not world.errors, world.errors
    refused = [(name, exc.description) for name, _, exc in world.tg.state.failures]
    assert not refused, f"Telegram refused {refused}"


def assert_database_kept(before: DatabaseHealth, after: DatabaseHealth, filed: int) -> None:
    assert after.integrity == ["ok"] and after.foreign_key_problems == []
    assert set(after.tables) == set(before.tables), "a table disappeared"
    for table in ("units", "users", "invites", "crossing_points"):
        assert after.tables[table] == before.tables[table], table
    for table in ("reports", "report_versions"):
        assert after.tables[table] == before.tables[table] + filed, table
    assert after.tables["audit_log"] >= before.tables["audit_log"]


async def stored_answers(world: World, number: str) -> dict[str, Any]:
    async with world.app.services.db.read() as repos:
        report = await repos.reports.get_by_number(number)
    assert report is not None, number
    answers = dict(report.answers)
    if report.place_text is not None:
        answers["place"] = report.place_text
    return answers


def receipt_number(world: World) -> str:
    receipt = world.texts(OFFICER_A.id)[-1]
    return next(word for word in receipt.split() if word.count("-") == 2)


def alerts_to(world: World, chat_id: int) -> list[SentMessage]:
    """The alert copies in a chat (they carry the ``alr`` buttons)."""
    return [
        m for m in world.tg.messages(chat_id) if any(d.startswith("alr:") for d in m.callback_data)
    ]


@INJECTION
@given(form=st.sampled_from(sorted(IN_ALERT)), text=payloads)
@example(form="incident", text="<b>&</b>")
@example(form="seizure", text="'); DROP TABLE reports; --")
async def test_an_urgent_report_reaches_the_coordinator_as_the_officer_typed_it(
    form: str, text: str
) -> None:
    with tempfile.TemporaryDirectory(prefix="fieldreport-injection-") as directory:
        async with running_world(Path(directory)) as world:
            before = await database_health(world.database_path)
            filled = dict.fromkeys(TEXT_FIELDS[form], text)
            assert await file_report(world, OFFICER_A, form, filled), world.texts(OFFICER_A.id)
            number = receipt_number(world)
            assert_accepted(world)

            (alert,) = alerts_to(world, COORDINATOR.id)
            assert number in (alert.text or "")
            assert_inert(alert, typed(text), times=len(IN_ALERT[form]))
            stored = await stored_answers(world, number)
            for key in TEXT_FIELDS[form]:
                assert stored[key] == typed(text), (key, stored[key])
            assert_database_kept(before, await database_health(world.database_path), filed=1)


@INJECTION
@given(question=payloads, answer=payloads)
@example(question="<i>where?</i> & when'; --", answer="</b><a href='x'>here</a>")
async def test_a_question_about_an_alert_and_its_answer_stay_text(
    question: str, answer: str
) -> None:
    with tempfile.TemporaryDirectory(prefix="fieldreport-injection-") as directory:
        async with running_world(Path(directory)) as world:
            assert await file_report(world, OFFICER_A, "incident", {})
            assert await press(world, COORDINATOR, "alr", "ask")
            await world.say(COORDINATOR, question)
            asked = [
                m for m in world.tg.messages(OFFICER_A.id) if typed(question) in (m.text or "")
            ]
            assert asked, world.texts(OFFICER_A.id)
            assert_inert(asked[-1], typed(question))

            assert await press(world, OFFICER_A, "ans", "reply")
            await world.say(OFFICER_A, answer)
            answered = [
                m for m in world.tg.messages(COORDINATOR.id) if typed(answer) in (m.text or "")
            ]
            assert answered, world.texts(COORDINATOR.id)
            assert_inert(answered[-1], typed(answer))
            assert_accepted(world)


@INJECTION
@given(text=payloads)
@example(text='=HYPERLINK("http://evil.invalid","click")')
@example(text="@SUM(A1) <b>&</b> '); DROP TABLE reports; --")
async def test_every_free_text_of_every_form_reaches_the_export_as_a_plain_string(
    text: str,
) -> None:
    with tempfile.TemporaryDirectory(prefix="fieldreport-injection-") as directory:
        async with running_world(Path(directory)) as world:
            before = await database_health(world.database_path)
            numbers = []
            for form, fields in TEXT_FIELDS.items():
                filled = dict.fromkeys(fields, text)
                assert await file_report(world, OFFICER_A, form, filled), (form, world.errors)
                numbers.append(receipt_number(world))
            today = utc_now().astimezone(world.app.services.settings.timezone).date()
            day = today.strftime("%d.%m.%Y")
            await world.say(COORDINATOR, f"/export {day} {day}")
            assert_accepted(world)
            (workbook,) = world.documents(COORDINATOR.id)

            book = load_workbook(BytesIO(workbook))
            cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
            assert not [c.coordinate for c in cells if c.data_type == "f"], "a formula cell"
            holding = [c for c in cells if c.value == typed(text)]
            # place, caseref, notes (seizure); place, descr; result, notes; remarks
            assert len(holding) == sum(len(fields) for fields in TEXT_FIELDS.values())
            for cell in holding:
                assert cell.data_type == "s"
                if typed(text).startswith(("=", "+", "-", "@")):
                    assert cell.quotePrefix, f"{cell.coordinate} would be read as a formula"
            for number in numbers:
                assert any(c.value == number for c in cells), number
            after = await database_health(world.database_path)
            assert_database_kept(before, after, filed=len(TEXT_FIELDS))
