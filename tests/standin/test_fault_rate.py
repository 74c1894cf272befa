"""The probabilistic fault mode: off by default, seeded, limited to the Bot API side."""

from __future__ import annotations

import time
from collections import Counter

import httpx
import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.standin import StandIn, TgUser
from bot.standin.faults import DEFAULT_RATE_KINDS

from .conftest import TOKEN


async def statuses(http: httpx.AsyncClient, method: str, count: int) -> list[int]:
    return [(await http.post(f"/bot{TOKEN}/{method}")).status_code for _ in range(count)]


async def test_off_by_default(tg: StandIn, http: httpx.AsyncClient) -> None:
    assert tg.fault_rate == 0.0
    assert await statuses(http, "getMe", 50) == [200] * 50
    assert tg.faults_fired == []


async def test_every_call_fails_at_rate_one_but_get_updates_is_spared(
    tg: StandIn, http: httpx.AsyncClient
) -> None:
    tg.set_fault_rate(1.0, kinds=("500",), seed=1)
    assert tg.fault_rate == 1.0
    assert await statuses(http, "getMe", 5) == [500] * 5
    assert await statuses(http, "sendChatAction", 2) == [500, 500]
    response = await http.post(f"/bot{TOKEN}/getUpdates")
    assert response.status_code == 200
    assert tg.faults_fired == [("getMe", "500")] * 5 + [("sendChatAction", "500")] * 2


async def test_the_rate_is_kept_and_the_kinds_are_mixed(
    tg: StandIn, http: httpx.AsyncClient
) -> None:
    tg.set_fault_rate(0.25, kinds=("429", "500", "502"), seed=7)
    codes = await statuses(http, "getMe", 400)
    failed = [code for code in codes if code != 200]
    assert 70 <= len(failed) <= 130  # 100 expected; the seed makes it the same every run
    assert set(failed) == {429, 500, 502}
    assert len(tg.faults_fired) == len(failed)
    assert Counter(kind for _, kind in tg.faults_fired) == Counter(str(c) for c in failed)


async def test_the_same_seed_meets_the_same_faults(http: httpx.AsyncClient) -> None:
    async def run(seed: int) -> list[int]:
        async with StandIn(token=TOKEN) as other, httpx.AsyncClient(base_url=other.api_url) as c:
            other.set_fault_rate(0.3, kinds=("429", "500", "502"), seed=seed)
            return [(await c.post(f"/bot{TOKEN}/getMe")).status_code for _ in range(60)]

    first, again, different = await run(42), await run(42), await run(43)
    assert first == again
    assert first != different
    assert any(code != 200 for code in first)


async def test_only_the_named_methods_fail_and_get_updates_when_named(
    tg: StandIn, http: httpx.AsyncClient
) -> None:
    tg.set_fault_rate(1.0, kinds=("502",), seed=3, methods=["sendMessage", "GETUPDATES"])
    assert (await http.post(f"/bot{TOKEN}/getMe")).status_code == 200
    assert (await http.post(f"/bot{TOKEN}/getUpdates")).status_code == 502
    tg.add_chat(TgUser(id=77, first_name="Zafar"))
    assert (
        await http.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": 77, "text": "x"})
    ).status_code == 502
    assert tg.messages(77) == []
    assert [method for method, _ in tg.faults_fired] == ["getUpdates", "sendMessage"]


async def test_one_method_given_as_a_string_is_one_name(
    tg: StandIn, http: httpx.AsyncClient
) -> None:
    tg.set_fault_rate(1.0, kinds=("500",), methods="getMe")
    assert await statuses(http, "getMe", 2) == [500, 500]
    assert await statuses(http, "getWebhookInfo", 2) == [200, 200]


async def test_the_control_side_and_the_person_side_are_never_hit(
    tg: StandIn, http: httpx.AsyncClient, alice: TgUser
) -> None:
    tg.set_fault_rate(1.0, kinds=("500", "drop"), seed=5, methods=None)
    sent = await http.post("/_standin/text", json={"user": alice.to_dict(), "text": "salom"})
    assert sent.status_code == 200
    assert sent.json()["ok"] is True
    assert (await http.get("/_standin/calls")).status_code == 200
    assert (await http.get(f"/_standin/chats/{alice.id}/messages")).status_code == 200
    await tg.send_text(alice, "yana")  # the Python person side
    await tg.send_photo(alice)
    assert tg.pending_updates() == 3
    photo = tg.state.updates[-1]["message"]["photo"][-1]
    path = tg.state.files[photo["file_id"]].file_path
    download = await http.get(f"/file/bot{TOKEN}/{path}")
    assert download.status_code == 200  # file downloads are not Bot API calls either
    assert tg.faults_fired == []


async def test_clear_faults_turns_the_rate_off(tg: StandIn, http: httpx.AsyncClient) -> None:
    tg.set_fault_rate(1.0, kinds=("500",))
    tg.inject_fault("502", method="getMe", count=3)
    tg.clear_faults()
    assert tg.fault_rate == 0.0
    assert await statuses(http, "getMe", 20) == [200] * 20
    tg.set_fault_rate(1.0, kinds=("500",))
    tg.set_fault_rate(0.0)
    assert await statuses(http, "getMe", 5) == [200] * 5


async def test_injected_faults_fire_first(tg: StandIn, http: httpx.AsyncClient) -> None:
    tg.set_fault_rate(1.0, kinds=("500",))
    tg.inject_fault("502", method="getMe")
    assert await statuses(http, "getMe", 2) == [502, 500]
    assert tg.faults_fired == [("getMe", "502"), ("getMe", "500")]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_ptb_sees_each_kind_as_a_real_outage(tg: StandIn, bot: Bot, alice: TgUser) -> None:
    tg.add_chat(alice)
    tg.set_fault_rate(1.0, kinds=("429",), retry_after=3)
    with pytest.raises(RetryAfter):
        await bot.send_message(alice.id, "x")
    tg.set_fault_rate(1.0, kinds=("drop",))
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(alice.id, "x")
    assert isinstance(caught.value, NetworkError | TimedOut)
    tg.set_fault_rate(1.0, kinds=("slow",), slow_delay=(0.2, 0.3), methods=["sendMessage"])
    started = time.monotonic()
    message = await bot.send_message(alice.id, "sekin")
    assert 0.2 <= time.monotonic() - started < 2.0
    assert message.text == "sekin"
    assert [m.text for m in tg.messages(alice.id)] == ["sekin"]  # the failures sent nothing
    assert [kind for _, kind in tg.faults_fired] == ["429", "drop", "slow"]


def test_arguments_are_checked() -> None:
    standin = StandIn()
    with pytest.raises(ValueError, match="between 0 and 1"):
        standin.set_fault_rate(1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        standin.set_fault_rate(-0.1)
    with pytest.raises(ValueError, match="unknown fault kind"):
        standin.set_fault_rate(0.1, kinds=("418",))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one fault kind"):
        standin.set_fault_rate(0.1, kinds=())
    with pytest.raises(ValueError, match="slow_delay"):
        standin.set_fault_rate(0.1, slow_delay=(2.0, 1.0))
    with pytest.raises(ValueError, match="at least one method"):
        standin.set_fault_rate(0.1, methods=[])
    assert standin.fault_rate == 0.0
    assert DEFAULT_RATE_KINDS == ("429", "500", "slow", "drop")
