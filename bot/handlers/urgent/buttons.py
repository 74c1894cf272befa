"""The urgent lane's buttons: ``alr:v1:ack|ask|stop:<alert id>`` (coordinators and admins) and
``ans:v1:reply|stop:<question id>`` (officers and admins), each handed to its flow.
"""

from __future__ import annotations

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.handlers.common import stale_button
from bot.handlers.urgent.acknowledge import acknowledge
from bot.handlers.urgent.alert_view import ANSWER_PREFIX, PREFIX
from bot.handlers.urgent.questions import ask, reply, stop
from storage.alerts import PendingKind


def _id(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise callbacks.CallbackDataError(text)
    return int(text)


async def alert_tap(update: Update, context: BotContext) -> None:
    """``alr:v1:<action>:<alert id>``: acknowledge, ask for details, stop asking."""
    query = update.callback_query
    account = context.account
    assert query is not None
    assert account is not None
    try:
        action, raw_id = callbacks.unpack(query.data, PREFIX, 2)
        alert_id = _id(raw_id)
    except callbacks.CallbackDataError:
        await stale_button(update, context)
        return
    if action == "ack":
        await acknowledge(update, context, account, alert_id)
    elif action == "ask":
        await ask(update, context, account, alert_id)
    elif action == "stop":
        await stop(update, context, account, PendingKind.QUESTION, alert_id)
    else:
        await stale_button(update, context)


async def answer_tap(update: Update, context: BotContext) -> None:
    """``ans:v1:<action>:<question id>``: reply to a coordinator's question, or stop replying."""
    query = update.callback_query
    account = context.account
    assert query is not None
    assert account is not None
    try:
        action, raw_id = callbacks.unpack(query.data, ANSWER_PREFIX, 2)
        question_id = _id(raw_id)
    except callbacks.CallbackDataError:
        await stale_button(update, context)
        return
    if action == "reply":
        await reply(update, context, account, question_id)
    elif action == "stop":
        await stop(update, context, account, PendingKind.ANSWER, question_id)
    else:
        await stale_button(update, context)
