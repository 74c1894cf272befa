"""The urgent lane's buttons: ``alr:v1:ack|ask|stop:<alert id>`` (coordinators and admins) and
``ans:v1:reply|stop:<question id>`` (officers and admins), each handed to its flow.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from telegram import Update

from bot import callbacks
from bot.context import BotContext
from bot.handlers.common import stale_button
from bot.handlers.urgent.acknowledge import acknowledge
from bot.handlers.urgent.alert_view import ANSWER_PREFIX, PREFIX
from bot.handlers.urgent.questions import ask, reply, stop
from storage import User
from storage.alerts import PendingKind

#: A button's flow, given the tapping account and the id the button carries.
Flow = Callable[[Update, BotContext, User, int], Awaitable[None]]


def _id(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise callbacks.CallbackDataError(text)
    return int(text)


async def _hand_over(
    update: Update, context: BotContext, prefix: str, flows: Mapping[str, Flow]
) -> None:
    """Read ``<prefix>:v1:<action>:<id>`` and run the action's flow; a button that is not ours
    (malformed, forged, an action we do not serve) is answered as stale and changes nothing."""
    query = update.callback_query
    account = context.account
    assert query is not None
    assert account is not None
    try:
        action, raw_id = callbacks.unpack(query.data, prefix, 2)
        target_id = _id(raw_id)
    except callbacks.CallbackDataError:
        await stale_button(update, context)
        return
    flow = flows.get(action)
    if flow is None:
        await stale_button(update, context)
        return
    await flow(update, context, account, target_id)


async def _stop_asking(update: Update, context: BotContext, account: User, alert_id: int) -> None:
    await stop(update, context, account, PendingKind.QUESTION, alert_id)


async def _stop_answering(
    update: Update, context: BotContext, account: User, question_id: int
) -> None:
    await stop(update, context, account, PendingKind.ANSWER, question_id)


ALERT_FLOWS: Mapping[str, Flow] = {"ack": acknowledge, "ask": ask, "stop": _stop_asking}
ANSWER_FLOWS: Mapping[str, Flow] = {"reply": reply, "stop": _stop_answering}


async def alert_tap(update: Update, context: BotContext) -> None:
    """``alr:v1:<action>:<alert id>``: acknowledge, ask for details, stop asking."""
    await _hand_over(update, context, PREFIX, ALERT_FLOWS)


async def answer_tap(update: Update, context: BotContext) -> None:
    """``ans:v1:<action>:<question id>``: reply to a coordinator's question, or stop replying."""
    await _hand_over(update, context, ANSWER_PREFIX, ANSWER_FLOWS)
