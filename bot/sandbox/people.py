"""The sandbox's people as the web chat sees them: who they are on Telegram, how they are labelled.

The web side only reads the cast (:mod:`bot.sandbox.cast`: the demo cast, or a test's smaller one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.i18n import N_, Translator
from bot.menus import role_name
from bot.sandbox.cast import Cast, CastMember
from bot.standin import TgChat, TgUser
from bot.translit import latin_to_cyrillic

__all__ = [
    "TELEGRAM_LANGUAGES",
    "PersonView",
    "person_view",
]

#: The languages a person's Telegram app can be set to in the sandbox.
TELEGRAM_LANGUAGES = ("uz", "ru", "en")
GROUP_LABEL = N_("Coordination group")
# TRANSLATORS: a person in the sandbox's people list: their role, then their unit's name.
ROLE_AND_UNIT = N_("{role} · {unit}")


@dataclass(frozen=True)
class PersonView:
    """A member with the Telegram side the web acts as."""

    member: CastMember
    chat: TgChat
    sender: TgUser  # who types: the person, or the group's speaker


def full_name(member: CastMember) -> str:
    return " ".join(part for part in (member.first_name, member.last_name) if part)


def telegram_user(member: CastMember, language: str) -> TgUser:
    """The member's Telegram account with their app set to ``language``."""
    return TgUser(
        id=member.telegram_id,
        first_name=member.first_name,
        last_name=member.last_name,
        username=member.username,
        language_code=language,
    )


def person_view(cast: Cast, member: CastMember, languages: Mapping[int, str]) -> PersonView:
    """How to act in ``member``'s chat, with each person's current app language."""
    if not member.is_group:
        user = telegram_user(member, languages.get(member.telegram_id, member.language))
        return PersonView(member, user.private_chat(), user)
    chat = TgChat(id=member.telegram_id, type="supergroup", title=full_name(member))
    speaker = cast.member(member.speaker_id) if member.speaker_id is not None else None
    if speaker is None:
        raise ValueError("the group has nobody to type into it (speaker_id)")
    sender = telegram_user(speaker, languages.get(speaker.telegram_id, speaker.language))
    return PersonView(member, chat, sender)


def unit_name(cast: Cast, code: str, ui_language: str) -> str:
    """The unit's name in the page's language (Cyrillic Uzbek transliterated from Latin)."""
    names = cast.unit_names.get(code) or {}
    if ui_language == "uz_Cyrl" and names.get("uz"):
        return latin_to_cyrillic(names["uz"])
    return names.get(ui_language) or names.get("en") or code


def label(cast: Cast, member: CastMember, tr: Translator) -> str:
    """ "Officer · IMT Termez" in the page's language: what the list shows under the name."""
    if member.is_group:
        return tr.gettext(GROUP_LABEL)
    role = ""
    if member.role is not None:
        role = role_name(member.role, tr)  # lower case, as it is used inside sentences
        role = role[:1].upper() + role[1:]
    if not member.unit_code:
        return role
    unit = unit_name(cast, member.unit_code, tr.language)
    return tr.gettext(ROLE_AND_UNIT).format(role=role, unit=unit) if role else unit
