"""Bot API callbacks: answerCallbackQuery, once per tap, like Telegram."""

from __future__ import annotations

from ..params import Params, bad_request
from .base import MethodBase

__all__ = ["CallbackMethods"]


class CallbackMethods(MethodBase):
    """Answering a person's tap on an inline button."""

    def answer_callback_query(self, params: Params) -> bool:
        """answerCallbackQuery: once per query, like Telegram."""
        query = self.state.callback_queries.get(params.get_str("callback_query_id") or "")
        if query is None or query.answer is not None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get_str("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answer = {
            "text": text,
            "show_alert": params.get_bool("show_alert"),
            "url": params.get_str("url"),
            "cache_time": params.get_int("cache_time") or 0,
        }
        return True
