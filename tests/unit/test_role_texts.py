"""Every role has its own whole sentence in every language: no role name slotted into a
sentence built for another grammar, no placeholder left unfilled."""

from __future__ import annotations

import pytest

from bot import role_texts
from bot.config import LANGUAGES
from bot.i18n import Catalogs
from storage import Role


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", list(Role))
def test_each_role_reads_as_a_whole_sentence(catalogs: Catalogs, language: str, role: Role) -> None:
    tr = catalogs.translator(language)
    texts = [
        role_texts.signed_in(tr, role, "Aziz", None),
        role_texts.signed_in(tr, role, "Aziz", "Termez & Co"),
        role_texts.already_registered(tr, role, None),
        role_texts.already_registered(tr, role, "Termez & Co"),
        role_texts.current_role(tr, role, "Aziz"),
        role_texts.role_changed(tr, role, "Aziz"),
        role_texts.your_role_changed(tr, role),
    ]
    for text in texts:
        assert "{" not in text and "}" not in text, text
    assert "Termez &amp; Co" in texts[1] and "Termez &amp; Co" in texts[3]
    assert len(set(texts)) == len(texts)


def test_english_says_a_and_an_as_english_does(catalogs: Catalogs) -> None:
    en = catalogs.translator("en")
    assert role_texts.signed_in(en, Role.OFFICER, "Tom", "Termez") == (
        "Hello, Tom! You are signed in as an officer of Termez."
    )
    assert role_texts.role_changed(en, Role.COORDINATOR, "Tom") == "Tom is now a coordinator."
