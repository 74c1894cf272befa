"""Placeholder: filled in by the admin step (issue 4)."""

from __future__ import annotations

from bot.context import FieldReportApplication


def register(application: FieldReportApplication) -> None:
    """Nothing yet."""
