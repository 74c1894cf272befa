"""The audit log's words: every action the code writes has its own catalog entry, and an
entry renders as short escaped text whatever its details hold."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.audit_log import ACTIONS, AuditPage, action_label, entry_lines, named_ids
from bot.authority import Operation
from bot.i18n import Catalogs
from storage import AuditEntry

ROOT = Path(__file__).resolve().parents[2]
#: ``repos.audit.add("x.y", …`` and the gate's ``_audit(context, "x.y", …``.
WRITTEN = re.compile(
    r"""(?:audit\.add|_audit)\(\s*(?:context,\s*)?"([a-z_.]+)"(?:\s+if\s+\w+\s+else\s+"([a-z_.]+)")?"""
)


def written_actions() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            for match in WRITTEN.finditer(path.read_text(encoding="utf-8")):
                found.update(group for group in match.groups() if group)
    return found


def test_every_action_the_code_writes_has_a_name() -> None:
    actions = written_actions()
    assert {"access.refused", "invite.refused", "export", "user.blocked", "user.unblocked"} <= (
        actions
    )
    actions |= {operation.refused_action for operation in Operation}
    assert sorted(actions - ACTIONS.keys()) == []


@pytest.mark.parametrize("language", ["uz", "ru"])
def test_every_action_name_is_translated(catalogs: Catalogs, language: str) -> None:
    tr = catalogs.translator(language)
    untranslated = [code for code, label in ACTIONS.items() if tr.gettext(label) == label]
    assert untranslated == []


def entry(action: str, details: str | None, target: str | None = None) -> AuditEntry:
    return AuditEntry(1, datetime(2026, 11, 27, 9, 5, tzinfo=UTC), 42, action, target, details)


def test_unknown_actions_and_broken_details_are_shown_not_hidden(catalogs: Catalogs) -> None:
    tr = catalogs.translator("en")
    page = AuditPage(
        [
            entry("future.thing", '{"note": "<b>x</b>", "nested": {"a": 1}}'),
            entry("user.moved", "not json", target="77"),
        ],
        {},
    )
    first, second = entry_lines(page, tr)
    assert "future.thing" in first and "note: &lt;b&gt;x&lt;/b&gt;" in first
    assert "{" not in first and "nested" not in first
    assert "Moved to another unit" in second and "id 77" in second and "not json" not in second
    assert named_ids(page.entries) == {42, 77}
    assert action_label("access.refused", tr) == "Access refused"
