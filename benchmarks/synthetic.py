"""Synthetic report databases for the digest benchmarks, made fast and cached between runs.

A database is described by a :class:`Plan`: ``total_reports`` spread over ``days`` days that end
with the *digest day* (``last_day``), which alone holds ``day_reports`` of them. Everything is
as the bot itself would have left it the morning the digest of ``last_day`` falls due:

* the schema, indexes and seeded units of the migrations (``storage.Database.open``);
* officers in each of the 13 units (reports are spread over units unevenly, as in real life)
  and coordinators (the digest's recipients), registered through the repositories;
* reports of every form: ~40 % seizures with 1–3 items (substances, measures and quantities
  of plausible sizes, normalised exactly as ``bot.filing.normalise`` does, now and then a
  large one or one marked urgent, most with photos), ~25 % incidents, ~15 % joint operations,
  ~20 % daily statuses; 0.5 % withdrawn; answers as the form engine stores them (the JSON the
  spreadsheet reads), photos as attachment rows with the same file ids;
* every earlier day already digested: its reports carry their ``digest_day`` and its run is
  recorded with its figures (``stats``), which the digest compares with; the digest day's
  reports are not assigned yet, so ``make_due_run`` has exactly that day to take.

Not made (nothing that builds or sends a digest reads them): ``report_versions`` rows, audit
entries, drafts, alerts, late reports. Idempotency keys are sequential (``bench-…``), not the
random draft ids of real reports.

The rows are written by ``storage.bulk`` (parameterised ``executemany`` in one or a few large
transactions) from templates: up to two thousand answer sets per form are made (and
JSON-encoded) once, and each report takes one, with its own moments and photo ids substituted
as text. The generator is seeded: a plan always gives the same database. Files are cached in
:data:`CACHE_DIR` under a name that holds the plan and :data:`GENERATOR_VERSION`, written to a
temporary name first and renamed when complete, so an interrupted generation is never reused.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.delivery import stats_to_json
from bot.digest.build import DayStats
from bot.filing import normalise
from bot.forms.parsing import plain_decimal
from storage import Database, Role
from storage.bulk import Chunk, NextIds, Row, add_digest_runs, bulk_load, next_ids
from storage.clock import to_db
from storage.reports import to_json

#: Bump whenever the generator would make a different database from the same plan.
GENERATOR_VERSION = 1
CACHE_DIR = Path("/tmp/fieldreport-bench")
TASHKENT = ZoneInfo("Asia/Tashkent")
#: Tashkent is UTC+5 all year round (no daylight saving time).
UTC_OFFSET_S = 5 * 3600
#: Reports are submitted between 07:00 and 24:00 local time (02:00-19:00 UTC: the same date).
SUBMIT_FROM_S, SUBMIT_TO_S = 7 * 3600, 24 * 3600
#: ``HH:MM:SS`` of every second of a day: timestamps are built as text, without datetimes.
_CLOCK = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]

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
#: Coordinators' languages (the digest is built once per language a recipient reads).
COORDINATOR_LANGUAGES = (("ru", 0.5), ("uz", 0.4), ("en", 0.1))


@dataclass(frozen=True)
class Plan:
    """What a synthetic database holds (see the module docstring)."""

    total_reports: int
    day_reports: int
    days: int = 200
    last_day: date = date(2026, 6, 30)
    officers_per_unit: int = 8
    coordinators: int = 12
    seed: int = 1

    def file_name(self) -> str:
        return (
            f"digest-{self.total_reports}-{self.day_reports}-{self.days}d-{self.last_day}"
            f"-o{self.officers_per_unit}-c{self.coordinators}-s{self.seed}"
            f"-v{GENERATOR_VERSION}.sqlite3"
        )

    def due_at(self) -> datetime:
        """A moment at which the digest of ``last_day`` has fallen due (09:00 the day after)."""
        next_day = self.last_day + timedelta(days=1)
        return datetime(next_day.year, next_day.month, next_day.day, 9, tzinfo=TASHKENT)


@dataclass(frozen=True)
class Generated:
    path: Path
    #: Seconds spent making it now; None when it came from the cache.
    seconds: float | None
    reports: int = 0
    items: int = 0
    attachments: int = 0
    transactions: int = 0


@dataclass(frozen=True)
class _Template:
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
class _Tally:
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


def _seizure(rng: random.Random) -> _Template:
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
    return _Template(to_json(answers), items, photos, urgent, place_text, lat, lon, detained, kg)


def _incident(rng: random.Random) -> _Template:
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
    return _Template(to_json(answers), (), photos, urgent, place_text, lat, lon)


def _joint_operation(rng: random.Random) -> _Template:
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
    return _Template(to_json(answers), has_end=True)


def _daily_status(rng: random.Random) -> _Template:
    remark = rng.choice(REMARKS)
    return _Template(to_json({"remarks": remark} if remark else {}))


_MAKERS = {
    "seizure": _seizure,
    "incident": _incident,
    "joint_operation": _joint_operation,
    "daily_status": _daily_status,
}


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


class _Generator:
    """Makes the rows of a plan, one chunk per day, oldest day first."""

    def __init__(
        self, plan: Plan, officers: dict[int, list[int]], codes: dict[int, str], first: NextIds
    ) -> None:
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.templates = {
            form: [_MAKERS[form](self.rng) for _ in range(TEMPLATES[form])]
            for form, _, _ in FORM_MIX
        }
        self.codes = {form: code for form, code, _ in FORM_MIX}
        self.forms = [form for form, _, _ in FORM_MIX]
        self.form_cum = _cumulative([share for _, _, share in FORM_MIX])
        self.unit_ids = sorted(officers)
        self.unit_weights = [UNIT_WEIGHTS.get(codes[unit_id], 5) for unit_id in self.unit_ids]
        self.officers = officers
        self.next_id = first.report_id
        self.seq: dict[tuple[str, int], int] = dict(first.seq)
        self.tallies: dict[date, _Tally] = {}

    def day_sizes(self) -> list[tuple[date, int]]:
        """Reports per day, oldest first: the digest day exactly, the others ±25 % around even."""
        plan = self.plan
        earlier = plan.total_reports - plan.day_reports
        days = [plan.last_day - timedelta(days=n) for n in range(plan.days - 1, 0, -1)]
        weights = [self.rng.uniform(0.75, 1.25) for _ in days]
        scale = earlier / sum(weights)
        sizes = [int(w * scale) for w in weights]
        for n in range(earlier - sum(sizes)):  # rounding: the remainder, one each
            sizes[n % len(sizes)] += 1
        return [*zip(days, sizes, strict=True), (plan.last_day, plan.day_reports)]

    def chunks(self) -> Iterator[Chunk]:
        for day, size in self.day_sizes():
            yield self._day(day, size, digested=day < self.plan.last_day)

    def _day(self, day: date, size: int, *, digested: bool) -> Chunk:
        # random() and int() rather than randrange() and choice(), which cost several times more.
        rng = self.rng
        random_ = rng.random
        iso = day.isoformat()
        digest_day = iso if digested else None
        tally = self.tallies.setdefault(day, _Tally())
        forms = rng.choices(self.forms, cum_weights=self.form_cum, k=size)
        units = rng.choices(self.unit_ids, weights=self.unit_weights, k=size)
        span = SUBMIT_TO_S - SUBMIT_FROM_S
        seconds = sorted(SUBMIT_FROM_S + int(random_() * span) for _ in range(size))
        reports: list[Row] = []
        items: list[Row] = []
        attachments: list[Row] = []
        for form, unit_id, local_s in zip(forms, units, seconds, strict=True):
            rid = self.next_id
            self.next_id += 1
            code = self.codes[form]
            key = (code, day.year)
            seq = self.seq.get(key, 1)
            self.seq[key] = seq + 1
            templates = self.templates[form]
            template = templates[int(random_() * len(templates))]
            submitted = f"{iso}T{_CLOCK[local_s - UTC_OFFSET_S]}.{int(random_() * 1e6):06d}+00:00"
            occurred: str | None = None
            answers = template.answers
            if form != "daily_status":
                when_s = local_s - 300 - int(random_() * 6900)  # 5 min to 2 h before
                occurred = f"{iso}T{_CLOCK[when_s - UTC_OFFSET_S]}.000000+00:00"
                answers = answers.replace("@WHEN@", f"{iso}T{_CLOCK[when_s]}+05:00")
                if template.has_end:
                    end_s = local_s - 60 - int(random_() * 240)
                    answers = answers.replace("@END@", f"{iso}T{_CLOCK[end_s]}+05:00")
            rid_text = f"{rid:09d}"
            if template.photos:
                answers = answers.replace("@RID@", rid_text)
            withdrawn = random_() < WITHDRAWN_SHARE
            authors = self.officers[unit_id]
            reports.append(
                (
                    rid,
                    f"{code}-{day.year}-{seq:06d}",
                    form,
                    code,
                    day.year,
                    seq,
                    f"bench-{rid_text}",
                    unit_id,
                    authors[int(random_() * len(authors))],
                    occurred,
                    submitted,
                    iso,
                    "withdrawn" if withdrawn else "submitted",
                    int(template.urgent),
                    1,
                    answers,
                    template.place_text,
                    template.latitude,
                    template.longitude,
                    template.detained,
                    submitted,
                    digest_day,
                )
            )
            for position, item in enumerate(template.items, 1):
                items.append((rid, position, *item))
            for n in range(1, template.photos + 1):
                attachments.append(
                    (rid, n, "photo", f"AgACAgIAAxkBAAI{rid_text}p{n}", f"AQAD{rid_text}{n}")
                )
            if not withdrawn:
                tally.reports += 1
                if form == "seizure":
                    tally.seizures += 1
                    tally.persons += template.detained or 0
                    tally.kg += template.kg
        return Chunk(reports, items, attachments)

    def digest_runs(self) -> list[Row]:
        """The runs of every digested day, made at 08:00 the next morning, with their figures."""
        runs: list[Row] = []
        for day, tally in sorted(self.tallies.items()):
            if day >= self.plan.last_day:
                continue
            stats = DayStats(
                day, tally.reports, tally.seizures, tally.persons, plain_decimal(tally.kg)
            )
            made = datetime.combine(day + timedelta(days=1), datetime.min.time(), TASHKENT)
            runs.append((day.isoformat(), to_db(made + timedelta(hours=8)), stats_to_json(stats)))
        return runs


def coordinator_languages(count: int, seed: int) -> list[str]:
    """The coordinators' languages, in the mix of :data:`COORDINATOR_LANGUAGES` (seeded)."""
    rng = random.Random(seed)
    languages = [language for language, _ in COORDINATOR_LANGUAGES]
    weights = [weight for _, weight in COORDINATOR_LANGUAGES]
    return rng.choices(languages, weights, k=count)


