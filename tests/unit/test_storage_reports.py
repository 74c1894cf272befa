from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from storage import (
    Attachment,
    Database,
    NewReport,
    NewSeizureItem,
    ReportChanges,
    ReportStatus,
    Repositories,
    Role,
    SeizureItem,
    cipher,
)
from storage.drafts import new_draft_id

T0 = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)

HEROIN = NewSeizureItem(
    substance="heroin",
    quantity=Decimal("0.001"),
    measure="g",
    normalized_quantity=Decimal("0.000001"),
    normalized_unit="kg",
)
HASHISH = NewSeizureItem(
    substance="hashish",
    quantity=Decimal("12.50"),
    measure="kg",
    normalized_quantity=Decimal("12.50"),
    normalized_unit="kg",
)
PHOTO_A = Attachment(file_id="AgAD-a", file_unique_id="uniq-a")
PHOTO_B = Attachment(file_id="AgAD-b", file_unique_id="uniq-b")


async def _officer(repos: Repositories, telegram_id: int = 100) -> tuple[int, int]:
    """(user id, unit id) of a new officer of the Termez mobile team."""
    unit = await repos.units.get_by_code("IMT-TER")
    assert unit is not None
    user = await repos.users.create(telegram_id=telegram_id, role=Role.OFFICER, unit_id=unit.id)
    return user.id, unit.id


def _new(
    author_id: int,
    unit_id: int,
    *,
    key: str | None = None,
    form: str = "seizure",
    form_code: str = "SZ",
    submitted_at: datetime = T0,
    local_day: date | None = None,
) -> NewReport:
    return NewReport(
        form=form,
        form_code=form_code,
        unit_id=unit_id,
        author_id=author_id,
        idempotency_key=key or new_draft_id(),
        occurred_at=None,
        submitted_at=submitted_at,
        local_day=local_day or submitted_at.date(),
        urgent=False,
        answers={"note": "—"},
        place_text=None,
        latitude=None,
        longitude=None,
        persons_detained=None,
    )


async def test_numbers_count_per_form_and_restart_each_year(db: Database) -> None:
    async with db.transaction() as repos:
        author, unit = await _officer(repos)
        first = await repos.reports.create(_new(author, unit))
        second = await repos.reports.create(_new(author, unit))
        joint = await repos.reports.create(
            _new(author, unit, form="joint_operation", form_code="JO")
        )
        third = await repos.reports.create(_new(author, unit))
        next_year = await repos.reports.create(_new(author, unit, local_day=date(2027, 1, 1)))
    assert [first.number, second.number, third.number] == [
        "SZ-2026-000001",
        "SZ-2026-000002",
        "SZ-2026-000003",
    ]
    assert joint.number == "JO-2026-000001"
    assert next_year.number == "SZ-2027-000001"
    async with db.read() as repos:
        found = await repos.reports.get_by_number("SZ-2026-000002")
    assert found is not None and found.id == second.id


async def test_the_year_is_the_local_day_s_not_the_utc_one(db: Database) -> None:
    # 20:00 UTC on New Year's Eve is already 1 January in Tashkent (UTC+5).
    async with db.transaction() as repos:
        author, unit = await _officer(repos)
        report = await repos.reports.create(
            _new(
                author,
                unit,
                submitted_at=datetime(2026, 12, 31, 20, 0, tzinfo=UTC),
                local_day=date(2027, 1, 1),
            )
        )
    assert report.number == "SZ-2027-000001"


async def test_an_idempotency_key_makes_one_report_only(db: Database) -> None:
    async with db.transaction() as repos:
        author, unit = await _officer(repos)
        created = await repos.reports.create(_new(author, unit, key="a1b2c3d4e5f60718"))
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            await repos.reports.create(_new(author, unit, key="a1b2c3d4e5f60718"))
    async with db.read() as repos:
        found = await repos.reports.get_by_idempotency_key("a1b2c3d4e5f60718")
        assert await repos.reports.get_by_idempotency_key("0000000000000000") is None
        assert await repos.reports.count_by_author(author) == 1
    assert found == created


