"""The sandbox in a real browser: headless Chromium from the system's package manager, driven by
Playwright, against the real bot and the stand-in.

An Uzbek-speaking officer files a large seizure by tapping and typing; the coordinator sees the
urgent alert and acknowledges it; the officer is told; the coordinator's /digest shows its chart.
Screenshots of both chats go to build/screenshots/ (`make screenshots` copies them to docs/).
Every wait is on a condition: the stand-in going idle, an element appearing.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.sandbox.cast import DEMO_CAST
from bot.sandbox.runner import Sandbox as DemoSandbox
from bot.standin import TINY_PNG, StandIn
from tests.sandbox.cast import COORDINATOR, OFFICER
from tests.sandbox.conftest import running_sandbox

CHROMIUM = Path("/usr/bin/chromium")
#: Of the demo cast: an Uzbek-speaking officer of the Termez mobile team, a coordinator who reads
#: Russian.
DEMO_OFFICER = next(m for m in DEMO_CAST.members if m.telegram_id == 910_101)
DEMO_COORDINATOR = next(m for m in DEMO_CAST.members if m.telegram_id == 910_010)
COORDINATOR_NAME = f"{DEMO_COORDINATOR.first_name} {DEMO_COORDINATOR.last_name}"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 768}
SLOW = 30_000  # ms: the first chart imports matplotlib


@pytest.fixture
def chromium() -> Path:
    """The system's Chromium; its absence fails the test in one sentence, never skips it."""
    if shutil.which(str(CHROMIUM)) is None:
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: install it with `apt-get install chromium` "
            "(`make test` does this when it runs as root).",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture
async def page(chromium: Path, tmp_path: Path) -> AsyncIterator[Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.fail(
            "Playwright is missing: install the test tools with `make install`.", pytrace=False
        )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(chromium),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
            locale="uz-UZ",
            timezone_id="Asia/Tashkent",
        )
        try:
            yield browser.pages[0] if browser.pages else await browser.new_page()
        finally:
            await browser.close()


def acting(tg: StandIn) -> Callable[[Callable[[], Awaitable[None]]], Awaitable[None]]:
    """Run a browser action, then wait until its update reached the stand-in and the bot is
    done with it (so the next action meets the bot's answer, as a person would)."""

    async def act(action: Callable[[], Awaitable[None]]) -> None:
        before = tg.state.next_update_id
        await action()
        await tg.wait_until(
            lambda: tg.state.next_update_id > before, 10, "the page's action reached the bot"
        )
        await tg.wait_idle(timeout=30)

    return act


async def test_an_officer_files_an_urgent_seizure_the_coordinator_acknowledges_and_reads_the_digest(
    page: Any, tmp_path: Path
) -> None:
    """The sandbox as `make run` starts it: the demo cast, a month of demo reports."""
    from playwright.async_api import expect

    async with DemoSandbox(
        Settings(database_path=tmp_path / "real.sqlite3"),
        database=tmp_path / "sandbox.sqlite3",
        port=0,
    ) as sandbox:
        await run_the_training_story(page, sandbox.standin, sandbox.url, expect)


async def open_chat(page: Any, expect: Any, person_id: int) -> Any:
    await page.locator(f'#people-list button.person[data-person-id="{person_id}"]').click()
    pane = page.locator(f'section.chat[data-chat-id="{person_id}"]')
    await expect(pane).to_have_attribute("data-loaded", "true")
    return pane


