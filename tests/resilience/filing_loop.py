"""What officers file while the bot is killed, and how a failure inside a kill window is raised:
shared by the polling and webhook crash tests."""

from __future__ import annotations

import asyncio

from tests.resilience.people import Officer
from tests.resilience.report_plans import Plan, daily_status, incident, joint_operation, seizure


def plans(index: int) -> list[Plan]:
    """Each officer's round of reports: short and long forms, from a different start."""
    cycle = [
        daily_status(),
        incident(f"Officer {index}: tractor with a double floor."),
        seizure(f"CASE-{index}"),
        joint_operation(f"Officer {index}: nothing found."),
    ]
    return cycle[index % len(cycle) :] + cycle[: index % len(cycle)]


async def keep_filing(officer: Officer, index: int, stop: asyncio.Event) -> None:
    """File report after report until told to stop; the report under way is finished."""
    rounds = plans(index)
    n = 0
    while not stop.is_set():
        assert await officer.file(rounds[n % len(rounds)]) is not None
        n += 1
        await officer.pause()


def reraise_failures(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        if task.done() and not task.cancelled():
            error = task.exception()
            if error is not None:
                raise error