async def test_every_field_round_trips_exactly(db: Database) -> None:
    occurred = datetime(2026, 3, 14, 6, 15, 30, 123456, tzinfo=UTC)
    async with db.transaction() as repos:
        author, unit = await _officer(repos)
        new = replace(
            _new(author, unit, key="feedfacecafebeef", local_day=date(2026, 3, 14)),
            occurred_at=occurred,
            urgent=True,
            answers={"vehicle": "Damas", "notes": "Термез, ёқилғи", "count": 3},
            place_text="Termez checkpoint",
            latitude=37.2242,
            longitude=67.2783,
            persons_detained=2,
            items=(HEROIN, HASHISH),
            attachments=(PHOTO_B, Attachment("AgAD-v", "uniq-v", kind="video"), PHOTO_A),
        )
        created = await repos.reports.create(new)
    async with db.read() as repos:
        report = await repos.reports.get(created.id)
    assert report == created
    assert report is not None
    assert (report.form, report.form_code, report.unit_id, report.author_id) == (
        "seizure",
        "SZ",
        unit,
        author,
    )
    assert report.occurred_at == occurred
    assert report.submitted_at == T0 and report.updated_at == T0
    assert report.local_day == date(2026, 3, 14)
    assert report.status is ReportStatus.SUBMITTED
    assert report.urgent is True and report.version == 1
    assert report.answers == {"vehicle": "Damas", "notes": "Термез, ёқилғи", "count": 3}
    assert (report.place_text, report.latitude, report.longitude) == (
        "Termez checkpoint",
        37.2242,
        67.2783,
    )
    assert report.persons_detained == 2
    assert report.items == (
        SeizureItem("heroin", Decimal("0.001"), "g", Decimal("0.000001"), "kg"),
        SeizureItem("hashish", Decimal("12.50"), "kg", Decimal("12.50"), "kg"),
    )
    # Exact, trailing zeros included: nothing went through a float.
    assert str(report.items[0].quantity) == "0.001"
    assert str(report.items[1].quantity) == "12.50"
    assert [a.file_id for a in report.attachments] == ["AgAD-b", "AgAD-v", "AgAD-a"]
    assert report.attachments[1].kind == "video"


async def test_a_report_in_a_non_utc_zone_is_stored_in_utc(db: Database) -> None:
    tashkent = datetime(2026, 3, 14, 19, 30, tzinfo=ZoneInfo("Asia/Tashkent"))
    async with db.transaction() as repos:
        author, unit = await _officer(repos)
        report = await repos.reports.create(_new(author, unit, submitted_at=tashkent))
    assert report.submitted_at == datetime(2026, 3, 14, 14, 30, tzinfo=UTC)
    assert report.submitted_at.tzinfo is UTC


async def test_naive_times_and_non_finite_quantities_are_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="naive"):
        async with db.transaction() as repos:
            author, unit = await _officer(repos)
            await repos.reports.create(_new(author, unit, submitted_at=datetime(2026, 3, 14)))
    with pytest.raises(ValueError, match="finite"):
        async with db.transaction() as repos:
            author, unit = await _officer(repos)
            await repos.reports.create(
                replace(_new(author, unit), items=(replace(HEROIN, quantity=Decimal("NaN")),))
            )


async def test_decimals_in_answers_are_written_as_strings(db: Database) -> None:
    async with db.transaction() as repos:
        author, unit = await _officer(repos)
        report = await repos.reports.create(
            replace(_new(author, unit), answers={"cash": Decimal("1500000.00")})
        )
    assert report.answers == {"cash": "1500000.00"}


