"""Every word the page shows goes through the catalogs: the scripts' t("...") calls and
index.html's data-t attributes name only words the server translates."""

from __future__ import annotations

import re
from pathlib import Path

from bot.sandbox.web_texts import PAGE_WORDS, choose_ui_language

STATIC = Path(__file__).resolve().parents[2] / "bot" / "sandbox" / "static"


def test_every_word_of_the_page_is_in_the_catalog_list() -> None:
    script = "\n".join(path.read_text(encoding="utf-8") for path in STATIC.glob("*.js"))
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    used = set(re.findall(r'\bt\("([^"]+)"\)', script))
    used |= set(re.findall(r'"(Uzbek|Russian|English)"', script))
    for either in re.findall(r'\bt\(\w+ \? "([^"]+)" : "([^"]+)"\)', script):
        used |= set(either)
    used |= set(re.findall(r'data-t(?:-label|-placeholder)?="([^"]+)"', page))
    assert used, "the page uses no words?"
    assert sorted(used - set(PAGE_WORDS)) == []


def test_the_page_language_follows_the_request_then_the_browser() -> None:
    assert choose_ui_language("ru", "en") == "ru"
    assert choose_ui_language("uz-Cyrl", None) == "uz_Cyrl"
    assert choose_ui_language("xx", "uz-Cyrl-UZ,ru;q=0.5") == "uz_Cyrl"
    assert choose_ui_language(None, "de-DE,ru;q=0.8") == "ru"
    assert choose_ui_language(None, "uz-UZ") == "uz"
    assert choose_ui_language(None, ",,;q=1," + "x" * 10_000) == "en"
    assert choose_ui_language(None, None) == "en"
