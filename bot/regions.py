"""The region of Uzbekistan a seizure record names: the one its unit works in.

A typed place is only a name and no gazetteer turns it into a region here, so the record takes
the region of the filing unit's city, read from the city part of the unit's code (``IMT-TER``,
``BLO-TER``: Surxondaryo). A unit whose code names no known city has no region (an empty cell
is honest; a guess would be handed on as fact).
"""

from __future__ import annotations

from bot.i18n import N_, Translator
from storage.models import Unit

#: The city part of a unit's code and its region (the 13 mobile teams' cities, migration 0001).
REGIONS: dict[str, str] = {
    "AND": N_("Andijan Region"),
    "BUK": N_("Bukhara Region"),
    "JIZ": N_("Jizzakh Region"),
    "KAR": N_("Kashkadarya Region"),
    "NAM": N_("Namangan Region"),
    "NAV": N_("Navoi Region"),
    "URG": N_("Khorezm Region"),
    "TAS": N_("Tashkent City"),
    "SAM": N_("Samarkand Region"),
    "NUK": N_("Republic of Karakalpakstan"),
    "TER": N_("Surkhandarya Region"),
    "FER": N_("Fergana Region"),
    "SIR": N_("Syrdarya Region"),
}


def region_key(unit: Unit | None) -> str | None:
    """The city part of the unit's code when it names a known region (``IMT-TER`` → TER)."""
    if unit is None:
        return None
    city = unit.code.rsplit("-", 1)[-1].upper()
    return city if city in REGIONS else None


def region_name(unit: Unit | None, tr: Translator) -> str | None:
    """The unit's region in the reader's language; None when its code names none."""
    key = region_key(unit)
    return tr.gettext(REGIONS[key]) if key is not None else None