async def test_listing_is_newest_first_paged_and_only_the_author_s(db: Database) -> None:
    async with db.transaction() as repos:
        author, unit = await _officer(repos, 100)
        other, _ = await _officer(repos, 200)
        mine = [
            await repos.reports.create(
                replace(
                    _new(author, unit, submitted_at=T0 + timedelta(minutes=minute)),
                    items=(HEROIN,),
                    attachments=(PHOTO_A,),
                )
            )
            for minute in (5, 1, 3, 4, 2)
        ]
        await repos.reports.create(_new(other, unit, submitted_at=T0 + timedelta(hours=1)))
    async with db.read() as repos:
        assert await repos.reports.count_by_author(author) == 5
        assert await repos.reports.count_by_author(other) == 1
        page1 = await repos.reports.list_by_author(author, limit=2, offset=0)
        page2 = await repos.reports.list_by_author(author, limit=2, offset=2)
        page3 = await repos.reports.list_by_author(author, limit=2, offset=4)
        assert await repos.reports.list_by_author(author, limit=2, offset=6) == []
    listed = [*page1, *page2, *page3]
    assert [r.submitted_at for r in listed] == sorted((r.submitted_at for r in mine), reverse=True)
    assert all(r.author_id == author for r in listed)
    # Items and attachments are loaded for every report of a page.
    assert all(r.items == (SeizureItem(**vars(HEROIN)),) for r in listed)
    assert all(r.attachments == (PHOTO_A,) for r in listed)


async def test_same_second_reports_are_ordered_by_id(db: Database) -> None:
    async with db.transaction() as repos:
        author, unit = await _officer(repos)
        first = await repos.reports.create(_new(author, unit))
        second = await repos.reports.create(_new(author, unit))
    async with db.read() as repos:
        listed = await repos.reports.list_by_author(author, limit=10, offset=0)
    assert [r.id for r in listed] == [second.id, first.id]


async def test_reports_are_found_by_submission_time_and_local_day(db: Database) -> None:
    async with db.transaction() as repos:
        author, unit = await _officer(repos)
        before = await repos.reports.create(
            _new(author, unit, submitted_at=T0 - timedelta(microseconds=1))
        )
        at_start = await repos.reports.create(_new(author, unit, submitted_at=T0))
        inside = await repos.reports.create(
            _new(author, unit, submitted_at=T0 + timedelta(hours=23), local_day=date(2026, 3, 15))
        )
        at_end = await repos.reports.create(
            _new(author, unit, submitted_at=T0 + timedelta(days=1), local_day=date(2026, 3, 15))
        )
    async with db.read() as repos:
        window = await repos.reports.submitted_between(T0, T0 + timedelta(days=1))
        day14 = await repos.reports.by_local_day(date(2026, 3, 14))
        day15 = await repos.reports.by_local_day(date(2026, 3, 15))
    assert [r.id for r in window] == [at_start.id, inside.id]
    assert [r.id for r in day14] == [before.id, at_start.id]
    assert [r.id for r in day15] == [inside.id, at_end.id]


