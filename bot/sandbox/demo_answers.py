"""Answer sets of realistic reports (demo data for the sandbox, synthetic data for benchmarks).

Each maker draws one answer set of its form from a seeded ``random.Random``: the JSON the form
engine stores (with ``@WHEN@``/``@END@``/``@RID@`` left for the report's own moment and id), the
seizure items normalised exactly as ``bot.filing.normalise`` does, the place, the persons
detained. The order of the draws is part of the contract: benchmarks' cached databases are
named by plan, so the same seed must keep giving the same answers (bump
``benchmarks.synthetic.GENERATOR_VERSION`` when a change here alters them).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.filing import normalise
from bot.forms.parsing import plain_decimal
from storage.reports import to_json

FORM_MIX: tuple[tuple[str, str, float], ...] = (
    ("seizure", "SZ", 0.40),
    ("incident", "IN", 0.25),
    ("joint_operation", "JO", 0.15),
    ("daily_status", "DS", 0.20),
)
WITHDRAWN_SHARE = 0.005
#: How many answer sets (templates) of each form the reports are drawn from.
TEMPLATES = {"seizure": 2048, "incident": 512, "joint_operation": 256, "daily_status": 64}

#: Substance -> (weight, kind of measure): plant and powder drugs are weighed, medicines
#: counted, precursors measured in volume.
SUBSTANCE_MIX: dict[str, tuple[float, str]] = {
    "heroin": (14, "mass"),
    "opium": (8, "mass"),
    "hashish": (16, "mass"),
    "cannabis": (18, "mass"),
    "meth": (6, "mass"),
    "mephedrone": (5, "mass"),
    "synth_cann": (9, "mass"),
    "tramadol": (10, "count"),
    "pregabalin": (6, "count"),
    "psych_other": (3, "count"),
    "precursor": (3, "volume"),
    "other": (2, "mass"),
}
PLACES = (
    "Ayritom checkpoint",
    "Termez, Friendship Bridge",
    "Sariosiyo road, km 12",
    "Olot border post",
    "Tashkent, Yunusobod bazaar",
    "Samarkand railway station",
    "Navoi airport, cargo terminal",
    "Bukhara bus station",
    "Andijan, Dustlik crossing",
    "Nukus, road to Kungrad",
    "Gulistan, M-39, km 84",
    "Fergana, Kuvasoy district",
    "Jizzakh, post DPS-4",
    "Karshi, Guzar road",
    "Urgench, Shovot crossing",
    "Namangan, Uchkurgan bridge",
)
NOTES = (
    "Found during a routine vehicle inspection.",
    "Dog handler indicated the spare wheel.",
    "The driver tried to leave the queue; the package was under the seat.",
    "Passenger declared nothing; the bag had a false bottom.",
    "Joint check with customs at the cargo terminal, documents seized as well.",
    "Information received from the regional department the day before.",
    "Parcel addressed to a private person, sender unknown.",
    "Detained person cooperates; further search planned tomorrow.",
)
DESCRIPTIONS = (
    "A group plans to move a consignment across the river at night.",
    "Repeated crossings by the same truck with unusual cargo declarations.",
    "Local residents report strangers near the border fence after dark.",
    "A courier offered money to an inspector to skip the inspection.",
    "Suspicious parcels from the same sender at the post office.",
    "Intelligence on a route through the mountain pass; verification ongoing.",
)
RESULTS = (
    "No violations found.",
    "Two vehicles held for a detailed inspection, nothing found.",
    "One person handed over to the police for documents.",
    "Inspections continue at the checkpoint tomorrow.",
)
REMARKS = ("", "", "", "All quiet.", "Patrol as planned.", "Checkpoint closed for repairs 2 h.")
#: Units' share of the reports: the border crossings see most.
UNIT_WEIGHTS = {
    "IMT-TER": 16,
    "IMT-TAS": 14,
    "IMT-SAM": 10,
    "IMT-AND": 8,
    "IMT-BUK": 8,
    "IMT-FER": 8,
    "IMT-NAM": 7,
    "IMT-KAR": 7,
    "IMT-NUK": 6,
    "IMT-URG": 5,
    "IMT-NAV": 4,
    "IMT-JIZ": 4,
    "IMT-SIR": 3,
}


@dataclass(frozen=True)
class Template:
    """One answer set: its JSON with ``@WHEN@``/``@END@``/``@RID@`` to fill in, and columns."""

    answers: str
    items: tuple[tuple[str, str, str, str, str], ...] = ()
    photos: int = 0
    urgent: bool = False
    place_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    detained: int | None = None
    kg: Decimal = Decimal(0)
    has_end: bool = False


@dataclass
class Tally:
    """A day's figures as the digest counts them (withdrawn reports left out)."""

    reports: int = 0
    seizures: int = 0
    persons: int = 0
    kg: Decimal = field(default_factory=Decimal)


def _log_uniform(rng: random.Random, low: float, high: float, places: int) -> str:
    value = low * (high / low) ** rng.random()
    return str(plain_decimal(Decimal(f"{value:.{places}f}")))


