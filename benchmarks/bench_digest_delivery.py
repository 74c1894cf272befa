"""How long one digest takes to reach 200 coordinators, against the floor of Telegram's limits.

Telegram lets a bot send about 30 messages per second in all, and FieldReport's application keeps
PTB's ``AIORateLimiter`` to stay under that. A digest is k messages per recipient (its text in
one or more messages, the spreadsheet, the chart), so 200 recipients cannot get it in less than
200·k/30 seconds. This benchmark times the real ``bot.delivery.deliver_due`` with the real
application's bot (``build_application``, limiter included) against the in-memory Bot API, which
answers every call at once: all the time above the floor is ours (building the parts once per
language, the database bookkeeping of every part, PTB, the limiter's own scheduling).

The database (``benchmarks/synthetic.py``, made afresh in a temporary directory) holds 8 days of
reports, 300 on the digest's day, and 200 coordinators reading Russian, Uzbek or English: the
parts are built three times, once per language, as ``deliver_due`` caches them. The digest run
is made (untimed) by ``make_due_run``, as the digest job does just before it delivers.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from telegram.constants import FloodLimit

from benchmarks import synthetic
from benchmarks.bots import fieldreport_application
from benchmarks.registry import Figure, benchmark
from bot import delivery
from bot.handlers.common import MESSAGE_LIMIT
from tests.support.memory_bot_api import CHAT_METHODS, Call, InMemoryRequest

RECIPIENTS = 200
DAYS = 8
DAY_REPORTS = 300
#: Telegram's overall limit, which the AIORateLimiter enforces (it lets a burst of as many
#: through at once, then one every 1/RATE s).
RATE = FloodLimit.MESSAGES_PER_SECOND
#: The methods that deliver something the recipient sees: the k parts.
MESSAGE_METHODS = ("sendMessage", "sendDocument", "sendPhoto")
#: A gap between two calls longer than this is not the limiter's spacing (1/30 s) but work.
PAUSE_S = 0.1


def _check(log: list[Call], day: str, texts_by_chat: dict[int, int]) -> None:
    """Every recipient got its text messages, the spreadsheet and the chart (a broadcast sends
    no "uploading" chat action: nobody is waiting for it)."""
    by_chat: dict[int, list[Call]] = defaultdict(list)
    for call in log:
        if call.chat_id is None:
            raise RuntimeError(f"an unexpected {call.method} during the delivery")
        by_chat[call.chat_id].append(call)
    if set(by_chat) != set(texts_by_chat):
        raise RuntimeError(f"{len(by_chat)} chats were sent to, not the {RECIPIENTS} coordinators")
    for chat_id, calls in by_chat.items():
        methods = [call.method for call in calls]
        expected = ["sendMessage"] * texts_by_chat[chat_id]
        expected += ["sendDocument", "sendPhoto", "sendPhoto"]  # spreadsheet, chart, map
        if methods != expected:
            raise RuntimeError(f"chat {chat_id} received {methods}, expected {expected}")
        document = calls[-3]
        if document.name != f"fieldreport-{day}.xlsx" or not document.size or not document.caption:
            raise RuntimeError(f"chat {chat_id}: the spreadsheet arrived as {document}")
        if any(c.size > MESSAGE_LIMIT for c in calls if c.method == "sendMessage"):
            raise RuntimeError(f"chat {chat_id}: a text longer than Telegram allows")


@benchmark("digest_delivery", "one digest to 200 coordinators via deliver_due and the rate limiter")
async def digest_delivery() -> list[Figure]:
    """Wall time of ``deliver_due`` for 200 coordinators against 200·k/30 s."""
    plan = synthetic.Plan(
        total_reports=DAYS * DAY_REPORTS,
        day_reports=DAY_REPORTS,
        days=DAYS,
        coordinators=RECIPIENTS,
    )
    request = InMemoryRequest(record=True)
    with tempfile.TemporaryDirectory(prefix="fieldreport-bench-") as tmp:
        path = Path(tmp) / "delivery.sqlite3"
        await synthetic.generate(path, plan)
        async with fieldreport_application(request, database=path, run_jobs=False) as app:
            services = app.services
            now = plan.due_at()
            if await delivery.make_due_run(services, now) != plan.last_day:
                raise RuntimeError("make_due_run did not make the run of the digest day")
            async with services.db.read() as repos:
                pending = await repos.digests.deliveries(plan.last_day)
            languages = Counter(d.language for d in pending)
            if len(pending) != RECIPIENTS or any(d.is_group for d in pending):
                raise RuntimeError(
                    f"{len(pending)} deliveries instead of {RECIPIENTS} coordinators"
                )
            # Nothing so far went through the limiter (setMyCommands carries no chat), but let
            # any burst allowance refill completely before the clock starts.
            await asyncio.sleep(1.1)
            request.log.clear()
            gc.collect()
            began = time.perf_counter()
            completed = await delivery.deliver_due(services, app.bot, now)
            elapsed = time.perf_counter() - began
            async with services.db.read() as repos:
                finished = await repos.digests.deliveries(plan.last_day)

    log = list(request.log)
    if completed != RECIPIENTS or any(d.status != "sent" for d in finished):
        raise RuntimeError(f"deliver_due completed {completed} of {RECIPIENTS} deliveries")
    texts_by_chat = {d.chat_id: d.parts_sent - 3 for d in finished}  # all but the three files
    _check(log, plan.last_day.isoformat(), texts_by_chat)

    messages = sum(1 for call in log if call.method in MESSAGE_METHODS)
    limited = sum(1 for call in log if call.method in CHAT_METHODS)
    floor_s = messages / RATE
    limiter_floor_s = max(limited - RATE, 0) / RATE  # a burst of RATE, then 1/RATE s apart
    first_s = log[0].at - began
    gaps = [b.at - a.at for a, b in itertools.pairwise(log)]
    pauses = [gap for gap in gaps if gap > PAUSE_S]
    k = messages / RECIPIENTS
    texts = sorted(set(texts_by_chat.values()))
    per_language = ", ".join(f"{lang} {n}" for lang, n in languages.most_common())
    return [
        Figure(
            "digest_delivery_200",
            elapsed,
            "s",
            f"deliver_due to {RECIPIENTS} coordinators ({per_language}), limiter on",
            f"first call after {first_s:.2f} s; {len(pauses)} pauses > {PAUSE_S} s "
            f"({sum(pauses):.2f} s); {messages} messages + "
            f"{limited - messages} chat actions",
        ),
        Figure(
            "digest_delivery_floor_200",
            floor_s,
            "s",
            f"{RECIPIENTS} x k / {RATE}: k = {k:g} messages each (text {texts} + XLSX + chart)",
            f"{messages} messages",
            digits=2,
        ),
        Figure(
            "digest_delivery_vs_floor",
            elapsed / floor_s,
            "x",
            "digest_delivery_200 / digest_delivery_floor_200",
            digits=2,
        ),
        Figure(
            "digest_delivery_limiter_floor_200",
            limiter_floor_s,
            "s",
            f"what the AIORateLimiter alone imposes: ({limited} limited calls - {RATE}) / {RATE}",
            "chat actions count, the first 30 calls pass at once",
            digits=2,
        ),
    ]
