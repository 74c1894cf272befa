"""The urgent rule and the digest with kilogram equivalents: what makes a seizure large, how the
alert and the digest say which kilograms."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot import filing
from bot.digest.build import build_digest
from bot.digest.figures import Amount
from bot.digest.labels import factor_text, weighing_text
from bot.digest.text import render_text
from bot.equivalents import (
    WEIGHT_ONLY,
    Factors,
)
from bot.forms.definitions import SEIZURE
from bot.handlers.urgent.alert_view import AlertView, alert_text
from bot.i18n import Catalogs
from bot.urgent import Reason, heaviest_equivalent_kg, large_by, why_urgent
from storage.alerts import Alert
from tests.unit.digest_samples import DAY, TERMEZ_IMT, UNITS
from tests.unit.kg_samples import LANGUAGES, SEEDED, filed, item, seizure

THRESHOLD = Decimal(1)


def test_litres_at_their_factor_make_a_seizure_large() -> None:
    report = filed(item("precursor", "3", "l"))
    assert why_urgent(report, THRESHOLD) is Reason.LARGE
    large = large_by(report.items, THRESHOLD)
    assert large is not None and not large.weighed and large.equivalent_kg == 3


def test_weighed_and_converted_items_of_one_substance_add_up() -> None:
    report = filed(item("meth", "600", "g"), item("meth", "5000", "tablets"))  # 0.6 + 0.5 kg
    large = large_by(report.items, THRESHOLD)
    assert large is not None and (large.reported_kg, large.equivalent_kg) == (
        Decimal("0.6"),
        Decimal("1.1"),
    )
    assert why_urgent(report, THRESHOLD) is Reason.LARGE


def test_reported_weight_is_named_first_when_it_reaches_the_threshold() -> None:
    report = filed(item("heroin", "1.2", "kg"), item("precursor", "5", "l"))
    large = large_by(report.items, THRESHOLD)
    assert large is not None and large.substance == "heroin" and large.reported_kg == Decimal("1.2")
    assert heaviest_equivalent_kg(report.items) == 5


@pytest.mark.parametrize(
    "items",
    [
        (("tramadol", "100000", "tablets"),),  # no factor: tablets never weigh
        (("hashish", "50", "pieces"),),
        (("heroin", "0.6", "kg"), ("precursor", "0.6", "l")),  # two substances, neither large
        (("precursor", "999", "ml"),),
        (("meth", "9999", "tablets"),),  # 0.9999 kg
    ],
)
def test_what_stays_below_the_threshold(items: tuple[tuple[str, str, str], ...]) -> None:
    report = filed(*(item(*i) for i in items))
    assert why_urgent(report, THRESHOLD) is None
    assert large_by(report.items, THRESHOLD) is None


def test_a_threshold_of_nothing_still_needs_something_weighed_or_converted() -> None:
    assert why_urgent(filed(item("tramadol", "3", "tablets")), Decimal(0)) is None
    assert why_urgent(filed(item("meth", "3", "tablets")), Decimal(0)) is Reason.LARGE


def test_the_filing_summary_agrees_with_the_alert() -> None:
    answers = seizure(("precursor", "1", "l"))
    assert filing.urgency(SEIZURE, answers, THRESHOLD, SEEDED) is Reason.LARGE
    assert filing.urgency(SEIZURE, answers, THRESHOLD, WEIGHT_ONLY) is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_alert_says_which_kilograms_in_every_language(
    catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    by_equivalent = filed(item("precursor", "3", "l"), item("meth", "4000", "tablets"))
    by_weight = filed(item("heroin", "1.2", "kg"))
    texts = {}
    for name, report in (("equivalent", by_equivalent), ("weight", by_weight)):
        at = report.submitted_at
        alert = Alert(1, report.id, Reason.LARGE.value, at, None, None, 0, at)
        texts[name] = alert_text(AlertView(alert, report, TERMEZ_IMT, None), tr, THRESHOLD)
    large = large_by(by_equivalent.items, THRESHOLD)
    assert large is not None
    said = weighing_text(large, THRESHOLD, tr)
    assert tr.format_number(Decimal(3)) in said
    assert factor_text(Decimal(1), "l", tr) in said
    assert tr.gettext("{quantity} L").format(quantity="3") in said
    assert said in texts["equivalent"].replace("&lt;", "<").replace("&gt;", ">")
    weighed = large_by(by_weight.items, THRESHOLD)
    assert weighed is not None
    assert weighing_text(weighed, THRESHOLD, tr) in texts["weight"]
    if language == "en":
        assert (
            "Large seizure:</b> Precursor (acetic anhydride etc.): ≈\u00a03\u00a0kg equivalent"
            in texts["equivalent"]
        )
        assert "(3\u00a0L at 1\u00a0kg/L)" in texts["equivalent"]
        assert "Heroin: 1.2\u00a0kg reported" in texts["weight"]
    if language == "ru":
        assert "≈\u00a03\u00a0кг в эквиваленте (3\u00a0л по 1\u00a0кг/л)" in texts["equivalent"]
        assert "Героин: 1,2\u00a0кг по отчёту" in texts["weight"]


@pytest.mark.parametrize(
    ("count", "ru_words"),
    [("1", "1 таблетка"), ("3", "3 таблетки"), ("5", "5 таблеток"), ("21", "21 таблетка")],
)
def test_tablets_in_the_alert_take_their_plural_form(
    catalogs: Catalogs, count: str, ru_words: str
) -> None:
    factors = Factors({("meth", "tablets"): Decimal(1)})  # an absurd 1 kg per tablet
    report = filed(item("meth", count, "tablets", factors))
    large = large_by(report.items, THRESHOLD)
    assert large is not None
    text = weighing_text(large, THRESHOLD, catalogs.translator("ru"))
    assert ru_words in text.replace("\u00a0", " ")


# -- the digest -----------------------------------------------------------------------------


def test_the_digest_shows_quantities_as_reported_and_the_equivalent_total(
    catalogs: Catalogs,
) -> None:
    report = filed(
        item("heroin", "500", "g"),
        item("precursor", "1500", "ml"),
        item("meth", "2000", "tablets"),
        item("tramadol", "300", "tablets"),
    )
    digest = build_digest(DAY, [report], UNITS, [], urgent_threshold_kg=Decimal(10))
    h = digest.headline
    assert h.kg_seized == Decimal("0.5")  # weighed only, as before
    assert h.kg_equivalent == Decimal("2.2")  # 0.5 + 1.5 + 0.2; tramadol has no factor
    assert h.totals == (
        Amount("heroin", "kg", Decimal("0.5"), Decimal("0.5")),
        Amount("meth", "tablets", Decimal(2000), Decimal("0.2")),
        Amount("tramadol", "tablets", Decimal(300)),
        Amount("precursor", "l", Decimal("1.5"), Decimal("1.5")),
    )
    assert h.without_factor == (Amount("tramadol", "tablets", Decimal(300)),)
    en = "\n".join(render_text(digest, catalogs.translator("en"), {u.id: u for u in UNITS}))
    assert "Methamphetamine: 2,000\u00a0tablets (≈\u00a00.2\u00a0kg equivalent)" in en
    assert "Total in kilogram equivalents: ≈\u00a02.2\u00a0kg" in en
    assert "Not included (no factor):" in en


def test_an_urgent_report_by_equivalent_reads_so_in_the_digest(catalogs: Catalogs) -> None:
    digest = build_digest(DAY, [filed(item("precursor", "3", "l"))], UNITS, [])
    (urgent,) = digest.highlights.urgent
    assert (urgent.large, urgent.equivalent, urgent.kg) == (True, True, Decimal(3))
    en = "\n".join(render_text(digest, catalogs.translator("en"), {u.id: u for u in UNITS}))
    assert "(large seizure of ≈\u00a03\u00a0kg equivalent)" in en
