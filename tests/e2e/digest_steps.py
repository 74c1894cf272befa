"""What the /digest, /export and /settings tests share: the people, reports put straight into the
database on the day a test needs, and reading the text, workbook and chart the bot sends."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from io import BytesIO
from uuid import uuid4
from zoneinfo import ZoneInfo

from openpyxl import Workbook, load_workbook

from bot.context import FieldReportApplication
from bot.i18n import Translator
from bot.standin import SentMessage, StandIn, TgUser
from storage import Role
from storage.models import NewReport, NewSeizureItem
from tests.e2e.conftest import SeedUser

TASHKENT = ZoneInfo("Asia/Tashkent")
COORDINATOR = TgUser(id=9401, first_name="Ольга", language_code="ru")
OFFICER_TER = TgUser(id=9402, first_name="Bekzod", language_code="ru")
OFFICER_SAM = TgUser(id=9403, first_name="Timur", language_code="ru")

SLOW = 20.0  # the first chart imports matplotlib


def local_today() -> date:
    return datetime.now(UTC).astimezone(TASHKENT).date()


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TASHKENT).astimezone(UTC)


def ru(app: FieldReportApplication) -> Translator:
    return app.services.catalogs.translator("ru")


async def people(seed_user: SeedUser) -> None:
    await seed_user(COORDINATOR, Role.COORDINATOR, None)
    await seed_user(OFFICER_TER, Role.OFFICER, "IMT-TER")
    await seed_user(OFFICER_SAM, Role.OFFICER, "IMT-SAM")


async def add_report(
    app: FieldReportApplication,
    officer: TgUser,
    day: date,
    *,
    kg: str | None = None,
    submitted: datetime | None = None,
) -> str:
    """A seizure (with ``kg`` of heroin) or a daily status of ``day``; its number."""
    async with app.services.db.transaction() as repos:
        user = await repos.users.get_by_telegram_id(officer.id)
        assert user is not None and user.unit_id is not None
        items: tuple[NewSeizureItem, ...] = ()
        if kg is not None:
            items = (NewSeizureItem("heroin", Decimal(kg), "kg", Decimal(kg), "kg"),)
        report = await repos.reports.create(
            NewReport(
                form="seizure" if kg else "daily_status",
                form_code="SZ" if kg else "DS",
                unit_id=user.unit_id,
                author_id=user.id,
                idempotency_key=uuid4().hex,
                occurred_at=None,
                submitted_at=submitted or at(day, 12),
                local_day=day,
                urgent=False,
                answers={},
                place_text=None,
                latitude=None,
                longitude=None,
                persons_detained=0 if kg else None,
                items=items,
            )
        )
    return report.number


async def say(tg: StandIn, user: TgUser, text: str) -> SentMessage:
    await tg.send_text(user, text)
    return await tg.next_message(user.id)


async def wait_for_photo(tg: StandIn, chat_id: int) -> list[SentMessage]:
    """Wait for the digest's last part: its map, the second photo after the chart."""
    await tg.wait_until(
        lambda: sum(1 for m in tg.messages(chat_id) if m.photo) >= 2,
        SLOW,
        "the digest's chart and map sent",
    )
    return tg.messages(chat_id)


def workbook_of(message: SentMessage) -> Workbook:
    assert message.document is not None, message.describe()
    content = message.document["content"]
    assert content.startswith(b"PK"), "an XLSX file is a ZIP archive"
    return load_workbook(BytesIO(content))


def report_numbers(book: Workbook, tr: Translator) -> list[str]:
    """Column A of every form sheet (all sheets but the summary and the seized items)."""
    skip = {tr.pgettext("sheet", "Summary"), tr.pgettext("sheet", "Seized items")}
    numbers = []
    for sheet in book.worksheets:
        if sheet.title in skip:
            continue
        numbers += [str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    return numbers


def summary_value(book: Workbook, tr: Translator, label: str) -> object:
    """Column B beside the first ``label`` in column A of the summary sheet."""
    sheet = book[tr.pgettext("sheet", "Summary")]
    for row in sheet.iter_rows(values_only=True):
        if row and row[0] == label:
            return row[1]
    raise AssertionError(f"no {label!r} in the summary sheet")


def assert_nothing_sent_but_text(tg: StandIn, chat_id: int) -> None:
    assert not any(m.document or m.photo for m in tg.messages(chat_id))
    assert tg.calls_to("sendDocument") == []
    assert tg.calls_to("sendPhoto") == []


def actions(tg: StandIn, chat_id: int) -> list[str]:
    return [
        str(call.get("action"))
        for call in tg.calls_to("sendChatAction")
        if str(call.get("chat_id")) == str(chat_id)
    ]