async def test_an_amendment_keeps_every_version_and_is_applied_once(db: Database) -> None:
    later = T0 + timedelta(hours=2)
    async with db.transaction() as repos:
        author, unit = await _officer(repos)
        coordinator = await repos.users.create(telegram_id=300, role=Role.COORDINATOR)
        created = await repos.reports.create(
            replace(
                _new(author, unit),
                answers={"note": "first"},
                items=(HEROIN, HASHISH),
                attachments=(PHOTO_A,),
            )
        )
    changes = ReportChanges(
        occurred_at=T0 - timedelta(hours=1),
        urgent=True,
        answers={"note": "second"},
        place_text="Airport",
        latitude=41.2579,
        longitude=69.2812,
        persons_detained=1,
        items=(replace(HASHISH, quantity=Decimal("13.0"), normalized_quantity=Decimal("13.0")),),
        attachments=(PHOTO_B, PHOTO_A),
    )
    async with db.transaction() as repos:
        amended = await repos.reports.amend(
            created.id,
            changes,
            amended_by=coordinator.id,
            idempotency_key="0123456789abcdef",
            now=later,
        )
    assert amended.version == 2
    assert amended.number == created.number and amended.submitted_at == created.submitted_at
    assert amended.updated_at == later
    assert amended.answers == {"note": "second"}
    assert (amended.urgent, amended.place_text, amended.persons_detained) == (True, "Airport", 1)
    assert amended.occurred_at == T0 - timedelta(hours=1)
    assert [(i.substance, str(i.quantity)) for i in amended.items] == [("hashish", "13.0")]
    assert amended.attachments == (PHOTO_B, PHOTO_A)

    # The same amendment again (a double tap, a redelivered update) changes nothing.
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            await repos.reports.amend(
                created.id,
                replace(changes, answers={"note": "third"}),
                amended_by=coordinator.id,
                idempotency_key="0123456789abcdef",
                now=later + timedelta(minutes=1),
            )
    async with db.read() as repos:
        current = await repos.reports.get(created.id)
        versions = await repos.reports.versions(created.id)
        applied = await repos.reports.get_version_by_idempotency_key("0123456789abcdef")
        assert await repos.reports.get_version_by_idempotency_key("ffffffffffffffff") is None
    assert current == amended
    assert [v.version for v in versions] == [1, 2]
    assert applied == versions[1]
    first, second = versions
    assert (first.created_by, first.created_at) == (author, T0)
    assert (second.created_by, second.created_at) == (coordinator.id, later)
    assert first.answers["answers"] == {"note": "first"}
    assert [item["quantity"] for item in first.answers["items"]] == ["0.001", "12.50"]
    assert first.answers["attachments"] == [
        {"kind": "photo", "file_id": "AgAD-a", "file_unique_id": "uniq-a"}
    ]
    assert first.answers["urgent"] is False and first.answers["occurred_at"] is None
    assert second.answers["answers"] == {"note": "second"}
    assert second.answers["items"][0]["quantity"] == "13.0"
    assert [a["file_id"] for a in second.answers["attachments"]] == ["AgAD-b", "AgAD-a"]
    assert second.answers["latitude"] == 41.2579


async def test_amending_a_missing_report_raises_lookup_error(db: Database) -> None:
    async with db.transaction() as repos:
        author, _ = await _officer(repos)
        with pytest.raises(LookupError):
            await repos.reports.amend(
                999,
                ReportChanges(None, False, {}, None, None, None, None, (), ()),
                amended_by=author,
                idempotency_key="k",
                now=T0,
            )


async def test_withdrawing_happens_once(db: Database) -> None:
    later = T0 + timedelta(hours=1)
    async with db.transaction() as repos:
        author, unit = await _officer(repos)
        report = await repos.reports.create(_new(author, unit))
        assert await repos.reports.withdraw(report.id, now=later) is True
        assert await repos.reports.withdraw(report.id, now=later) is False
        assert await repos.reports.withdraw(999, now=later) is False
        withdrawn = await repos.reports.get(report.id)
    assert withdrawn is not None
    assert withdrawn.status is ReportStatus.WITHDRAWN
    assert withdrawn.updated_at == later
    assert withdrawn.version == 1


async def test_foreign_keys_and_checks_are_enforced(db: Database) -> None:
    async with db.transaction() as repos:
        author, unit = await _officer(repos)
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            await repos.reports.create(_new(author, 999))
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            await repos.reports.create(_new(999, unit))
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            await repos.reports.create(
                replace(_new(author, unit), items=(replace(HEROIN, measure="pounds"),))
            )
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            await repos.drafts.save(999, draft_id=new_draft_id(), form="seizure", data={}, now=T0)
    async with db.read() as repos:
        assert await repos.reports.count_by_author(author) == 0


async def test_a_rolled_back_transaction_leaves_no_report(db: Database) -> None:
    async with db.transaction() as repos:
        author, unit = await _officer(repos)
    with pytest.raises(RuntimeError):
        async with db.transaction() as repos:
            await repos.reports.create(
                replace(_new(author, unit, key="deadbeefdeadbeef"), items=(HEROIN,))
            )
            raise RuntimeError("boom")
    async with db.read() as repos:
        assert await repos.reports.get_by_idempotency_key("deadbeefdeadbeef") is None
        assert await repos.reports.count_by_author(author) == 0
        conn = repos.reports._conn
        for table in ("seizure_items", "attachments", "report_versions"):
            async with conn.execute(f"SELECT COUNT(*) FROM {table}") as cursor:
                assert (await cursor.fetchone())[0] == 0  # type: ignore[index]
    # The number it would have had is handed out again.
    async with db.transaction() as repos:
        report = await repos.reports.create(_new(author, unit))
    assert report.number == "SZ-2026-000001"