async def run_the_training_story(page: Any, tg: StandIn, url: str, expect: Any) -> None:
    act = acting(tg)
    await page.goto(url)
    await expect(page.locator("body")).to_have_attribute("data-ready", "true")
    await expect(page.locator("body")).to_have_attribute("data-events", "open")
    # The page speaks the browser's language (Uzbek here).
    await expect(page.locator("#reset")).to_have_text("Sinov muhitini qayta boshlash")

    officer = await open_chat(page, expect, DEMO_OFFICER.telegram_id)
    box = officer.locator("textarea.composer-input")

    async def say(text: str) -> None:
        async def typing() -> None:
            await box.fill(text)
            await box.press("Enter")

        await act(typing)

    async def tap(part: str) -> None:
        """Tap the newest button whose callback data has ``part`` (field, action, argument)."""
        button = officer.locator(f'button[data-callback*="{part}"]').last
        await act(button.click)

    await say("/report")
    await tap(":new:seizure")
    await tap(":when:dt:now")
    await say("Oybek")
    await tap(":substance:opt:heroin")
    await say("1,5")  # kilograms, an Uzbek decimal comma: a large seizure is urgent
    await tap(":measure:opt:kg")
    await tap(":items:more:done")
    await tap(":conceal:skip")
    await tap(":transport:skip")
    await tap(":origin:skip_route")
    await say("2")
    await tap(":nations:opt:af")
    await tap(":nations:done")
    await tap(":agencies:opt:customs")
    await tap(":agencies:done")
    await tap(":caseref:skip")
    await tap(":notes:skip")
    await tap(":photos:skip")
    await tap(":urgent:opt:yes")
    await tap(":_:submit")
    receipt = tg.last_message(DEMO_OFFICER.telegram_id)
    assert receipt is not None and "✅" in receipt.content
    number = next(word for word in receipt.content.split() if word.count("-") == 2)
    shown = officer.locator(f'li.msg.bot[data-message-id="{receipt.message_id}"]')
    await expect(shown).to_contain_text(number)

    coordinator = await open_chat(page, expect, DEMO_COORDINATOR.telegram_id)
    alert = coordinator.locator("li.msg.bot", has_text=number).last
    await expect(alert).to_contain_text("🚨")
    await expect(alert).to_contain_text("Героин")  # the coordinator reads Russian
    await act(alert.locator('button[data-callback*=":ack:"]').click)
    await expect(coordinator.locator(".toast")).to_be_visible()
    await expect(alert.locator('button[data-callback*=":ack:"]')).to_have_count(0)
    await expect(alert).to_contain_text(COORDINATOR_NAME)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "sandbox-coordinator.png"))

    officer = await open_chat(page, expect, DEMO_OFFICER.telegram_id)
    told = officer.locator("li.msg.bot", has_text=COORDINATOR_NAME).last
    await expect(told).to_contain_text(number)
    await page.screenshot(path=str(SCREENSHOTS / "sandbox-officer.png"))

    coordinator = await open_chat(page, expect, DEMO_COORDINATOR.telegram_id)
    await coordinator.locator("textarea.composer-input").fill("/digest")
    await coordinator.locator("button.send").click()
    chart = coordinator.locator("img.photo").last
    await expect(chart).to_be_visible(timeout=SLOW)
    await page.wait_for_function(
        "image => image.complete && image.naturalWidth > 0",
        arg=await chart.element_handle(),
        timeout=SLOW,
    )
    await tg.wait_idle(timeout=30)
    assert tg.refusals == []


HTML = (
    "<b>Qalin</b> <i>kursiv</i> <u>tagi</u> <s>ustidan</s> <code>kod</code>\n<pre>blok</pre>"
    '<a href="https://example.org/x">havola</a> <tg-spoiler>sir</tg-spoiler> '
    "&lt;script&gt;alert(1)&lt;/script&gt; 😀 <b>oxir</b>"
)


