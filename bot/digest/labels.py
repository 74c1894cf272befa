"""Names shared by the digest's renderings: substances, units of measure, units, forms.

Everything returned is plain text (not HTML-escaped); the HTML renderer escapes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from babel.numbers import format_percent

from bot.equivalents import TYPED_SCALE, typed_value
from bot.forms.definitions import FORMS, MEASURES, SUBSTANCES
from bot.i18n import Translator
from bot.urgent import Weighing
from storage.models import Unit

_SUBSTANCES = {option.key: option for option in SUBSTANCES}
_MEASURE_LABELS = {option.key: option.label for option in MEASURES}


def substance_label(key: str, tr: Translator) -> str:
    """``heroin`` → ``Героин`` (its name in the database, corrected by admins); a key we do not
    know is shown as it is."""
    option = _SUBSTANCES.get(key)
    return tr.label(option) if option else key


def measure_label(key: str, tr: Translator) -> str:
    """A unit of measure's short name: ``kg``, ``L``, ``tablets``, ``pieces`` translated."""
    label = _MEASURE_LABELS.get(key)
    return tr.gettext(label) if label else key


def form_title(key: str, tr: Translator) -> str:
    form = FORMS.get(key)
    return tr.gettext(form.title) if form else key


def plural_count(quantity: Decimal) -> int:
    """The ``n`` for ngettext: gettext's plural rules know whole numbers only.

    A fraction takes the form of 2: the plural in English, and in Russian the genitive
    singular ("1,5 таблетки"), which is what both languages use after a fraction.
    """
    if quantity == quantity.to_integral_value():
        return int(quantity)
    return 2


def quantity_text(quantity: Decimal, unit: str, tr: Translator) -> str:
    """A normalised quantity with its unit in the reader's language: ``2,5 кг``, ``300 tablets``."""
    number = tr.format_number(quantity)
    if unit == "kg":
        # Translators: a quantity in kilograms, e.g. "2.5 kg".
        return tr.gettext("{quantity} kg").format(quantity=number)
    if unit == "g":
        # Translators: a quantity in grams, e.g. "250 g".
        return tr.gettext("{quantity} g").format(quantity=number)
    if unit == "ml":
        # Translators: a quantity in millilitres, e.g. "20 ml".
        return tr.gettext("{quantity} ml").format(quantity=number)
    if unit == "l":
        # Translators: a quantity in litres, e.g. "1.5 L".
        return tr.gettext("{quantity} L").format(quantity=number)
    if unit == "tablets":
        return tr.ngettext(
            "{quantity} tablet", "{quantity} tablets", plural_count(quantity)
        ).format(quantity=number)
    if unit == "pieces":
        return tr.ngettext("{quantity} piece", "{quantity} pieces", plural_count(quantity)).format(
            quantity=number
        )
    return tr.gettext("{quantity} {measure}").format(
        quantity=number, measure=measure_label(unit, tr)
    )


def unit_name(unit_id: int, units_by_id: Mapping[int, Unit], tr: Translator) -> str:
    """The unit's name in the reader's language, or ``Unit #7`` for one we no longer know."""
    unit = units_by_id.get(unit_id)
    if unit is not None:
        return unit.name(tr.language)
    return tr.gettext("Unit #{id}").format(id=unit_id)


def percent_text(value: Fraction | Decimal, tr: Translator) -> str:
    """A share (0.71) as the reader's language writes a percentage: ``71%``, ``71 %``."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return format_percent(value, locale=tr.locale)


def factor_text(kg_per_unit: Decimal | None, unit: str, tr: Translator) -> str:
    """A conversion factor as people think of it: ``1 kg/L``, ``100 mg per tablet``,
    ``250 g per piece``, or ``no factor`` (bot/equivalents.py)."""
    if kg_per_unit is None:
        # Translators: a substance measured in litres, tablets or pieces has no conversion
        # factor to kilograms, so it has no kilogram equivalent.
        return tr.gettext("no factor")
    if unit not in TYPED_SCALE:
        return tr.gettext("{value} kg").format(value=tr.format_number(kg_per_unit))
    value = tr.format_number(typed_value(kg_per_unit, unit))
    if unit == "l":
        # Translators: a conversion factor, kilograms per litre, e.g. "1 kg/L".
        return tr.gettext("{value} kg/L").format(value=value)
    if unit == "tablets":
        # Translators: a conversion factor, the weight of one tablet, e.g. "100 mg per tablet".
        return tr.gettext("{value} mg per tablet").format(value=value)
    # Translators: a conversion factor, the weight of one piece, e.g. "250 g per piece".
    return tr.gettext("{value} g per piece").format(value=value)


def equivalent_text(kg: Decimal, tr: Translator) -> str:
    """A kilogram equivalent, never mistaken for weighed kilograms: ``≈ 1,5 kg equivalent``.

    Rounded to what an estimate can claim (tenths from 10 kg, hundredths from 1 kg, grams
    below): a sum of converted tablets printed as "43,9186 kg" reads as a weighing."""
    # Translators: a kilogram equivalent (litres, tablets or pieces converted to kilograms),
    # not a weight anybody measured, e.g. "≈ 1.5 kg equivalent".
    return tr.gettext("≈ {quantity} kg equivalent").format(
        quantity=tr.format_number(rounded_estimate(kg))
    )


def rounded_estimate(kg: Decimal) -> Decimal:
    """``kg`` to 0.1 from 10 kg up, to 0.01 from 1 kg, to 0.001 below; no trailing zeros."""
    step = Decimal("0.1") if kg >= 10 else Decimal("0.01") if kg >= 1 else Decimal("0.001")
    rounded = kg.quantize(step)
    return rounded.normalize() if rounded else Decimal(0)


def weighing_text(weighing: Weighing, threshold_kg: Decimal, tr: Translator) -> str:
    """Which kilograms made a seizure large, as the alert says it: ``Heroin: 1,2 kg reported``,
    or ``Precursor: ≈ 1,5 kg equivalent (3 L at 1 kg/L)`` when only the kilogram equivalent
    reaches the threshold (the weighed part, if any, listed with the conversions)."""
    substance = substance_label(weighing.substance, tr)
    if weighing.weighed and weighing.reported_kg >= threshold_kg:
        # Translators: kilograms weighed and reported by the officer, e.g. "Heroin: 1.2 kg
        # reported".
        return tr.gettext("{substance}: {quantity} kg reported").format(
            substance=substance, quantity=tr.format_number(weighing.reported_kg)
        )
    parts = []
    if weighing.weighed:
        parts.append(
            tr.gettext("{quantity} kg reported").format(
                quantity=tr.format_number(weighing.reported_kg)
            )
        )
    for item in weighing.converted:
        parts.append(
            # Translators: a quantity converted to kilograms with its factor, e.g. "3 L at
            # 1 kg/L", "500 tablets at 100 mg per tablet".
            tr.gettext("{quantity} at {factor}").format(
                quantity=quantity_text(item.normalized_quantity, item.normalized_unit, tr),
                factor=factor_text(item.kg_factor, item.normalized_unit, tr),
            )
        )
    # Translators: e.g. "Precursor: ≈ 1.5 kg equivalent (3 L at 1 kg/L)"; {equivalent} is
    # "≈ 1.5 kg equivalent".
    return tr.gettext("{substance}: {equivalent} ({conversions})").format(
        substance=substance,
        equivalent=equivalent_text(weighing.equivalent_kg, tr),
        conversions=" + ".join(parts),
    )