def _item(rng: random.Random) -> tuple[str, str, str, str, str]:
    names = list(SUBSTANCE_MIX)
    substance = rng.choices(names, [SUBSTANCE_MIX[n][0] for n in names])[0]
    kind = SUBSTANCE_MIX[substance][1]
    if kind == "mass":
        if rng.random() < 0.04:
            quantity, measure = _log_uniform(rng, 0.4, 40, 2), "kg"
        else:
            quantity, measure = _log_uniform(rng, 0.3, 900, 1), "g"
    elif kind == "count":
        quantity = str(int(float(_log_uniform(rng, 4, 3000, 0))))
        measure = "tablets" if rng.random() < 0.85 else "pieces"
    elif rng.random() < 0.6:
        quantity, measure = _log_uniform(rng, 50, 950, 0), "ml"
    else:
        quantity, measure = _log_uniform(rng, 1, 400, 1), "l"
    normalised, unit = normalise(Decimal(quantity), measure)
    return substance, quantity, measure, str(normalised), unit


def _place(rng: random.Random) -> tuple[dict[str, Any], str | None, float | None, float | None]:
    if rng.random() < 0.3:
        lat, lon = round(rng.uniform(37.2, 45.5), 6), round(rng.uniform(56.0, 73.1), 6)
        return {"type": "location", "lat": lat, "lon": lon}, None, lat, lon
    text = rng.choice(PLACES)
    return {"type": "text", "text": text}, text, None, None


def _photos(count: int) -> list[dict[str, str]]:
    return [
        {"file_id": f"AgACAgIAAxkBAAI@RID@p{n}", "file_unique_id": f"AQAD@RID@{n}"}
        for n in range(1, count + 1)
    ]


def _seizure(rng: random.Random) -> Template:
    items = tuple(_item(rng) for _ in range(rng.choices((1, 2, 3), (50, 35, 15))[0]))
    detained = rng.choices((0, 1, 2, 3, 4), (30, 40, 18, 8, 4))[0]
    place, place_text, lat, lon = _place(rng)
    photos = rng.choices((0, 1, 2), (25, 50, 25))[0]
    urgent = rng.random() < 0.03
    answers: dict[str, Any] = {
        "when": "@WHEN@",
        "place": place,
        "items": [{"substance": s, "qty": q, "measure": m} for s, q, m, _, _ in items],
        "detained": str(detained),
        "agencies": rng.sample(["customs", "border", "mia", "sss", "ncdc"], rng.randint(1, 2)),
        "urgent": urgent,
    }
    if rng.random() < 0.8:
        answers["conceal"] = rng.choice(["vehicle", "luggage", "body", "cargo", "mail", "none"])
    if rng.random() < 0.8:
        answers["transport"] = rng.choice(["car", "truck", "bus", "train", "air", "foot"])
    if detained:
        answers["nations"] = rng.sample(["uz", "af", "tj", "kg", "kz", "tm"], rng.randint(1, 2))
    if rng.random() < 0.5:
        answers["caseref"] = f"{rng.randint(1, 999)}/{rng.randint(2025, 2026)}"
    if rng.random() < 0.3:
        answers["notes"] = rng.choice(NOTES)
    if photos:
        answers["photos"] = _photos(photos)
    kg = sum((Decimal(n) for _, _, _, n, u in items if u == "kg"), Decimal(0))
    return Template(to_json(answers), items, photos, urgent, place_text, lat, lon, detained, kg)


def _incident(rng: random.Random) -> Template:
    place, place_text, lat, lon = _place(rng)
    urgent = rng.random() < 0.05
    photos = 1 if rng.random() < 0.3 else 0
    answers: dict[str, Any] = {
        "category": rng.choice(["smuggling", "intel", "suspicious", "corruption", "other"]),
        "when": "@WHEN@",
        "place": place,
        "descr": rng.choice(DESCRIPTIONS),
        "urgent": urgent,
    }
    if photos:
        answers["photos"] = _photos(photos)
    return Template(to_json(answers), (), photos, urgent, place_text, lat, lon)


def _joint_operation(rng: random.Random) -> Template:
    answers: dict[str, Any] = {
        "start": "@WHEN@",
        "end": "@END@",
        "agencies": rng.sample(["customs", "border", "mia", "sss", "ncdc"], rng.randint(2, 3)),
        "vehicles": str(rng.randint(5, 400)),
        "persons": str(rng.randint(10, 900)),
        "result": rng.choice(RESULTS),
    }
    if rng.random() < 0.2:
        answers["notes"] = rng.choice(NOTES)
    return Template(to_json(answers), has_end=True)


def _daily_status(rng: random.Random) -> Template:
    remark = rng.choice(REMARKS)
    return Template(to_json({"remarks": remark} if remark else {}))


MAKERS: dict[str, Callable[[random.Random], Template]] = {
    "seizure": _seizure,
    "incident": _incident,
    "joint_operation": _joint_operation,
    "daily_status": _daily_status,
}
