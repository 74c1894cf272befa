"""Heavy jobs run in another process; a worker that dies costs one job, not the pool."""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from bot.workers import OnePerPerson, Workers


async def test_a_job_runs_in_another_process_and_a_dead_worker_is_replaced() -> None:
    workers = Workers("process")
    assert await workers.run(os.getpid) != os.getpid()
    with pytest.raises(BrokenProcessPool):
        await workers.run(os._exit, 3)  # a worker killed in the middle of a job
    assert await workers.run(os.getpid) != os.getpid()  # the next job gets a new pool


async def test_a_thread_worker_runs_in_this_process() -> None:
    assert await Workers("thread").run(os.getpid) == os.getpid()


def test_one_heavy_request_per_person() -> None:
    heavy = OnePerPerson()
    assert heavy.take(1)
    assert not heavy.take(1)
    assert heavy.take(2)  # somebody else is not held up
    with heavy.held(1):
        assert heavy.busy(1)
    assert not heavy.busy(1)
    assert heavy.take(1)
