"""Rows of realistic reports, one day at a time, for ``storage.bulk`` to write.

Shared by the sandbox's demo data (bot/sandbox/seed.py) and the benchmarks' synthetic databases
(benchmarks/synthetic.py): reports of every form drawn from seeded answer sets
(bot/sandbox/demo_answers.py), numbered, timed and spread over units and their officers, each
earlier day optionally already digested (its reports carry their ``digest_day``, and
:meth:`ReportRows.digest_runs` gives the runs with the figures the digest compares with).

Moments are built as text in Tashkent time (UTC+5 all year round, no daylight saving time).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.delivery import stats_to_json
from bot.digest.figures import DayStats
from bot.forms.parsing import plain_decimal
from bot.sandbox.demo_answers import (
    FORM_MIX,
    MAKERS,
    TEMPLATES,
    UNIT_WEIGHTS,
    WITHDRAWN_SHARE,
    Tally,
)
from storage.bulk import Chunk, NextIds, Row
from storage.clock import to_db

TASHKENT = ZoneInfo("Asia/Tashkent")
#: Tashkent is UTC+5 all year round (no daylight saving time).
UTC_OFFSET_S = 5 * 3600
#: Reports are submitted between 07:00 and 24:00 local time (02:00-19:00 UTC: the same date).
SUBMIT_FROM_S, SUBMIT_TO_S = 7 * 3600, 24 * 3600
#: ``HH:MM:SS`` of every second of a day: timestamps are built as text, without datetimes.
_CLOCK = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


class ReportRows:
    """Makes report rows day by day (oldest first), numbering on from ``first``.

    ``officers``: unit id -> the ids (``users.id``) of the officers who file for it; ``codes``:
    unit id -> its code (the busiest units get most reports). The answer sets are drawn from
    ``rng`` first, when the object is made, then each day draws its reports from it.
    """

    def __init__(
        self,
        rng: random.Random,
        officers: dict[int, list[int]],
        codes: dict[int, str],
        first: NextIds,
        *,
        key_prefix: str = "bench-",
    ) -> None:
        self.rng = rng
        self.templates = {
            form: [MAKERS[form](rng) for _ in range(TEMPLATES[form])] for form, _, _ in FORM_MIX
        }
        self.codes = {form: code for form, code, _ in FORM_MIX}
        self.forms = [form for form, _, _ in FORM_MIX]
        self.form_cum = _cumulative([share for _, _, share in FORM_MIX])
        self.unit_ids = sorted(officers)
        self.unit_weights = [UNIT_WEIGHTS.get(codes[unit_id], 5) for unit_id in self.unit_ids]
        self.officers = officers
        self.key_prefix = key_prefix
        self.next_id = first.report_id
        self.seq: dict[tuple[str, int], int] = dict(first.seq)
        self.tallies: dict[date, Tally] = {}

    def day(self, day: date, size: int, *, digested: bool, until_s: int = SUBMIT_TO_S) -> Chunk:
        """``size`` reports submitted on ``day`` between 07:00 and ``until_s`` seconds after
        local midnight (a day still going on has only its morning so far)."""
        # random() and int() rather than randrange() and choice(), which cost several times more.
        rng = self.rng
        random_ = rng.random
        iso = day.isoformat()
        digest_day = iso if digested else None
        tally = self.tallies.setdefault(day, Tally())
        forms = rng.choices(self.forms, cum_weights=self.form_cum, k=size)
        units = rng.choices(self.unit_ids, weights=self.unit_weights, k=size)
        span = until_s - SUBMIT_FROM_S
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
                    f"{self.key_prefix}{rid_text}",
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

    def digest_runs(self, before: date, *, not_after: datetime | None = None) -> list[Row]:
        """The runs of every day made so far before ``before``, made at 08:00 the next morning
        (or at ``not_after`` if that is earlier), with their figures."""
        runs: list[Row] = []
        for day, tally in sorted(self.tallies.items()):
            if day >= before:
                continue
            stats = DayStats(
                day, tally.reports, tally.seizures, tally.persons, plain_decimal(tally.kg)
            )
            made = datetime.combine(day + timedelta(days=1), datetime.min.time(), TASHKENT)
            made += timedelta(hours=8)
            if not_after is not None:
                made = min(made, not_after)
            runs.append((day.isoformat(), to_db(made), stats_to_json(stats)))
        return runs
