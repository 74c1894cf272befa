"""Agencies' and substances' names as reference data: seeded by the migration, corrected by an
admin through the rules layer, shown everywhere by their option key."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest

from bot import reference
from bot.administration import InvalidText, TextProblem
from bot.audit_log import AuditPage, entry_lines
from bot.forms.definitions import AGENCIES, COUNTRIES, SEIZURE, SUBSTANCES
from bot.forms.readback import value_text
from bot.i18n import Catalogs
from storage import Database, ReferenceKind, Role

TASHKENT = ZoneInfo("Asia/Tashkent")


async def test_the_migration_seeds_every_agency_substance_and_country_with_its_catalog_names(
    db: Database,
) -> None:
    catalogs = Catalogs(TASHKENT)
    async with db.read() as repos:
        stored = {(name.kind, name.key): name for name in await repos.reference_names.list()}
    expected = (
        {(ReferenceKind.AGENCY, o.key): o for o in AGENCIES}
        | {(ReferenceKind.SUBSTANCE, o.key): o for o in SUBSTANCES}
        | {(ReferenceKind.COUNTRY, o.key): o for o in COUNTRIES}
    )
    assert all(o.reference == kind for (kind, _key), o in expected.items())
    assert set(stored) == set(expected)
    for pair, option in expected.items():
        name = stored[pair]
        # Nothing changes on the day of the migration, in any of the four languages.
        for language in ("uz", "uz_Cyrl", "ru", "en"):
            assert name.name(language) == catalogs.translator(language).gettext(option.label)
        assert name.updated_by is None


async def test_a_renamed_agency_keeps_its_key_and_is_shown_by_its_new_name(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.users.create(telegram_id=1, role=Role.ADMIN, display_name="Zarina")
        done = await reference.rename(
            repos,
            1,
            ReferenceKind.AGENCY,
            "customs",
            {"uz": " Bojxona  qo‘mitasi ", "ru": "Таможенный комитет РУз", "en": "Customs"},
        )
    assert done is not None and not isinstance(done, reference.Refused)
    assert (done.name_uz, done.updated_by) == ("Bojxona qo‘mitasi", 1)
    catalogs = Catalogs(TASHKENT)
    await reference.load_names(db, catalogs)
    agencies = SEIZURE.field_index["agencies"]
    ru = catalogs.translator("ru")
    assert value_text(agencies, ["customs", "sss"], ru) == (
        "Служба государственной безопасности, Таможенный комитет РУз"
    )
    assert ru.label(AGENCIES[2]) == "Таможенный комитет РУз"
    assert catalogs.translator("uz_Cyrl").label(AGENCIES[2]) == "Божхона қўмитаси"
    # Not in the database (a fresh translator): the catalog's label.
    assert Catalogs(TASHKENT).translator("en").label(AGENCIES[2]) == "State Customs Committee"


async def test_the_rules_layer_audits_old_and_new_names(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.users.create(telegram_id=1, role=Role.ADMIN)
        await reference.rename(
            repos, 1, ReferenceKind.SUBSTANCE, "heroin", {"uz": "G", "ru": "Г", "en": "H"}
        )
    async with db.read() as repos:
        row = await repos.reference_names.get(ReferenceKind.SUBSTANCE, "heroin")
    assert row is not None and row.names() == {"uz": "G", "ru": "Г", "en": "H"}
    async with db.read() as repos:
        (entry,) = await repos.audit.latest(1)
    assert (entry.action, entry.actor_telegram_id, entry.target) == (
        "reference.renamed",
        1,
        "substance:heroin",
    )
    details = json.loads(entry.details or "{}")
    assert details["before"] == {"uz": "Geroin", "ru": "Героин", "en": "Heroin"}
    assert details["after"] == {"uz": "G", "ru": "Г", "en": "H"}


@pytest.mark.parametrize(
    ("typed", "problem"),
    [("", TextProblem.EMPTY), ("x" * 65, TextProblem.TOO_LONG), ("a\nb", TextProblem.CONTROL)],
)
async def test_the_rules_layer_refuses_a_name_telegram_could_not_show(
    db: Database, typed: str, problem: TextProblem
) -> None:
    async with db.transaction() as repos:
        await repos.users.create(telegram_id=1, role=Role.ADMIN)
    with pytest.raises(InvalidText) as raised:
        async with db.transaction() as repos:
            names = {"uz": "A", "ru": typed, "en": "C"}
            await reference.rename(repos, 1, ReferenceKind.AGENCY, "mia", names)
    assert raised.value.problem is problem
    async with db.read() as repos:
        row = await repos.reference_names.get(ReferenceKind.AGENCY, "mia")
    assert row is not None and row.name_en == "Ministry of Internal Affairs"


async def test_an_unknown_key_is_not_renamed(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.users.create(telegram_id=1, role=Role.ADMIN)
        names = {"uz": "A", "ru": "B", "en": "C"}
        assert await reference.rename(repos, 1, ReferenceKind.AGENCY, "nope", names) is None


async def test_the_audit_log_reads_a_correction_by_its_current_name(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.users.create(telegram_id=1, role=Role.ADMIN, display_name="Zarina")
        names = {"uz": "Bojxona", "ru": "Таможня", "en": "Customs"}
        await reference.rename(repos, 1, ReferenceKind.AGENCY, "customs", names)
    catalogs = Catalogs(TASHKENT)
    await reference.load_names(db, catalogs)
    ru = catalogs.translator("ru")
    async with db.read() as repos:
        entries = await repos.audit.latest(1)
        people = {1: await repos.users.get_by_telegram_id(1)}
    (line,) = entry_lines(AuditPage(entries, {k: v for k, v in people.items() if v}), ru)
    assert ru.gettext("Name of an agency, a substance or a country corrected") in line
    assert "→ Таможня" in line


async def test_a_corrected_country_is_shown_in_the_citizenship_answer(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.users.create(telegram_id=1, role=Role.ADMIN)
        names = {"uz": "Afg‘oniston IA", "ru": "Исламский Эмират Афганистан", "en": "Afghanistan"}
        await reference.rename(repos, 1, ReferenceKind.COUNTRY, "af", names)
    catalogs = Catalogs(TASHKENT)
    await reference.load_names(db, catalogs)
    nations = SEIZURE.field_index["nations"]
    assert value_text(nations, ["uz", "af"], catalogs.translator("ru")) == (
        "Узбекистан, Исламский Эмират Афганистан"
    )
    assert value_text(nations, ["af"], catalogs.translator("uz_Cyrl")) == "Афғонистон ИА"
