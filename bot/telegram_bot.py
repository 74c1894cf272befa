"""The bot object the application talks to Telegram through: PTB's ExtBot, one rule added.

A tap's answer only stops the spinner on the person's button. Telegram refuses it when the tap
was answered already (an update redelivered after a crash) or is too old (a slow network): that
must never turn the rest of the handler into an apology, nor stop it half-way.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.error import BadRequest
from telegram.ext import ExtBot

log = logging.getLogger(__name__)

#: Telegram's words for a callback query that can no longer be answered.
QUERY_ANSWERED = "query is too old"


class FieldReportBot(ExtBot[Any]):
    __slots__ = ()

    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        """Answer a tap; one Telegram no longer takes an answer for is not an error."""
        try:
            return await super().answer_callback_query(*args, **kwargs)
        except BadRequest as exc:
            if QUERY_ANSWERED not in exc.message.lower():
                raise
            log.info("a tap was already answered or is too old to answer")
            return False