async def test_the_page_draws_formatting_edits_refusals_and_acts_like_a_phone(
    page: Any, tmp_path: Path
) -> None:
    from playwright.async_api import expect
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup
    from telegram.error import BadRequest

    async with running_sandbox(tmp_path) as sandbox:
        tg, bot = sandbox.standin, sandbox.app.bot
        act = acting(tg)
        await page.goto(sandbox.web.url)
        await expect(page.locator("body")).to_have_attribute("data-events", "open")
        officer = await open_chat(page, expect, OFFICER.telegram_id)
        messages = officer.locator("ol.messages > li")

        # The bot's HTML, drawn from the parsed text and its entities (UTF-16 offsets).
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("Sayt", url="https://example.org/")]]
        )
        sent = await bot.send_message(
            OFFICER.telegram_id, HTML, parse_mode="HTML", reply_markup=keyboard
        )
        shown = officer.locator(f'li[data-message-id="{sent.message_id}"]')
        for selector, text in (
            ("b >> nth=0", "Qalin"),
            ("i", "kursiv"),
            ("u", "tagi"),
            ("s", "ustidan"),
            ("code >> nth=0", "kod"),
            ("pre", "blok"),
            ('a[href="https://example.org/x"]', "havola"),
            (".spoiler", "sir"),
            ("b >> nth=1", "oxir"),  # after an emoji: two UTF-16 units, one character
            ('.keyboard a[href="https://example.org/"]', "Sayt"),
        ):
            await expect(shown.locator(selector)).to_have_text(text)
        await expect(shown).to_contain_text("<script>alert(1)</script>")
        await expect(shown.locator("script")).to_have_count(0)

        # Edits replace the message in place; deletions remove it.
        await bot.edit_message_text("Yangi matn", OFFICER.telegram_id, sent.message_id)
        await expect(shown).to_contain_text("Yangi matn")
        await expect(shown.locator(".meta")).to_contain_text("tahrirlangan")
        await expect(officer.locator(f'li[data-message-id="{sent.message_id}"]')).to_have_count(1)
        await bot.delete_message(OFFICER.telegram_id, sent.message_id)
        await expect(shown).to_have_count(0)

        # An answer with show_alert is a dialog the person closes (a button the bot no longer
        # serves is answered that way).
        stale = InlineKeyboardMarkup([[InlineKeyboardButton("Eski", callback_data="old:v0:x")]])
        await bot.send_message(OFFICER.telegram_id, "Eski tugma", reply_markup=stale)
        await act(officer.locator('button[data-callback="old:v0:x"]').click)
        dialog = page.locator("dialog#alert-dialog")
        await expect(dialog).to_be_visible()
        await expect(dialog.locator("#alert-text")).not_to_be_empty()
        await dialog.locator("button").click()
        await expect(dialog).to_be_hidden()

        # A call Telegram refuses shows as a banner in that chat.
        tg.inject_fault("400", "sendMessage", chat_id=OFFICER.telegram_id)
        with pytest.raises(BadRequest):
            await bot.send_message(OFFICER.telegram_id, "x")
        banner = officer.locator('.banner[role="alert"]')
        await expect(banner).to_be_visible()
        await expect(banner).to_contain_text("sendMessage")
        # A second refusal joins the first: the trainer sees every refused call, not the last.
        tg.inject_fault("400", "sendPhoto", chat_id=OFFICER.telegram_id)
        with pytest.raises(BadRequest):
            await bot.send_photo(OFFICER.telegram_id, TINY_PNG)
        await expect(banner.locator(".banner-line")).to_have_count(2)
        await expect(banner.locator(".banner-line").first).to_contain_text("sendMessage")
        await expect(banner.locator(".banner-line").last).to_contain_text("sendPhoto")
        await banner.locator("button").click()
        # A refusal in a chat no pane shows (a closed chat, a chat of nobody on the list) goes
        # to the banner above the chats: nothing Telegram would refuse passes unseen.
        elsewhere = page.locator('#refused-elsewhere[role="alert"]')
        await expect(elsewhere).to_be_hidden()
        tg.inject_fault("400", "sendMessage", chat_id=COORDINATOR.telegram_id)
        with pytest.raises(BadRequest):
            await bot.send_message(COORDINATOR.telegram_id, "x")
        with pytest.raises(BadRequest):
            await bot.send_message(424242, "x")
        await expect(elsewhere.locator(".banner-line")).to_have_count(2)
        await expect(elsewhere.locator(".banner-line").first).to_contain_text(
            COORDINATOR.first_name
        )
        await expect(elsewhere.locator(".banner-line").last).to_contain_text("424242")
        await elsewhere.locator("button").click()
        await expect(elsewhere).to_be_hidden()
        await expect(banner).to_be_hidden()

        # Enter sends, Shift+Enter starts a new line.
        box = officer.locator("textarea.composer-input")

        async def two_lines() -> None:
            await box.focus()
            await page.keyboard.type("/start")
            await page.keyboard.press("Enter")

        await act(two_lines)
        await expect(officer.locator('li[data-side="person"]').last).to_have_text(
            re.compile("^/start")
        )
        await box.focus()
        await page.keyboard.type("bir")
        await page.keyboard.press("Shift+Enter")
        await page.keyboard.type("ikki")
        await expect(box).to_have_value("bir\nikki")

        # The menu lists the person's commands; choosing one sends it.
        await officer.locator("button.menu").click()
        command = officer.locator('.menu-list button[data-command="report"]')
        await expect(command).to_be_visible()
        await act(command.click)
        await expect(officer.locator('li[data-side="person"]').last).to_contain_text("/report")

        # A place of the person's unit, shared as a location.
        await officer.locator("button.share-location").click()
        await act(officer.locator(".place-list button", has_text="Ayritom").click)
        await expect(officer.locator("li[data-side=person] .location").last).to_contain_text(
            "37.2336"
        )

        # A photo from the computer; a file that is not an image by its bytes is refused.
        photo_input = officer.locator("input.photo-input")
        await photo_input.set_input_files(
            files=[{"name": "fake.png", "mimeType": "image/png", "buffer": b"not an image"}]
        )
        await expect(officer.locator(".toast")).to_contain_text("JPEG")

        async def upload() -> None:
            await photo_input.set_input_files(
                files=[{"name": "p.png", "mimeType": "image/png", "buffer": TINY_PNG}]
            )

        await act(upload)
        image = officer.locator("li[data-side=person] img.photo").last
        await page.wait_for_function(
            "image => image.complete && image.naturalWidth > 0",
            arg=await image.element_handle(),
        )

        # The person's Telegram language; the page's own language.
        await officer.locator("select.tg-language").select_option("ru")
        await box.fill("/start")

        async def russian_app() -> None:
            await expect(officer).to_have_attribute("data-language", "ru")  # the server has it
            await box.press("Enter")

        await act(russian_app)
        assert tg.state.users[OFFICER.telegram_id].language_code == "ru"
        await page.locator("#ui-language").select_option("ru")
        await expect(page.locator("#reset")).to_have_text("Сбросить песочницу")
        await expect(officer.locator(".banner")).to_be_hidden()  # dismissed stays dismissed
        await expect(officer.locator(".chat-label")).to_have_text("Сотрудник · Термез")

        # Two people side by side.
        await page.locator(f'button.beside[data-person-id="{COORDINATOR.telegram_id}"]').click()
        await expect(page.locator("section.chat")).to_have_count(2)
        await expect(page.locator("section.chat").nth(1)).to_have_attribute(
            "data-chat-id", str(COORDINATOR.telegram_id)
        )

        # At phone size: one pane, the people list behind a button.
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.set_viewport_size({"width": 390, "height": 844})
        await expect(page.locator("#people")).to_be_hidden()
        await expect(page.locator("section.chat").nth(1)).to_be_hidden()
        await page.locator("#people-toggle").click()
        await expect(page.locator("#people")).to_be_visible()
        await page.locator(f'button.person[data-person-id="{OFFICER.telegram_id}"]').click()
        await expect(page.locator("#people")).to_be_hidden()
        await page.screenshot(path=str(SCREENSHOTS / "sandbox-phone.png"))
        await page.set_viewport_size(VIEWPORT)

        # Reset: the page empties every chat it shows.
        page.once("dialog", lambda dialog: dialog.accept())
        await page.locator("#reset").click()
        await expect(messages).to_have_count(0)
        await expect(officer.locator(".no-messages")).to_be_visible()
        assert sandbox.resets == [1]
        await tg.wait_idle(timeout=30)
        assert tg.refusals == []


async def test_a_trainee_signs_in_and_out_of_the_training_room(page: Any, tmp_path: Path) -> None:
    """With a password the page offers sign-out; after it the page and its API are shut."""
    from playwright.async_api import expect

    async with running_sandbox(tmp_path, password="training-room") as sandbox:
        await page.goto(sandbox.web.url + "/")
        await page.locator("#password").fill("training-room")
        await page.locator('button[type="submit"]').click()
        await expect(page.locator("body[data-ready='true']")).to_have_count(1)
        sign_out = page.locator("#sign-out button")
        await expect(sign_out).to_be_visible()
        await expect(sign_out).to_have_text("Chiqish")
        await sign_out.click()
        await expect(page.locator("#password")).to_be_visible()
        answer = await page.request.get(sandbox.web.url + "/api/people")
        assert answer.status == 401
