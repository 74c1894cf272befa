"""What the tests and the benchmarks both drive the bot with, written once.

- ``bot_process``: the real bot as a child process (``python -m bot run``) against a stand-in:
  start, SIGKILL, SIGTERM, restart, and what the process costs (tests/resilience, the startup
  and load benchmarks).
- ``process_costs``: CPU and memory of a process and of the machine, read from ``/proc``.
- ``memory_bot_api``: PTB's request interface answered in this process, no HTTP: cheaply
  (benchmarks) or by the stand-in's own Bot API with its checks (tests/property).
- ``driver``: acting as a person: buttons found by meaning, an officer who types and taps
  through the stand-in (tests/e2e, the load benchmark), updates built as Telegram sends them
  (the in-process benchmarks).
"""
