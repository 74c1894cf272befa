"""What an officer means to answer, field by field: a :class:`Plan` of taps, texts and choices
for each form, read by :class:`~tests.resilience.people.Officer` in whatever order the questions
come."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tap:
    action: str
    arg: str | None = None


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Choose:
    """A multiple-choice question: exactly these options ticked, then "Done"."""

    options: frozenset[str]


Answer = Tap | Text | Choose


@dataclass(frozen=True)
class Plan:
    form: str
    answers: dict[str, Answer]


def seizure(case: str) -> Plan:
    # 200 g is under the urgent threshold: no alert goes to the coordinators' chats.
    return Plan(
        "seizure",
        {
            "when": Tap("dt", "now"),
            "place": Text("Ayritom, terminal 2"),
            "substance": Tap("opt", "hashish"),
            "qty": Text("200"),
            "measure": Tap("opt", "g"),
            "items": Tap("more", "done"),
            "conceal": Tap("opt", "vehicle"),
            "transport": Tap("opt", "car"),
            "origin": Tap("opt", "af"),
            "departure": Tap("opt", "tj"),
            "transit": Choose(frozenset({"unknown"})),
            "destination": Tap("opt", "ru"),
            "detained": Text("2"),
            "nations": Choose(frozenset({"uz", "af"})),
            "agencies": Choose(frozenset({"customs"})),
            "caseref": Text(case),
            "notes": Tap("skip"),
            "photos": Tap("skip"),
            "urgent": Tap("opt", "no"),
            "_": Tap("submit"),
        },
    )


def incident(text: str) -> Plan:
    return Plan(
        "incident",
        {
            "category": Tap("opt", "smuggling"),
            "when": Tap("dt", "now"),
            "place": Text("Termez river port"),
            "descr": Text(text),
            "urgent": Tap("opt", "no"),
            "photos": Tap("skip"),
            "_": Tap("submit"),
        },
    )


def joint_operation(result: str) -> Plan:
    return Plan(
        "joint_operation",
        {
            "start": Tap("dt", "now"),
            "end": Tap("dt", "now"),
            "agencies": Choose(frozenset({"mia"})),
            "vehicles": Text("14"),
            "persons": Text("120"),
            "result": Text(result),
            "notes": Tap("skip"),
            "_": Tap("submit"),
        },
    )


def daily_status() -> Plan:
    return Plan("daily_status", {"_": Tap("submit")})
