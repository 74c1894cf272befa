"""Bad input is a feature: every wrong answer gets a clear message in the officer's language,
the same question again, and nothing entered before is lost. Each case runs in uz and ru."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.standin import StandIn, TgUser
from storage import Role
from tests.e2e.conftest import RunBot, SeedUser
from tests.support.driver import Officer

TASHKENT = ZoneInfo("Asia/Tashkent")

# (language, words the message must contain) for each problem.
NOT_A_NUMBER = {"uz": "Bu son emas", "ru": "Это не число"}
TOO_LARGE = {"uz": "ko‘pi bilan", "ru": "не больше"}
TOO_SMALL = {"uz": "kamida", "ru": "не меньше"}
TOO_LONG = {"uz": "5000", "ru": "5000"}
USE_BUTTONS = {"uz": "tugmalardan birini", "ru": "кнопками выше"}
UNSUPPORTED = {"uz": "bunday javob qabul qilinmaydi", "ru": "Здесь это не подходит"}
PHOTO_NOT_ANSWER = {"uz": "Surat bu savolga", "ru": "Фото не может быть"}
LOCATION_NOT_ANSWER = {"uz": "Joylashuv bu savolga", "ru": "Геопозиция не может"}
FUTURE = {"uz": "hali kelmagan", "ru": "ещё не наступило"}
QUANTITY_QUESTION = {"uz": "Qancha? Miqdorini yozing.", "ru": "Сколько? Введите количество."}
WHEN_QUESTION = {"uz": "Bu qachon sodir bo‘lgan?", "ru": "Когда это произошло?"}
NOTES_QUESTION = {"uz": "Qo‘shimcha ma’lumot bormi?", "ru": "Есть примечания?"}


def person(language: str) -> TgUser:
    return TgUser(id=8101, first_name="Nodira", language_code=language)


async def to_quantity(o: Officer) -> None:
    await o.start_form("seizure")
    await o.tap_form("when", "dt", "now")
    await o.say("Dostlik")
    await o.tap_form("substance", "opt", "heroin")


Send = Callable[[Officer], Awaitable[object]]


def typed(text: str) -> Send:
    async def send(o: Officer) -> object:
        return await o.tg.send_text(o.user, text)

    return send


async def photo(o: Officer) -> object:
    return await o.tg.send_photo(o.user)


async def sticker(o: Officer) -> object:
    return await o.tg.send_sticker(o.user)


async def location(o: Officer) -> object:
    return await o.tg.send_location(o.user, 41.3, 69.2)


QUANTITY_CASES: list[tuple[str, Send, dict[str, str]]] = [
    ("letters", typed("five kilos"), NOT_A_NUMBER),
    ("negative", typed("-3"), TOO_SMALL),
    ("zero", typed("0"), TOO_SMALL),
    ("1e309", typed("1e309"), NOT_A_NUMBER),
    ("20 digits", typed("12345678901234567890"), TOO_LARGE),
    ("blank", typed("   "), NOT_A_NUMBER),
    ("emoji", typed("🙂🙂"), NOT_A_NUMBER),
    ("html", typed("<b>5</b> & 6"), NOT_A_NUMBER),
    ("sql", typed("1; DROP TABLE reports; --"), NOT_A_NUMBER),
    ("mixed scripts", typed("пять kg"), NOT_A_NUMBER),
    ("photo", photo, PHOTO_NOT_ANSWER),
    ("sticker", sticker, UNSUPPORTED),
    ("location", location, LOCATION_NOT_ANSWER),
]


@pytest.mark.parametrize("language", ["uz", "ru"])
@pytest.mark.parametrize(
    ("case", "send", "expected"), QUANTITY_CASES, ids=[c[0] for c in QUANTITY_CASES]
)
async def test_a_wrong_quantity_is_explained_and_asked_again(
    tg: StandIn,
    run_bot: RunBot,
    seed_user: SeedUser,
    language: str,
    case: str,
    send: Send,
    expected: dict[str, str],
) -> None:
    o = Officer(tg, await seed_user(person(language)))
    async with run_bot():
        await to_quantity(o)
        await send(o)
        reply = await tg.next_message(o.user.id)
        assert reply.text.startswith("⚠️")
        assert expected[language] in reply.text
        # The same question, still the only one with buttons, stays right above.
        (question,) = o.with_buttons()
        assert QUANTITY_QUESTION[language] in question.text
        # Nothing before was lost: a right answer now continues the same item.
        await o.say("2,5")
        await o.tap_form("measure", "opt", "kg")
        summary_of_items = o.last().text
        assert "2,5" in summary_of_items
        assert "Dostlik" not in summary_of_items  # the item list, not a restart


@pytest.mark.parametrize("language", ["uz", "ru"])
async def test_text_where_a_choice_is_expected(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, language: str
) -> None:
    o = Officer(tg, await seed_user(person(language)))
    async with run_bot():
        await o.start_form("incident")
        reply = await o.say("smuggling please")
        assert USE_BUTTONS[language] in reply.text
        await o.tap_form("category", "opt", "smuggling")
        assert WHEN_QUESTION[language] in o.screen().text


@pytest.mark.parametrize("language", ["uz", "ru"])
@pytest.mark.parametrize(
    "moment",
    [
        lambda now: (now + timedelta(days=2)).strftime("%d.%m.%Y %H:%M"),
        lambda now: (now - timedelta(days=3 * 365)).strftime("%d.%m.%Y %H:%M"),
        lambda now: "31.02.2026 10:00",
        lambda now: "25:99",
        lambda now: "yesterday-ish",
    ],
    ids=["future", "years back", "no such day", "no such time", "words"],
)
async def test_a_wrong_date_is_explained_and_asked_again(
    tg: StandIn,
    run_bot: RunBot,
    seed_user: SeedUser,
    language: str,
    moment: Callable[[datetime], str],
) -> None:
    o = Officer(tg, await seed_user(person(language)))
    async with run_bot():
        await o.start_form("seizure")
        reply = await o.say(moment(datetime.now(TASHKENT)))
        assert reply.text.startswith("⚠️")
        (question,) = o.with_buttons()
        assert WHEN_QUESTION[language] in question.text
        good = (datetime.now(TASHKENT) - timedelta(hours=1)).strftime("%d.%m.%Y %H:%M")
        next_question = await o.say(good)
        assert not next_question.text.startswith("⚠️")


@pytest.mark.parametrize("language", ["uz", "ru"])
async def test_a_future_date_says_so(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, language: str
) -> None:
    o = Officer(tg, await seed_user(person(language)))
    async with run_bot():
        await o.start_form("incident")
        await o.tap_form("category", "opt", "intel")
        tomorrow = (datetime.now(TASHKENT) + timedelta(days=1)).strftime("%d.%m.%Y %H:%M")
        reply = await o.say(tomorrow)
    assert FUTURE[language] in reply.text


@pytest.mark.parametrize("language", ["uz", "ru"])
async def test_five_thousand_character_notes_are_refused_with_the_count(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, language: str
) -> None:
    o = Officer(tg, await seed_user(person(language)))
    async with run_bot():
        await o.start_form("joint_operation")
        await o.tap_form("start", "dt", "now")
        await o.tap_form("end", "dt", "now")
        await o.tap_form("agencies", "opt", "ncdc")
        await o.tap_form("agencies", "done")
        await o.say("3")
        await o.say("40")
        await o.say("Done")
        reply = await o.say("x" * 5000)
        assert TOO_LONG[language] in reply.text
        assert "1500" in reply.text or "1 500" in reply.text
        assert NOTES_QUESTION[language] in o.screen().text  # still asked, right above
        summary = await o.say("<i>short</i> & sweet")
        assert "&lt;i&gt;short&lt;/i&gt; &amp; sweet" in (summary.html or "")


@pytest.mark.parametrize("language", ["uz", "ru"])
@pytest.mark.parametrize(
    "forged",
    [
        "f:v1:0000000000000000:when:dt:now",
        "f:v1:",
        "f:v1:abc",
        "rep:v1:new:nuclear",
        "my:v1:open:x:0",
        "f:v1:{draft}:when:dt",
        "f:v1:{draft}:when:opt:../../etc",
        "f:v1:{draft}:detained:opt:heroin",
    ],
)
async def test_forged_or_truncated_buttons_change_nothing(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, language: str, forged: str
) -> None:
    o = Officer(tg, await seed_user(person(language)))
    async with run_bot():
        question = await o.start_form("seizure")
        _, real = o.find("f", "when", "dt", "now")
        draft_id = real.split(":")[2]
        answer = await tg.wait_callback_answer(
            await tg.tap(o.user, question, forged.format(draft=draft_id), forge=True)
        )
        assert answer.get("text")
        assert o.last().text == question.text  # still the same question
        await o.tap_form("when", "dt", "now")  # and it still works


@pytest.mark.parametrize("language", ["uz", "ru"])
async def test_a_button_of_a_finished_form_is_closed(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser, language: str
) -> None:
    o = Officer(tg, await seed_user(person(language)))
    async with run_bot():
        first = await o.start_form("incident")
        _, old = o.find("f", "category", "opt", "intel")
        await o.tap_form("category", "cancel")
        await o.tap_form("_", "cancel_yes")
        answer = await tg.wait_callback_answer(await tg.tap(o.user, first, old, forge=True))
    assert answer["text"] == {"uz": "Bu shakl yopilgan.", "ru": "Эта форма закрыта."}[language]


async def test_a_coordinator_cannot_use_form_buttons(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    coordinator = await seed_user(
        TgUser(id=8102, first_name="Kamola", language_code="ru"), Role.COORDINATOR, None
    )
    async with run_bot():
        await tg.send_text(coordinator, "/language")
        chooser = await tg.next_message(coordinator.id)
        answer = await tg.wait_callback_answer(
            await tg.tap(coordinator, chooser, "rep:v1:new:seizure", forge=True)
        )
    assert "Координаторы" in str(answer["text"]) or "координатор" in str(answer["text"]).lower()