async def register_people(path: Path, plan: Plan) -> tuple[dict[int, list[int]], dict[int, str]]:
    """Officers of every unit and the coordinators: each unit's officers' ids, units' codes."""
    db = await Database.open(path)
    officers: dict[int, list[int]] = {}
    try:
        async with db.transaction() as repos:
            units = await repos.units.list()
            number = 0
            for unit in units:
                for _ in range(plan.officers_per_unit):
                    number += 1
                    user = await repos.users.create(
                        telegram_id=500_000 + number,
                        role=Role.OFFICER,
                        display_name=f"Officer {number}",
                        username=f"officer{number}",
                        unit_id=unit.id,
                        language="uz",
                    )
                    officers.setdefault(unit.id, []).append(user.id)
            for n, language in enumerate(coordinator_languages(plan.coordinators, plan.seed)):
                await repos.users.create(
                    telegram_id=700_000 + n,
                    role=Role.COORDINATOR,
                    display_name=f"Coordinator {n}",
                    username=f"coordinator{n}",
                    language=language,
                )
    finally:
        await db.close()
    return officers, {unit.id: unit.code for unit in units}


async def generate(path: Path, plan: Plan) -> Generated:
    """Make the database of ``plan`` at ``path`` (which must not exist)."""
    began = time.perf_counter()
    officers, codes = await register_people(path, plan)
    generator = _Generator(plan, officers, codes, next_ids(path))
    loaded = bulk_load(path, generator.chunks())
    add_digest_runs(path, generator.digest_runs())
    return Generated(
        path,
        time.perf_counter() - began,
        loaded.reports,
        loaded.items,
        loaded.attachments,
        loaded.transactions,
    )


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _partial_path(path: Path) -> Path:
    """A temporary name next to ``path``; leftovers of interrupted generations are removed
    (not the file of a generation still running in another process)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in path.parent.glob(f"{path.name}.partial-*"):
        # "<name>.partial-<pid>", and its "-wal" and "-shm" companions
        pid = leftover.name.rsplit(".partial-", 1)[-1].split("-", 1)[0]
        if not pid.isdigit() or not _alive(int(pid)):
            leftover.unlink(missing_ok=True)
    return path.with_name(f"{path.name}.partial-{os.getpid()}")


async def cached(plan: Plan, directory: Path = CACHE_DIR) -> Generated:
    """The database of ``plan`` from the cache, made first if it is not there yet."""
    path = directory / plan.file_name()
    if await asyncio.to_thread(path.exists):
        return Generated(path, None)
    partial = _partial_path(path)
    try:
        made = await generate(partial, plan)
        os.replace(partial, path)
    finally:
        _remove(partial)
    return dataclasses.replace(made, path=path)
