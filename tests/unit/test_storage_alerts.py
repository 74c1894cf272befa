"""The alert repository against a fresh database: what must happen once happens once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage import Database, Repositories, Role, UserStatus, cipher
from storage.alerts import DeliveryStatus, PendingKind, Recipient
from tests.unit.seizure_rows import T0, _report

GROUP = -100123


async def _coordinator(repos: Repositories, telegram_id: int) -> int:
    return (await repos.users.create(telegram_id=telegram_id, role=Role.COORDINATOR)).id


async def test_an_alert_is_created_once_per_report(db: Database) -> None:
    async with db.transaction() as repos:
        report_id, _ = await _report(repos)
        first = await repos.alerts.create(report_id, "marked", now=T0)
        again = await repos.alerts.create(report_id, "large", now=T0 + timedelta(minutes=1))
    assert first is not None
    assert again is None
    async with db.read() as repos:
        stored = await repos.alerts.get_by_report(report_id)
    assert stored == first
    assert stored.reason == "marked"
    assert (stored.repeats, stored.last_sent_at, stored.acknowledged) == (0, T0, False)


async def test_a_second_alert_row_for_a_report_is_refused_by_the_schema(db: Database) -> None:
    async with db.transaction() as repos:
        report_id, _ = await _report(repos)
        await repos.alerts.create(report_id, "marked", now=T0)
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            await repos.alerts._conn.execute(
                "INSERT INTO alerts (report_id, reason, created_at) VALUES (?, 'marked', ?)",
                (report_id, T0.isoformat()),
            )


async def test_an_alert_needs_a_real_report_and_a_known_reason(db: Database) -> None:
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            await repos.alerts.create(999, "marked", now=T0)
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            report_id, _ = await _report(repos)
            await repos.alerts.create(report_id, "because", now=T0)


async def test_the_first_acknowledgement_wins(db: Database) -> None:
    async with db.transaction() as repos:
        report_id, _ = await _report(repos)
        alert = await repos.alerts.create(report_id, "marked", now=T0)
        assert alert is not None
        aziz = await _coordinator(repos, 201)
        olga = await _coordinator(repos, 202)
        assert await repos.alerts.acknowledge(alert.id, aziz, now=T0 + timedelta(minutes=2))
        assert not await repos.alerts.acknowledge(alert.id, olga, now=T0 + timedelta(minutes=3))
        stored = await repos.alerts.get(alert.id)
    assert stored is not None
    assert stored.acknowledged_by == aziz
    assert stored.acknowledged_at == T0 + timedelta(minutes=2)


async def test_acknowledging_an_unknown_alert_changes_nothing(db: Database) -> None:
    async with db.transaction() as repos:
        coordinator = await _coordinator(repos, 201)
        assert not await repos.alerts.acknowledge(12345, coordinator, now=T0)


async def test_a_round_is_claimed_once_and_stops_when_acknowledged(db: Database) -> None:
    async with db.transaction() as repos:
        report_id, _ = await _report(repos)
        alert = await repos.alerts.create(report_id, "marked", now=T0)
        assert alert is not None
        later = T0 + timedelta(minutes=31)
        assert await repos.alerts.begin_round(alert.id, seen_repeats=0, now=later) == 1
        # A second pass that read the same state loses the race.
        assert await repos.alerts.begin_round(alert.id, seen_repeats=0, now=later) is None
        stored = await repos.alerts.get(alert.id)
        assert stored is not None
        assert (stored.repeats, stored.last_sent_at) == (1, later)
        coordinator = await _coordinator(repos, 201)
        await repos.alerts.acknowledge(alert.id, coordinator, now=later)
        assert await repos.alerts.begin_round(alert.id, seen_repeats=1, now=later) is None


async def test_unacknowledged_lists_only_alerts_that_may_still_go_out(db: Database) -> None:
    async with db.transaction() as repos:
        coordinator = await _coordinator(repos, 201)
        ids = []
        for _ in range(4):
            report_id, _author = await _report(repos)
            alert = await repos.alerts.create(report_id, "marked", now=T0)
            assert alert is not None
            ids.append((alert.id, report_id))
        (open_id, _), (acked, _), (exhausted, _), (_, withdrawn_report) = ids
        await repos.alerts.acknowledge(acked, coordinator, now=T0)
        for seen in range(3):
            await repos.alerts.begin_round(exhausted, seen_repeats=seen, now=T0)
        await repos.reports.withdraw(withdrawn_report, now=T0)
        found = await repos.alerts.unacknowledged(max_repeats=3)
    assert [alert.id for alert in found] == [open_id]


async def test_deliveries_are_owed_until_sent_and_a_new_round_replaces_the_old(
    db: Database,
) -> None:
    async with db.transaction() as repos:
        report_id, _ = await _report(repos)
        alert = await repos.alerts.create(report_id, "marked", now=T0)
        assert alert is not None
        aziz = await _coordinator(repos, 201)
        people = [Recipient(201, aziz), Recipient(GROUP, None)]
        await repos.alerts.add_deliveries(alert.id, 0, people)
        await repos.alerts.add_deliveries(alert.id, 0, people)  # queued twice: still once each
        owed = await repos.alerts.pending_deliveries([alert.id])
        assert [(d.round_no, d.chat_id, d.user_id) for d in owed] == [
            (0, 201, aziz),
            (0, GROUP, None),
        ]
        await repos.alerts.finish_delivery(alert.id, 0, 201, DeliveryStatus.SENT)
        await repos.alerts.delivery_attempted(alert.id, 0, GROUP)
        (left,) = await repos.alerts.pending_deliveries()
        assert (left.chat_id, left.attempts, left.status) == (GROUP, 1, DeliveryStatus.PENDING)
        await repos.alerts.add_deliveries(alert.id, 1, people)
        owed = await repos.alerts.pending_deliveries([alert.id])
        assert [(d.round_no, d.chat_id) for d in owed] == [(1, 201), (1, GROUP)]
        statuses = {
            (d.round_no, d.chat_id): d.status for d in await repos.alerts.deliveries(alert.id)
        }
    assert statuses[(0, 201)] is DeliveryStatus.SENT
    assert statuses[(0, GROUP)] is DeliveryStatus.SUPERSEDED


async def test_a_delivery_is_claimed_by_one_sender_until_its_lease_lapses(db: Database) -> None:
    async with db.transaction() as repos:
        report_id, _ = await _report(repos)
        alert = await repos.alerts.create(report_id, "marked", now=T0)
        assert alert is not None
        aziz = await _coordinator(repos, 201)
        await repos.alerts.add_deliveries(alert.id, 0, [Recipient(201, aziz)])
        lease = T0 + timedelta(minutes=2)
        assert await repos.alerts.claim_delivery(alert.id, 0, 201, now=T0, until=lease)
        assert not await repos.alerts.claim_delivery(alert.id, 0, 201, now=T0, until=lease)
        # A sender that crashed holding it: the next pass after the lease takes it over.
        assert await repos.alerts.claim_delivery(
            alert.id, 0, 201, now=lease, until=lease + timedelta(minutes=2)
        )
        # A passing failure frees it at once for the next pass.
        await repos.alerts.delivery_attempted(alert.id, 0, 201)
        assert await repos.alerts.claim_delivery(alert.id, 0, 201, now=T0, until=lease)
        await repos.alerts.finish_delivery(alert.id, 0, 201, DeliveryStatus.SENT)
        assert not await repos.alerts.claim_delivery(
            alert.id, 0, 201, now=T0 + timedelta(days=1), until=T0 + timedelta(days=2)
        )
        assert not await repos.alerts.claim_delivery(alert.id, 0, 999, now=T0, until=lease)


async def test_nothing_is_owed_for_an_acknowledged_alert_or_a_withdrawn_report(
    db: Database,
) -> None:
    async with db.transaction() as repos:
        aziz = await _coordinator(repos, 201)
        first, _ = await _report(repos)
        second, _ = await _report(repos)
        acked = await repos.alerts.create(first, "marked", now=T0)
        gone = await repos.alerts.create(second, "marked", now=T0)
        assert acked is not None
        assert gone is not None
        for alert in (acked, gone):
            await repos.alerts.add_deliveries(alert.id, 0, [Recipient(201, aziz)])
        assert len(await repos.alerts.pending_deliveries()) == 2
        await repos.alerts.acknowledge(acked.id, aziz, now=T0)
        await repos.reports.withdraw(second, now=T0)
        assert await repos.alerts.pending_deliveries() == []
        assert await repos.alerts.pending_deliveries([]) == []


async def test_every_copy_is_remembered_once(db: Database) -> None:
    async with db.transaction() as repos:
        report_id, _ = await _report(repos)
        alert = await repos.alerts.create(report_id, "marked", now=T0)
        assert alert is not None
        await repos.alerts.add_message(alert.id, 201, 10)
        await repos.alerts.add_message(alert.id, 201, 10)
        await repos.alerts.add_message(alert.id, GROUP, 3)
        await repos.alerts.add_message(alert.id, 201, 11)
        copies = await repos.alerts.messages(alert.id)
    assert [(c.chat_id, c.message_id) for c in copies] == [(GROUP, 3), (201, 10), (201, 11)]


async def test_a_question_is_answered_once(db: Database) -> None:
    async with db.transaction() as repos:
        report_id, _ = await _report(repos)
        alert = await repos.alerts.create(report_id, "marked", now=T0)
        assert alert is not None
        aziz = await _coordinator(repos, 201)
        question = await repos.alerts.add_question(alert.id, aziz, "Which truck?", now=T0)
        assert (question.answer, question.answered_at) == (None, None)
        answered = T0 + timedelta(minutes=4)
        assert await repos.alerts.answer_question(question.id, "The blue one", now=answered)
        assert not await repos.alerts.answer_question(question.id, "Red", now=answered)
        stored = await repos.alerts.get_question(question.id)
        assert await repos.alerts.questions(alert.id) == [stored]
    assert stored is not None
    assert (stored.question, stored.answer, stored.answered_at) == (
        "Which truck?",
        "The blue one",
        answered,
    )
    assert stored.coordinator_id == aziz


@pytest.mark.parametrize("text", ["", "x" * 1001])
async def test_the_schema_refuses_an_empty_or_overlong_question(db: Database, text: str) -> None:
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            report_id, _ = await _report(repos)
            alert = await repos.alerts.create(report_id, "marked", now=T0)
            assert alert is not None
            aziz = await _coordinator(repos, 201)
            await repos.alerts.add_question(alert.id, aziz, text, now=T0)


async def test_one_pending_step_per_person_replaced_and_cleared(db: Database) -> None:
    async with db.transaction() as repos:
        report_id, officer = await _report(repos)
        alert = await repos.alerts.create(report_id, "marked", now=T0)
        assert alert is not None
        aziz = await _coordinator(repos, 201)
        assert await repos.alerts.get_pending(aziz) is None
        await repos.alerts.set_pending(aziz, PendingKind.QUESTION, alert_id=alert.id, now=T0)
        question = await repos.alerts.add_question(alert.id, aziz, "Which truck?", now=T0)
        later = T0 + timedelta(minutes=1)
        await repos.alerts.set_pending(
            officer, PendingKind.ANSWER, alert_id=alert.id, question_id=question.id, now=later
        )
        await repos.alerts.set_pending(aziz, PendingKind.QUESTION, alert_id=alert.id, now=later)
        mine = await repos.alerts.get_pending(aziz)
        theirs = await repos.alerts.get_pending(officer)
        assert mine is not None
        assert (mine.kind, mine.question_id, mine.created_at) == (PendingKind.QUESTION, None, later)
        assert theirs is not None
        assert (theirs.kind, theirs.question_id) == (PendingKind.ANSWER, question.id)
        assert await repos.alerts.clear_pending(aziz)
        assert not await repos.alerts.clear_pending(aziz)
        assert await repos.alerts.get_pending(aziz) is None
        assert await repos.alerts.get_pending(officer) is not None


async def test_an_answer_step_must_name_its_question(db: Database) -> None:
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            report_id, officer = await _report(repos)
            alert = await repos.alerts.create(report_id, "marked", now=T0)
            assert alert is not None
            await repos.alerts.set_pending(officer, PendingKind.ANSWER, alert_id=alert.id, now=T0)


async def test_active_by_role_lists_only_active_people_of_that_role(db: Database) -> None:
    async with db.transaction() as repos:
        await _coordinator(repos, 201)
        await _coordinator(repos, 202)
        await repos.users.create(telegram_id=300, role=Role.ADMIN)
        await repos.users.set_status(202, UserStatus.BLOCKED)
        coordinators = await repos.users.active_by_role(Role.COORDINATOR)
        admins = await repos.users.active_by_role(Role.ADMIN)
    assert [u.telegram_id for u in coordinators] == [201]
    assert [u.telegram_id for u in admins] == [300]
