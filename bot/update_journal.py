"""Webhook mode's durable record of updates: recorded before the 200, applied from the record.

Telegram forgets an update as soon as the webhook answered 200. Polling keeps an update at
Telegram until the next getUpdates confirms it, so a crash costs nothing there; a webhook that
answered first and crashed before handling would lose the update. The journal closes that gap:

* :meth:`UpdateJournal.receive` records the update (by ``update_id``) and only then may the
  server answer 200; a repeat of a recorded ``update_id`` is neither recorded nor applied again;
* the recorded update goes to PTB's ``update_queue``; once its processing ended (the fair
  processor reports it, see bot/concurrency.py) the record is marked handled, in batches;
* at start-up, every update recorded and not handled (the process died in between) is applied
  first, in ``update_id`` order; one that was applied at :data:`MAX_START_REPLAYS` starts
  already and is still unhandled took the process down with it each time: it is set aside
  (marked handled unapplied, logged with its id) so that the bot can start at all.

An update applied twice (handled, then the process died before its mark was written) is
harmless: every change claims its update in bot/once.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from telegram import Update

from bot.concurrency import PerPersonUpdateProcessor
from bot.context import FieldReportApplication
from bot.once import KEEP_APPLIED
from storage.clock import utc_now

log = logging.getLogger(__name__)

#: Starts that may apply one recorded update before it is set aside as the likely cause of
#: the crashes (a crash unrelated to it would have to repeat this often while it waited).
MAX_START_REPLAYS = 3


class UpdateJournal:
    """The record of one application's webhook updates."""

    def __init__(self, application: FieldReportApplication) -> None:
        self._application = application
        self._queued: set[int] = set()  # recorded, queued, processing not ended yet
        self._handled: list[int] = []  # processing ended, mark not written yet
        self._writer: asyncio.Task[None] | None = None

    def attach(self) -> None:
        """Hear from the update processor when an update's processing ended."""
        processor = self._application.update_processor
        if not isinstance(processor, PerPersonUpdateProcessor):
            raise TypeError("the webhook journal needs the bot's PerPersonUpdateProcessor")
        processor.on_finished = self.finished

    def detach(self) -> None:
        processor = self._application.update_processor
        if isinstance(processor, PerPersonUpdateProcessor):
            processor.on_finished = None

    async def replay(self) -> int:
        """Queue every recorded, unhandled update (a crash came between 200 and handling);
        prune handled records older than any redelivery. How many were queued."""
        async with self._application.services.db.transaction() as repos:
            await repos.received_updates.forget_handled_before(utc_now() - KEEP_APPLIED)
            waiting = await repos.received_updates.unhandled_at_start()
            # Counted and committed before any of them runs: a crash while applying them
            # still counts this start.
            await repos.received_updates.count_start_replay(
                [update_id for update_id, _, replays in waiting if replays < MAX_START_REPLAYS]
            )
        for update_id, payload, replays in waiting:
            if replays >= MAX_START_REPLAYS:
                log.error(
                    "recorded update %s was applied at %d starts and never finished: set aside"
                    " unapplied",
                    update_id,
                    replays,
                )
                self._mark(update_id)
                continue
            try:
                data = json.loads(payload)
            except ValueError:  # never recorded so (receive() checks), but never stop on it
                log.error("recorded update %s is not JSON; marked handled unapplied", update_id)
                self._mark(update_id)
                continue
            self._apply(update_id, data)
        if waiting:
            log.info("applying %d update(s) received before the last stop", len(waiting))
        return len(waiting)

    async def receive(self, update_id: int, payload: str, data: dict[str, Any]) -> bool:
        """Record an update durably, then queue it; False for a repeat (nothing done).

        Raises whatever the database raises: the server then answers 500 and Telegram tries
        again later.
        """
        async with self._application.services.db.transaction() as repos:
            new = await repos.received_updates.record(update_id, payload, utc_now())
        if new:
            # No await between the commit and the queueing: updates queue in the order they
            # were recorded.
            self._apply(update_id, data)
        return new

    def _apply(self, update_id: int, data: dict[str, Any]) -> None:
        try:
            update = Update.de_json(data, self._application.bot)
        except Exception:  # no traceback: its values would be the update's content
            log.error("update %s is not an update PTB can read; marked handled", update_id)
            self._mark(update_id)
            return
        self._queued.add(update_id)
        self._application.update_queue.put_nowait(update)

    def finished(self, update: object) -> None:
        """The processor's report: this update's processing ended (handled, failed, dropped)."""
        if not isinstance(update, Update) or update.update_id not in self._queued:
            return
        self._queued.discard(update.update_id)
        self._mark(update.update_id)

    def _mark(self, update_id: int) -> None:
        self._handled.append(update_id)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write_marks())

    async def _write_marks(self) -> None:
        """Write the handled marks, many in one transaction while updates keep ending."""
        while self._handled:
            batch, self._handled = self._handled, []
            try:
                async with self._application.services.db.transaction() as repos:
                    await repos.received_updates.mark_handled(batch, utc_now())
            except Exception:
                # Unmarked, they are applied again at the next start, which changes nothing.
                log.exception("could not mark %d handled update(s)", len(batch))

    async def flush(self) -> None:
        """Wait until every handled mark so far is written."""
        while self._writer is not None and not self._writer.done():
            await self._writer

    @property
    def in_progress(self) -> int:
        """Updates recorded and queued whose processing has not ended."""
        return len(self._queued)
