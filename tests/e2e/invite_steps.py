"""Making an invitation: saved straight into the database, or through the admin's buttons."""

from __future__ import annotations

import re
from datetime import datetime

from bot.context import FieldReportApplication
from bot.invitations import expiry, hash_token, new_token
from bot.standin import SentMessage, StandIn, TgUser
from storage import Invite, Role
from storage.clock import utc_now
from tests.e2e.conftest import ADMIN

LINK = re.compile(r"https://t\.me/fieldreport_bot\?start=([A-Za-z0-9_-]+)")


async def saved_invite(
    app: FieldReportApplication,
    *,
    role: Role = Role.OFFICER,
    unit_code: str | None = "IMT-TER",
    created_at: datetime | None = None,
) -> tuple[str, Invite]:
    """An invitation saved through the repository, as /invite would; (token, row)."""
    token = new_token()
    now = created_at or utc_now()
    async with app.services.db.transaction() as repos:
        admin = await repos.users.get_by_telegram_id(ADMIN.id)
        unit = await repos.units.get_by_code(unit_code) if unit_code else None
        assert admin is not None
        invite = await repos.invites.create(
            token_hash=hash_token(token),
            role=role,
            unit_id=unit.id if unit else None,
            created_by=admin.id,
            expires_at=expiry(now),
            now=now,
        )
    return token, invite


async def tap_text(tg: StandIn, user: TgUser, message: SentMessage, text: str) -> dict[str, object]:
    return await tg.wait_callback_answer(await tg.tap_text(user, message, text))


async def invite_via_buttons(
    app: FieldReportApplication, tg: StandIn, role_label: str, unit_label: str
) -> tuple[SentMessage, str]:
    """The admin runs /invite and taps a role and a unit; (the link message, the token)."""
    await tg.send_text(ADMIN, "/invite")
    chooser = await tg.next_message(ADMIN.id)
    await tap_text(tg, ADMIN, chooser, role_label)
    await tap_text(tg, ADMIN, chooser, unit_label)
    match = LINK.search(chooser.text or "")
    assert match, tg.describe_chat(ADMIN.id)
    return chooser, match.group(1)
