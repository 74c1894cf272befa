"""What must hold after any ordeal: reports ↔ receipts, unique numbers, one digest each."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from tests.resilience.conftest import SEED_AUTHOR, SEEDED_REPORTS, World
from tests.resilience.people import Officer
from tests.resilience.report_plans import Choose, Plan, Text


def report_facts(world: World) -> list[tuple[Any, ...]]:
    return world.query(
        "SELECT r.number, r.idempotency_key, r.form_code, r.year, r.seq, u.telegram_id,"
        " r.unit_id, u.unit_id, un.id FROM reports r"
        " LEFT JOIN users u ON u.id = r.author_id LEFT JOIN units un ON un.id = r.unit_id"
    )


def check_reports(world: World, officers: list[Officer]) -> None:
    """Receipts ↔ rows: every report an officer learned the number of exists exactly once."""
    rows = report_facts(world)
    keys = Counter(row[1] for row in rows)
    numbers = Counter((row[2], row[3], row[4]) for row in rows)
    assert [k for k, n in keys.items() if n > 1] == [], "an idempotency key twice"
    assert [k for k, n in numbers.items() if n > 1] == [], "a (form_code, year, seq) twice"
    orphans = [row for row in rows if row[5] is None or row[8] is None or row[6] != row[7]]
    assert orphans == [], "reports without their author or unit"
    by_author: dict[Any, set[tuple[str, str]]] = {}
    for row in rows:
        by_author.setdefault(row[5], set()).add((str(row[0]), str(row[1])))
    for officer in officers:
        learned = [(f.number, f.draft_id) for f in officer.filed]
        assert len(set(learned)) == len(learned), f"{officer.user.id} got a number twice"
        stored = by_author.get(officer.user.id, set())
        assert stored == set(learned), (
            f"officer {officer.user.id}: stored {sorted(stored)} but learned {sorted(learned)}"
        )
    seeded = by_author.get(SEED_AUTHOR.id, set())
    assert len(seeded) == SEEDED_REPORTS
    assert len(rows) == SEEDED_REPORTS + sum(len(o.filed) for o in officers)
    assert world.query("SELECT COUNT(*) FROM drafts") == [(0,)], "a draft was left behind"


def check_digest(world: World) -> None:
    """Each coordinator got the digest of the due day once; every delivery is 'sent'."""
    expected = f"fieldreport-{world.due_day.isoformat()}.xlsx"
    for coordinator in world.coordinators:
        assert world.spreadsheets(coordinator.id) == [expected], world.tg.describe_chat(
            coordinator.id
        )
    deliveries = world.query(
        "SELECT chat_id, status FROM digest_deliveries WHERE day = ?",
        (world.due_day.isoformat(),),
    )
    assert sorted(deliveries) == sorted((c.id, "sent") for c in world.coordinators)
    assert world.query("SELECT day FROM digest_runs") == [(world.due_day.isoformat(),)]


def _as_given(value: Any) -> Any:
    """A stored answer as the officer gave it: typed text, or the chosen options."""
    if isinstance(value, dict):
        return value.get("text")
    if isinstance(value, list):
        return frozenset(str(v) for v in value)
    return str(value)


def answers_not_as_planned(
    world: World, officers: list[Officer], plans: Callable[[int], list[Plan]]
) -> list[str]:
    """Every typed or chosen top-level answer of every filed report, compared with what its
    officer gave (``plans(index)``): an answer applied twice lands on the next question (a
    typed "14" as persons checked) or undoes a tick."""
    wrong = []
    for index, officer in enumerate(officers):
        by_form = {plan.form: plan for plan in plans(index)}
        for filed in officer.filed:
            rows = world.query("SELECT answers FROM reports WHERE number = ?", (filed.number,))
            stored = json.loads(str(rows[0][0])) if rows else {}
            for key, answer in by_form[filed.form].answers.items():
                if isinstance(answer, Text):
                    expected: Any = answer.text
                elif isinstance(answer, Choose):
                    expected = answer.options
                else:
                    continue
                if key in stored and _as_given(stored[key]) == expected:
                    continue
                if key not in stored and key in ("qty",):
                    continue  # inside the seizure items, checked with them
                wrong.append(f"{filed.number} {key}: {stored.get(key)!r}")
    return wrong
