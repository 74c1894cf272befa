"""What a process costs, read from ``/proc`` (Linux): its memory, its CPU, the machine's CPU.

The benchmarks report the bot's memory and CPU and how busy the rest of the machine was; these
readers answer None (or raise, for the machine) rather than guess where ``/proc`` is missing.
"""

from __future__ import annotations

import os

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def read_status_kb(pid: int, key: str) -> int | None:
    """A ``kB`` line of ``/proc/<pid>/status`` (VmRSS, VmHWM…), None once the process is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def read_cpu_seconds(pid: int) -> float | None:
    """User + system CPU time the process has used so far (``/proc/<pid>/stat``)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime


def machine_busy_seconds() -> float:
    """CPU time all processes have used (all cores, from ``/proc/stat``), idle and iowait not."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / _CLOCK_TICKS  # guest time is already in user time
