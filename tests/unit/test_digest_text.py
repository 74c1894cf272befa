"""The digest as Telegram HTML: golden texts in each language, escaping, plural forms, lengths.

The golden files (tests/golden/digest_{uz,ru,en}.txt) are the exact text a coordinator gets for
the data set of test_digest_build. Rewrite them with ``UPDATE_GOLDEN=1 pytest …`` after a change
of wording or translation, then read the diff as a human before committing.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from html import escape
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.config import LANGUAGES
from bot.digest.build import build_digest
from bot.digest.chart import build_chart
from bot.digest.figures import DayStats
from bot.digest.text import render_group_text, render_text
from bot.digest.xlsx import build_period_xlsx, build_xlsx
from bot.handlers.common import MESSAGE_LIMIT, split_lines
from bot.i18n import Catalogs, Translator
from storage.models import Unit, UnitKind
from tests.unit.digest_samples import (
    DAY,
    HISTORY,
    INJECTION,
    REPORTS,
    TASHKENT,
    TERMEZ_IMT,
    UNITS,
    UNITS_BY_ID,
    local,
    make_report,
    sample_digest,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
LINE_LIMIT = 1000
ALLOWED_TAGS = {"b", "i"}


def tags(text: str) -> list[str]:
    return re.findall(r"</?([A-Za-z][A-Za-z0-9]*)", text)


def visible(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


# -- golden -----------------------------------------------------------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_digest_reads_exactly_as_the_golden_text(catalogs: Catalogs, language: str) -> None:
    text = "\n".join(render_text(sample_digest(), catalogs.translator(language), UNITS_BY_ID))
    path = GOLDEN / f"digest_{language}.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1, then read it"
    assert text + "\n" == path.read_text(encoding="utf-8"), (
        f"the {language} digest changed: if on purpose, run with UPDATE_GOLDEN=1 and read the diff"
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "ru",
            [
                "Героин: 2,5\u00a0кг",
                "Трамадол: 1\u00a0500\u00a0таблеток",
                "71\u00a0%",
                "27 ноября 2026",
            ],
        ),
        (
            "uz",
            [
                "Geroin: 2,5\u00a0kg",
                "Tramadol: 1\u00a0500\u00a0tabletka",
                "71%",
                "2026-yil 27-noyabr",
            ],
        ),
        ("en", ["Heroin: 2.5\u00a0kg", "Tramadol: 1,500\u00a0tablets", "71%", "27 November 2026"]),
    ],
)
def test_numbers_dates_and_names_are_the_readers(
    catalogs: Catalogs, language: str, expected: list[str]
) -> None:
    text = "\n".join(render_text(sample_digest(), catalogs.translator(language), UNITS_BY_ID))
    for fragment in expected:
        assert fragment in text


def test_the_english_digest_has_every_section_and_figure(catalogs: Catalogs) -> None:
    lines = render_text(sample_digest(), catalogs.translator("en"), UNITS_BY_ID)
    assert lines[0] == "<b>Daily digest for 27 November 2026</b>"
    for line in [
        "9 reports",
        "5 seizures",
        "7 persons detained",
        "3 urgent reports",
        "<b>Termez IMT</b>: 1 report",
        "  1 seizure and 1 joint operation",
        "5 of 7 units filed (71%)",
        "• Jizzakh IMT",
        "• SZ-2026-000099 — Bukhara IMT, 26.11.2026",
        "• SZ-2026-000101 — Termez IMT: Seizure (marked urgent; large seizure of 2\u00a0kg)",
        "• Heroin: 2\u00a0kg — SZ-2026-000101, Termez IMT",
        "<b>Compared with the average of the previous 7 days</b>",
        "9 reports (average 7; ↑ 29%)",
        "4.7\u00a0kg seized (average 2\u00a0kg; ↑ 135%)",
    ]:
        assert line in lines
    assert "Heroin: 5 kg" not in "\n".join(lines)  # the withdrawn seizure


# -- the group --------------------------------------------------------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_group_reads_the_same_digest_without_anything_officers_typed(
    catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    group = render_group_text(sample_digest(), tr, UNITS_BY_ID)
    assert group == render_text(sample_digest(), tr, UNITS_BY_ID)
    text = visible("\n".join(group))
    for typed in ("All quiet", "southern checkpoint", "tonight", INJECTION, "-12/2026", "bazaar"):
        assert typed not in text


# -- HTML and lengths -------------------------------------------------------------------------
EVIL = Unit(50, "IMT-EVIL", UnitKind.IMT, "<b>&Co</b>", "<b>&Co</b>", "<b>&Co</b>", True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_unit_names_are_escaped(catalogs: Catalogs, language: str) -> None:
    units = (*UNITS, EVIL)
    report = make_report("SZ-2026-000500", EVIL, local(DAY, 9), items=(("heroin", "3", "kg"),))
    lazy = replace(EVIL, id=51, code="IMT-LAZY")  # did not file: listed by name
    digest = build_digest(DAY, (*REPORTS, report), (*units, lazy), HISTORY)
    lines = render_text(digest, catalogs.translator(language), {u.id: u for u in (*units, lazy)})
    text = "\n".join(lines)
    shown = EVIL.name(language)  # "<b>&Co</b>" (in Cyrillic Uzbek: transliterated)
    assert shown not in text
    assert text.count(escape(shown)) >= 4  # per unit, missing, urgent, largest
    assert set(tags(text)) <= ALLOWED_TAGS
    for line in lines:  # every tag closed on its own line: a split between lines is safe
        opened = tags(line)
        assert [t for t in opened if t in ALLOWED_TAGS] == opened
        assert line.count("<b>") == line.count("</b>")
        assert line.count("<i>") == line.count("</i>")


@pytest.mark.parametrize("language", LANGUAGES)
def test_lines_are_short_and_split_into_telegram_messages(
    catalogs: Catalogs, language: str
) -> None:
    long_name = "Mobile team with a very long name " * 6
    many = tuple(
        Unit(100 + i, f"IMT-{i:02}", UnitKind.IMT, long_name, long_name, long_name, True)
        for i in range(40)
    )
    reports = tuple(
        make_report(
            f"SZ-2026-{1000 + i:06}",
            unit,
            local(DAY, 8 + i % 12),
            items=tuple((s, "1.5", "kg") for s in ("heroin", "opium", "hashish", "meth")),
            detained=i,
            urgent=True,
        )
        for i, unit in enumerate(many[:30])
    )
    digest = build_digest(DAY, (*REPORTS, *reports), (*UNITS, *many), HISTORY, top_n=20)
    lines = render_text(digest, catalogs.translator(language), {u.id: u for u in (*UNITS, *many)})
    assert max(len(line) for line in lines) <= LINE_LIMIT
    chunks = split_lines(lines)
    assert len(chunks) > 1
    assert all(len(chunk) <= MESSAGE_LIMIT for chunk in chunks)
    assert [line for chunk in chunks for line in chunk.split("\n") if line] == [
        line for line in lines if line
    ]


# -- plural forms -----------------------------------------------------------------------------
RUSSIAN_FORMS = {
    ("{count} report", "{count} reports"): ("{count} отчёт", "{count} отчёта", "{count} отчётов"),
    ("{count} seizure", "{count} seizures"): (
        "{count} изъятие",
        "{count} изъятия",
        "{count} изъятий",
    ),
    ("{count} person detained", "{count} persons detained"): (
        "{count} задержанный",
        "{count} задержанных",
        "{count} задержанных",
    ),
    ("{quantity} tablet", "{quantity} tablets"): (
        "{quantity} таблетка",
        "{quantity} таблетки",
        "{quantity} таблеток",
    ),
}


@pytest.fixture(scope="module")
def russian() -> Translator:
    """A Russian catalog with the three forms of a few messages (until the real one has them)."""
    catalog = Catalog(locale="ru")
    for source, forms in RUSSIAN_FORMS.items():
        catalog.add(source, forms)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translator("ru", Translations(buffer), TASHKENT)


def _seizures(count: int, tablets: str = "1") -> Any:
    reports = [
        make_report(
            f"SZ-2026-{700 + i:06}",
            TERMEZ_IMT,
            local(DAY, 9, i),
            items=(("tramadol", tablets, "tablets"),),
            detained=1,
        )
        for i in range(count)
    ]
    return build_digest(DAY, reports, UNITS, [])


@pytest.mark.parametrize(
    ("count", "reports", "seizures", "detained"),
    [
        (1, "1 отчёт", "1 изъятие", "1 задержанный"),
        (2, "2 отчёта", "2 изъятия", "2 задержанных"),
        (5, "5 отчётов", "5 изъятий", "5 задержанных"),
        (11, "11 отчётов", "11 изъятий", "11 задержанных"),
        (21, "21 отчёт", "21 изъятие", "21 задержанный"),
    ],
)
def test_russian_counts_take_their_three_plural_forms(
    russian: Translator, count: int, reports: str, seizures: str, detained: str
) -> None:
    lines = render_text(_seizures(count), russian, UNITS_BY_ID)
    assert reports in lines
    assert seizures in lines
    assert detained in lines


@pytest.mark.parametrize(
    ("tablets", "expected"),
    [
        ("1", "1 таблетка"),
        ("3", "3 таблетки"),
        ("25", "25 таблеток"),
        ("2.5", "2,5 таблетки"),  # after a fraction: genitive singular
    ],
)
def test_quantities_in_tablets_take_plural_forms(
    russian: Translator, tablets: str, expected: str
) -> None:
    text = "\n".join(render_text(_seizures(1, tablets), russian, UNITS_BY_ID))
    assert f"{expected} —" in text  # the largest seizures line


class RecordingTranslations(Translations):
    """Answers in English and remembers every lookup."""

    def __init__(self) -> None:
        super().__init__()
        self.plurals: list[tuple[str, int]] = []
        self.looked_up: set[tuple[str | None, str]] = set()

    def ugettext(self, message: str) -> str:
        self.looked_up.add((None, message))
        return message

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        self.plurals.append((singular, n))
        self.looked_up.add((None, singular))
        return singular if n == 1 else plural

    def upgettext(self, context: str, message: str) -> str:
        self.looked_up.add((context, message))
        return message


def test_every_message_used_is_found_by_extraction(tmp_path: Path) -> None:
    """A message the extractor misses (in an f-string, behind an alias) never gets translated."""
    recording = RecordingTranslations()
    tr = Translator("en", recording, TASHKENT)
    digest = sample_digest()
    render_text(digest, tr, UNITS_BY_ID)
    build_xlsx(digest, REPORTS, UNITS, tr)
    build_period_xlsx(DAY, DAY, REPORTS, UNITS, tr)
    build_chart(digest, HISTORY, tr, units_by_id=UNITS_BY_ID)
    template = tmp_path / "bot.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [str(pybabel), "extract", "-o", str(template)], cwd=root, check=True, capture_output=True
    )
    with template.open("rb") as handle:
        extracted = {
            (m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(handle) if m.id
        }
    assert recording.looked_up - extracted == set()


def test_every_count_shown_goes_through_ngettext() -> None:
    recording = RecordingTranslations()
    lines = render_text(sample_digest(), Translator("en", recording, TASHKENT), UNITS_BY_ID)
    looked_up = set(recording.plurals)
    for expected in [
        ("{count} report", 9),
        ("{count} seizure", 5),
        ("{count} person detained", 7),
        ("{count} urgent report", 3),
        ("{count} late report (of an earlier day)", 1),
        ("{count} report withdrawn (not counted)", 1),
        ("{quantity} tablet", 1500),
        ("{quantity} piece", 1),
        ("{unit}: {count} report", 2),
        ("{count} joint operation", 1),
        ("{filed} of {total} unit filed ({rate})", 7),
        ("{count} unit did not file:", 2),
        ("{count} late report, filed after its day's digest:", 1),
        ("{count} urgent report:", 3),
        ("Compared with the average of the previous {count} day", 7),
        ("{count} report (average {average}; {change})", 9),
        ("{count} seizure (average {average}; {change})", 5),
        ("{count} person detained (average {average}; {change})", 7),
    ]:
        assert expected in looked_up
    # Every number shown, but for averages, kilograms, litres, dates, percentages and report
    # numbers, is a count that went through ngettext.
    shown = {
        int(n.replace(",", ""))
        for line in lines
        for n in re.findall(
            r"(?<![\d.,/-])\d[\d,]*(?![\d.%-]| kg| L)",
            re.sub(r"average [^;]*;", "", visible(line)),
        )
    }
    plural_counts = {n for _, n in recording.plurals}
    assert shown - plural_counts <= {2026, 26, 27}  # the dates


# -- edge days --------------------------------------------------------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
def test_an_empty_day_renders_zeros_and_every_unit_missing(
    catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    lines = render_text(build_digest(DAY, [], UNITS, []), tr, UNITS_BY_ID)
    text = "\n".join(lines)
    assert tr.ngettext("{count} report", "{count} reports", 0).format(count="0") in lines
    assert tr.gettext("No earlier data to compare with.") in text
    assert tr.gettext("Nothing was seized.") in text
    assert tr.gettext("No urgent reports.") in text
    for unit in UNITS:
        assert (f"• {unit.name(language)}" in lines) is unit.active


def test_a_day_without_active_units(catalogs: Catalogs) -> None:
    lines = render_text(build_digest(DAY, [], [], []), catalogs.translator("en"), {})
    assert "There are no active units." in lines
    assert "No unit filed a report." in lines


def test_changes_down_flat_and_from_zero(catalogs: Catalogs) -> None:
    history = [DayStats(DAY - timedelta(days=1), 12, 5, 0, Decimal(0))]
    lines = render_text(
        build_digest(DAY, REPORTS, UNITS, history), catalogs.translator("en"), UNITS_BY_ID
    )
    assert "9 reports (average 12; ↓ 25%)" in lines
    assert "5 seizures (average 5; no change)" in lines
    assert "7 persons detained (average 0; up from zero)" in lines
