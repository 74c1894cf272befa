"""/audit as an admin reads it: actions in words, people by name with their id, no raw JSON,
HTML escaped, long output split under Telegram's limit."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.standin import StandIn, TgUser
from storage import Role
from tests.e2e.conftest import ADMIN, RunBot, SeedUser

ADMIN_EN = TgUser(id=9501, first_name="Anna", language_code="en")
OFFICER = TgUser(id=9502, first_name="<Bob & Co>", language_code="en")
STRANGER_ID = 9503


async def test_the_audit_log_reads_as_sentences_with_names(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(ADMIN_EN, Role.ADMIN, None, language="en")
    await seed_user(OFFICER, Role.OFFICER, "IMT-TER")
    async with run_bot() as app:
        async with app.services.db.transaction() as repos:
            await repos.audit.add(
                "access.refused",
                actor_telegram_id=STRANGER_ID,
                details={"kind": "message", "blocked": False},
            )
            await repos.audit.add(
                "user.moved",
                actor_telegram_id=ADMIN_EN.id,
                target=str(OFFICER.id),
                details={"from": "IMT-TER", "to": "IMT-SAM"},
            )
            await repos.audit.add(
                "user.role_change_refused",
                actor_telegram_id=OFFICER.id,
                target=str(ADMIN_EN.id),
                details={"reason": "wrong_role", "actor_role": "officer"},
            )
            await repos.audit.add(
                "export",
                actor_telegram_id=ADMIN_EN.id,
                target="2026-11-01..2026-11-30",
                details={"from": "2026-11-01", "to": "2026-11-30", "reports": 1234},
            )
        await tg.send_text(ADMIN_EN, "/audit 4")
        reply = await tg.next_message(ADMIN_EN.id)
    text = reply.text or ""
    assert "Access refused" in text
    assert f"id {STRANGER_ID}" in text
    assert "Moved to another unit" in text
    assert f"Anna (id {ADMIN_EN.id}) → <Bob & Co> (id {OFFICER.id})" in text
    assert "from: IMT-TER; to: IMT-SAM" in text
    assert "Refused: change a role" in text
    assert "reason: not allowed for this role; their role: officer" in text
    assert "Reports exported" in text and "reports: 1,234" in text
    assert "01.11.2026 — 30.11.2026" in text
    for raw in ("{", '"', "user.moved", "_refused", "wrong_role", "access.refused"):
        assert raw not in text, raw
    assert "&lt;Bob &amp; Co&gt;" in (reply.html or "")


async def test_a_long_audit_log_is_split_between_entries_in_the_readers_language(
    tg: StandIn, run_bot: RunBot, seed_user: SeedUser
) -> None:
    await seed_user(ADMIN, Role.ADMIN, None, language="ru")
    async with run_bot() as app:
        async with app.services.db.transaction() as repos:
            for n in range(200):
                await repos.audit.add(
                    "group.bound",
                    actor_telegram_id=ADMIN.id,
                    target=str(-1000 - n),
                    details={"title": "Штаб " + "Ж" * 120},
                    now=datetime(2026, 11, 27, 9, 5, tzinfo=UTC),
                )
        await tg.send_text(ADMIN, "/audit 200")
        await tg.wait_until(
            lambda: (
                sum((m.text or "").count(f"(id {ADMIN.id})") for m in tg.messages(ADMIN.id)) >= 200
            ),
            timeout=20,
        )
        ru = app.services.catalogs.translator("ru")
    messages = tg.messages(ADMIN.id)
    assert len(messages) > 1
    assert all(len(m.html or "") <= 4096 for m in messages)
    label = ru.gettext("Coordination group connected")
    assert label != "Coordination group connected"
    for message in messages[1:]:
        assert (message.text or "").lstrip().startswith("27.11"), message.text[:40]
    assert sum((m.text or "").count(label) for m in messages) == 200