async def test_drafts_are_upserted_and_keep_their_start(db: Database) -> None:
    async with db.transaction() as repos:
        user, _ = await _officer(repos)
        await repos.drafts.save(
            user, draft_id="aaaaaaaaaaaaaaaa", form="seizure", data={"step": 1}, now=T0
        )
        await repos.drafts.save(
            user,
            draft_id="aaaaaaaaaaaaaaaa",
            form="seizure",
            data={"step": 2, "qty": Decimal("0.5")},
            now=T0 + timedelta(minutes=5),
        )
        kept = await repos.drafts.get(user)
        await repos.drafts.save(
            user,
            draft_id="bbbbbbbbbbbbbbbb",
            form="incident",
            data={},
            now=T0 + timedelta(minutes=9),
        )
        replaced = await repos.drafts.get(user)
        by_id = await repos.drafts.get_by_draft_id("bbbbbbbbbbbbbbbb")
        assert await repos.drafts.get_by_draft_id("aaaaaaaaaaaaaaaa") is None
    assert kept is not None
    assert (kept.draft_id, kept.form, kept.data) == (
        "aaaaaaaaaaaaaaaa",
        "seizure",
        {"step": 2, "qty": "0.5"},
    )
    assert (kept.created_at, kept.updated_at) == (T0, T0 + timedelta(minutes=5))
    assert replaced is not None and replaced == by_id
    assert (replaced.draft_id, replaced.form, replaced.data) == ("bbbbbbbbbbbbbbbb", "incident", {})
    assert replaced.created_at == replaced.updated_at == T0 + timedelta(minutes=9)


async def test_a_draft_id_belongs_to_one_user(db: Database) -> None:
    async with db.transaction() as repos:
        first, _ = await _officer(repos, 100)
        second, _ = await _officer(repos, 200)
        await repos.drafts.save(first, draft_id="cccccccccccccccc", form="seizure", data={}, now=T0)
    with pytest.raises(cipher.IntegrityError):
        async with db.transaction() as repos:
            await repos.drafts.save(
                second, draft_id="cccccccccccccccc", form="seizure", data={}, now=T0
            )


async def test_delete_if_removes_only_that_draft(db: Database) -> None:
    async with db.transaction() as repos:
        user, _ = await _officer(repos)
        await repos.drafts.save(user, draft_id="dddddddddddddddd", form="seizure", data={}, now=T0)
        assert await repos.drafts.delete_if(user, "eeeeeeeeeeeeeeee") is False
        assert await repos.drafts.get(user) is not None
        assert await repos.drafts.delete_if(user, "dddddddddddddddd") is True
        assert await repos.drafts.delete_if(user, "dddddddddddddddd") is False
        assert await repos.drafts.get(user) is None
        await repos.drafts.save(user, draft_id="ffffffffffffffff", form="seizure", data={}, now=T0)
        await repos.drafts.delete(user)
        await repos.drafts.delete(user)  # deleting nothing is fine
        assert await repos.drafts.get(user) is None


async def test_old_drafts_are_listed_oldest_first(db: Database) -> None:
    async with db.transaction() as repos:
        users = [(await _officer(repos, telegram_id))[0] for telegram_id in (1, 2, 3, 4)]
        for user, minutes in zip(users, (30, 10, 20, 40), strict=True):
            await repos.drafts.save(
                user,
                draft_id=new_draft_id(),
                form="seizure",
                data={},
                now=T0 + timedelta(minutes=minutes),
            )
        cutoff = T0 + timedelta(minutes=30)  # exclusive
        old = await repos.drafts.older_than(cutoff)
        limited = await repos.drafts.older_than(cutoff, limit=1)
    assert [d.user_id for d in old] == [users[1], users[2]]
    assert [d.user_id for d in limited] == [users[1]]


def test_draft_ids_are_sixteen_hex_characters() -> None:
    ids = {new_draft_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(i) == 16 and int(i, 16) >= 0 for i in ids)
