"""The running bot keeps its sign of life fresh, by polling or on its webhook, and a clean stop
removes it: what the image's HEALTHCHECK (`python -m bot health`) judges."""

from __future__ import annotations

from bot.config import Settings
from bot.liveness import heartbeat_path, judge
from bot.standin import StandIn
from tests.e2e.conftest import RunBot


async def test_the_running_bot_is_alive_and_a_stopped_one_is_not_running(
    run_bot: RunBot, settings: Settings, tg: StandIn
) -> None:
    sign = heartbeat_path(settings.database_path)
    assert "no bot is running" in (judge(sign) or "")
    async with run_bot():
        # Polling: each getUpdates refreshes it as it leaves; webhook: the listening server.
        await tg.wait_until(lambda: judge(sign) is None, description="a fresh sign of life")
    assert "no bot is running" in (judge(sign) or "")
