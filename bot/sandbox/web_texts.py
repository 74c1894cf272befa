"""The web chat's own words, in the catalogs like the bot's, handed to the page as JSON.

The page looks each word up by its English text (``t("Send")`` in app.js); a word missing
here shows in English, so a test checks that every word the page uses is listed.
"""

from __future__ import annotations

from bot.config import LANGUAGES
from bot.i18n import N_, Translator

__all__ = ["LANGUAGE_NAMES", "PAGE_WORDS", "TOO_MANY_TRIES", "choose_ui_language", "page_texts"]

#: Each language named in itself, as a language selector shows it.
LANGUAGE_NAMES = {
    "uz": "O‘zbekcha",
    "uz_Cyrl": "Ўзбекча",
    "ru": "Русский",
    "en": "English",
}

#: The sign-in page's answer once an address has used up its wrong passwords for a minute.
TOO_MANY_TRIES = N_("Too many wrong passwords: wait a minute, then try again.")

PAGE_WORDS: tuple[str, ...] = (
    N_("FieldReport sandbox"),
    N_("People"),
    N_("Show the people list"),
    N_("Hide the people list"),
    N_("Send"),
    N_("Message"),
    N_("Menu"),
    N_("Close"),
    N_("Share location"),
    N_("Send this location"),
    N_("Latitude"),
    N_("Longitude"),
    N_("Send a photo"),
    N_("The photo is larger than 10 MB."),
    N_("Only JPEG, PNG or WebP photos can be sent."),
    N_("Reset sandbox"),
    N_("Start the sandbox over? Every chat and report made here is deleted."),
    N_("The sandbox was reset."),
    N_("Open beside"),
    N_("Close this chat"),
    N_("Telegram language"),
    N_("Page language"),
    N_("Uzbek"),
    N_("Russian"),
    N_("English"),
    N_("Telegram refused a call of the bot in this chat:"),
    N_("Telegram refused a call of the bot outside the open chats:"),
    N_("Dismiss"),
    N_("Choose a person on the left to open their chat."),
    N_("No messages yet. Send /start to begin."),
    N_("This person has no commands yet."),
    N_("Download"),
    N_("edited"),
    N_("Photo"),
    N_("Location"),
    N_("Connection lost; reconnecting…"),
    N_("Something went wrong: the sandbox did not accept that."),
    N_("Password"),
    N_("Sign in"),
    N_("Wrong password."),
    N_("Sign out"),
    N_("OK"),
)


def page_texts(tr: Translator) -> dict[str, str]:
    """Every page word in ``tr``'s language, keyed by its English text."""
    return {word: tr.gettext(word) for word in PAGE_WORDS}


def choose_ui_language(requested: str | None, accept_language: str | None) -> str:
    """The page's language: the one asked for, else the browser's first we speak, else English.

    ``uz-Cyrl`` (or ``uz_Cyrl``) in Accept-Language chooses Cyrillic Uzbek.
    """
    if requested:
        wanted = requested.replace("-", "_")
        if wanted in LANGUAGES:
            return wanted
    for part in (accept_language or "").split(",")[:20]:
        tag = part.split(";")[0].strip().replace("_", "-").lower()
        if not tag:
            continue
        if tag.startswith("uz-cyrl"):
            return "uz_Cyrl"
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return "en"
